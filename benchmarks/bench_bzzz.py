"""MockBZZZ throughput, search and memory, each against a yardstick in the same process.

Run from the project root:

    python benchmarks/bench_bzzz.py

- store + retrieve against two yardsticks that keep the very record the mock
  keeps for a version (address, content, content type, metadata, version
  number, timestamp) in a plain dict of per-address lists, behind a lock and
  wrapped in methods, as the DHT benchmark's locked dict is: the first keys it
  by the address text as given; the second parses the address first
  (``UCXLAddress.parse``, fully validated), as the mock must;
- search over a million stored addresses against a linear scan with
  ``pattern.matches`` over the same addresses;
- memory per stored single-version envelope against the first yardstick's
  records for the same addresses.
"""

from __future__ import annotations

import argparse
import gc
import threading
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_bzzz import MockBZZZ, UCXLAddress

CONTENT = bytes(range(100))
BINARY = "application/octet-stream"
NO_METADATA: dict[str, Any] = {}  # shared, as the mock shares one empty mapping
START = datetime(2025, 1, 1, tzinfo=UTC)  # the virtual clock's default start
# Goals: store and retrieve at least 1/4 of the yardstick that does the same work (parses the
# address, keeps the same record); the one that skips parsing is printed for scale, with no goal.
PARSED_GOAL = 0.25
MEMORY_GOAL = 4  # times the records' bytes per envelope (about 1,100 bytes today)


def addresses(count: int, agents: int = 10_000, projects: int = 1_000) -> list[str]:
    """``count`` distinct addresses: each agent has count/10,000 and each project count/1,000."""
    return [
        f"ucxl://agent{i % agents}:role{i % 7}@project{i % projects}:task{i % 997}"
        f"/docs/section{i % 13}/note-{i}.md"
        for i in range(count)
    ]


class LockedRecords:
    """The yardstick: what the mock keeps for each version, in a dict behind a lock.

    A record holds what an envelope holds (the address, the content, its type,
    its digest, not computed until asked for, the metadata, the version number
    and the timestamp, computed from a clock as the mock's virtual clock does),
    in a list per address, as versions accumulate.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, list[tuple[object, ...]]] = {}
        self._now = 0.0

    def store(self, address: str, content: bytes) -> tuple[object, ...]:
        with self._lock:
            versions = self._data.setdefault(address, [])
            timestamp = START + timedelta(seconds=self._now)
            record = (
                address,
                bytes(content),
                BINARY,
                None,
                NO_METADATA,
                len(versions) + 1,
                timestamp,
            )
            versions.append(record)
            return record

    def retrieve(self, address: str) -> tuple[object, ...]:
        with self._lock:
            return self._data[address][-1]


class ParsedRecords(LockedRecords):
    """The same records, keyed by the parsed address (fully validated), as the mock's are."""

    def store(self, address: str, content: bytes) -> tuple[object, ...]:
        return super().store(str(UCXLAddress.parse(address)), content)

    def retrieve(self, address: str) -> tuple[object, ...]:
        return super().retrieve(str(UCXLAddress.parse(address)))


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def throughput(count: int, repeat: int) -> dict[str, tuple[float, float]]:
    """(store, retrieve) rates of the mock and of each yardstick, best of ``repeat``."""
    keys = addresses(count)
    makers: dict[str, Callable[[], Any]] = {
        "dict": LockedRecords,
        "parsed": ParsedRecords,
        "mock": lambda: MockBZZZ(seed=1),
    }
    rates: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in makers}
    for _ in range(repeat):  # interleaved, a fresh store each time
        for name, make in makers.items():
            store = make()
            stores, retrieves = rates[name]
            stores.append(count / best(lambda put=store.store: [put(k, CONTENT) for k in keys], 1))
            retrieves.append(count / best(lambda get=store.retrieve: [get(k) for k in keys], 1))
            if isinstance(store, MockBZZZ):
                store.world.close()
    return {name: (max(stores), max(retrieves)) for name, (stores, retrieves) in rates.items()}


def search(count: int, repeat: int) -> list[tuple[str, float, float, int]]:
    texts = addresses(count)
    parsed = [UCXLAddress.parse(text) for text in texts]
    rows = []
    with MockBZZZ(seed=1, record_calls=0) as bzzz:
        for text in texts:
            bzzz.store(text, CONTENT)
        bzzz.search("ucxl://any:any@any:any/**", limit=1)  # sorts the index once
        for label, pattern_text in (
            ("a concrete agent", "ucxl://agent7:any@any:any/**"),
            ("a concrete project", "ucxl://any:any@project42:any/docs/*/*.md"),
            ("agent and role", "ucxl://agent7:role0@any:any/**"),
            ("all wildcards", "ucxl://any:any@any:any/**"),
        ):
            pattern = UCXLAddress.parse(pattern_text)
            scan = best(lambda p=pattern: [a for a in parsed if p.matches(a)], repeat)
            found = bzzz.search(pattern)
            indexed = best(lambda p=pattern: bzzz.search(p), repeat)
            rows.append((label, scan, indexed, len(found)))
    return rows


def memory(count: int) -> tuple[float, float]:
    """Bytes per stored single-version envelope: the mock's, and the yardstick's records'.

    The content is one bytes object, kept by reference on both sides (as a
    caller's bytes are), so its 100 bytes count on neither.
    """
    texts = addresses(count)

    def measure(make: Callable[[], Any]) -> float:
        gc.collect()
        tracemalloc.start()
        store = make()
        before = tracemalloc.get_traced_memory()[0]
        for text in texts:
            store.store(text, CONTENT)
        gc.collect()
        used = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        if isinstance(store, MockBZZZ):
            store.world.close()
        return used / count

    return measure(lambda: MockBZZZ(seed=1, record_calls=0)), measure(LockedRecords)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000, help="envelopes per throughput run")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the best is kept")
    parser.add_argument("--search-count", type=int, default=1_000_000, help="stored addresses")
    parser.add_argument("--memory-count", type=int, default=100_000, help="envelopes measured")
    args = parser.parse_args(argv)

    rates = throughput(args.count, args.repeat)
    print(f"MockBZZZ benchmark: {args.count:,} envelopes per run, best of {args.repeat}")
    for column, label, rustle in ((0, "store", 5_000), (1, "retrieve", 8_000)):
        mock, parsed, plain = (rates[name][column] for name in ("mock", "parsed", "dict"))
        verdict = "meets" if mock / parsed >= PARSED_GOAL else "MISSES"
        print(
            f"  {label:<9} {mock:>9,.0f}/s vs parse+dict of records {parsed:>9,.0f}/s  "
            f"ratio {mock / parsed:.2f} ({verdict} {PARSED_GOAL:.2f})"
        )
        print(
            f"  {'':<9} {'':>9}   vs dict of records {plain:>14,.0f}/s  ratio {mock / plain:.2f} "
            "(no goal: it skips parsing)"
        )
        verdict = "meets" if mock >= 10 * rustle else "MISSES"
        print(f"  {'':<9} {mock / rustle:>9.0f}x the RUSTLE mock's {rustle:,}/s ({verdict} 10x)")
    print(f"  search over {args.search_count:,} stored addresses (best of {args.repeat}):")
    for label, scan, indexed, found in search(args.search_count, args.repeat):
        speedup = scan / indexed
        if label == "all wildcards":
            meets = "meets" if indexed <= 2 * scan else "MISSES"
            verdict = f"{indexed / scan:.2f}x the scan's time ({meets} at most 2x)"
        else:
            meets = "meets" if speedup >= 100 else "MISSES"
            verdict = f"{speedup:,.0f}x faster ({meets} at least 100x)"
        print(
            f"    {label:<18} {found:>9,} found: search {indexed * 1000:9.2f} ms, "
            f"linear scan {scan * 1000:9.2f} ms, {verdict}"
        )
    per_envelope, per_record = memory(args.memory_count)
    ratio = per_envelope / per_record
    print(
        f"  memory per stored 100-byte envelope: {per_envelope:,.0f} bytes; the dict of records "
        f"{per_record:,.0f} bytes; ratio {ratio:.2f} "
        f"({'meets' if ratio <= MEMORY_GOAL else 'MISSES'} at most {MEMORY_GOAL:g})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
