"""UCXIServer serving the real application (``UCXIApp``) over a world, with real HTTP clients."""

from __future__ import annotations

import http.client
import json
import socket
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


def test_head_carries_the_content_length_get_would_send(server: UCXIServer) -> None:
    with requests.Session() as session:
        for path in ("/ucxi/v1/health", f"/ucxi/v1/get?address={API}", "/nowhere"):
            headers = {"X-Request-ID": "same-id"}  # so that both bodies are the same length
            got = session.get(server.url + path, headers=headers, timeout=30)
            head = session.head(server.url + path, headers=headers, timeout=30)
            assert head.content == b""
            assert head.headers["Content-Length"] == str(len(got.content)) != "0"


def test_the_server_refuses_bodies_over_the_apps_own_limit() -> None:
    with serve(rules={"max_body": 10}) as server:
        assert server.max_body == 10  # not the server's default of 1 MiB
        too_big = requests.put(
            f"{server.base_url}/put", params={"address": API}, data=b"x" * 11, timeout=30
        )
        fits = requests.put(
            f"{server.base_url}/put", params={"address": API}, data=b"x" * 10, timeout=30
        )
    assert (too_big.status_code, fits.status_code) == (413, 201)
    assert error_of(too_big.content, "UCXL-413-PAYLOAD_TOO_LARGE")["details"]["limit"] == 10
    with serve(rules={"max_body": 10}, max_body=20) as server:
        assert server.max_body == 20  # given: the server's own


def test_the_servers_own_answers_follow_the_apps_rules() -> None:
    rules = {
        "max_body": 4,
        "codes": {"PAYLOAD_TOO_LARGE": "UCXL-413-TOO_BIG", "BAD_REQUEST": "UCXL-400-MALFORMED"},
        "messages": {"PAYLOAD_TOO_LARGE": "Too big"},
        "source": "my-node",
        "request_id_header": "X-Trace",
    }
    with serve(rules=rules) as server:
        too_big = requests.put(
            f"{server.base_url}/put",
            params={"address": API},
            data=b"12345",
            headers={"X-Trace": "trace-7"},
            timeout=30,
        )
        with socket.create_connection((server.host, server.port), timeout=30) as sock:
            sock.sendall(b"GET / HTTP/9.9\r\nHost: x\r\n\r\n")
            raw = b"".join(iter(lambda: sock.recv(65536), b""))
        recorded = server.requests
    error = too_big.json()["error"]
    assert (too_big.status_code, error["code"], error["message"]) == (
        413,
        "UCXL-413-TOO_BIG",
        "Too big",
    )
    assert (error["source"], error["request_id"], error["path"]) == (
        "my-node",
        "trace-7",
        "/ucxi/v1/put",
    )
    assert too_big.headers["X-Trace"] == "trace-7"
    assert error["timestamp"] == "2025-01-01T00:00:00.000Z"  # the world clock's, not the wall's
    assert raw.startswith(b"HTTP/1.1 400 ")
    bad = json.loads(raw.partition(b"\r\n\r\n")[2])["error"]
    assert (bad["code"], bad["source"], bad["path"]) == ("UCXL-400-MALFORMED", "my-node", "/")
    assert f"X-Trace: {bad['request_id']}".encode() in raw
    # The refused requests were received (their request lines at least): recorded, without
    # their bodies and without a route.
    assert [(r.method, r.path, r.status, r.route, r.body) for r in recorded] == [
        ("PUT", "/ucxi/v1/put", 413, None, b""),
        ("GET", "/", 400, None, b""),
    ]


def test_the_servers_own_answers_draw_their_ids_from_the_worlds_seed() -> None:
    def ids() -> list[str]:
        seen = []
        with serve() as server:
            for data in (b"NOT HTTP\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n"):  # no Host: 400
                with socket.create_connection((server.host, server.port), timeout=30) as sock:
                    sock.sendall(data)
                    raw = b"".join(iter(lambda s=sock: s.recv(65536), b""))
                seen.append(json.loads(raw.partition(b"\r\n\r\n")[2])["error"]["request_id"])
            answer = requests.get(f"{server.base_url}/status", timeout=30)
            seen.append(answer.headers["X-Request-ID"])
        return seen

    first = ids()
    assert first == ids()  # the same seed, the same requests: the same ids
    assert len(set(first)) == 3
    assert all(one.startswith("20250101-000000-") for one in first)


def test_a_clients_own_timeout_fires_while_the_server_spends_the_latency() -> None:
    """30 simulated seconds, spent in real time: a client that waits 0.2 s gives up first."""
    with serve(pytest_bzzz.NetworkConditions(latency=30)) as server:
        began = time.monotonic()
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(f"{server.base_url}/get", params={"address": API}, timeout=0.2)
        with httpx.Client(timeout=0.2) as client, pytest.raises(httpx.ReadTimeout):
            client.get(f"{server.base_url}/get", params={"address": API})
        server.latency_scale = 0  # the same world answers at once now
        fast = requests.get(f"{server.base_url}/get", params={"address": API}, timeout=30)
        assert fast.status_code == 404
    assert time.monotonic() - began < 25  # stopping ended the waits: the 30 s were never spent


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
