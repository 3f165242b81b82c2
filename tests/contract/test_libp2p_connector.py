"""The connector on the libp2p backend: announcements on the real hosts, content simulated.

Collected only where the contract runs on libp2p (see ``conftest.py``); what
both backends' connectors do alike is ``test_contract_announcements.py``'s.
The waits here are bounds, never the measure: a call that should be cut
short is given far longer (a minute) than the test waits for it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import pytest

from pytest_bzzz import MockBZZZ, NetworkConditions, NetworkError, World
from pytest_bzzz._backends.libp2p import Libp2pBackend, Libp2pBZZZ, UnsupportedOnLibp2p

PLAN = "ucxl://gpt4:architect@bzzz:v2/plan.md"
ARCHITECTS = "ucxl://any:architect@bzzz:v2/**"
LONG = 60.0
"""Latency (real seconds) of a call that the test cancels long before it is made."""
BOUND = 10.0
"""Real seconds a test waits, at most, for what should happen at once."""


@pytest.fixture
def world() -> Iterator[World]:
    with World(peers=2) as world:
        yield world


def until(condition: Callable[[], bool]) -> bool:
    """Poll ``condition`` until it holds (True) or BOUND seconds pass (False)."""
    deadline = time.monotonic() + BOUND
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# -- what the backend is given --------------------------------------------------------------


def test_the_connector_needs_a_connector_for_its_content(
    two_hosts: Libp2pBackend, world: World
) -> None:
    with pytest.raises(UnsupportedOnLibp2p, match=r"hands its content to a connector on the same"):
        two_hosts.connector(world)


def test_the_content_connector_must_be_a_connector(two_hosts: Libp2pBackend, world: World) -> None:
    with pytest.raises(TypeError, match=r"content must be a connector .*, got dict"):
        two_hosts.connector(world, content={})  # type: ignore[arg-type]


def test_the_content_connector_must_act_in_the_same_world(
    two_hosts: Libp2pBackend, world: World
) -> None:
    with World() as other, pytest.raises(ValueError, match="the content connector acts in"):
        two_hosts.connector(world, content=MockBZZZ(other))


def test_the_content_connector_must_act_as_the_same_peer(
    two_hosts: Libp2pBackend, world: World
) -> None:
    with pytest.raises(ValueError, match="acts as peer-1, and this connector as local"):
        two_hosts.connector(world, content=MockBZZZ(world, peer="peer-1"))


def test_acting_as_another_peer_moves_the_content_connector_too(
    two_hosts: Libp2pBackend, world: World
) -> None:
    connector = two_hosts.connector(world, content=MockBZZZ(world))

    other = connector.on("peer-1")

    assert isinstance(other, Libp2pBZZZ)
    assert other.peer.name == other.content.peer.name == "peer-1"  # type: ignore[attr-defined]


def test_a_content_connector_that_cannot_act_as_another_peer_is_said_so(
    two_hosts: Libp2pBackend, world: World
) -> None:
    class Fixed(MockBZZZ):
        on = None  # type: ignore[assignment]

    connector = two_hosts.connector(world, content=Fixed(world))

    with pytest.raises(TypeError, match="the content connector Fixed has no on"):
        connector.on("peer-1")


# -- what runs where -------------------------------------------------------------------------


def test_content_runs_on_the_worlds_clock_and_announcements_on_real_time(
    two_hosts: Libp2pBackend, world: World
) -> None:
    content = MockBZZZ(world)
    connector = two_hosts.connector(world, content=content)
    world.conditions = NetworkConditions(latency=0.05)

    stored = connector.store(PLAN, "the plan")
    connector.announce(PLAN, "architect")

    assert content.retrieve(PLAN) == stored  # the simulation holds the content
    assert world.content.history(PLAN) is not None
    assert world.clock.now() == pytest.approx(0.10)  # store and retrieve; not the announcement
    announced = world.calls("announce")[0]
    assert announced.latency >= 0.05  # its real seconds, the latency waited for
    assert [a.capability for a in connector.discover(ARCHITECTS)] == ["architect"]


def test_an_asyncio_task_cancelled_stops_its_discovery(
    two_hosts: Libp2pBackend, world: World
) -> None:
    network = two_hosts.network
    connector = two_hosts.connector(world, content=MockBZZZ(world))
    world.conditions = NetworkConditions(latency=LONG)

    async def scenario() -> None:
        task = asyncio.create_task(connector.adiscover(ARCHITECTS))
        deadline = time.monotonic() + BOUND
        while network.in_flight != 1:
            assert time.monotonic() < deadline, "the call did not begin"
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())

    assert until(lambda: network.in_flight == 0), "the call still waits in the network"
    assert [(call.op, call.outcome) for call in world.calls()] == [("discover", "cancelled")]


def test_an_announcement_that_reaches_no_peer_fails_and_keeps_no_offer(
    two_hosts: Libp2pBackend, world: World
) -> None:
    provider_store = two_hosts.network._hosts[0].dht.provider_store
    connector = two_hosts.connector(world, content=MockBZZZ(world))

    async def refused(peer_id: object, key: bytes) -> bool:
        return False  # as when every ADD_PROVIDER message fails

    provider_store._send_add_provider = refused
    try:
        with pytest.raises(
            NetworkError,
            match=r"announce\('ucxl://.*'\) failed on the libp2p backend: the provider "
            "announcement reached none of the 1 other live",
        ):
            connector.announce(PLAN, "architect")
    finally:
        del provider_store._send_add_provider

    assert connector.discover(ARCHITECTS) == []
    assert [(call.op, call.outcome) for call in world.calls()] == [
        ("announce", "failed"),
        ("discover", "ok"),
    ]


# -- through the plugin --------------------------------------------------------------------


def test_mock_bzzz_and_the_fake_ucxi_node_run_on_the_libp2p_backend(
    pytester: pytest.Pytester,
) -> None:
    pytest.importorskip("httpx")
    pytester.makepyfile(
        """
        import time

        import httpx
        import pytest

        PLAN = "ucxl://gpt4:architect@bzzz:v2/plan.md"

        @pytest.mark.bzzz(peers=2)
        def test_connector(mock_bzzz, mock_dht, bzzz_network):
            assert type(mock_bzzz).__name__ == "Libp2pBZZZ"
            assert type(mock_bzzz.content).__name__ == "MockBZZZ"
            mock_bzzz.store(PLAN, "the plan")
            mock_bzzz.on("peer-1").announce(PLAN, {"role": "architect"})
            assert mock_dht.on("peer-1").find_providers(PLAN) == [bzzz_network.peers[1].id]

        def test_node(ucxi_server, mock_bzzz):
            client = httpx.Client(base_url=ucxi_server.base_url)
            assert client.put("/put", params={"address": PLAN}, content=b"x").is_success
            answer = client.post("/announce", json={"address": PLAN, "capability": "gpu"})
            assert answer.status_code == 200
            found = client.get("/discover", params={"pattern": "ucxl://any:any@bzzz:any/**"})
            assert found.json()["response"]["data"]["results"] == [
                {"address": PLAN, "peer": mock_bzzz.peer.id, "capability": "gpu"}
            ]
            assert mock_bzzz.retrieve(PLAN).content == b"x"
            status = client.get("/status").json()["response"]["data"]
            assert status["resolver"] == {"announcements": 1}
            assert status["storage"] == {"addresses": 1, "versions": 1}
            client.close()
        """
    )

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p", "-p", "no:randomly")

    result.assert_outcomes(passed=2)
