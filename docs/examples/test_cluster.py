"""Code that must survive a partial failure of a BZZZ network, tested in a world of many peers.

The functions at the top stand for your own code: a cache that reads
through the DHT, a model registry that picks a live provider, a node's
bootstrap, and a decision log on the BZZZ connector that checks its entries
survived. The tests put them through partitions, a provider that dies, and
a cluster of fifty peers, in virtual time and from the test's seed.

Run them with ``python -m pytest docs/examples``; they need only pytest-bzzz.
"""

from __future__ import annotations

import pytest

from pytest_bzzz import (
    MockBZZZ,
    MockDHT,
    NetworkError,
    NotFoundError,
    SyncConnector,
    SyncDHT,
    World,
)

HOUR = 3600

# Partitions, paused and killed peers and 50 simulated peers: these tests need the
# simulation, also when a run chooses the libp2p backend (--bzzz-backend=libp2p).
pytestmark = pytest.mark.bzzz(backend="memory")

# -- The code under test ------------------------------------------------------


def read_plan(dht: SyncDHT, key: str, default: bytes) -> bytes:
    """The plan under ``key``, or ``default`` when no reachable peer has it."""
    try:
        return dht.get_value(key)
    except NotFoundError:
        return default


def pick_provider(dht: SyncDHT, model: str, alive: set[str]) -> str | None:
    """The first provider of ``model`` that is known to be alive, if any."""
    return next((peer for peer in dht.find_providers(model) if peer in alive), None)


def bootstrap(dht: SyncDHT, node: str, capabilities: list[str]) -> None:
    """A joining node announces each capability it offers."""
    for capability in capabilities:
        dht.provide(f"capability/{capability}", node)


def log_decision(bzzz: SyncConnector, address: str, text: str) -> None:
    """Append a decision to the log at ``address``."""
    bzzz.store(address, text)


def lost_decisions(bzzz: SyncConnector, address: str, written: list[str]) -> list[str]:
    """The decisions among ``written`` that the log no longer holds."""
    kept = {envelope.text() for envelope in bzzz.history(address)}
    return [text for text in written if text not in kept]


# -- The tests ----------------------------------------------------------------


@pytest.mark.bzzz(peers=6, replication=2)
def test_a_read_across_a_partition_falls_back_then_sees_the_plan_after_heal(
    bzzz_network: World, mock_dht: MockDHT
) -> None:
    bzzz_network.partition(["local", "peer-1", "peer-2"])
    mock_dht.put_value("plan/current", b"v2")
    other_side = mock_dht.on("peer-4")
    assert read_plan(other_side, "plan/current", default=b"v1") == b"v1"
    bzzz_network.heal()
    assert read_plan(other_side, "plan/current", default=b"v1") == b"v2"


@pytest.mark.bzzz(peers=8, replication=3)
def test_a_provider_that_died_is_skipped_then_forgotten(
    bzzz_network: World, mock_dht: MockDHT
) -> None:
    first, second = bzzz_network.peer("peer-3"), bzzz_network.peer("peer-6")
    mock_dht.on(first).provide("models/llama", first.id)
    mock_dht.on(second).provide("models/llama", second.id)
    bzzz_network.kill(first)
    alive = {peer.id for peer in bzzz_network.peers if bzzz_network.status(peer) == "live"}
    # Its record outlives it on the peers holding a copy: the code must check liveness.
    assert mock_dht.find_providers("models/llama") == [first.id, second.id]
    assert pick_provider(mock_dht, "models/llama", alive) == second.id
    # Two days later the dead provider's record has expired; the live one renews its own.
    bzzz_network.clock.advance(47 * HOUR)
    mock_dht.on(second).provide("models/llama", second.id)
    bzzz_network.clock.advance(1 * HOUR)
    assert mock_dht.find_providers("models/llama") == [second.id]


@pytest.mark.bzzz(peers=50)
@pytest.mark.latency(20, jitter=5)
def test_fifty_peers_bootstrap_and_find_each_other(bzzz_network: World, mock_dht: MockDHT) -> None:
    for index, peer in enumerate(bzzz_network.peers):
        bootstrap(mock_dht.on(peer), peer.id, ["chat"] + (["gpu"] if index % 5 == 0 else []))
    assert len(mock_dht.find_providers("capability/chat")) == 50
    assert len(mock_dht.on("peer-37").find_providers("capability/gpu")) == 10
    # Every lookup among 50 peers takes two rounds of about 20 ms: the bootstrap took
    # virtual time, and no wall time.
    calls = bzzz_network.calls()
    assert {call.rounds for call in calls} == {2}
    assert len(calls) * 2 * 0.015 <= bzzz_network.clock.now() <= len(calls) * 2 * 0.025


@pytest.mark.bzzz(peers=5)
def test_a_paused_node_cannot_bootstrap(bzzz_network: World, mock_dht: MockDHT) -> None:
    bzzz_network.pause("peer-2")
    with pytest.raises(NetworkError, match="which is paused"):
        bootstrap(mock_dht.on("peer-2"), bzzz_network.peer("peer-2").id, ["chat"])
    bzzz_network.revive("peer-2")
    bootstrap(mock_dht.on("peer-2"), bzzz_network.peer("peer-2").id, ["chat"])
    assert mock_dht.find_providers("capability/chat") == [bzzz_network.peer("peer-2").id]


LOG = "ucxl://coordinator:admin@bzzz:v2/decisions/log.md"


@pytest.mark.bzzz(peers=6, replication=2)
def test_a_decision_logged_on_both_sides_of_a_partition_is_lost_once_they_meet(
    bzzz_network: World, mock_bzzz: MockBZZZ
) -> None:
    log_decision(mock_bzzz, LOG, "use libp2p")
    holders = [peer.name for peer in bzzz_network.content_holders(LOG)]
    others = [peer.name for peer in bzzz_network.peers if peer.name not in holders]
    bzzz_network.partition(holders, others)
    log_decision(mock_bzzz, LOG, "add QUIC")  # the local peer wrote the log: it holds it
    bzzz_network.clock.advance(1)
    log_decision(mock_bzzz.on(others[0]), LOG, "drop TCP")  # a new log on the other side
    bzzz_network.heal()
    # The log written last wins, as a DHT value does: the code must look for what it lost.
    assert lost_decisions(mock_bzzz, LOG, ["use libp2p", "add QUIC", "drop TCP"]) == [
        "use libp2p",
        "add QUIC",
    ]
