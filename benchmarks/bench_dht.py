"""MockDHT throughput, virtual time, memory and plugin overhead, each against a yardstick.

Run from the project root:

    python benchmarks/bench_dht.py

Every ratio compares two things measured in this one process, or, for the
pytest runs, two pytest subprocesses on this machine, interleaved, the best of
``--overhead-repeat`` kept: the same 1,000 tests that do not use the plugin,
with it and with ``-p no:bzzz`` (what loading the plugin costs); and 1,000
tests that put and get a value in ``mock_dht`` against the same tests given a
dict by a plain fixture (what a test that uses the plugin costs: its world,
settings, mock, report section and teardown). So each ratio holds from machine
to machine where absolute rates do not.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

from pytest_bzzz import MockDHT, NetworkConditions, NetworkError

# The most 1,000 tests that use mock_dht may take, against the same tests given a dict fixture.
FIXTURE_GOAL = 1.5
SUITE_SIZE = 1000  # tests in each suite the pytest runs time


class LockedDict:
    """The yardstick: a plain dict behind a lock, wrapped in methods."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, bytes] = {}

    def put_value(self, key: str, value: bytes) -> None:
        with self._lock:
            self._data[key] = value

    def get_value(self, key: str) -> bytes:
        with self._lock:
            return self._data[key]


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def put_get(store: object, keys: Sequence[str], value: bytes) -> Callable[[], None]:
    put, get = store.put_value, store.get_value  # type: ignore[attr-defined]

    def run() -> None:
        for key in keys:
            try:
                put(key, value)
                get(key)
            except NetworkError:
                pass

    return run


def throughput(count: int, repeat: int) -> list[tuple[str, float, float]]:
    keys = [f"ucxl://agent{i}:role@project:task/file{i}.json" for i in range(count)]
    value = b"x" * 64
    rows = []
    noisy = NetworkConditions(latency=0.05, jitter=0.02, failure_rate=0.1)
    for label, conditions in (("no conditions", None), ("latency+jitter+failures", noisy)):
        yard_times, mock_times = [], []
        for _ in range(repeat):  # interleaved, fresh stores each time
            yard_times.append(best(put_get(LockedDict(), keys, value), 1))
            with MockDHT(seed=1, conditions=conditions) as dht:
                mock_times.append(best(put_get(dht, keys, value), 1))
        rows.append((label, 2 * count / min(yard_times), 2 * count / min(mock_times)))
    return rows


def virtual_time(sequential: int, concurrent: int) -> tuple[float, float, float, float]:
    async def main() -> tuple[float, float, float, float]:
        with MockDHT(seed=1, conditions=NetworkConditions(latency=0.5)) as dht:
            start = time.perf_counter()
            for index in range(sequential):
                await dht.aput_value(f"s{index}", b"v")
            sequential_wall = time.perf_counter() - start
            sequential_sim = dht.world.clock.now()
            start = time.perf_counter()
            await asyncio.gather(*(dht.aput_value(f"c{i}", b"v") for i in range(concurrent)))
            concurrent_wall = time.perf_counter() - start
            return sequential_wall, sequential_sim, concurrent_wall, dht.world.clock.now()

    return asyncio.run(main())


def memory(count: int) -> tuple[int, int]:
    def measure(fill: Callable[[list[str], list[bytes]], object]) -> int:
        gc.collect()
        tracemalloc.start()
        keys = [f"key-{index:012d}" for index in range(count)]
        values = [index.to_bytes(8, "big") * 8 for index in range(count)]
        holder = fill(keys, values)
        del keys, values
        gc.collect()
        size = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del holder
        return size

    def plain(keys: list[str], values: list[bytes]) -> object:
        return dict(zip(keys, values, strict=True))

    def mock(keys: list[str], values: list[bytes]) -> object:
        dht = MockDHT(seed=1)
        for key, value in zip(keys, values, strict=True):
            dht.put_value(key, value)
        return dht

    return measure(plain), measure(mock)


TRIVIAL_SUITE = "\n".join(f"def test_{index}():\n    pass\n" for index in range(SUITE_SIZE))

# Two suites of the same tests, but for the store they are handed: the plugin's mock_dht, or a
# dict from a plain fixture. Each test puts a value and reads it back.
DICT_FIXTURE = """
import pytest


@pytest.fixture
def store():
    return {}
"""


def dict_suite(count: int) -> str:
    return "\n".join(
        f"def test_{index}(store):\n    store['k'] = b'v'\n    assert store['k'] == b'v'\n"
        for index in range(count)
    )


def mock_suite(count: int) -> str:
    return "\n".join(
        f"def test_{index}(mock_dht):\n"
        "    mock_dht.put_value('k', b'v')\n"
        "    assert mock_dht.get_value('k') == b'v'\n"
        for index in range(count)
    )


def best_runs(commands: Sequence[Sequence[str]], cwd: str, repeat: int) -> list[float]:
    """The best wall time of each command over ``repeat`` rounds, the commands interleaved.

    Python's bytecode cache is on, as it is for users (whatever ``PYTHONDONTWRITEBYTECODE``
    says here): with it off, every run compiles, and pytest rewrites the asserts of, each
    module the plugin loads, which a user's runs do once. A first round, not counted, fills
    the cache.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    for command in commands:
        subprocess.run(command, check=True, capture_output=True, cwd=cwd, env=env)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(repeat):
        for command, spent in zip(commands, times, strict=True):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=cwd, env=env)
            spent.append(time.perf_counter() - start)
    return [min(spent) for spent in times]


def pytest_command(folder: str, *options: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options, folder]


def plugin_overhead(repeat: int) -> tuple[float, float]:
    """pytest on 1,000 tests that do not use the plugin, with it and without it (-p no:bzzz)."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "test_trivial.py").write_text(TRIVIAL_SUITE)
        Path(folder, "pytest.ini").write_text("[pytest]\n")
        with_plugin, without = best_runs(
            [pytest_command(folder), pytest_command(folder, "-p", "no:bzzz")], folder, repeat
        )
        return with_plugin, without


def fixture_cost(repeat: int) -> tuple[float, float]:
    """pytest on 1,000 tests that use mock_dht, and on the same tests given a dict fixture."""
    with tempfile.TemporaryDirectory() as root:
        folders = [Path(root, "mock"), Path(root, "dict")]
        for folder, suite in zip(
            folders, (mock_suite(SUITE_SIZE), dict_suite(SUITE_SIZE)), strict=True
        ):
            folder.mkdir()
            Path(folder, "test_store.py").write_text(suite)
            Path(folder, "pytest.ini").write_text("[pytest]\n")
        Path(folders[0], "conftest.py").write_text("import pytest\n")  # as the other has one
        Path(folders[1], "conftest.py").write_text(DICT_FIXTURE)
        mock, plain = best_runs([pytest_command(str(f)) for f in folders], root, repeat)
        return mock, plain


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="operations per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the best is kept")
    parser.add_argument("--memory-count", type=int, default=1_000_000, help="values stored")
    parser.add_argument("--sequential", type=int, default=1_000)
    parser.add_argument("--concurrent", type=int, default=10_000)
    parser.add_argument("--overhead-repeat", type=int, default=10, help="0: skip the pytest runs")
    parser.add_argument(
        "--only",
        choices=("virtual-time",),
        help="run only these figures (CI runs the virtual-time ones on every Python)",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 if a figure misses its goal"
    )
    args = parser.parse_args(argv)
    missed: list[str] = []

    def verdict(label: str, met: bool) -> str:
        if not met:
            missed.append(label)
        return "meets" if met else "MISSES"

    if args.only is None:
        print(f"MockDHT benchmark: {args.count:,} put+get pairs per run, best of {args.repeat}")
        for (label, yardstick, rate), goal in zip(
            throughput(args.count, args.repeat), (1 / 3, 1 / 6), strict=True
        ):
            ratio = rate / yardstick
            print(
                f"  {label:<25} {rate:>11,.0f} ops/s vs locked dict {yardstick:>11,.0f} ops/s"
                f"   ratio {ratio:.2f} ({verdict(label, ratio >= goal)} the goal of {goal:.2f})"
            )
    else:
        print(f"MockDHT benchmark, virtual time only ({sys.version.split()[0]})")
    # The best of three runs; each must also spend exactly the simulated time it should (the
    # sequential operations 0.5 s each, the concurrent ones 0.5 s in all: they overlap).
    runs = [virtual_time(args.sequential, args.concurrent) for _ in range(3)]
    seq_wall = min(run[0] for run in runs)
    con_wall = min(run[2] for run in runs)
    seq_sim, con_sim = runs[0][1], runs[0][3]
    seq_exact = all(run[1] == 0.5 * args.sequential for run in runs)
    con_exact = all(run[3] - run[1] == 0.5 for run in runs)
    print(
        f"  {args.sequential:,} sequential awaited ops at 500ms: {seq_wall:.3f} s wall for "
        f"{seq_sim:,.1f} simulated s "
        f"({verdict('sequential', seq_wall < 0.5 and seq_exact)} the goal of 0.5 s"
        f"{'' if seq_exact else ', and not the simulated time it should'})"
    )
    print(
        f"  {args.concurrent:,} concurrent ops (gather) at 500ms: {con_wall:.3f} s wall, "
        f"clock +{con_sim - seq_sim:.1f} s "
        f"({verdict('concurrent', con_wall < 2 and con_exact)} the goal of 2 s"
        f"{'' if con_exact else ', and not overlapping in simulated time'})"
    )
    if args.only is not None:
        return 1 if args.check and missed else 0
    plain, mock = memory(args.memory_count)
    print(
        f"  memory, {args.memory_count:,} 64-byte values: MockDHT {mock / 2**20:,.1f} MiB vs dict "
        f"{plain / 2**20:,.1f} MiB   ratio {mock / plain:.2f} "
        f"({verdict('memory', mock / plain <= 1.5)} the goal of 1.50)"
    )
    if args.overhead_repeat:
        with_plugin, without = plugin_overhead(args.overhead_repeat)
        overhead = with_plugin / without - 1
        print(
            f"  pytest, 1,000 trivial tests: {with_plugin:.3f} s with the plugin, {without:.3f} s "
            f"with -p no:bzzz   overhead {overhead:+.1%} "
            f"({verdict('plugin overhead', overhead <= 0.05)} the goal of +5%)"
        )
        mock, plain = fixture_cost(args.overhead_repeat)
        print(
            f"  pytest, 1,000 tests using a store: {mock:.3f} s with mock_dht, {plain:.3f} s with "
            f"a dict fixture   ratio {mock / plain:.2f} "
            f"({verdict('per-test cost', mock / plain <= FIXTURE_GOAL)} the goal of "
            f"{FIXTURE_GOAL:.2f}); {(mock - plain) / SUITE_SIZE * 1000:.3f} ms more a test"
        )
    if args.check and missed:
        print(f"missed: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
