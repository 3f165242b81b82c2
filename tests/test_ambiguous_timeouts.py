"""Ambiguous timeouts: a write that times out was applied or not, as a seeded draw decides."""

from __future__ import annotations

import asyncio

import pytest

from pytest_bzzz import (
    Call,
    MockBZZZ,
    MockDHT,
    NetworkConditions,
    NetworkTimeout,
    NotFoundError,
    World,
)
from pytest_bzzz._kernel.world import core

pytest_plugins = ["pytester"]

SLOW = NetworkConditions(latency=1.0, timeout=0.5)
AMBIGUOUS = SLOW.replace(ambiguous_timeouts=True)
API = "ucxl://gpt4:architect@bzzz:v2/decisions/api.json"


def timed_out_put(seed: int, conditions: NetworkConditions = AMBIGUOUS, peers: int = 1) -> bool:
    """Put under a timeout the latency exceeds; whether the value was applied."""
    with World(seed=seed, conditions=conditions, peers=peers) as world:
        dht = MockDHT(world)
        with pytest.raises(NetworkTimeout):
            dht.put_value("k", b"v")
        world.conditions = NetworkConditions()
        try:
            return dht.get_value("k") == b"v"
        except NotFoundError:
            return False


def test_off_by_default_a_timed_out_write_is_never_applied() -> None:
    assert NetworkConditions().ambiguous_timeouts is False
    assert not any(timed_out_put(seed, SLOW) for seed in range(40))


def test_on_both_outcomes_are_reached_under_different_seeds() -> None:
    outcomes = [timed_out_put(seed) for seed in range(40)]
    assert True in outcomes
    assert False in outcomes
    assert 10 < sum(outcomes) < 30  # even odds


@pytest.mark.parametrize("peers", [1, 5])
def test_each_seed_replays_its_outcome(peers: int) -> None:
    first = [timed_out_put(seed, peers=peers) for seed in range(20)]
    assert [timed_out_put(seed, peers=peers) for seed in range(20)] == first
    assert True in first
    assert False in first


def test_the_message_says_whether_the_write_may_have_been_applied() -> None:
    with (
        World(seed=1, conditions=AMBIGUOUS) as world,
        pytest.raises(NetworkTimeout, match="the write may have been applied"),
    ):
        MockDHT(world).put_value("k", b"v")
    with (
        World(seed=1, conditions=SLOW) as world,
        pytest.raises(NetworkTimeout, match="the write was not applied"),
    ):
        MockDHT(world).put_value("k", b"v")


def test_a_read_that_times_out_draws_nothing_and_says_nothing_of_writes() -> None:
    with World(seed=3, conditions=AMBIGUOUS) as world, World(seed=3, conditions=SLOW) as plain:
        for each in (world, plain):
            with pytest.raises(NetworkTimeout) as caught:
                MockDHT(each).get_value("k")
            assert "write" not in str(caught.value)
        # The streams did not move apart.
        assert core(world).rng.random() == core(plain).rng.random()


def test_off_the_draws_are_those_of_before() -> None:
    """A world without the option draws nothing more: its stream matches a plain world's."""
    with World(seed=7, conditions=SLOW) as world, World(seed=7, conditions=SLOW) as other:
        for _ in range(5):
            with pytest.raises(NetworkTimeout):
                MockDHT(world).put_value("k", b"v")
        assert core(world).rng.random() == core(other).rng.random()


def test_an_applied_write_acts_when_the_timeout_expires() -> None:
    seed = next(seed for seed in range(40) if timed_out_put(seed))
    with World(seed=seed, conditions=AMBIGUOUS) as world:
        dht = MockDHT(world)
        with pytest.raises(NetworkTimeout):
            dht.put_value("k", b"v")
        assert world.clock.now() == 0.5
        assert world.storage.values == {"k": b"v"}
        assert [call.outcome for call in dht.calls()] == ["timeout"]


def test_provide_is_ambiguous_too() -> None:
    seen = set()
    for seed in range(40):
        with World(seed=seed, conditions=AMBIGUOUS) as world:
            dht = MockDHT(world)
            with pytest.raises(NetworkTimeout, match="may have been applied"):
                dht.provide("k", "peer-a")
            world.conditions = NetworkConditions()
            seen.add(tuple(dht.find_providers("k")))
    assert seen == {(), ("peer-a",)}


def test_the_connectors_store_delete_and_announce_are_ambiguous() -> None:
    stored, deleted, announced = set(), set(), set()
    for seed in range(40):
        with World(seed=seed) as world:
            bzzz = MockBZZZ(world)
            world.conditions = AMBIGUOUS
            address = API
            with pytest.raises(NetworkTimeout, match="may have been applied"):
                bzzz.store(address, b"data")
            with pytest.raises(NetworkTimeout, match="may have been applied"):
                bzzz.announce(address, {"can": "x"})
            world.conditions = NetworkConditions()
            stored.add(len(bzzz.search(address)))
            announced.add(len(bzzz.discover(address)))
    assert stored == {0, 1}
    assert announced == {0, 1}
    for seed in range(40):
        with World(seed=seed) as world:
            bzzz = MockBZZZ(world)
            address = API
            bzzz.store(address, b"data")
            world.conditions = AMBIGUOUS
            with pytest.raises(NetworkTimeout, match="may have been applied"):
                bzzz.delete(address)
            world.conditions = NetworkConditions()
            deleted.add(not bzzz.search(address))
    assert deleted == {True, False}


def test_a_timed_out_read_is_recorded_as_a_timeout() -> None:
    with World(seed=1, conditions=AMBIGUOUS) as world:
        with pytest.raises(NetworkTimeout):
            MockDHT(world).find_providers("k")
        assert world.calls()[-1].outcome == "timeout"


def test_async_and_real_clock_paths_draw_as_the_virtual_one() -> None:
    async def aput(seed: int) -> bool:
        with World(seed=seed, conditions=AMBIGUOUS) as world:
            dht = MockDHT(world)
            with pytest.raises(NetworkTimeout, match="may have been applied"):
                await dht.aput_value("k", b"v")
            return "k" in world.storage.values

    virtual = [timed_out_put(seed) for seed in range(20)]
    assert [asyncio.run(aput(seed)) for seed in range(20)] == virtual
    fast = NetworkConditions(latency=0.02, timeout=0.001, ambiguous_timeouts=True)
    real = []
    for seed in range(20):
        with World(seed=seed, conditions=fast, clock="real") as world:
            with pytest.raises(NetworkTimeout, match="may have been applied"):
                MockDHT(world).put_value("k", b"v")
            real.append("k" in world.storage.values)
    assert True in real
    assert False in real
    assert real == [timed_out_put(seed, fast) for seed in range(20)]


def test_the_option_is_checked_and_described() -> None:
    with pytest.raises(TypeError, match="ambiguous_timeouts must be True or False, got str"):
        NetworkConditions(ambiguous_timeouts="yes")  # type: ignore[arg-type]
    assert "ambiguous timeouts" in AMBIGUOUS.describe()
    assert "ambiguous" not in SLOW.describe()
    assert NetworkConditions(ambiguous_timeouts=True).describe() == (
        "ambiguous timeouts (a timed-out write may have been applied)"
    )


# -- the record of calls says what the draw decided (Call.applied) ------------------------


def recorded_put(seed: int, peers: int = 1) -> tuple[Call, bool]:
    """A put that times out under ambiguous timeouts: its recorded call, and whether it acted."""
    with World(seed=seed, conditions=AMBIGUOUS, peers=peers) as world:
        with pytest.raises(NetworkTimeout, match="may have been applied"):
            MockDHT(world).put_value("k", b"v")
        return world.calls()[-1], "k" in world.storage.values


@pytest.mark.parametrize("peers", [1, 5])
def test_a_timed_out_write_records_whether_it_was_applied(peers: int) -> None:
    outcomes = []
    for seed in range(20):
        call, acted = recorded_put(seed, peers)
        assert call.outcome == "timeout"
        assert call.applied is acted
        assert call == recorded_put(seed, peers)[0]  # a seed replays its draw, and its record
        outcomes.append(acted)
    assert True in outcomes
    assert False in outcomes


def test_the_draw_lands_in_its_own_field_beside_the_lookups_cost() -> None:
    alone, _ = recorded_put(seed=1, peers=1)
    assert (alone.rounds, alone.contacted) == (0, 0)
    many, _ = recorded_put(seed=1, peers=40)
    assert many.rounds > 0
    assert many.contacted > 0
    assert isinstance(many.applied, bool)


def test_the_async_twin_records_the_same_draw() -> None:
    async def aput(seed: int) -> tuple[bool | None, bool]:
        with World(seed=seed, conditions=AMBIGUOUS) as world:
            with pytest.raises(NetworkTimeout, match="may have been applied"):
                await MockDHT(world).aput_value("k", b"v")
            return world.calls()[-1].applied, "k" in world.storage.values

    drawn = [asyncio.run(aput(seed)) for seed in range(20)]
    assert all(applied is acted for applied, acted in drawn)
    virtual = [recorded_put(seed)[0].applied for seed in range(20)]
    assert [applied for applied, _ in drawn] == virtual
    assert set(virtual) == {True, False}


def test_the_real_clock_records_the_same_draw() -> None:
    fast = NetworkConditions(latency=0.02, timeout=0.001, ambiguous_timeouts=True)
    drawn = []
    for seed in range(20):
        with World(seed=seed, conditions=fast, clock="real") as world:
            with pytest.raises(NetworkTimeout, match="may have been applied"):
                MockDHT(world).put_value("k", b"v")
            call = world.calls()[-1]
            assert call.applied is ("k" in world.storage.values)
            drawn.append(call.applied)
    assert True in drawn
    assert False in drawn


def test_the_connectors_writes_record_their_draw() -> None:
    drawn = set()
    for seed in range(20):
        with World(seed=seed, conditions=AMBIGUOUS) as world:
            bzzz = MockBZZZ(world)
            with pytest.raises(NetworkTimeout):
                bzzz.store(API, b"data")
            (call,) = world.calls("store")
            world.conditions = NetworkConditions()
            assert call.applied is bool(bzzz.search(API))
            drawn.add(call.applied)
    assert drawn == {True, False}


def test_nothing_drawn_leaves_applied_none() -> None:
    with World(seed=1, conditions=AMBIGUOUS) as world:
        dht = MockDHT(world)
        with pytest.raises(NetworkTimeout):
            dht.get_value("k")  # a read that times out draws nothing
        world.conditions = world.conditions.replace(timeout=None)
        dht.put_value("k", b"v")  # a write in time
        dht.get_value("k")
    with (
        World(seed=1, conditions=SLOW) as plain,
        pytest.raises(NetworkTimeout, match="the write was not applied"),
    ):
        MockDHT(plain).put_value("k", b"v")  # off: a timed-out write is never applied
    calls = world.calls() + plain.calls()
    assert [call.outcome for call in calls] == ["timeout", "ok", "ok", "timeout"]
    assert [call.applied for call in calls] == [None, None, None, None]


def test_the_repr_shows_applied_only_when_drawn() -> None:
    with World(seed=1, conditions=SLOW) as world:
        with pytest.raises(NetworkTimeout):
            MockDHT(world).put_value("k", b"v")
        assert "applied" not in repr(world.calls()[-1])
    call, acted = recorded_put(seed=1)
    assert repr(call).endswith(f", rounds=0, contacted=0, applied={acted})")
    assert eval(repr(call), {"Call": Call}) == call


# -- from the plugin's settings ---------------------------------------------------------

PLUGIN_TEST = """
import pytest
from pytest_bzzz import NetworkTimeout

OUTCOMES = []

@pytest.mark.parametrize("seed", range(30))
def test_put(seed, request, mock_dht, bzzz_network):
    assert bzzz_network.conditions.ambiguous_timeouts is EXPECTED
    with pytest.raises(NetworkTimeout) as caught:
        mock_dht.put_value("k", b"v", timeout=0.1)
    applied = "k" in bzzz_network.storage.values
    OUTCOMES.append(applied)
    assert ("may have been applied" in str(caught.value)) is EXPECTED

def test_outcomes():
    assert (True in OUTCOMES) is EXPECTED and False in OUTCOMES
"""


@pytest.mark.parametrize(
    ("marker", "args", "expected"),
    [
        ("", [], False),
        ("@pytest.mark.bzzz(ambiguous_timeouts=True)", [], True),
        ("", ["--bzzz-ambiguous-timeouts=yes"], True),
        ("@pytest.mark.bzzz(ambiguous_timeouts=False)", ["--bzzz-ambiguous-timeouts=on"], False),
    ],
)
def test_the_setting_from_a_marker_or_the_command_line(
    pytester: pytest.Pytester, marker: str, args: list[str], expected: bool
) -> None:
    pytester.makepyfile(
        test_it=f"EXPECTED = {expected}\n"
        + PLUGIN_TEST.replace("@pytest.mark.parametrize", f"{marker}\n@pytest.mark.parametrize")
    )
    result = pytester.runpytest("-p", "no:randomly", "--bzzz-latency=1s", *args)
    result.assert_outcomes(passed=31)
