"""MockBZZZ throughput, search and memory, each against a yardstick in the same process.

Run from the project root:

    python benchmarks/bench_bzzz.py

- store + retrieve against a yardstick that JSON-encodes the same envelope
  dict into a plain dict (and decodes it again to read), as the RUSTLE mock's
  figures (about 5,000 stores and 8,000 retrieves a second) were measured;
- search over a million stored addresses against a linear scan with
  ``pattern.matches`` over the same addresses;
- memory per stored single-version envelope of 100 bytes against the size of
  its JSON encoding.
"""

from __future__ import annotations

import argparse
import base64
import gc
import hashlib
import json
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from pytest_bzzz import MockBZZZ, UCXLAddress

CONTENT = bytes(range(100))


def addresses(count: int, agents: int = 10_000, projects: int = 1_000) -> list[str]:
    """``count`` distinct addresses: each agent has count/10,000 and each project count/1,000."""
    return [
        f"ucxl://agent{i % agents}:role{i % 7}@project{i % projects}:task{i % 997}"
        f"/docs/section{i % 13}/note-{i}.md"
        for i in range(count)
    ]


class JSONDict:
    """The yardstick: the envelope as a JSON document in a plain dict."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def store(self, address: str, content: bytes) -> None:
        self.data[address] = json.dumps(
            {
                "address": address,
                "content": base64.b64encode(content).decode("ascii"),
                "content_type": "application/octet-stream",
                "metadata": {},
                "version": 1,
                "timestamp": datetime.now(UTC).isoformat(),
                "author": address[7 : address.index(":", 7)],
                "digest": hashlib.sha256(content).hexdigest(),
            }
        )

    def retrieve(self, address: str) -> dict[str, object]:
        return json.loads(self.data[address])  # type: ignore[no-any-return]


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def throughput(count: int, repeat: int) -> dict[str, float]:
    keys = addresses(count)
    rates: dict[str, list[float]] = {name: [] for name in ("ys", "yr", "ms", "mr")}
    for _ in range(repeat):
        yard = JSONDict()
        rates["ys"].append(count / best(lambda y=yard: [y.store(k, CONTENT) for k in keys], 1))
        rates["yr"].append(count / best(lambda y=yard: [y.retrieve(k) for k in keys], 1))
        with MockBZZZ(seed=1) as bzzz:
            rates["ms"].append(count / best(lambda b=bzzz: [b.store(k, CONTENT) for k in keys], 1))
            rates["mr"].append(count / best(lambda b=bzzz: [b.retrieve(k) for k in keys], 1))
    return {name: max(values) for name, values in rates.items()}


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
    texts = addresses(count)
    gc.collect()
    tracemalloc.start()
    with MockBZZZ(seed=1, record_calls=0) as bzzz:
        before = tracemalloc.get_traced_memory()[0]
        for text in texts:
            bzzz.store(text, CONTENT)
        gc.collect()
        used = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        sample = [bzzz.retrieve(text).to_json() for text in texts[:: max(1, count // 1000)]]
    json_size = sum(len(text.encode()) for text in sample) / len(sample)
    return used / count, json_size


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000, help="envelopes per throughput run")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the best is kept")
    parser.add_argument("--search-count", type=int, default=1_000_000, help="stored addresses")
    parser.add_argument("--memory-count", type=int, default=100_000, help="envelopes measured")
    args = parser.parse_args(argv)

    rates = throughput(args.count, args.repeat)
    print(f"MockBZZZ benchmark: {args.count:,} envelopes per run, best of {args.repeat}")
    for label, mock, yard, rustle, goal in (
        ("store", rates["ms"], rates["ys"], 5_000, 0.25),
        ("retrieve", rates["mr"], rates["yr"], 8_000, 0.25),
    ):
        ratio = mock / yard
        print(
            f"  {label:<9} {mock:>9,.0f}/s vs JSON+dict {yard:>9,.0f}/s  ratio {ratio:.2f} "
            f"({'meets' if ratio >= goal else 'MISSES'} {goal:.2f}); {mock / rustle:.0f}x the "
            f"RUSTLE mock's {rustle:,}/s ({'meets' if mock >= 10 * rustle else 'MISSES'} 10x)"
        )
    combined = 2 / (1 / rates["ms"] + 1 / rates["mr"])
    yard_combined = 2 / (1 / rates["ys"] + 1 / rates["yr"])
    ratio = combined / yard_combined
    print(
        f"  store+retrieve {combined:>9,.0f} ops/s vs {yard_combined:>9,.0f} ops/s  "
        f"ratio {ratio:.2f} ({'meets' if ratio >= 0.25 else 'MISSES'} the goal of 0.25)"
    )
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
    per_envelope, json_size = memory(args.memory_count)
    ratio = per_envelope / json_size
    print(
        f"  memory per stored 100-byte envelope: {per_envelope:,.0f} bytes; its JSON encoding "
        f"{json_size:,.0f} bytes; ratio {ratio:.2f} "
        f"({'meets' if ratio <= 3 else 'MISSES'} at most 3)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
