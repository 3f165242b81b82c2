"""Testing a small HTTP client of a BZZZ node against the fake UCXI node.

``ContextClient`` below stands for your own code: it talks to a BZZZ node
over HTTP, through the node's UCXI API, with httpx. The tests hand it the
fake node, over a real socket (the ``ucxi_server`` fixture), in process
(``ucxi_app``, through httpx's WSGI transport: no socket at all) or through
the one server the session shares (``ucxi_session_server``). The node serves
the test's simulated world, so ``mock_bzzz`` sees what the client stored, and
the network markers (``latency``, ``flaky_network``, ``bzzz``) shape how
the node answers.

Run them with ``python -m pytest docs/examples``; they need httpx
(``python -m pip install httpx``) and are skipped without it.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from pytest_bzzz import Connector, UCXIApp, UCXIRules, UCXIServer

httpx = pytest.importorskip("httpx")

# -- The code under test ------------------------------------------------------
# In a real project this lives in your package.


class NodeUnavailable(Exception):
    """The node did not answer usefully, even after retrying."""


class ContextClient:
    """Save and load context on a BZZZ node through its UCXI API.

    ``base_url`` is the node's API root (``http://host:port/ucxi/v1``); a
    request that fails with a 503 is tried again, ``retries`` times.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        retries: int = 2,
        transport: Any = None,
    ) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)
        self._retries = retries

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **options: Any) -> Any:
        for _attempt in range(self._retries + 1):
            try:
                answer = self._http.request(method, path, **options)
            except httpx.TimeoutException as error:
                raise NodeUnavailable(f"{method} {path}: no answer in time") from error
            if answer.status_code != 503:
                return answer
        raise NodeUnavailable(f"{method} {path}: {answer.json()['error']['code']}")

    def save(self, address: str, text: str) -> int:
        """Store ``text`` under ``address``; the version the node gave it."""
        answer = self._call(
            "PUT",
            "/put",
            params={"address": address},
            content=text.encode(),
            headers={"Content-Type": "text/plain"},
        )
        answer.raise_for_status()
        version: int = answer.json()["response"]["data"]["version"]
        return version

    def load(self, address: str) -> str | None:
        """The latest text under ``address``, or ``None`` when there is none."""
        answer = self._call("GET", "/get", params={"address": address})
        if answer.status_code == 404:
            return None
        answer.raise_for_status()
        return base64.b64decode(answer.json()["response"]["data"]["content"]).decode()


# -- The tests ----------------------------------------------------------------

API = "ucxl://gpt4:architect@bzzz:v2/decisions/api.md"


@pytest.fixture
def client(ucxi_server: UCXIServer) -> Any:
    """The code under test, pointed at the test's fake node."""
    client = ContextClient(ucxi_server.base_url)
    yield client
    client.close()


def test_saved_context_reads_back(client: ContextClient) -> None:
    assert client.save(API, "REST, versioned") == 1
    assert client.save(API, "REST, versioned, paginated") == 2
    assert client.load(API) == "REST, versioned, paginated"
    assert client.load(API.replace("api.md", "nothing.md")) is None


def test_the_node_serves_what_mock_bzzz_stored(
    client: ContextClient, mock_bzzz: Connector, ucxi_server: UCXIServer
) -> None:
    mock_bzzz.store(API, "stored by another agent")
    assert client.load(API) == "stored by another agent"
    client.save(API, "an answer")
    assert mock_bzzz.retrieve(API).text() == "an answer"
    assert [(r.method, r.route, r.status) for r in ucxi_server.requests] == [
        ("GET", "get", 200),
        ("PUT", "put", 200),
    ]


def test_in_process_without_a_socket(ucxi_app: UCXIApp) -> None:
    transport = httpx.WSGITransport(app=ucxi_app)
    client = ContextClient("http://bzzz-node/ucxi/v1", transport=transport)
    client.save(API, "in process")
    assert client.load(API) == "in process"
    client.close()


@pytest.mark.flaky_network(1.0)
def test_a_failing_network_is_retried_then_reported(
    client: ContextClient, ucxi_app: UCXIApp
) -> None:
    with pytest.raises(NodeUnavailable, match="UCXL-503-SERVICE_UNAVAILABLE"):
        client.load(API)
    assert [request.status for request in ucxi_app.requests] == [503, 503, 503]


@pytest.mark.flaky_network(0.5)
@pytest.mark.bzzz(seed=7)  # the same draws on every run: two failures, then an answer
def test_a_flaky_network_is_retried(client: ContextClient, ucxi_app: UCXIApp) -> None:
    assert client.load(API) is None
    assert [request.status for request in ucxi_app.requests] == [503, 503, 404]


@pytest.mark.latency("20s")
def test_a_slow_node_makes_the_client_give_up(ucxi_server: UCXIServer) -> None:
    """The node spends the world's 20 s latency in real time: the client's 0.2 s run out."""
    client = ContextClient(ucxi_server.base_url, timeout=0.2)
    with pytest.raises(NodeUnavailable, match="no answer in time"):
        client.load(API)
    client.close()


@pytest.mark.latency("20s")
@pytest.mark.ucxi(latency_scale=0)
def test_latency_scale_zero_answers_at_once(client: ContextClient, ucxi_app: UCXIApp) -> None:
    assert client.load(API) is None  # 20 simulated seconds, no real ones
    assert ucxi_app.world.clock.now() == 20


@pytest.mark.ucxi(rules=UCXIRules(base_path="/api/v2"))
def test_a_node_with_other_routes(ucxi_server: UCXIServer) -> None:
    assert ucxi_server.base_url.endswith("/api/v2")
    client = ContextClient(ucxi_server.base_url)
    assert client.save(API, "x") == 1
    client.close()


def test_many_tests_can_share_one_server(ucxi_session_server: UCXIServer) -> None:
    client = ContextClient(ucxi_session_server.base_url)
    assert client.load(API) is None  # each test's world is its own, on the shared server
    client.save(API, "shared server, own world")
    client.close()
