"""Virtual time never outruns real work: threads, subprocesses, sockets, anyio, and release.

Real durations here are short (0.2 to 0.3 s). A test checks that the work
finished under a timeout that a jump over it would have hit at once, and that
the world clock stayed far below that timeout; never a window of wall time
(how long the loop really waited depends on the machine's load). How the clock
follows a real wait is checked where it is exact: a wait that ends because a
timer is due leaves the clock exactly at the timer.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
import time

import pytest

from pytest_bzzz import MockDHT, NetworkConditions, World

TIMEOUT = 5.0  # what a jump over real work would move the clock to


def run(main: object) -> None:
    asyncio.run(main)  # type: ignore[arg-type]


def test_a_subprocess_awaited_under_a_timeout_runs_to_its_end() -> None:
    async def main() -> None:
        with World(seed=1) as world:
            world.clock.follow_running_loop()
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-c", "import time; time.sleep(0.3); print('done')",
                stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
            assert out.strip() == b"done"
            assert world.clock.now() < TIMEOUT

    run(main())


def test_a_socket_filled_by_a_thread_is_waited_for() -> None:
    async def main() -> None:
        with World(seed=1) as world:
            world.clock.follow_running_loop()
            ours, theirs = socket.socketpair()
            with ours, theirs:
                ours.setblocking(False)
                writer = threading.Timer(0.2, theirs.sendall, [b"hello"])
                writer.start()
                loop = asyncio.get_running_loop()
                data = await asyncio.wait_for(loop.sock_recv(ours, 5), TIMEOUT)
                writer.join()
            assert data == b"hello"
            assert world.clock.now() < TIMEOUT

    run(main())


def test_a_stream_read_filled_by_a_thread_is_waited_for() -> None:
    async def main() -> None:
        with World(seed=1) as world:
            world.clock.follow_running_loop()
            ours, theirs = socket.socketpair()
            with theirs:
                reader, writer = await asyncio.open_connection(sock=ours)
                sender = threading.Timer(0.2, theirs.sendall, [b"line\n"])
                sender.start()
                assert await asyncio.wait_for(reader.readline(), TIMEOUT) == b"line\n"
                sender.join()
                writer.close()
                await writer.wait_closed()
            assert world.clock.now() < TIMEOUT

    run(main())


def slow_http_server(listener: socket.socket) -> None:
    """Answer one HTTP request on ``listener``, the head 0.2 s late and the body 0.2 s later;
    then keep the connection open, idle, until the client closes it."""
    connection, _ = listener.accept()
    with connection:
        connection.recv(65536)
        time.sleep(0.2)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n")
        time.sleep(0.2)
        connection.sendall(b"done")
        while connection.recv(65536):
            pass


def test_an_aiohttp_response_filled_by_a_thread_is_waited_for() -> None:
    aiohttp = pytest.importorskip("aiohttp")

    async def main() -> None:
        with World(seed=1) as world, socket.create_server(("127.0.0.1", 0)) as listener:
            world.clock.follow_running_loop()
            server = threading.Thread(target=slow_http_server, args=(listener,))
            server.start()
            url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
            timeout = aiohttp.ClientTimeout(total=TIMEOUT)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.get(url) as answer:
                    assert await answer.read() == b"done"  # the head and the body waited for
                assert world.clock.now() < TIMEOUT
                # The connection stays in aiohttp's pool, idle: no real work, so time jumps.
                began = time.monotonic()
                await asyncio.sleep(60)
                assert time.monotonic() - began < 30
            server.join()

    run(main())


def test_an_idle_connection_to_an_aiohttp_server_in_the_loop_is_no_real_work() -> None:
    pytest.importorskip("aiohttp")
    from aiohttp import web

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def main() -> None:
        with World(seed=1) as world:
            world.clock.follow_running_loop()
            app = web.Application()
            app.router.add_get("/", hello)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            with socket.create_connection(("127.0.0.1", port)) as client:
                client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                client.setblocking(False)
                answer = await asyncio.get_running_loop().sock_recv(client, 1000)
                assert answer.startswith(b"HTTP/1.1 200")
                # The connection stays open, idle: the server awaits no data a client owes it.
                began = time.monotonic()
                await asyncio.sleep(60)
                assert time.monotonic() - began < 30
            await runner.cleanup()

    run(main())


def test_to_thread_and_executor_jobs_are_waited_for() -> None:
    async def main() -> None:
        with World(seed=1) as world:
            world.clock.follow_running_loop()
            await asyncio.wait_for(asyncio.to_thread(time.sleep, 0.2), TIMEOUT)
            loop = asyncio.get_running_loop()
            await asyncio.wait_for(loop.run_in_executor(None, time.sleep, 0.2), TIMEOUT)
            assert world.clock.now() < TIMEOUT

    run(main())


def test_anyio_worker_threads_are_waited_for() -> None:
    anyio = pytest.importorskip("anyio")

    async def main() -> None:
        with World(seed=1) as world:
            world.clock.follow_running_loop()
            with anyio.fail_after(TIMEOUT):
                await anyio.to_thread.run_sync(time.sleep, 0.2)
            assert world.clock.now() < TIMEOUT

    anyio.run(main, backend="asyncio")


def test_a_thread_the_plugin_cannot_see_needs_real_work() -> None:
    async def main() -> None:
        with World(seed=1) as world:
            world.clock.follow_running_loop()
            loop = asyncio.get_running_loop()
            done = loop.create_future()
            threading.Timer(0.2, loop.call_soon_threadsafe, [done.set_result, "x"]).start()
            async with world.real_work():
                assert await asyncio.wait_for(done, TIMEOUT) == "x"
            assert world.clock.now() < TIMEOUT
            assert not world.clock.doing_real_work
            # Without it, the wait jumps straight to the timeout, as documented.
            late = loop.create_future()
            timer = threading.Timer(0.2, loop.call_soon_threadsafe, [late.set_result, "y"])
            timer.start()
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(late, TIMEOUT)
            assert world.clock.now() >= TIMEOUT
            with world.real_work():
                assert world.clock.doing_real_work
                await asyncio.to_thread(timer.join)  # before the loop closes

    run(main())


def test_a_client_and_server_in_one_loop_keep_virtual_latency() -> None:
    """A peer in the same loop is no real work: its reply comes after simulated time."""

    async def main() -> None:
        with World(seed=1) as world:
            world.clock.follow_running_loop()

            async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                await reader.readline()
                await asyncio.sleep(3600)  # simulated work before answering: no wall time
                writer.write(b"pong\n")
                await writer.drain()
                writer.close()

            server = await asyncio.start_server(serve, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            started = time.monotonic()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"ping\n")
            await writer.drain()
            assert await reader.readline() == b"pong\n"
            writer.close()
            server.close()
            await server.wait_closed()
            assert world.clock.now() == pytest.approx(3600, abs=0.5)
            assert time.monotonic() - started < 60  # an hour of simulated time, not of real

    run(main())


def test_a_real_wait_that_ends_at_a_timer_leaves_the_clock_exactly_there() -> None:
    async def main() -> None:
        with World(seed=1) as world:
            world.clock.follow_running_loop()
            started = time.monotonic()
            async with world.real_work():  # so the loop waits for the timer for real
                await asyncio.sleep(0.2)
            assert world.clock.now() == 0.2
            assert time.monotonic() - started >= 0.15  # really waited (a lower bound only)

    run(main())


def test_a_sleep_under_the_world_takes_exactly_its_time() -> None:
    async def main() -> None:
        with World(seed=1) as world:
            world.clock.follow_running_loop()
            before = world.clock.now()
            await asyncio.sleep(2.5)
            assert world.clock.now() - before == 2.5

    run(main())


def test_releasing_the_loop_keeps_its_time_going_forward() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        with World(seed=1) as world:
            world.clock.follow_running_loop()
            fired = loop.create_future()
            loop.call_later(0.2 + 3600, fired.set_result, "late")  # past the release below
            await asyncio.sleep(3600)
            at_release = loop.time()
            world.clock.release_running_loop()
            assert loop.time() >= at_release  # never backwards
            soon = loop.create_future()
            loop.call_later(0.2, soon.set_result, "soon")  # in real time now
            assert await asyncio.wait_for(soon, TIMEOUT) == "soon"
            assert await asyncio.wait_for(fired, TIMEOUT) == "late"
            assert loop.time() >= at_release + 0.2
            assert world.clock.now() == 3600  # the released world saw none of it

    run(main())


def test_timers_set_before_the_world_attached_never_move_its_clock() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        left_over = loop.call_later(7200, lambda: None)  # e.g. left by an earlier test
        with World(seed=1) as world:
            world.clock.follow_running_loop()
            ours, theirs = socket.socketpair()
            with ours, theirs:
                ours.setblocking(False)
                threading.Timer(0.1, theirs.sendall, [b"x"]).start()
                await loop.sock_recv(ours, 1)
            assert world.clock.now() < TIMEOUT  # not 7199.9
            await asyncio.sleep(10)  # its own timers still jump
            assert TIMEOUT < world.clock.now() < 20
        left_over.cancel()

    run(main())


def test_the_record_of_loops_lets_a_loop_go() -> None:
    import gc
    import weakref

    from pytest_bzzz._kernel import loop as loops

    def one_loop() -> weakref.ref[asyncio.AbstractEventLoop]:
        async def main() -> weakref.ref[asyncio.AbstractEventLoop]:
            with MockDHT(seed=1, conditions=NetworkConditions(latency=0.1)) as dht:
                await dht.aput_value("k", b"v")
            return weakref.ref(asyncio.get_running_loop())

        return asyncio.run(main())

    ref = one_loop()
    gc.collect()
    assert ref() is None
    assert ref not in [weakref.ref(loop) for loop in loops._bindings]


@pytest.mark.filterwarnings("ignore:unclosed event loop:ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_record_of_loops_lets_an_unclosed_loop_go() -> None:
    import gc
    import weakref

    from pytest_bzzz._kernel import loop as loops

    def one_loop() -> weakref.ref[asyncio.AbstractEventLoop]:
        loop = asyncio.new_event_loop()  # used under a world, then dropped without close()

        async def main() -> None:
            with MockDHT(seed=1, conditions=NetworkConditions(latency=0.1)) as dht:
                await dht.aput_value("k", b"v")
                loop.call_later(3600, dht.world.clock.now)  # a timer still pending

        loop.run_until_complete(main())
        return weakref.ref(loop)

    refs = [one_loop() for _ in range(3)]
    gc.collect()  # (asyncio warns of each loop never closed as it goes)
    assert [ref() for ref in refs] == [None, None, None]
    assert not any(ref in [weakref.ref(loop) for loop in loops._bindings] for ref in refs)


def test_the_world_is_refused_by_a_loop_that_follows_another() -> None:
    async def main() -> None:
        with World(seed=1) as first, World(seed=2) as second:
            await MockDHT(first).aput_value("k", b"v")
            with pytest.raises(RuntimeError, match="already follows the virtual clock"):
                await MockDHT(second).aput_value("k", b"v")
            first.clock.release_running_loop()
            await MockDHT(second).aput_value("k", b"v")  # free once released

    run(main())


def test_async_operations_outside_async_code_say_what_to_do() -> None:
    import inspect

    with MockDHT(seed=1) as dht:
        coroutine = dht.aget_value("k")
        assert inspect.iscoroutine(coroutine)
        with pytest.raises(RuntimeError, match="must be awaited in code that asyncio or trio"):
            coroutine.send(None)
