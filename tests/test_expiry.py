"""Values and provider records expire after their TTLs, in virtual time, in every world."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_bzzz import MockBZZZ, MockDHT, NetworkConditions, NotFoundError, World
from pytest_bzzz._backends.memory.expiry import REBUILD_AFTER, Births

HOUR = 3600.0


def test_a_value_expires_36_hours_after_it_was_stored() -> None:
    with World(seed=1) as world:
        dht = MockDHT(world)
        dht.put_value("k", b"v")
        world.clock.advance(36 * HOUR - 0.001)
        assert dht.get_value("k") == b"v"
        world.clock.advance(0.001)
        with pytest.raises(NotFoundError, match="no value under 'k'"):
            dht.get_value("k")
        assert "k" not in world.storage


def test_storing_again_starts_the_value_over() -> None:
    with World(seed=2, value_ttl="10s") as world:
        dht = MockDHT(world)
        dht.put_value("k", b"old")
        world.clock.advance(6)
        dht.put_value("k", b"new")
        world.clock.advance(6)  # 12 s after the first put, 6 after the second
        assert dht.get_value("k") == b"new"
        world.clock.advance(4)
        assert "k" not in world.storage


def test_a_provider_record_expires_after_48_hours() -> None:
    with World(seed=3) as world:
        dht = MockDHT(world)
        dht.provide("model", "peer-a")
        world.clock.advance(24 * HOUR)
        dht.provide("model", "peer-b")
        world.clock.advance(24 * HOUR)
        assert dht.find_providers("model") == ["peer-b"]
        world.clock.advance(24 * HOUR)
        assert dht.find_providers("model") == []
        assert dht.world.storage.providers_by_key == {}


def test_ttls_are_world_settings_with_units() -> None:
    with World(seed=4, value_ttl="2min", provider_ttl="1h") as world:
        assert (world.value_ttl, world.provider_ttl) == (120.0, HOUR)
        world.storage.put("k", b"v")
        world.storage.provide("k", "p")
        world.clock.advance(120)
        assert "k" not in world.storage
        assert world.storage.providers("k") == ["p"]
        world.clock.advance(HOUR)
        assert world.storage.providers("k") == []
    with pytest.raises(ValueError, match="value_ttl must be seconds"):
        World(value_ttl="36")


def test_expiry_lands_on_time_during_an_operations_latency() -> None:
    with World(seed=5, value_ttl=10, conditions=NetworkConditions(latency=4.0)) as world:
        dht = MockDHT(world)
        dht.put_value("k", b"v")  # stored at 4 s, expires at 14 s
        assert dht.get_value("k") == b"v"  # read at 8 s
        assert dht.get_value("k") == b"v"  # read at 12 s
        with pytest.raises(NotFoundError):
            dht.get_value("k")  # the read acts at 16 s


def test_an_announcement_goes_stale_with_its_provider_record() -> None:
    address = "ucxl://gpt4:architect@bzzz:v2/models/llama.json"
    with World(seed=6) as world:
        bzzz = MockBZZZ(world)
        bzzz.announce(address, {"gpu": "a100"})
        world.clock.advance(48 * HOUR)
        assert bzzz.discover(address) == []


def test_among_many_peers_a_provider_outlives_its_peer_until_the_ttl() -> None:
    with World(seed=7, peers=8, replication=3) as world:
        dht = MockDHT(world)
        dht.on("peer-5").provide("model", world.peer("peer-5").id)
        world.kill("peer-5")  # its own copy of the record dies with it; the others remain
        assert dht.find_providers("model") == [world.peer("peer-5").id]
        world.clock.advance(48 * HOUR)
        assert dht.find_providers("model") == []
        for peer in world.peers:
            if world.status(peer) == "live":
                assert dht.on(peer).find_providers("model") == []


def test_among_many_peers_each_copy_expires_with_the_write_it_came_from() -> None:
    with World(seed=8, peers=6, replication=2, value_ttl=100) as world:
        left, right = MockDHT(world, peer="peer-1"), MockDHT(world, peer="peer-4")
        world.partition(["local", "peer-1", "peer-2"])
        left.put_value("k", b"old")  # at 0 s
        world.clock.advance(50)
        right.put_value("k", b"new")  # at 50 s
        world.heal()
        assert left.get_value("k") == b"new"  # read repair copies the 50 s write
        world.clock.advance(60)  # 110 s: the write at 0 s has expired, the copies of 50 s not
        assert {p.name for p in world.holders("k")} >= {"peer-1", "peer-4"}
        assert right.get_value("k") == b"new"
        world.clock.advance(40)  # 150 s
        assert world.holders("k") == []
        with pytest.raises(NotFoundError):
            left.get_value("k")


def test_what_one_peer_stored_keeps_its_age_when_peers_join() -> None:
    with World(seed=9, value_ttl=10) as world:
        dht = MockDHT(world)
        dht.put_value("k", b"v")
        world.clock.advance(6)
        world.add_peers(4)
        assert dht.on("peer-3").get_value("k") == b"v"
        world.clock.advance(4)
        with pytest.raises(NotFoundError):
            dht.get_value("k")


def test_what_is_written_into_the_dict_directly_has_no_age() -> None:
    with World(seed=10, value_ttl=1) as world:
        world.storage.values["raw"] = b"v"
        world.clock.advance(10)
        assert world.storage.get("raw") == b"v"


def test_reset_forgets_the_ages() -> None:
    with World(seed=11, value_ttl=5) as world:
        dht = MockDHT(world)
        dht.put_value("k", b"v")
        world.reset()
        world.storage.values["k"] = b"raw"  # no age: nothing of the old put may expire it
        world.clock.advance(10)
        assert dht.get_value("k") == b"raw"


# -- the queue of births, against a model that remembers every store -----------------------


def test_many_writes_to_few_keys_keep_the_map_small_and_in_order() -> None:
    births: Births[str] = Births(ttl=10)
    for step in range(10_000):
        births.stored(f"k{step % 3}", float(step))
    assert list(births.born.items()) == [("k1", 9997.0), ("k2", 9998.0), ("k0", 9999.0)]
    assert births.next_due == 9997 + 10
    assert births.expire(10_007.5) == ["k1"]


def test_expiring_many_one_at_a_time_rebuilds_the_map() -> None:
    births: Births[int] = Births(ttl=1)
    for item in range(5000):
        births.stored(item, float(item))
    for item in range(4000):
        assert births.expire(item + 1.0) == [item]
    assert births._removed <= REBUILD_AFTER
    assert list(births.born) == list(range(4000, 5000))


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["store", "forget", "advance"]), st.integers(0, 4), st.integers(0, 7)
        ),
        max_size=60,
    )
)
def test_births_expire_exactly_what_a_model_says(steps: list[tuple[str, int, int]]) -> None:
    ttl = 5.0
    births: Births[int] = Births(ttl)
    model: dict[int, float] = {}
    now = 0.0
    for action, item, amount in steps:
        if action == "store":
            births.stored(item, now)
            model[item] = now
        elif action == "forget":
            births.forget(item)
            model.pop(item, None)
        else:
            now += amount
        gone = births.expire(now)
        expected = sorted(key for key, at in model.items() if at + ttl <= now)
        assert sorted(gone) == expected
        for key in expected:
            del model[key]
        assert births.born == model
        due = min((at + ttl for at in model.values()), default=math.inf)
        assert births.next_due == due


@pytest.mark.parametrize("peers", [1, 6])
def test_a_value_stored_after_a_longer_lived_provider_record_still_expires_on_time(
    peers: int,
) -> None:
    with World(seed=11, peers=peers, value_ttl=60, provider_ttl=90) as world:
        dht = MockDHT(world)
        dht.provide("alpha", "QmProvider")  # the first record: swept at 90 s
        dht.put_value("alpha", b"v")  # due at 60 s, before it
        world.clock.advance(60)
        assert world.holders("alpha") == []
        with pytest.raises(NotFoundError):
            dht.get_value("alpha")
        assert dht.find_providers("alpha") == ["QmProvider"]
        world.clock.advance(30)
        assert dht.find_providers("alpha") == []
