"""Throughput of the hypothesis strategies, against ``hypothesis.provisional.urls()``.

Run from the project root:

    python benchmarks/bench_strategies.py

A ``@given`` test that does nothing but receive its argument is run for
``--examples`` examples drawing from each of two yardsticks, from
``ucxl_addresses()`` and from ``ucxl_strings(form="any")``, interleaved in this
one process, so that the ratios hold from machine to machine even where the
absolute rates do not. The yardsticks:

- ``st.from_regex`` of the address grammar (the address benchmark's regex,
  both textual forms, ``fullmatch=True``): strings of the same language, drawn
  by hypothesis's own generic machinery, though without the semantic rules
  (calendar dates, number ranges) that the strategies keep;
- ``hypothesis.provisional.urls()``: hypothesis's own strategy for another
  structured string of a comparable size (a different language).

Each rate is examples run divided by wall time, hypothesis's own overhead
included, since that is what a user's test suite pays; the best of
``--repeat`` runs is kept. The Faker provider is timed on its own, as calls
of ``fake.ucxl_address()`` per second on a seeded ``Faker``.
"""

from __future__ import annotations

import argparse
import runpy
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from faker import Faker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

from pytest_bzzz.faker import UCXLProvider
from pytest_bzzz.strategies import ucxl_addresses, ucxl_strings

STRATEGY_GOAL = 0.8
FAKER_GOAL = 20_000
# The address grammar as one regex: the yardstick of benchmarks/bench_addresses.py.
GRAMMAR = runpy.run_path(str(Path(__file__).with_name("bench_addresses.py")))["YARDSTICK"]
YARDSTICKS = ("yardstick from_regex(grammar)", "yardstick urls()")


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
        YARDSTICKS[0]: st.from_regex(GRAMMAR, fullmatch=True),
        YARDSTICKS[1]: urls(),
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
    yardsticks = {label: best.pop(label) for label in YARDSTICKS}

    print(f"Strategy benchmark: @given tests of {args.examples:,} examples, best of {args.repeat}")
    for label, rate in yardsticks.items():
        print(f"  {label:<29} {rate:>10,.0f} examples/s")
    for label, rate in best.items():
        ratios = []
        for yardstick_label, yardstick in yardsticks.items():
            ratio = rate / yardstick
            verdict = "meets" if ratio >= STRATEGY_GOAL else "MISSES"
            name = yardstick_label.removeprefix("yardstick ")
            ratios.append(f"ratio {ratio:.2f} to {name} ({verdict} {STRATEGY_GOAL:.2f})")
        print(f"  {label:<29} {rate:>10,.0f} examples/s   " + "; ".join(ratios))
    faker_rate = max(faker_rates)
    verdict = "meets" if faker_rate >= FAKER_GOAL else "MISSES"
    print(
        f"  fake.ucxl_address()           {faker_rate:>10,.0f} calls/s"
        f"   ({verdict} the goal of {FAKER_GOAL:,}/s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
