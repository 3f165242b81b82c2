"""The world's faults over real HTTP: a killed, paused or partitioned node, as a client sees it.

A fault in the world reaches HTTP through the connector's operations, as the
network conditions do: the node's own peer killed or paused makes every
operation fail at once (503, in the error envelope), and ``/health`` says so
(by the rules' ``unhealthy_when``); a partition leaves the node up, answering
from what it reaches (discovery, which reads the DHT's provider records, finds
only the peers it reaches). Each test runs a world of several peers behind a
``UCXIServer`` and talks to it with ``requests``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import pytest
import requests

from pytest_bzzz import MockBZZZ, World
from pytest_bzzz._backends.ucxi.app import UCXIApp
from pytest_bzzz._backends.ucxi.rules import UCXIRules
from pytest_bzzz._backends.ucxi.server import UCXIServer
from tests.test_ucxi_app import API, REQUEST_ID, TIMESTAMP

PATTERN = "ucxl://any:any@any:any/**"


@pytest.fixture
def world() -> Iterator[World]:
    with World(seed=5, peers=3) as world:
        yield world


@pytest.fixture
def bzzz(world: World) -> MockBZZZ:
    return MockBZZZ(world)


@pytest.fixture
def app(bzzz: MockBZZZ, world: World) -> UCXIApp:
    return UCXIApp(bzzz, world)


class Node(NamedTuple):
    """A keep-alive session to a node, and the node's base URL."""

    session: requests.Session
    base: str


@pytest.fixture
def node(app: UCXIApp) -> Iterator[Node]:
    with UCXIServer(app, latency_scale=0) as server, requests.Session() as session:
        yield Node(session, server.base_url)


def call(node: Node, method: str, route: str, **options: Any) -> requests.Response:
    return node.session.request(method, f"{node.base}/{route}", timeout=30, **options)


def envelope(response: requests.Response, code: str) -> dict[str, Any]:
    """The envelope's body, checked against the note's shape and ``code``."""
    assert response.headers["content-type"] == "application/json"
    document: dict[str, dict[str, Any]] = response.json()
    ((key, body),) = document.items()
    assert key == ("response" if response.status_code < 400 else "error")
    assert body["code"] == code, body
    assert int(code.split("-")[1]) == response.status_code
    assert REQUEST_ID.match(body["request_id"])
    assert body["request_id"] == response.headers["x-request-id"]
    assert TIMESTAMP.match(body["timestamp"])
    if key == "error":
        assert body["source"] == "ucxi-server"
    return body


def every_operation(node: Node) -> list[requests.Response]:
    """One request of each operation that reaches the network."""
    address = {"address": API}
    return [
        call(node, "GET", "get", params=address),
        call(node, "PUT", "put", params=address, data=b"new"),
        call(node, "POST", "post", params={"address": API + "2"}, data=b"new"),
        call(node, "DELETE", "delete", params=address),
        call(node, "POST", "announce", json={"address": API, "capability": 1}),
        call(node, "GET", "discover", params={"pattern": PATTERN}),
        call(node, "GET", "navigate", params=address),
    ]


@pytest.mark.parametrize("fault", ["kill", "pause"])
def test_a_node_whose_peer_is_down_answers_503_and_is_unhealthy(
    world: World, bzzz: MockBZZZ, node: Node, fault: str
) -> None:
    bzzz.store(API, "kept")
    getattr(world, fault)("local")
    for response in every_operation(node):
        error = envelope(response, "UCXL-503-SERVICE_UNAVAILABLE")
        assert error["message"] == "Service unavailable"
        assert error["cause"]["code"] == "UCXL-503-SERVICE_UNAVAILABLE"
        assert (
            "which is " + {"kill": "killed", "pause": "paused"}[fault] in error["cause"]["message"]
        )
    state = {"kill": "killed", "pause": "paused"}[fault]
    health = envelope(call(node, "GET", "health"), "UCXL-503-SERVICE_UNAVAILABLE")
    assert health["details"] == {
        "status": "unhealthy",
        "reason": f"the node's own peer is {state}: every operation fails at once",
    }
    status = envelope(call(node, "GET", "status"), "UCXL-200-SUCCESS")
    assert status["data"]["p2p"]["status"] == state
    assert status["data"]["p2p"]["peers"] == 0  # a node that is down reaches no one
    world.revive("local")
    assert envelope(call(node, "GET", "health"), "UCXL-200-SUCCESS")["data"] == {
        "status": "healthy"
    }
    # The version histories are the world's, not the peer's: revived, the node serves them.
    got = envelope(call(node, "GET", "get", params={"address": API}), "UCXL-200-SUCCESS")
    assert got["data"]["version"] == 1


def test_another_peer_down_leaves_the_node_healthy(world: World, node: Node) -> None:
    world.kill("peer-1")
    world.pause("peer-2")
    assert envelope(call(node, "GET", "health"), "UCXL-200-SUCCESS")["data"] == {
        "status": "healthy"
    }
    put = call(node, "PUT", "put", params={"address": API}, data=b"x")
    envelope(put, "UCXL-201-CREATED")


def test_across_a_partition_the_node_answers_from_what_it_reaches() -> None:
    # One replica, so that peer-1's provider record lies on peer-1 and one other peer, and
    # with this seed not on the local one: across the partition, out of the node's reach.
    with World(seed=5, peers=3, replication=1) as world:
        bzzz = MockBZZZ(world)
        MockBZZZ(world, peer="peer-1").announce(API, {"gpu": True})
        bzzz.store(API, "kept")
        with (
            UCXIServer(UCXIApp(bzzz, world), latency_scale=0) as server,
            requests.Session() as session,
        ):
            node = Node(session, server.base_url)
            discover = {"pattern": PATTERN}
            found = envelope(call(node, "GET", "discover", params=discover), "UCXL-200-SUCCESS")
            assert found["data"]["count"] == 1
            world.partition(["local"], ["peer-1", "peer-2"])
            # Discovery reads the DHT's provider records: peer-1's are out of reach, so
            # there is nothing to find (an empty list, as for no match), and no failure.
            lost = envelope(call(node, "GET", "discover", params=discover), "UCXL-200-SUCCESS")
            assert lost["data"] == {"pattern": PATTERN, "results": [], "count": 0}
            # The connector's version histories are the world's, not placed on peers: a
            # read of them still answers, and the node itself is up.
            got = envelope(call(node, "GET", "get", params={"address": API}), "UCXL-200-SUCCESS")
            assert got["data"]["version"] == 1
            health = envelope(call(node, "GET", "health"), "UCXL-200-SUCCESS")
            assert health["data"] == {"status": "healthy"}
            status = envelope(call(node, "GET", "status"), "UCXL-200-SUCCESS")
            assert (status["data"]["p2p"]["status"], status["data"]["p2p"]["peers"]) == (
                "live",
                0,
            )
            world.heal()
            healed = envelope(call(node, "GET", "discover", params=discover), "UCXL-200-SUCCESS")
            assert healed["data"]["count"] == 1


def test_a_scheduled_kill_answers_503_from_its_instant(world: World, node: Node) -> None:
    world.at("10s", "kill", "local")
    envelope(call(node, "PUT", "put", params={"address": API}, data=b"x"), "UCXL-201-CREATED")
    envelope(call(node, "GET", "health"), "UCXL-200-SUCCESS")
    world.clock.advance(10)
    envelope(call(node, "GET", "health"), "UCXL-503-SERVICE_UNAVAILABLE")
    envelope(call(node, "GET", "get", params={"address": API}), "UCXL-503-SERVICE_UNAVAILABLE")
    assert [(event.at, event.action) for event in world.faults] == [(10.0, "kill")]


@pytest.mark.parametrize(
    ("unhealthy_when", "status"),
    [((), 200), (("every_operation_fails",), 200), (("peer_down",), 503)],
)
def test_what_makes_the_node_unhealthy_is_a_rule(
    world: World, bzzz: MockBZZZ, unhealthy_when: tuple[str, ...], status: int
) -> None:
    app = UCXIApp(bzzz, world, rules=UCXIRules(unhealthy_when=unhealthy_when))  # type: ignore[arg-type]
    world.kill("local")
    with UCXIServer(app, latency_scale=0) as server:
        health = requests.get(f"{server.base_url}/health", timeout=30)
        get = requests.get(f"{server.base_url}/get", params={"address": API}, timeout=30)
    assert health.status_code == status
    assert get.status_code == 503  # the rule says what /health reports, not what fails


def test_health_draws_nothing_and_records_no_operation(world: World, node: Node) -> None:
    world.kill("local")
    before = len(world.calls())
    for _ in range(5):
        call(node, "GET", "health")
        call(node, "GET", "status")
    assert len(world.calls()) == before
