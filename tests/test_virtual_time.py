"""Virtual time: sync operations jump the clock, async ones make the event loop follow it."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest

from pytest_bzzz import Clock, MockDHT, NetworkConditions, NetworkTimeout, NotFoundError, World


def test_clock_reads_and_moves_by_hand() -> None:
    clock = Clock()
    assert clock.mode == "virtual"
    assert clock.now() == 0
    assert clock.datetime() == datetime(2025, 1, 1, tzinfo=UTC)
    clock.advance(1.5)
    assert clock.now() == 1.5
    assert clock.datetime() == datetime(2025, 1, 1, 0, 0, 1, 500000, tzinfo=UTC)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(-1)
    clock.reset()
    assert clock.now() == 0


def test_clock_sleep() -> None:
    clock = Clock()
    clock.sleep(2.5)
    assert clock.now() == 2.5
    real = Clock("real")
    real.sleep(0)
    assert real.now() < 1


def test_clock_start_and_validation() -> None:
    start = datetime(2030, 6, 1, 12, tzinfo=UTC)
    assert Clock(start=start).datetime() == start
    with pytest.raises(ValueError, match="timezone-aware"):
        Clock(start=datetime(2030, 1, 1))
    with pytest.raises(ValueError, match="'virtual' or 'real'"):
        Clock("wall")  # type: ignore[arg-type]


def test_real_clock_reads_the_wall_clock_and_really_sleeps() -> None:
    with MockDHT(seed=1, clock="real", conditions=NetworkConditions(latency=0.02)) as dht:
        started = time.monotonic()
        dht.put_value("k", b"v")
        assert time.monotonic() - started >= 0.02
        assert dht.world.clock.now() >= 0.02
        assert dht.world.clock.mode == "real"
        before = dht.world.clock.now()
        dht.world.clock.advance(10)
        assert dht.world.clock.now() >= before + 10


def test_real_clock_async_sleeps_for_real() -> None:
    async def main() -> float:
        with MockDHT(seed=1, clock="real", conditions=NetworkConditions(latency=0.02)) as dht:
            started = time.monotonic()
            await dht.aput_value("k", b"v")
            return time.monotonic() - started

    # A lower bound only: it really waited. asyncio may run a timer up to its clock's
    # resolution early, hence the margin; a call that does not sleep takes microseconds.
    assert asyncio.run(main()) >= 0.02 - 0.001


def test_async_operations_follow_the_world_clock() -> None:
    async def main() -> tuple[float, float, float]:
        with MockDHT(seed=1, conditions=NetworkConditions(latency=0.5)) as dht:
            loop = asyncio.get_running_loop()
            await dht.aput_value("k", b"v")
            loop_start = loop.time()
            start = dht.world.clock.now()
            for index in range(1000):
                await dht.aput_value(f"k{index}", b"v")
            assert await dht.aget_value("k") == b"v"
            return dht.world.clock.now() - start, loop.time() - loop_start, start

    elapsed, loop_elapsed, start = asyncio.run(main())
    assert start == pytest.approx(0.5)
    assert elapsed == pytest.approx(500.5)
    assert loop_elapsed == pytest.approx(500.5)


def test_concurrent_operations_overlap_in_virtual_time() -> None:
    async def main() -> float:
        with MockDHT(seed=1, conditions=NetworkConditions(latency=0.5)) as dht:
            await asyncio.gather(*(dht.aput_value(f"k{i}", b"v") for i in range(10_000)))
            assert len(dht.world.storage) == 10_000
            return dht.world.clock.now()

    assert asyncio.run(main()) == pytest.approx(0.5)


def test_wait_for_and_timeout_fire_exactly_when_latency_exceeds_them() -> None:
    async def main() -> None:
        with MockDHT(seed=1, conditions=NetworkConditions(latency=0.5)) as dht:
            clock = dht.world.clock
            # The loop follows the world clock from a world's first async operation on
            # (in pytest, from the test's first line); start from there.
            clock.follow_running_loop()
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(dht.aget_value("k"), timeout=0.2)
            assert clock.now() == pytest.approx(0.2)
            assert dht.calls()[-1].outcome == "cancelled"
            assert dht.calls()[-1].latency == pytest.approx(0.2)
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.4999):
                    await dht.aput_value("k", b"v")
            assert clock.now() == pytest.approx(0.6999)
            assert "k" not in dht.world.storage  # cancelled before acting
            async with asyncio.timeout(0.5001):
                await dht.aput_value("k", b"v")
            assert await asyncio.wait_for(dht.aget_value("k"), timeout=1) == b"v"
            assert dht.stats.cancelled == 2

    asyncio.run(main())


def test_async_timeouts_and_errors_match_the_sync_ones() -> None:
    async def main() -> None:
        with MockDHT(seed=1, conditions=NetworkConditions(latency=0.5)) as dht:
            with pytest.raises(NetworkTimeout):
                await dht.aput_value("k", b"v", timeout=0.1)
            assert dht.world.clock.now() == pytest.approx(0.1)
            with pytest.raises(NotFoundError):
                await dht.aget_value("k")
            await dht.aprovide("k", "p")
            assert await dht.afind_providers("k") == ["p"]
            assert [call.outcome for call in dht.calls()] == ["timeout", "not_found", "ok", "ok"]

    asyncio.run(main())


def test_sync_calls_from_async_code_move_the_loop_time_too() -> None:
    async def main() -> None:
        with MockDHT(seed=1, conditions=NetworkConditions(latency=0.5)) as dht:
            await dht.aput_value("k", b"v")
            loop = asyncio.get_running_loop()
            before = loop.time()
            dht.get_value("k")
            assert loop.time() - before == pytest.approx(0.5)

    asyncio.run(main())


def test_user_sleeps_and_threads_still_work() -> None:
    async def main() -> None:
        with MockDHT(seed=1, conditions=NetworkConditions(latency=0.5)) as dht:
            await dht.aput_value("k", b"v")
            start = dht.world.clock.now()
            await asyncio.sleep(60)  # the user's own sleep is virtual too
            assert dht.world.clock.now() - start == pytest.approx(60)
            # Work in a thread is waited for in real time, not skipped over.
            result = await asyncio.wait_for(asyncio.to_thread(time.sleep, 0.05), timeout=1)
            assert result is None

    started = time.monotonic()
    asyncio.run(main())
    # A generous upper bound, far from the 60 s that a real sleep would take (the thread's
    # 0.05 s is real): the test's own sleep cost no wall time.
    assert time.monotonic() - started < 60 / 2


def test_closing_the_world_releases_the_loop() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        with MockDHT(seed=1, conditions=NetworkConditions(latency=100)) as dht:
            await dht.aput_value("k", b"v")
            at_close = loop.time()
        # Released: the loop's time goes on in real time from where the world left it
        # (it never goes back), and the world's clock no longer moves with the loop.
        assert loop.time() >= at_close
        await asyncio.sleep(0.01)
        assert loop.time() >= at_close + 0.01
        assert dht.world.clock.now() == 100
        with MockDHT(seed=2) as other:  # a new world can follow the same loop
            await other.aput_value("k", b"v")

    asyncio.run(main())


def test_resetting_the_world_never_takes_the_loop_back() -> None:
    async def main() -> None:
        with MockDHT(seed=1, conditions=NetworkConditions(latency=5)) as dht:
            loop = asyncio.get_running_loop()
            await dht.aput_value("k", b"v")
            before = loop.time()
            dht.reset()
            assert dht.world.clock.now() == 0
            assert loop.time() >= before
            await dht.aput_value("k", b"v")
            assert loop.time() == pytest.approx(before + 5)

    asyncio.run(main())


def test_one_loop_follows_one_world_at_a_time() -> None:
    async def main() -> None:
        with World(seed=1) as first, World(seed=2) as second:
            await MockDHT(first).aput_value("k", b"v")
            with pytest.raises(RuntimeError, match="already follows the virtual clock"):
                await MockDHT(second).aput_value("k", b"v")

    asyncio.run(main())


def test_virtual_time_needs_the_standard_loop() -> None:
    class Unusual(asyncio.AbstractEventLoop):
        pass

    from pytest_bzzz._kernel import loop

    with pytest.raises(RuntimeError, match="needs asyncio's standard event loop"):
        loop.follow(Unusual(), Clock())


def test_real_clock_timeouts_and_failures_wait_then_raise() -> None:
    from pytest_bzzz import NetworkError

    # A timeout waits for the timeout, not for the latency: the latency is so long (60 s)
    # that a generous upper bound, far from it, still tells the two apart.
    with MockDHT(seed=1, clock="real", conditions=NetworkConditions(latency=60)) as dht:
        started = time.monotonic()
        with pytest.raises(NetworkTimeout):
            dht.put_value("k", b"v", timeout=0.01)
        waited = time.monotonic() - started
        assert 0.01 <= waited < 60 / 2
        (call,) = dht.calls()
        assert (call.outcome, call.latency) == ("timeout", 0.01)
    # A failure waits for the whole latency, then raises.
    conditions = NetworkConditions(latency=0.05, failure_rate=1.0)
    with MockDHT(seed=1, clock="real", conditions=conditions) as dht:
        started = time.monotonic()
        with pytest.raises(NetworkError):
            dht.put_value("k", b"v")
        assert time.monotonic() - started >= 0.05
        assert [call.outcome for call in dht.calls()] == ["failed"]


def test_async_failures_change_nothing() -> None:
    from pytest_bzzz import NetworkError

    async def main() -> None:
        with MockDHT(seed=1, conditions=NetworkConditions(failure_rate=1.0)) as dht:
            with pytest.raises(NetworkError):
                await dht.aput_value("k", b"v")
            assert "k" not in dht.world.storage

    asyncio.run(main())


def test_real_io_wakes_the_loop_before_a_virtual_timer() -> None:
    import socket

    async def main() -> None:
        with MockDHT(seed=1, conditions=NetworkConditions(latency=30)) as dht:
            loop = asyncio.get_running_loop()
            dht.world.clock.follow_running_loop()
            reader, writer = socket.socketpair()
            reader.setblocking(False)
            writer.setblocking(False)
            try:
                pending = asyncio.ensure_future(dht.aput_value("k", b"v"))
                await asyncio.sleep(0)  # the put now waits for its 30 s timer
                received: asyncio.Future[bytes] = loop.create_future()
                loop.add_reader(reader.fileno(), lambda: received.set_result(reader.recv(1)))
                writer.send(b"x")
                assert await received == b"x"
                loop.remove_reader(reader.fileno())
                assert dht.world.clock.now() < 30  # the data came before the timer fired
                await pending
                assert dht.world.clock.now() == pytest.approx(30)
            finally:
                reader.close()
                writer.close()

    asyncio.run(main())


def test_two_worlds_on_two_loops() -> None:
    async def one(world: World) -> float:
        await MockDHT(world).aput_value("k", b"v")
        return asyncio.get_running_loop().time()

    first = World(seed=1, conditions=NetworkConditions(latency=1))
    second = World(seed=2, conditions=NetworkConditions(latency=2))
    with first, second:
        assert asyncio.run(one(first)) > 0
        assert asyncio.run(one(second)) > 0
        first.reset()  # rebases only the loops that follow the first world
        assert (first.clock.now(), second.clock.now()) == (0, 2)


def test_clock_start_is_reported_in_utc() -> None:
    from datetime import timedelta, timezone

    start = datetime(2030, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    assert Clock(start=start).start == datetime(2030, 1, 1, 10, tzinfo=UTC)
    assert Clock("real").start <= datetime.now(UTC)


def test_a_timeout_around_slow_work_in_a_thread_still_fires() -> None:
    async def main() -> None:
        with MockDHT(seed=1) as dht:
            dht.world.clock.follow_running_loop()
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(asyncio.to_thread(time.sleep, 1.0), timeout=0.1)
            assert dht.world.clock.now() == pytest.approx(0.1)

    asyncio.run(main())
