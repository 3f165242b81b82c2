"""Worlds of many peers: where values and provider records live, and what faults do to reads."""

from __future__ import annotations

import pytest

from pytest_bzzz import MockBZZZ, MockDHT, NetworkConditions, NotFoundError, Peer, World
from pytest_bzzz._backends.memory.placement import id_of


def closest(world: World, key: str, k: int) -> list[str]:
    """The reference: every peer sorted by XOR distance to the key, the first k."""
    return sorted(
        (peer.name for peer in world.peers), key=lambda n: id_of(world.peer(n).id) ^ id_of(key)
    )[:k]


def test_a_put_lands_on_the_closest_peers_and_on_the_writer() -> None:
    with World(seed=1, peers=50) as world:
        dht = MockDHT(world)
        dht.put_value("k", b"v")
        holders = [peer.name for peer in world.holders("k")]
        expected = set(closest(world, "k", 20)) | {"local"}
        assert set(holders) == expected
        assert holders[:20] == [n for n in closest(world, "k", 50) if n in expected][:20]
        for name in holders:  # every holder reads it
            assert dht.on(name).get_value("k") == b"v"


def test_replication_is_a_world_setting_capped_by_the_peer_count() -> None:
    with World(seed=1, peers=8, replication=3) as world:
        MockDHT(world, peer="peer-5").put_value("k", b"v")
        assert {p.name for p in world.holders("k")} == set(closest(world, "k", 3)) | {"peer-5"}
    with World(seed=1, peers=4) as world:  # k = 20, but only 4 peers
        MockDHT(world).put_value("k", b"v")
        assert len(world.holders("k")) == 4


def test_a_read_across_a_partition_fails_and_succeeds_after_heal() -> None:
    with World(seed=2, peers=6, replication=2) as world:
        writer = MockDHT(world)
        world.partition(["local", "peer-1", "peer-2"])
        writer.put_value("k", b"v")
        holders = {peer.name for peer in world.holders("k")}
        assert holders <= {"local", "peer-1", "peer-2"}  # only those it could reach
        reader = writer.on("peer-4")
        with pytest.raises(
            NotFoundError, match=r"that peer-4 can reach \(holders: \d cut off from it\)$"
        ):
            reader.get_value("k")
        world.heal()
        assert reader.get_value("k") == b"v"
        assert "peer-4" not in {peer.name for peer in world.holders("k")}  # a read stores nothing


def test_the_newest_write_wins_and_older_copies_are_repaired() -> None:
    with World(seed=3, peers=6) as world:
        left, right = MockDHT(world, peer="peer-1"), MockDHT(world, peer="peer-4")
        world.partition(["local", "peer-1", "peer-2"])
        left.put_value("k", b"old")
        world.clock.advance(1)
        right.put_value("k", b"new")
        assert left.get_value("k") == b"old"  # each side sees its own
        world.heal()
        assert left.get_value("k") == b"new"  # the later write wins
        network = world.state(_network_key())
        assert {network.store_of(p.id).values["k"] for p in world.holders("k")} == {b"new"}


def test_at_the_same_instant_the_write_made_last_wins() -> None:
    with World(seed=3, peers=4) as world:
        world.partition(["local", "peer-1"])
        MockDHT(world, peer="local").put_value("k", b"first")
        MockDHT(world, peer="peer-3").put_value("k", b"second")
        world.heal()
        assert MockDHT(world).get_value("k") == b"second"


def test_killed_holders_lose_the_value_paused_ones_keep_it() -> None:
    with World(seed=4, peers=5, replication=2) as world:
        writer = MockDHT(world, peer="peer-1")
        writer.put_value("k", b"v")
        holders = [peer.name for peer in world.holders("k")]
        reader_name = next(p.name for p in world.peers if p.name not in holders)
        reader = writer.on(reader_name)
        first, *rest = holders
        world.pause(first)
        for other in rest:
            world.kill(other)
        with pytest.raises(NotFoundError) as caught:
            reader.get_value("k")
        message = str(caught.value)
        assert f"that {reader_name} can reach (holders: 1 paused" in message
        assert f"{len(rest)} killed while holding it" in message
        assert [peer.name for peer in world.holders("k")] == [first]  # paused: still holds it
        world.revive(first)
        assert reader.get_value("k") == b"v"
        for other in rest:
            world.revive(other)  # back, but empty
        assert [peer.name for peer in world.holders("k")] == [first]


def test_a_missing_key_says_no_more_than_it_did() -> None:
    with (
        World(seed=4, peers=5) as world,
        pytest.raises(NotFoundError, match=r"^no value under 'x'$"),
    ):
        MockDHT(world).get_value("x")


def test_provider_records_are_placed_and_read_where_reachable() -> None:
    with World(seed=5, peers=6, replication=2) as world:
        dht = MockDHT(world)
        dht.on("peer-1").provide("model", "peer-1")  # a peer's name: recorded as its id
        dht.on("peer-2").provide("model", world.peer("peer-2"))
        ids = [world.peer("peer-1").id, world.peer("peer-2").id]
        assert dht.find_providers("model") == ids
        world.isolate("local")
        assert dht.find_providers("model") == []  # nobody holding the records is reachable
        world.heal()
        assert dht.on("peer-5").find_providers("model") == ids


def test_a_provider_named_by_a_peers_name_is_recorded_as_its_id() -> None:
    with World(seed=5, peers=3) as world:
        dht = MockDHT(world)
        dht.provide("model", "peer-2")
        dht.provide("model", "QmOutsideTheWorld")  # no peer's name: kept as given
        world.storage.provide("model", "peer-1")
        peer_1, peer_2 = world.peer("peer-1").id, world.peer("peer-2").id
        assert dht.find_providers("model") == [peer_2, "QmOutsideTheWorld", peer_1]
        with pytest.raises(ValueError, match="is not a peer of this world"):
            dht.provide("model", Peer("12D3KooWnotfromhere", "peer-9"))
    with World(seed=5) as alone:
        MockDHT(alone).provide("model", "local")
        alone.storage.provide("model", alone.local_peer)
        assert MockDHT(alone).find_providers("model") == [alone.local_peer.id]


def test_announcements_are_provider_records_placed_as_any_other() -> None:
    address = "ucxl://gpt4:architect@bzzz:v2/models/llama.json"
    with World(seed=6, peers=30, replication=2) as world:
        bzzz = MockBZZZ(world, peer="peer-2")
        bzzz.announce(address, {"gpu": "a100"})
        assert [a.peer for a in bzzz.on("local").discover(address)] == [world.peer("peer-2").id]
        assert MockDHT(world).find_providers(address) == [world.peer("peer-2").id]
        holders = set(closest(world, address, 2)) | {"peer-2"}  # where the record lies
        outsider = next(p.name for p in world.peers if p.name not in holders)
        world.isolate(outsider)
        assert bzzz.on(outsider).discover(address) == []
        world.isolate(next(iter(holders - {"peer-2"}), "peer-2"))
        assert [a.peer for a in bzzz.on("peer-2").discover(address)] == [world.peer("peer-2").id]


def test_the_worlds_storage_places_and_reads_without_the_network() -> None:
    with World(seed=7, peers=30, conditions=NetworkConditions(failure_rate=1.0)) as world:
        world.storage.put("k", b"v")  # no network: nothing fails, nothing recorded
        world.storage.provide("k", "peer-3")
        peer_3 = world.peer("peer-3").id
        assert world.storage.get("k") == b"v"
        assert "k" in world.storage
        assert len(world.storage) == 1
        assert list(world.storage) == ["k"]
        assert dict(world.storage.values) == {"k": b"v"}
        assert world.storage.providers("k") == [peer_3]
        assert len(world.holders("k")) == 20
        assert world.calls() == []
        world.storage.clear()
        assert len(world.storage) == 0
        with pytest.raises(NotFoundError):
            world.storage.get("k")
        with pytest.raises(AttributeError, match="no one dict of values"):
            world.storage.values = {}


def test_values_stored_while_alone_are_placed_once_peers_join() -> None:
    with World(seed=8) as world:
        dht = MockDHT(world)
        dht.put_value("early", b"v")
        world.add_peers(5)
        assert [p.name for p in world.holders("early")] == ["local"]
        assert dht.on("peer-3").get_value("early") == b"v"


def test_a_lookup_costs_rounds_that_grow_with_the_peers() -> None:
    conditions = NetworkConditions(latency=0.1)
    for peers, rounds in ((1, 0), (2, 1), (16, 1), (17, 2), (256, 2), (257, 3)):
        with World(seed=9, peers=peers, conditions=conditions) as world:
            MockDHT(world).put_value("k", b"v")
            (call,) = world.calls()
            assert call.rounds == rounds, peers
            assert call.contacted == min(peers - 1, rounds * 3)
            assert call.latency == pytest.approx(0.1 * max(1, rounds))


def test_an_isolated_peer_looks_up_nobody() -> None:
    with World(seed=9, peers=40) as world:
        world.isolate("peer-7")
        MockDHT(world, peer="peer-7").put_value("k", b"v")
        (call,) = world.calls()
        assert (call.rounds, call.contacted) == (0, 0)
        assert [p.name for p in world.holders("k")] == ["peer-7"]


def test_ten_thousand_peers_fit_in_a_world() -> None:
    with World(seed=10, peers=10_000) as world:
        dht = MockDHT(world)
        for index in range(50):
            dht.put_value(f"k{index}", b"v")
            assert dht.on(f"peer-{index * 7 + 1}").get_value(f"k{index}") == b"v"
        assert max(call.rounds for call in world.calls()) == 4


def _network_key() -> object:
    from pytest_bzzz._backends.memory.state import NETWORK

    return NETWORK
