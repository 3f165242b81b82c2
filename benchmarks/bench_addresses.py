"""Parse and format throughput of UCXL addresses, against ``re.fullmatch`` as a yardstick.

Run from the project root:

    python benchmarks/bench_addresses.py

Every figure is measured in this one process, side by side with the yardstick
(one compiled regex of the address grammar, ``re.fullmatch`` over the very same
strings), so the ratios hold from machine to machine even where the absolute
rates do not.

All address strings are distinct, but the parser keeps a small cache of parsed
temporal tokens (``*^``, ``*~3``, ...), which real traffic repeats. So parsing
is measured three times, the cache emptied before each timed run:

- on the realistic mix, whose few distinct tokens the cache serves (its hit
  rate is printed);
- on the realistic mix with the cache taken out of the parser (the cached
  function's undecorated original put in its place for that run): what the
  cache buys on the same strings;
- on the same shapes with every temporal token distinct (``*~N``, ``~~N``,
  ``^^N``, instants a second apart), so that every token misses the cache: the
  figure for input with no repeated selector.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import time
from collections.abc import Callable, Iterator, Sequence

from pytest_bzzz import UCXLAddress, UCXLParseError
from pytest_bzzz._ucxl import address as address_module
from pytest_bzzz._ucxl import temporal

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


def distinct_tokens_mix(count: int) -> list[str]:
    """The realistic mix's shapes, with a temporal token of its own in every address.

    ``*^`` has one spelling only, so the canonical addresses that carry it there
    carry a version number (``*~N``) here; every other token is made unique
    by its number or its instant.
    """
    texts = []
    for i in range(count):
        agent, role = AGENTS[i % len(AGENTS)], ROLES[i % len(ROLES)]
        project, task = PROJECTS[i % len(PROJECTS)], f"task-{i}"
        head = f"ucxl://{agent}:{role}@{project}:{task}"
        name = FILES[i % len(FILES)]
        hours, rest = divmod(i, 3600)
        clock = f"{hours % 24:02d}:{rest // 60:02d}:{rest % 60:02d}"
        day = f"2025-08-{1 + hours // 24:02d}"
        shape = i % 20
        if shape < 7 or shape in (11, 12):  # canonical, a version number, a path
            texts.append(f"{head}/*~{i + 1}/decisions/{i % 97}/{name}")
        elif shape < 11:  # no temporal segment
            texts.append(f"{head}/src/module-{i % 13}/{name}")
        elif shape == 13:  # the design note's suffix form
            texts.append(f"{head}/decisions/{name}*~{i + 1}")
        elif shape == 14:  # back / forward
            texts.append(f"{head}/{'~~' if i % 40 < 20 else '^^'}{i}/history/{name}")
        elif shape == 15:  # an instant, canonical
            texts.append(f"{head}/*@{day}T{clock}Z/reviews/{name}")
        elif shape == 16:  # a bare timestamp with a zone offset
            texts.append(f"{head}/{day}T{clock}+02:00/{name}")
        elif shape == 17:  # a search pattern
            texts.append(f"ucxl://any:any@{project}:*/**/{i}-*.md")
        elif shape == 18:  # a task with no path
            texts.append(head)
        else:  # a directory
            texts.append(f"{head}/docs/section-{i % 31}/")
    assert len(set(texts)) == count
    return texts


def token_cache_hits(run: Callable[[], object]) -> tuple[int, int]:
    """Run ``run`` once with the parser's token cache emptied first: (hits, misses) in it."""
    clear_token_cache()  # and its counts
    run()
    cache_info = getattr(temporal.parse_token, "cache_info", None)
    if cache_info is None:  # no cache (any more): nothing to count
        return 0, 0
    info = cache_info()
    return info.hits, info.misses


def best_rate(run: Callable[[], object], items: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return items / best


@contextlib.contextmanager
def token_cache_removed() -> Iterator[bool]:
    """The parser without its token cache, for the block; yields whether there was one."""
    cached = address_module.parse_token
    original = getattr(cached, "__wrapped__", None)
    if original is None:
        yield False
        return
    address_module.parse_token = original
    try:
        yield True
    finally:
        address_module.parse_token = cached


def clear_token_cache() -> None:
    """Empty the parser's cache of temporal tokens, so that no run profits from the last."""
    clear = getattr(temporal.parse_token, "cache_clear", None)
    if clear is not None:
        clear()


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
    mixes = {
        "realistic mix": realistic_mix(args.count),
        "distinct tokens": distinct_tokens_mix(args.count),
    }
    fullmatch, parse = YARDSTICK.fullmatch, UCXLAddress.parse
    for texts in mixes.values():
        assert all(fullmatch(text) for text in texts), "the yardstick must accept the mix"

    yard_rates: dict[str, list[float]] = {label: [] for label in mixes}
    parse_rates: dict[str, list[float]] = {label: [] for label in mixes}
    uncached_rates = []
    format_rates = []
    texts = mixes["realistic mix"]
    addresses = [parse(text) for text in texts]
    for _ in range(args.repeat):
        # Interleave the runs so that a busy moment of the machine hits all of them alike.
        for label, mix in mixes.items():
            yard_rates[label].append(
                best_rate(lambda m=mix: [fullmatch(t) for t in m], len(mix), 1)
            )
            clear_token_cache()  # each run starts cold: the cache holds only what it parses
            parse_rates[label].append(best_rate(lambda m=mix: [parse(t) for t in m], len(mix), 1))
        with token_cache_removed() as removed:
            if removed:
                uncached_rates.append(best_rate(lambda: [parse(t) for t in texts], len(texts), 1))
        copies = fresh_copies(addresses)
        format_rates.append(best_rate(lambda c=copies: [str(a) for a in c], len(texts), 1))
    hits = {
        label: token_cache_hits(lambda m=mix: [parse(t) for t in m]) for label, mix in mixes.items()
    }
    assert hits["distinct tokens"][0] == 0, "distinct tokens must all miss the cache"

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
    rows = []
    for label in mixes:
        found, missed = hits[label]
        share = f"{found / (found + missed):.1%}" if found + missed else "no"
        yardstick = max(yard_rates[label])
        print(
            f"  {label}: yardstick re.fullmatch {yardstick:>12,.0f} /s; "
            f"token cache hits {found:,} of {found + missed:,} ({share})"
        )
        rows.append((f"parse, {label}", max(parse_rates[label]), yardstick, 1 / 6))
    realistic = max(yard_rates["realistic mix"])
    if uncached_rates:
        rows.insert(1, ("parse, mix, no cache", max(uncached_rates), realistic, 1 / 6))
    rows.append(("format, str()", max(format_rates), realistic, 1 / 2))
    for label, rate, yardstick, goal in rows:
        verdict = "meets" if rate / yardstick >= goal else "MISSES"
        print(
            f"  {label:<24} {rate:>12,.0f} /s   ratio {rate / yardstick:.2f}"
            f"  ({verdict} the goal of {goal:.2f})"
        )
    print(f"  slowest 1 MB input        {slowest_huge * 1000:>12.3f} ms (goal: well under 1 s)")
    print(f"  slowest hard 4 KB input   {slowest_hard * 1000:>12.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
