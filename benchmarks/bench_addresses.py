"""Parse and format throughput of UCXL addresses, against ``re.fullmatch`` as a yardstick.

Run from the project root:

    python benchmarks/bench_addresses.py

Every figure is measured in this one process, side by side with the yardstick
(one compiled regex of the address grammar, ``re.fullmatch`` over the very same
strings), so the ratios hold from machine to machine even where the absolute
rates do not. All strings are distinct, so no cache can help either side.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import time
from collections.abc import Callable, Sequence

from pytest_bzzz import UCXLAddress, UCXLParseError

# The yardstick: the address grammar's shape in one regex (both textual forms),
# with no semantic checks (calendar dates, number ranges, '.' segments).
_C = r"(?:[A-Za-z0-9_-]+|\*)"
_TS = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
_TOKEN = rf"(?:\*\^|#|\*~[0-9]*|~~[0-9]*|\^\^[0-9]*|\*@{_TS})"
_PATH = r"[A-Za-z0-9_.*-]+(?:/[A-Za-z0-9_.*-]+)*/?"
YARDSTICK = re.compile(
    rf"ucxl://{_C}:{_C}@{_C}:{_C}"
    rf"(?:/(?:{_TOKEN}|{_TS})(?:/(?:{_PATH})?)?|/(?:{_PATH})?(?:{_TOKEN}/?)?)?"
)

AGENTS = ["gpt4", "claude", "llama3", "mistral", "gemini", "qwen2", "any"]
ROLES = ["architect", "reviewer", "developer", "tester", "planner", "any"]
PROJECTS = ["bzzz", "chorus", "RUSTLE-testing", "hive", "ucxl-browser"]
FILES = ["protocol-choice.json", "main.rs", "requirements.md", "config.yaml", "notes.txt"]


def realistic_mix(count: int) -> list[str]:
    """``count`` distinct addresses in the proportions real traffic has (mostly canonical)."""
    texts = []
    for i in range(count):
        agent, role = AGENTS[i % len(AGENTS)], ROLES[i % len(ROLES)]
        project, task = PROJECTS[i % len(PROJECTS)], f"task-{i}"
        head = f"ucxl://{agent}:{role}@{project}:{task}"
        name = FILES[i % len(FILES)]
        shape = i % 20
        if shape < 7:  # canonical, latest, a path
            texts.append(f"{head}/*^/decisions/{i % 97}/{name}")
        elif shape < 11:  # no temporal segment
            texts.append(f"{head}/src/module-{i % 13}/{name}")
        elif shape < 13:  # a version number
            texts.append(f"{head}/*~{i % 50 + 1}/planning/{name}")
        elif shape == 13:  # the design note's suffix form
            texts.append(f"{head}/decisions/{name}*^")
        elif shape == 14:  # back / forward
            texts.append(f"{head}/~~{i % 4}/history/{name}")
        elif shape == 15:  # an instant, canonical
            minute, second = i % 60, (i // 60) % 60
            texts.append(f"{head}/*@2025-08-07T14:{minute:02d}:{second:02d}Z/reviews/{name}")
        elif shape == 16:  # a bare timestamp with a zone offset
            minute = i % 60
            texts.append(f"{head}/2025-01-01T09:{minute:02d}:00+02:00/{name}")
        elif shape == 17:  # a search pattern
            texts.append(f"ucxl://any:any@{project}:*/**/{i}-*.md")
        elif shape == 18:  # a task with no path
            texts.append(head)
        else:  # a directory
            texts.append(f"{head}/docs/section-{i % 31}/")
    assert len(set(texts)) == count
    return texts


def best_rate(run: Callable[[], object], items: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return items / best


def time_parse(parse: Callable[[str], object], text: str) -> float:
    start = time.perf_counter()
    with contextlib.suppress(UCXLParseError):
        parse(text)
    return time.perf_counter() - start


def fresh_copies(addresses: Sequence[UCXLAddress]) -> list[UCXLAddress]:
    """The same addresses, rebuilt with no string form cached, so str() must format."""
    return [
        UCXLAddress._new(a.agent, a.role, a.project, a.task, a.temporal, a.path, None)
        for a in addresses
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="distinct addresses")
    parser.add_argument("--repeat", type=int, default=7, help="runs; the best is kept")
    args = parser.parse_args(argv)
    texts = realistic_mix(args.count)
    fullmatch, parse = YARDSTICK.fullmatch, UCXLAddress.parse
    assert all(fullmatch(text) for text in texts), "the yardstick must accept the mix"

    yard_rates, parse_rates, format_rates = [], [], []
    addresses = [parse(text) for text in texts]
    for _ in range(args.repeat):
        # Interleave the runs so that a busy moment of the machine hits all three alike.
        yard_rates.append(best_rate(lambda: [fullmatch(t) for t in texts], len(texts), 1))
        parse_rates.append(best_rate(lambda: [parse(t) for t in texts], len(texts), 1))
        copies = fresh_copies(addresses)
        format_rates.append(best_rate(lambda c=copies: [str(a) for a in c], len(texts), 1))
    yardstick, parsed, formatted = max(yard_rates), max(parse_rates), max(format_rates)

    huge = ["x" * 1_000_000, "ucxl://a:b@c:d/" + "ab/" * 333_333, "ucxl://" + "a" * 1_000_000]
    # Inputs within the length limit that make the parser work hardest: a
    # fault at the very end of a long path or after many '*' candidates.
    head = "ucxl://a:b@c:d/"
    hard = [
        head + "a/" * 2039 + "!",
        head + "*" * 4000 + "~x",
        head + "a*" * 2000 + "^^",
        "ucxl://" + "a" * 4088 + ":b",
    ]
    slowest_huge = max(time_parse(parse, text) for text in huge)
    slowest_hard = max(time_parse(parse, text) for text in hard)

    print(f"UCXL address benchmark: {len(texts):,} distinct addresses, best of {args.repeat}")
    print(f"  yardstick re.fullmatch    {yardstick:>12,.0f} /s")
    rows = [("parse, fully validated", parsed, 1 / 6), ("format, str()", formatted, 1 / 2)]
    for label, rate, goal in rows:
        verdict = "meets" if rate / yardstick >= goal else "MISSES"
        print(
            f"  {label:<25} {rate:>12,.0f} /s   ratio {rate / yardstick:.2f}"
            f"  ({verdict} the goal of {goal:.2f})"
        )
    print(f"  slowest 1 MB input        {slowest_huge * 1000:>12.3f} ms (goal: well under 1 s)")
    print(f"  slowest hard 4 KB input   {slowest_hard * 1000:>12.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
