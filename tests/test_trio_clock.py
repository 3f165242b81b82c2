"""The trio clock: virtual time under trio, concurrency, cancellation, real work, test worlds."""

from __future__ import annotations

import functools
import time

import pytest

from pytest_bzzz import MockDHT, NetworkConditions, TrioClock, World

trio = pytest.importorskip("trio")


def test_concurrent_operations_overlap_in_simulated_time() -> None:
    with MockDHT(seed=1, conditions=NetworkConditions(latency=60)) as dht:

        async def main() -> None:
            async with trio.open_nursery() as nursery:
                for index in range(10):
                    nursery.start_soon(dht.aput_value, f"k{index}", b"v")

        started = time.monotonic()
        trio.run(main, clock=TrioClock(dht.world))
        assert dht.world.clock.now() == 60  # together: one minute, not ten
        assert dht.stats["put_value"] == 10
        assert time.monotonic() - started < 30  # simulated, not slept


def test_move_on_after_cancels_at_the_exact_simulated_instant() -> None:
    with MockDHT(seed=1, conditions=NetworkConditions(latency=10)) as dht:

        async def main() -> None:
            with trio.move_on_after(3) as scope:
                await dht.aget_value("k")
            assert scope.cancelled_caught

        trio.run(main, clock=TrioClock(dht.world))
        assert dht.world.clock.now() == 3
        (call,) = dht.calls("get_value")
        assert (call.outcome, call.latency) == ("cancelled", 3)


def test_trios_own_sleep_is_virtual_and_exact() -> None:
    with World(seed=1) as world:

        async def main() -> None:
            await trio.sleep(3600)

        trio.run(main, clock=TrioClock(world))
        assert world.clock.now() == 3600


def test_a_thread_is_waited_for_for_real() -> None:
    with World(seed=1) as world:

        async def main() -> None:
            with trio.fail_after(5):
                await trio.to_thread.run_sync(time.sleep, 0.2)

        trio.run(main, clock=TrioClock(world))
        assert 0.1 <= world.clock.now() < 5


def test_a_thread_under_a_limiter_of_its_own_is_waited_for_for_real() -> None:
    anyio = pytest.importorskip("anyio")

    async def main() -> None:
        with trio.fail_after(5):
            await trio.to_thread.run_sync(time.sleep, 0.2, limiter=trio.CapacityLimiter(2))
        with anyio.fail_after(5):  # anyio's threads on trio are trio's
            await anyio.to_thread.run_sync(time.sleep, 0.2, limiter=anyio.CapacityLimiter(2))

    with World(seed=1) as world:
        trio.run(main, clock=TrioClock(world))
        assert world.clock.now() < 5  # the clock did not jump over the threads


def test_a_thread_of_another_run_is_not_this_runs_real_work() -> None:
    async def give_up_on_a_thread() -> None:  # a thread abandoned on cancel, still running
        with trio.move_on_after(0.05):
            await trio.to_thread.run_sync(time.sleep, 1, abandon_on_cancel=True)

    trio.run(give_up_on_a_thread)
    with World(seed=1) as world:

        async def main() -> None:
            await trio.sleep(3600)

        started = time.monotonic()
        trio.run(main, clock=TrioClock(world))
        assert world.clock.now() == 3600
        assert time.monotonic() - started < 30  # jumped: not an hour, nor the thread's second


def test_a_socket_filled_later_is_waited_for_for_real() -> None:
    import socket
    import threading

    with World(seed=1) as world:

        async def main() -> None:
            ours, theirs = socket.socketpair()
            with ours, theirs:
                threading.Timer(0.2, theirs.sendall, [b"x"]).start()
                stream = trio.SocketStream(trio.socket.from_stdlib_socket(ours))
                with trio.fail_after(5):
                    assert await stream.receive_some(1) == b"x"

        trio.run(main, clock=TrioClock(world))
        assert 0.1 <= world.clock.now() < 5


def test_a_tcp_server_in_the_same_run_is_not_real_work() -> None:
    """A server and its client in one trio run, over loopback: the server's 30 simulated
    seconds before it answers pass at once, and the client's timeout is virtual too."""
    with World(seed=1) as world:

        async def serve(stream: trio.SocketStream) -> None:
            request = await stream.receive_some(100)
            await trio.sleep(30)  # the simulated latency of the answer
            await stream.send_all(b"answer to " + request)
            await trio.sleep_forever()  # the connection stays open, idle

        async def main() -> tuple[bytes, bool]:
            async with trio.open_nursery() as nursery:
                serving = functools.partial(trio.serve_tcp, serve, 0, host="127.0.0.1")
                [listener] = await nursery.start(serving)
                port = listener.socket.getsockname()[1]
                client = await trio.open_tcp_stream("127.0.0.1", port)
                async with client:
                    await client.send_all(b"hello")
                    with trio.fail_after(60):
                        answer = await client.receive_some(100)
                    with trio.move_on_after(5) as scope:  # no answer comes: cut at exactly 5
                        await client.receive_some(100)
                nursery.cancel_scope.cancel()
            return answer, scope.cancelled_caught

        started = time.monotonic()
        answer, cut = trio.run(main, clock=TrioClock(world))
        assert (answer, cut) == (b"answer to hello", True)
        assert world.clock.now() == pytest.approx(35, abs=0.5)
        assert time.monotonic() - started < 20  # far less than the 35 simulated seconds


def test_the_sockets_of_an_earlier_run_are_forgotten() -> None:
    """A clock used for several runs (anyio's, shared by a module) learns each run's own."""

    async def listen() -> None:
        with trio.socket.socket() as listener:
            await listener.bind(("127.0.0.1", 0))
            listener.listen()
            with trio.move_on_after(1):
                await listener.accept()  # seen waiting, as the run's own

    with World(seed=1) as world:
        clock = TrioClock(world)
        trio.run(listen, clock=clock)
        assert clock._run_ends  # what it learnt
        trio.run(trio.sleep, 0, clock=clock)
        assert not clock._run_ends


def test_a_tcp_server_in_another_thread_is_real_work() -> None:
    """Its answer comes in real time: the client's virtual timeout must not outrun it."""
    import socket
    import threading

    with World(seed=1) as world, socket.create_server(("127.0.0.1", 0)) as server:

        def answer_later() -> None:
            connection, _ = server.accept()
            with connection:
                time.sleep(0.2)
                connection.sendall(b"x")

        threading.Thread(target=answer_later, daemon=True).start()

        async def main() -> bytes:
            client = await trio.open_tcp_stream("127.0.0.1", server.getsockname()[1])
            async with client:
                with trio.fail_after(5):
                    return await client.receive_some(1)

        assert trio.run(main, clock=TrioClock(world)) == b"x"
        assert 0.1 <= world.clock.now() < 5


def test_real_work_holds_the_clock_back() -> None:
    with World(seed=1) as world:

        async def main() -> None:
            with world.real_work(), trio.move_on_after(0.1):
                await trio.sleep(5)  # waited for real, and cut short

        trio.run(main, clock=TrioClock(world))
        assert 0.05 <= world.clock.now() < 5


def test_its_time_never_goes_back_when_the_world_changes() -> None:
    from pytest_bzzz._kernel.slots import enter_running, leave_running

    clock = TrioClock()  # follows the running test's world, whichever it is
    assert repr(clock) == "<TrioClock following the running test's world>"
    readings = []
    with World(seed=1) as first, World(seed=2) as second:

        async def main() -> None:
            readings.append(trio.current_time())  # no world: real time
            enter_running(first)
            await trio.sleep(100)
            readings.append(trio.current_time())
            leave_running(first)
            enter_running(second)
            readings.append(trio.current_time())
            await trio.sleep(5)
            readings.append(trio.current_time())
            leave_running(second)
            readings.append(trio.current_time())

        trio.run(main, clock=clock)
        assert readings == sorted(readings)
        assert readings[1] - readings[0] >= 100
        assert (first.clock.now(), second.clock.now()) == (100, 5)


def test_a_real_clock_world_runs_trio_on_real_time() -> None:
    with World(seed=1, clock="real") as world:
        clock = TrioClock(world)
        assert not clock.follows(world.clock)

        async def main() -> float:
            started = trio.current_time()
            await trio.sleep(0.05)
            return trio.current_time() - started

        assert trio.run(main, clock=clock) >= 0.05


def test_pytest_trio_runs_a_test_on_the_bzzz_trio_clock(pytester: pytest.Pytester) -> None:
    pytest.importorskip("pytest_trio")
    pytester.makepyfile(
        """
        import trio
        import pytest

        @pytest.mark.trio
        @pytest.mark.latency(500)
        async def test_on_the_world_clock(mock_dht, bzzz_network, bzzz_trio_clock):
            async with trio.open_nursery() as nursery:
                for index in range(10):
                    nursery.start_soon(mock_dht.aput_value, f"k{index}", b"v")
            assert bzzz_network.clock.now() == 0.5
            with trio.move_on_after(3):
                await trio.sleep(10)
            assert bzzz_network.clock.now() == 3.5
        """
    )
    pytester.runpytest("-W", "error", "-p", "no:randomly").assert_outcomes(passed=1)


def test_anyio_takes_the_clock_before_any_world_exists(pytester: pytest.Pytester) -> None:
    pytest.importorskip("anyio")
    pytester.makeconftest(
        """
        import pytest
        import pytest_bzzz

        @pytest.fixture(scope="module")
        def anyio_backend():
            return ("trio", {"clock": pytest_bzzz.TrioClock()})
        """
    )
    pytester.makepyfile(
        """
        import anyio
        import pytest

        pytestmark = pytest.mark.anyio

        @pytest.mark.latency(500)
        async def test_first(mock_dht, bzzz_network):
            async with anyio.create_task_group() as group:
                for index in range(10):
                    group.start_soon(mock_dht.aput_value, f"k{index}", b"v")
            assert bzzz_network.clock.now() == 0.5

        async def test_second(bzzz_network):
            with anyio.move_on_after(3):
                await anyio.sleep(10)
            assert bzzz_network.clock.now() == 3
        """
    )
    pytester.runpytest("-W", "error", "-p", "no:randomly").assert_outcomes(passed=2)
