"""Faults at set times: world.at() in sync and async code, their checks, their failures."""

from __future__ import annotations

import asyncio
import pickle

import pytest

from pytest_bzzz import (
    MockDHT,
    NetworkConditions,
    NetworkError,
    NotFoundError,
    ScheduledActionError,
    World,
)
from pytest_bzzz._kernel.world import unraised_failures


def test_a_partition_at_five_seconds_and_a_heal_at_twenty() -> None:
    with World(seed=1, peers=4) as world:
        world.at(5, "partition", ["local", "peer-1"])
        world.at("20s", world.heal)
        assert [entry.label for entry in world.scheduled] == [
            "partition([local, peer-1])",
            "heal()",
        ]
        world.clock.advance(4.999)
        assert world.can_reach("local", "peer-2")
        world.clock.advance(0.001)
        assert not world.can_reach("local", "peer-2")
        world.clock.advance(100)
        assert world.can_reach("local", "peer-2")
        assert [(event.at, event.action) for event in world.faults] == [
            (5.0, "partition"),
            (20.0, "heal"),
        ]
        assert world.scheduled == []


def test_a_fault_due_during_an_operations_latency_applies_to_it() -> None:
    conditions = NetworkConditions(latency=1.0)
    with World(seed=2, peers=3, replication=1, conditions=conditions) as world:
        dht = MockDHT(world)
        dht.put_value("k", b"v")  # rounds: 1 lookup round of 1 s
        assert world.clock.now() == 1.0
        holders = {peer.name for peer in world.holders("k")}  # the closest one and the writer
        reader = next(p for p in world.peers if p.name not in holders)
        for holder in sorted(holders):
            world.at(1.5, "kill", holder)
        count = len(holders)
        with pytest.raises(NotFoundError, match=rf"\(holders: {count} killed while holding it\)"):
            dht.on(reader).get_value("k")  # spends 1 s: the kills at 1.5 s land before it reads
        assert [event.at for event in world.faults] == [1.5] * count


def test_the_arguments_are_checked_when_scheduled() -> None:
    with World(seed=3, peers=3) as world:
        with pytest.raises(ValueError, match=r"no peer named 'peer-9'"):
            world.at(5, "kill", "peer-9")
        with pytest.raises(ValueError, match=r"peer 'peer-1' is in group 1 and in group 2"):
            world.at(5, "partition", ["peer-1"], ["peer-1"])
        with pytest.raises(ValueError, match=r"no fault named 'explode'; the faults are partition"):
            world.at(5, "explode")
        with pytest.raises(TypeError, match=r"kill\(\) was scheduled with arguments it does not"):
            world.at(5, "kill")
        with pytest.raises(TypeError, match=r"was scheduled with arguments it does not take"):
            world.at(5, lambda peer: None)
        with pytest.raises(TypeError, match="at\\(\\) takes a fault's name or a callable, got int"):
            world.at(5, 42)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="string with a unit"):
            world.at("5", "heal")
        world.clock.advance(10)
        with pytest.raises(ValueError, match=r"at 5s: the world's clock is already at 10s"):
            world.at(5, "heal")
        assert world.scheduled == []
        assert world.faults == []


def test_an_action_due_now_runs_at_once_and_cancel_takes_one_back() -> None:
    with World(seed=4, peers=2) as world:
        world.at(0, "pause", "peer-1")
        assert world.status("peer-1") == "paused"
        entry = world.at(3, "revive", "peer-1")
        assert entry.cancel() is True
        assert entry.cancel() is False
        world.clock.advance(5)
        assert world.status("peer-1") == "paused"


def test_a_failing_action_surfaces_at_the_next_operation() -> None:
    def explode() -> None:
        raise KeyError("boom")

    with World(seed=5) as world:
        dht = MockDHT(world)
        world.at(2, explode)
        world.clock.advance(3)
        with pytest.raises(
            ScheduledActionError, match=r"at 2s, .*explode\(\), failed: KeyError"
        ) as info:
            dht.put_value("k", b"v")
        assert isinstance(info.value.__cause__, KeyError)
        assert (info.value.at, info.value.label.endswith("explode()")) == (2.0, True)
        assert (
            "explode(): KeyError: 'boom' (raised by the next operation, or at teardown when "
            "none came)" in world.describe()
        )
        dht.put_value("k", b"v")  # raised once; the world goes on
        assert "failed at 2s: " in world.describe()  # and still in the report
        assert world.storage.get("k") == b"v"
        copy = pickle.loads(pickle.dumps(info.value))
        assert (str(copy), copy.at, copy.label) == (str(info.value), 2.0, info.value.label)


def test_a_failure_nobody_raised_is_left_for_teardown_and_the_report() -> None:
    with World(seed=6) as world:
        world.at(1, lambda: 1 / 0)
        world.clock.advance(2)
        assert (
            "<lambda>(): ZeroDivisionError: division by zero (not raised yet)" in world.describe()
        ), world.describe()
        (failure,) = unraised_failures(world)
        assert isinstance(failure.error, ZeroDivisionError)
        assert unraised_failures(world) == []


def test_any_callable_with_its_arguments() -> None:
    seen: list[tuple[float, str]] = []
    with World(seed=7) as world:
        world.at(1, lambda name: seen.append((world.clock.now(), name)), "first")
        world.at(1, lambda name: seen.append((world.clock.now(), name)), name="second")
        world.at(0.5, lambda: seen.append((world.clock.now(), "earlier")))
        world.clock.advance_to(1)
        assert seen == [(0.5, "earlier"), (1.0, "first"), (1.0, "second")]


def test_scheduled_faults_fire_at_their_time_in_async_code() -> None:
    async def scenario(world: World) -> list[float]:
        world.clock.follow_running_loop()
        changes: list[float] = []
        world.at(5, "isolate", "peer-1")
        world.at(20, world.heal)
        for _ in range(25):
            await asyncio.sleep(1)
            if not world.can_reach("local", "peer-1"):
                changes.append(world.clock.now())
        return changes

    with World(seed=8, peers=2) as world:
        changes = asyncio.run(scenario(world))
        assert changes == [float(t) for t in range(5, 20)]


def test_reset_clears_the_schedule() -> None:
    with World(seed=9, peers=2) as world:
        world.at(5, "kill", "peer-1")
        world.reset()
        world.clock.advance(10)
        assert world.status("peer-1") == "live"
        assert world.scheduled == []


def test_the_report_lists_the_faults_and_what_is_scheduled() -> None:
    with World(seed=10, peers=3) as world:
        world.kill("peer-2")
        world.at(7, "revive", "peer-2")
        text = world.describe()
        assert "peers: 3 (1 paused or killed)" in text
        assert "faults:\n  0s kill(peer-2)" in text
        assert "scheduled:\n  7s revive(peer-2)" in text


@pytest.mark.parametrize("fault", ["kill", "pause"])
def test_a_caller_paused_or_killed_during_its_operation_fails_it(fault: str) -> None:
    with World(seed=11, peers=4, conditions=NetworkConditions(latency=2.0)) as world:
        dht = MockDHT(world).on("peer-1")
        world.at(1, fault, "peer-1")
        done = "killed" if fault == "kill" else "paused"
        with pytest.raises(
            NetworkError,
            match=rf"put_value\('k'\) from peer-1 failed: peer-1 was {done} at 1s, before the "
            r"operation completed at 2s \(world seed 11\)",
        ):
            dht.put_value("k", b"v")
        assert world.holders("k") == []
        assert [call.outcome for call in world.calls("put_value")] == ["failed"]
        world.revive("peer-1")
        with pytest.raises(NotFoundError):
            dht.get_value("k")


@pytest.mark.parametrize("fault", ["kill", "pause"])
def test_a_caller_paused_or_killed_during_its_async_operation_fails_it(fault: str) -> None:
    async def scenario(world: World) -> None:
        world.clock.follow_running_loop()
        world.at(1, fault, "peer-1")
        with pytest.raises(NetworkError, match=r"from peer-1 failed: peer-1 was .* at 1s"):
            await MockDHT(world).on("peer-1").aput_value("k", b"v")

    with World(seed=12, peers=4, conditions=NetworkConditions(latency=2.0)) as world:
        asyncio.run(scenario(world))
        assert world.holders("k") == []


def test_a_caller_killed_and_revived_during_its_operation_still_fails_it() -> None:
    with World(seed=13, peers=3, conditions=NetworkConditions(latency=2.0)) as world:
        world.at(0.5, "kill", "peer-1")
        world.at(1, "revive", "peer-1")
        with pytest.raises(NetworkError, match=r"peer-1 was killed at 500ms"):
            MockDHT(world).on("peer-1").put_value("k", b"v")
        assert world.holders("k") == []


def test_an_operation_places_on_the_network_as_it_is_when_it_completes() -> None:
    with World(seed=14, peers=4, conditions=NetworkConditions(latency=2.0)) as world:
        world.at(1, "isolate", "local")
        MockDHT(world).put_value("k", b"v")  # the isolation lands first: only local keeps it
        assert [peer.name for peer in world.holders("k")] == ["local"]
        world.at(world.clock.now() + 1, "kill", "peer-2")
        with pytest.raises(NetworkError, match="peer-2 was killed"):
            MockDHT(world).on("peer-2").put_value("j", b"w")
        MockDHT(world).on("peer-3").put_value("j", b"w")
        assert "peer-2" not in {peer.name for peer in world.holders("j")}


@pytest.mark.parametrize("fault", ["kill", "pause"])
def test_world_storage_puts_nothing_on_a_local_peer_that_is_down(fault: str) -> None:
    with World(seed=15, peers=4) as world:
        getattr(world, fault)("local")
        world.storage.put("k", b"v")
        world.storage.provide("k", "QmProvider")
        holders = [peer.name for peer in world.holders("k")]
        assert "local" not in holders
        assert len(holders) == 3
        assert world.storage.get("k") == b"v"
        world.revive("local")
        assert MockDHT(world).get_value("k") == b"v"
        assert MockDHT(world).find_providers("k") == ["QmProvider"]
