"""Faults and conditions: a peer that stops, failures, timeouts, and the record of calls."""

from __future__ import annotations

import pytest

from pytest_bzzz import DHT, NetworkConditions, NetworkError, NetworkTimeout, NotFoundError, World

pytestmark = pytest.mark.bzzz(peers=3)

KEY = "contract/faults"


def test_the_others_go_on_when_a_peer_stops(peers: list[DHT], bzzz_network: World) -> None:
    bzzz_network.kill(bzzz_network.peers[2])

    peers[0].put_value(KEY, b"still here")

    assert peers[1].get_value(KEY) == b"still here"


def test_a_stopped_peer_makes_no_calls(peers: list[DHT], bzzz_network: World) -> None:
    bzzz_network.kill(bzzz_network.peers[2])

    with pytest.raises(NetworkError, match="killed"):
        peers[2].put_value(KEY, b"from beyond")
    with pytest.raises(NotFoundError):
        peers[0].get_value(KEY)


def test_a_value_held_by_a_live_peer_outlives_a_stopped_one(
    peers: list[DHT], bzzz_network: World
) -> None:
    peers[0].put_value(KEY, b"kept")

    bzzz_network.kill(bzzz_network.peers[2])

    assert peers[1].get_value(KEY) == b"kept"


def test_a_failed_operation_raises_and_changes_nothing(dht: DHT, bzzz_network: World) -> None:
    bzzz_network.conditions = NetworkConditions(failure_rate=1.0, failure_ops=["put_value"])

    with pytest.raises(NetworkError, match="failure rate 1"):
        dht.put_value(KEY, b"never")

    with pytest.raises(NotFoundError):
        dht.get_value(KEY)


def test_an_operation_slower_than_its_timeout_raises_network_timeout(
    dht: DHT, bzzz_network: World
) -> None:
    bzzz_network.conditions = NetworkConditions(latency=0.5)

    with pytest.raises(NetworkTimeout, match="timeout"):
        dht.get_value(KEY, timeout=0.05)


def test_the_record_of_calls_lists_each_operation_with_its_outcome(
    dht: DHT, bzzz_network: World
) -> None:
    dht.put_value(KEY, b"v")
    dht.get_value(KEY)
    with pytest.raises(NotFoundError):
        dht.get_value("contract/missing")

    calls = [(call.op, call.key, call.outcome) for call in bzzz_network.calls()]
    assert calls == [
        ("put_value", KEY, "ok"),
        ("get_value", KEY, "ok"),
        ("get_value", "contract/missing", "not_found"),
    ]
    assert (bzzz_network.stats["get_value"], bzzz_network.stats.not_found) == (2, 1)


@pytest.mark.mock_only(
    reason="records expire on the world clock (value_ttl); libp2p's records live on real time "
    "(36 h), which no test waits for"
)
def test_a_value_expires_after_its_ttl(dht: DHT, bzzz_network: World) -> None:
    dht.put_value(KEY, b"short-lived")

    bzzz_network.clock.advance(bzzz_network.value_ttl + 1)

    with pytest.raises(NotFoundError):
        dht.get_value(KEY)


@pytest.mark.mock_only(
    reason="real hosts on loopback cannot be split: the libp2p backend refuses partitions, "
    "cuts and per-link conditions with a clear error"
)
def test_a_partition_keeps_a_value_from_the_other_side(
    peers: list[DHT], bzzz_network: World
) -> None:
    local, second, third = bzzz_network.peers
    bzzz_network.partition([local], [second, third])

    peers[0].put_value(KEY, b"this side")

    with pytest.raises(NotFoundError):
        peers[1].get_value(KEY)


@pytest.mark.libp2p_differs(
    reason="a libp2p peer keeps what a get finds on the others (and offers it to the peers "
    "that hold none): a value a revived peer has read outlives the peers it was read from, "
    "where the mock's reader keeps no copy"
)
def test_a_value_read_by_a_revived_peer_is_gone_with_its_holders(
    peers: list[DHT], bzzz_network: World, differs: bool
) -> None:
    local, reader, other = bzzz_network.peers
    peers[0].put_value(KEY, b"read once")
    bzzz_network.kill(reader)
    bzzz_network.revive(reader)  # back empty
    assert peers[1].get_value(KEY) == b"read once"

    bzzz_network.kill(local)
    bzzz_network.kill(other)

    if differs:
        assert peers[1].get_value(KEY) == b"read once"
    else:
        with pytest.raises(NotFoundError):
            peers[1].get_value(KEY)
