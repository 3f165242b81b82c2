"""Async tests under pytest-asyncio run in the world's simulated time."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


# -- pytest-asyncio ---------------------------------------------------------------------


def test_async_tests_run_in_simulated_time(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import pytest
        from pytest_bzzz import NetworkError

        @pytest.mark.asyncio
        @pytest.mark.latency(500)
        async def test_latency(mock_dht, bzzz_network):
            loop = asyncio.get_running_loop()
            start = loop.time()
            assert bzzz_network.clock.now() == 0
            await mock_dht.aput_value("k", b"v")
            assert bzzz_network.clock.now() == pytest.approx(0.5)
            assert loop.time() - start == pytest.approx(0.5)
            assert await mock_dht.aget_value("k") == b"v"
            assert bzzz_network.clock.now() == pytest.approx(1.0)
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(mock_dht.aget_value("k"), timeout=0.1)
            assert bzzz_network.clock.now() == pytest.approx(1.1)
            assert loop.time() - start == pytest.approx(1.1)
            assert [call.outcome for call in mock_dht.calls()] == ["ok", "ok", "cancelled"]
            await asyncio.sleep(60)
            assert bzzz_network.clock.now() == pytest.approx(61.1)

        @pytest.mark.asyncio
        async def test_loop_follows_the_world_clock_from_the_first_line(bzzz_network):
            await asyncio.sleep(3600)
            assert bzzz_network.clock.now() == pytest.approx(3600)

        @pytest.mark.asyncio
        @pytest.mark.flaky_network(1, ops=["get_value"])
        async def test_get_value_covers_aget_value(mock_dht):
            await mock_dht.aput_value("k", b"v")
            with pytest.raises(NetworkError):
                await mock_dht.aget_value("k")
            assert await mock_dht.afind_providers("k") == []

        def test_sync_still_works(mock_dht):
            mock_dht.put_value("k", b"v")
            assert mock_dht.get_value("k") == b"v"
        """
    )
    result = pytester.runpytest("-W", "error")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["asyncio: mode=*STRICT*"])
