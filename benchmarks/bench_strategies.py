"""Throughput of the hypothesis strategies, against ``hypothesis.provisional.urls()``.

Run from the project root:

    python benchmarks/bench_strategies.py

A ``@given`` test that does nothing but receive its argument is run for
``--examples`` examples drawing from ``urls()`` (the yardstick: hypothesis's own
strategy for a comparable structured string), from ``ucxl_addresses()`` and
from ``ucxl_strings(form="any")``, interleaved in this one process, so that
the ratios hold from machine to machine even where the absolute rates do
not. Each rate is examples run divided by wall time, hypothesis's own
overhead included, since that is what a user's test suite pays; the best of
``--repeat`` runs is kept. The Faker provider is timed on its own, as calls
of ``fake.ucxl_address()`` per second on a seeded ``Faker``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from typing import Any

from faker import Faker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

from pytest_bzzz.faker import UCXLProvider
from pytest_bzzz.strategies import ucxl_addresses, ucxl_strings

STRATEGY_GOAL = 0.8
FAKER_GOAL = 20_000


def examples_per_second(strategy: st.SearchStrategy[Any], examples: int) -> float:
    """Run a trivial ``@given`` test for ``examples`` examples; return examples per second."""
    ran = 0

    # No database (nothing to replay), no deadline and no health checks: they
    # are not what is measured, and a slow machine must not fail the run.
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def test(value: object) -> None:
        nonlocal ran
        ran += 1

    start = time.perf_counter()
    test()
    return ran / (time.perf_counter() - start)


def calls_per_second(call: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        call()
    return count / (time.perf_counter() - start)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=3_000, help="examples per @given run")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best is kept")
    parser.add_argument("--calls", type=int, default=200_000, help="fake.ucxl_address() calls")
    args = parser.parse_args(argv)

    contenders = {
        "yardstick urls()": urls(),
        "ucxl_addresses()": ucxl_addresses(),
        'ucxl_strings(form="any")': ucxl_strings(form="any"),
    }
    rates: dict[str, list[float]] = {label: [] for label in contenders}
    fake = Faker()
    fake.add_provider(UCXLProvider)
    fake.seed_instance(0)
    faker_rates = []
    for _ in range(args.repeat):
        # Interleave the runs so that a busy moment of the machine hits all alike.
        for label, strategy in contenders.items():
            rates[label].append(examples_per_second(strategy, args.examples))
        faker_rates.append(calls_per_second(fake.ucxl_address, args.calls))
    best = {label: max(values) for label, values in rates.items()}
    yardstick = best.pop("yardstick urls()")

    print(f"Strategy benchmark: @given tests of {args.examples:,} examples, best of {args.repeat}")
    print(f"  yardstick urls()             {yardstick:>10,.0f} examples/s")
    for label, rate in best.items():
        ratio = rate / yardstick
        verdict = "meets" if ratio >= STRATEGY_GOAL else "MISSES"
        print(
            f"  {label:<28} {rate:>10,.0f} examples/s   ratio {ratio:.2f}"
            f"  ({verdict} the goal of {STRATEGY_GOAL:.2f})"
        )
    faker_rate = max(faker_rates)
    verdict = "meets" if faker_rate >= FAKER_GOAL else "MISSES"
    print(
        f"  fake.ucxl_address()          {faker_rate:>10,.0f} calls/s"
        f"   ({verdict} the goal of {FAKER_GOAL:,}/s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
