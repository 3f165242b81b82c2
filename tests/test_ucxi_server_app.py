"""UCXIServer serving the real application (``UCXIApp``) over a world, with real HTTP clients."""

from __future__ import annotations

import http.client
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import requests

import pytest_bzzz
from pytest_bzzz._backends.ucxi.server import UCXIServer
from tests.test_ucxi_server import error_of

app_module = pytest.importorskip("pytest_bzzz._backends.ucxi.app")
rules_module = pytest.importorskip("pytest_bzzz._backends.ucxi.rules")

API = "ucxl://gpt4:architect@bzzz:v2/decisions/api.json"


def serve(conditions: pytest_bzzz.NetworkConditions | None = None, **options: Any) -> UCXIServer:
    world = pytest_bzzz.World(seed=1, conditions=conditions)
    rules = rules_module.UCXIRules(**options.pop("rules", {}))
    app = app_module.UCXIApp(pytest_bzzz.MockBZZZ(world), world, rules=rules)
    return UCXIServer(app, **options)


@pytest.fixture
def server() -> Iterator[UCXIServer]:
    with serve() as running:
        yield running


def test_put_then_get_through_http(server: UCXIServer) -> None:
    with requests.Session() as session:
        put = session.put(
            f"{server.url}/ucxi/v1/put",
            params={"address": API},
            data=b'{"a": 1}',
            headers={"Content-Type": "application/json", "X-Request-ID": "req-1"},
            timeout=30,
        )
        got = session.get(f"{server.url}/ucxi/v1/get", params={"address": API}, timeout=30)
    assert put.status_code == 201
    assert put.headers["X-Request-ID"] == "req-1"
    assert put.json()["response"]["code"] == "UCXL-201-CREATED"
    assert got.status_code == 200
    assert list(got.json()) == ["response"]
    assert got.json()["response"]["data"]["address"].endswith("/decisions/api.json")


def test_errors_of_the_application_keep_the_connection(server: UCXIServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        missing = client.get("/ucxi/v1/get", params={"address": API})
        nowhere = client.get("/nowhere")
        wrong = client.delete("/ucxi/v1/status")
        fine = client.get("/ucxi/v1/health")
    error_of(missing.content, "UCXL-404-NOT_FOUND")
    error_of(nowhere.content, "UCXL-404-NOT_FOUND")
    assert wrong.status_code == 405
    assert "GET" in wrong.headers["Allow"]
    assert fine.json()["response"]["data"] == {"status": "healthy"}


def test_head_on_a_get_route(server: UCXIServer) -> None:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    connection.request("HEAD", "/ucxi/v1/status")
    head = connection.getresponse()
    assert (head.status, head.read()) == (200, b"")
    assert head.getheader("Content-Type") == "application/json"
    connection.request("GET", "/ucxi/v1/status")
    assert connection.getresponse().status == 200
    connection.close()


def test_the_worlds_latency_is_spent_in_real_time() -> None:
    slow = pytest_bzzz.NetworkConditions(latency=0.3)
    with serve(slow) as server:
        began = time.monotonic()
        answer = requests.get(f"{server.url}/ucxi/v1/get", params={"address": API}, timeout=60)
        assert answer.status_code == 404
        assert time.monotonic() - began >= 0.3
    with serve(pytest_bzzz.NetworkConditions(latency=300), latency_scale=0) as server:
        began = time.monotonic()
        requests.get(f"{server.url}/ucxi/v1/get", params={"address": API}, timeout=120)
        assert time.monotonic() - began < 100  # five simulated minutes, not spent


def test_a_timeout_the_rules_drop_is_left_unanswered() -> None:
    conditions = pytest_bzzz.NetworkConditions(latency=10, timeout=1)
    with serve(conditions, latency_scale=0, rules={"on_timeout": "drop"}) as server:
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{server.url}/ucxi/v1/get", params={"address": API}, timeout=60)
        assert requests.get(f"{server.url}/ucxi/v1/status", timeout=30).status_code == 200


def test_many_clients_store_at_once(server: UCXIServer) -> None:
    def store(number: int) -> int:
        address = f"ucxl://gpt4:architect@bzzz:v2/notes/{number}.txt"
        answer = requests.put(
            f"{server.url}/ucxi/v1/put", params={"address": address}, data=b"x", timeout=60
        )
        return answer.status_code

    with ThreadPoolExecutor(20) as pool:
        assert list(pool.map(store, range(40))) == [201] * 40
    status = requests.get(f"{server.url}/ucxi/v1/status", timeout=30).json()["response"]["data"]
    assert status["storage"]["addresses"] == 40
