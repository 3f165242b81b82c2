"""Virtual time as the plugin applies it: async fixtures, loop scopes, loop shutdown, trio."""

from __future__ import annotations

import pytest

ASYNCIO = ("-o", "asyncio_mode=auto", "-W", "error", "-p", "no:randomly")


def test_an_async_fixture_that_requests_the_world_runs_on_its_clock(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import time

        import pytest_asyncio

        @pytest_asyncio.fixture
        async def warmed_up(mock_dht, bzzz_network):
            started = time.monotonic()
            await asyncio.sleep(60)  # before any operation: on the world clock already
            assert time.monotonic() - started < 30  # a minute simulated, not really slept
            assert bzzz_network.clock.now() == 60
            await mock_dht.aput_value("k", b"warm")
            return mock_dht

        @pytest_asyncio.fixture
        async def with_teardown(bzzz_network):
            await asyncio.sleep(1)
            yield bzzz_network
            await asyncio.sleep(5)
            assert bzzz_network.clock.now() >= 68

        @pytest_asyncio.fixture
        async def unrelated():
            started = time.monotonic()
            await asyncio.sleep(0.05)  # requests no bzzz fixture: real time, as ever
            return time.monotonic() - started

        async def test_uses_them(warmed_up, with_teardown, unrelated, bzzz_network):
            assert await warmed_up.aget_value("k") == b"warm"
            assert unrelated >= 0.05
            await asyncio.sleep(2)
            assert bzzz_network.clock.now() >= 63
        """
    )
    pytester.runpytest(*ASYNCIO).assert_outcomes(passed=1)


SLOW_EXECUTOR_SHUTDOWN = """
import asyncio
import concurrent.futures
import time

import pytest

@pytest.fixture(autouse=True)
def slow_executor_shutdown(monkeypatch):
    # Make the race that Python 3.13 lost deterministic: the executor takes a while to
    # join its threads, while the loop's 300 s shutdown timeout runs.
    shutdown = concurrent.futures.ThreadPoolExecutor.shutdown

    def slow(self, *args, **kwargs):
        time.sleep(0.2)
        shutdown(self, *args, **kwargs)

    monkeypatch.setattr(concurrent.futures.ThreadPoolExecutor, "shutdown", slow)
"""


def test_the_loop_is_released_before_the_runner_shuts_it_down(
    pytester: pytest.Pytester,
) -> None:
    """Shutting down the executor while the loop followed the world timed out at once."""
    pytester.makepyfile(
        SLOW_EXECUTOR_SHUTDOWN
        + """
async def test_thread_then_shutdown(mock_dht, bzzz_network):
    await asyncio.to_thread(time.sleep, 0.05)
    await mock_dht.aput_value("k", b"v")
    assert bzzz_network.clock.now() < 5

def test_asyncio_run_in_a_sync_test(mock_dht, bzzz_network):
    async def main():
        await asyncio.to_thread(time.sleep, 0.05)
        await mock_dht.aput_value("k", b"v")

    asyncio.run(main())  # still following the world when asyncio.run shuts the loop down
    assert bzzz_network.clock.now() < 5
"""
    )
    pytester.runpytest(*ASYNCIO).assert_outcomes(passed=2)


def test_a_module_scoped_loop_keeps_its_time_and_its_worlds_apart(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import socket
        import threading

        import pytest

        pytestmark = pytest.mark.asyncio(loop_scope="module")
        TIMES = []

        async def test_leaves_a_timer(bzzz_network):
            loop = asyncio.get_running_loop()
            loop.call_later(7200, lambda: None)
            await asyncio.sleep(3600)
            TIMES.append(loop.time())
            assert bzzz_network.clock.now() == 3600

        async def test_reads_for_real(bzzz_network):
            loop = asyncio.get_running_loop()
            assert loop.time() >= TIMES[-1]  # never backwards across worlds
            ours, theirs = socket.socketpair()
            with ours, theirs:
                ours.setblocking(False)
                threading.Timer(0.1, theirs.sendall, [b"x"]).start()
                assert await loop.sock_recv(ours, 1) == b"x"
            assert bzzz_network.clock.now() < 5  # the earlier test's timer moved nothing

        async def test_sleeps_virtually_again(bzzz_network):
            await asyncio.sleep(60)
            assert bzzz_network.clock.now() == 60
        """
    )
    pytester.runpytest(*ASYNCIO).assert_outcomes(passed=3)


@pytest.mark.parametrize("loop_scope", ["class", "session"])
def test_wider_loop_scopes_give_each_test_its_own_world_clock(
    pytester: pytest.Pytester, loop_scope: str
) -> None:
    pytester.makepyfile(
        f"""
        import asyncio

        import pytest

        @pytest.mark.asyncio(loop_scope="{loop_scope}")
        class TestTwo:
            async def test_one(self, mock_dht, bzzz_network):
                await asyncio.sleep(10)
                assert bzzz_network.clock.now() == 10

            async def test_two(self, mock_dht, bzzz_network):
                await asyncio.sleep(20)
                assert bzzz_network.clock.now() == 20
        """
    )
    pytester.runpytest(*ASYNCIO).assert_outcomes(passed=2)


def test_under_trio_the_operations_work_and_move_the_world_clock(
    pytester: pytest.Pytester,
) -> None:
    pytest.importorskip("trio")
    pytest.importorskip("anyio")
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "trio"

        @pytest.mark.anyio
        @pytest.mark.latency(500)
        async def test_trio(mock_dht, bzzz_network):
            mock_dht.put_value("k", b"v")  # sync operations: as anywhere
            assert bzzz_network.clock.now() == 0.5
            assert await mock_dht.aget_value("k") == b"v"  # async: operation by operation
            assert bzzz_network.clock.now() == 1.0

        @pytest.mark.anyio
        @pytest.mark.bzzz(clock="real")
        async def test_trio_real_clock(mock_dht):
            await mock_dht.aput_value("k", b"v")
            assert await mock_dht.aget_value("k") == b"v"
        """
    )
    pytester.runpytest("-W", "error", "-p", "no:randomly").assert_outcomes(passed=2)


def test_under_anyio_on_asyncio_virtual_time_applies(pytester: pytest.Pytester) -> None:
    pytest.importorskip("anyio")
    pytester.makepyfile(
        """
        import time

        import anyio
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        @pytest.mark.anyio
        async def test_anyio(mock_dht, bzzz_network):
            started = time.monotonic()
            await anyio.sleep(600)
            assert bzzz_network.clock.now() == 600
            assert time.monotonic() - started < 60
            with anyio.fail_after(5):
                await anyio.to_thread.run_sync(time.sleep, 0.1)
            assert bzzz_network.clock.now() < 605
        """
    )
    pytester.runpytest("-W", "error", "-p", "no:randomly").assert_outcomes(passed=1)
