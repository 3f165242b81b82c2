"""Async tests of code that talks to the BZZZ DHT: the event loop runs in simulated time.

These tests need pytest-asyncio (``python -m pip install pytest-asyncio``);
without it this module is skipped. In an async test that uses the plugin's
fixtures, the event loop follows the world's virtual clock from the test's
first line: simulated latency, ``asyncio.sleep``, ``asyncio.wait_for`` and
``asyncio.timeout`` all happen at simulated instants and cost no wall time.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from pytest_bzzz import AsyncDHT, MockDHT, NetworkError, NetworkTimeout, World

pytest.importorskip("pytest_asyncio")

# Tests that count simulated time, arrange data in the world's storage or use more
# peers than a real network's hosts need the simulation: on a run that chooses the
# libp2p backend (--bzzz-backend=libp2p), they still run on the simulated network.
needs_simulation = pytest.mark.bzzz(backend="memory")


# -- The code under test ------------------------------------------------------
# In a real project this lives in your package.

# Each function is typed against pytest_bzzz.AsyncDHT, the Protocol of the DHT's
# async operations: it accepts the mock in tests and your real client elsewhere.


async def read_all(dht: AsyncDHT, keys: list[str]) -> list[bytes]:
    """Read several keys concurrently."""
    return list(await asyncio.gather(*(dht.aget_value(key) for key in keys)))


async def read_or_default(dht: AsyncDHT, key: str, *, within: float) -> bytes:
    """The value under ``key``, or a default if the read takes longer than ``within`` seconds."""
    try:
        return await asyncio.wait_for(dht.aget_value(key), timeout=within)
    except TimeoutError:
        return b"default"


async def read_with_backoff(dht: AsyncDHT, key: str, *, attempts: int, first_delay: float) -> bytes:
    """Retry a failing read, waiting twice as long after each failure."""
    delay = first_delay
    for attempt in range(1, attempts + 1):
        try:
            return await dht.aget_value(key)
        except NetworkError:
            if attempt == attempts:
                raise
            await asyncio.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")  # pragma: no cover


# -- The tests ----------------------------------------------------------------

KEY = "ucxl://monitor:observer@bzzz:cluster/*^/status.json"


@needs_simulation
@pytest.mark.asyncio
@pytest.mark.latency(250)
async def test_concurrent_reads_overlap_in_simulated_time(
    mock_dht: MockDHT, bzzz_network: World
) -> None:
    keys = [f"node-{number}" for number in range(100)]
    for key in keys:
        bzzz_network.storage.put(key, key.encode())

    assert await read_all(mock_dht, keys) == [key.encode() for key in keys]
    assert bzzz_network.clock.now() == pytest.approx(0.25)  # not 100 x 0.25


@needs_simulation
@pytest.mark.asyncio
@pytest.mark.latency(500)
async def test_a_read_past_its_deadline_is_cancelled(
    mock_dht: MockDHT, bzzz_network: World
) -> None:
    bzzz_network.storage.put(KEY, b"healthy")

    assert await read_or_default(mock_dht, KEY, within=0.2) == b"default"
    assert bzzz_network.clock.now() == pytest.approx(0.2)  # wait_for fired at 0.2 exactly
    assert await read_or_default(mock_dht, KEY, within=1.0) == b"healthy"
    assert bzzz_network.clock.now() == pytest.approx(0.7)
    assert [call.outcome for call in mock_dht.calls()] == ["cancelled", "ok"]


@pytest.mark.asyncio
@pytest.mark.flaky_network(1, ops=["get_value"])  # "get_value" covers aget_value
async def test_backoff_waits_in_simulated_time(mock_dht: MockDHT, bzzz_network: World) -> None:
    started = time.monotonic()

    with pytest.raises(NetworkError):
        await read_with_backoff(mock_dht, KEY, attempts=4, first_delay=1.0)

    assert bzzz_network.clock.now() == pytest.approx(1 + 2 + 4)  # the three waits
    assert len(mock_dht.calls("get_value", outcome="failed")) == 4
    assert time.monotonic() - started < 1  # seven simulated seconds, no real ones


@pytest.mark.asyncio
async def test_the_tests_own_sleep_is_virtual_from_its_first_line(bzzz_network: World) -> None:
    await asyncio.sleep(3600)
    assert bzzz_network.clock.now() == pytest.approx(3600)


@needs_simulation
@pytest.mark.asyncio
@pytest.mark.latency(500)
@pytest.mark.bzzz(timeout=200)
async def test_an_async_operation_times_out_like_a_sync_one(
    mock_dht: MockDHT, bzzz_network: World
) -> None:
    with pytest.raises(NetworkTimeout):
        await mock_dht.aput_value(KEY, b"healthy")

    assert bzzz_network.clock.now() == pytest.approx(0.2)
    assert KEY not in bzzz_network.storage
    assert [call.outcome for call in mock_dht.calls()] == ["timeout"]


@needs_simulation
@pytest.mark.asyncio
@pytest.mark.latency(100)
async def test_sync_and_async_calls_share_one_clock(mock_dht: MockDHT, bzzz_network: World) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()

    mock_dht.put_value(KEY, b"healthy")  # a sync call from async code
    assert await mock_dht.aget_value(KEY) == b"healthy"

    assert bzzz_network.clock.now() == pytest.approx(0.2)
    assert loop.time() - start == pytest.approx(0.2)
