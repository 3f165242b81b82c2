"""The strategies cover the grammar: every feature and spelling shows up over many draws."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_bzzz import MAX_LENGTH, Temporal, UCXLAddress, strategies
from pytest_bzzz.strategies import temporal_selectors, ucxl_addresses, ucxl_strings
from tests._strategy_helpers import FIELDS, T, draws, falsifying_example

KINDS = ("latest", "earliest", "version", "back", "forward", "at")
MAX_NUMBER = 2**63 - 1


def test_draws_are_the_same_on_every_run() -> None:
    # What the coverage tests below count must not depend on luck.
    strategy = ucxl_strings(form="any", patterns=True)
    assert draws(strategy, 50) == draws(strategy, 50)
    report = falsifying_example(ucxl_addresses(), lambda address: len(address.path) > 3)
    assert falsifying_example(ucxl_addresses(), lambda address: len(address.path) > 3) == report


def seen(values: Iterable[T], features: Callable[[T], Iterable[str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for value in values:
        counts.update(features(value))
    return counts


# -- Coverage of the grammar, over many draws ----------------------------------


def address_features(address: UCXLAddress) -> set[str]:
    features = {f"temporal {address.temporal.kind if address.temporal else 'none'}"}
    features |= {f"wildcard {f}" for f in FIELDS if getattr(address, f) == "any"}
    path = address.path
    segments = path.removesuffix("/").split("/") if path else []
    features |= {
        name
        for name, present in [
            ("empty path", not path),
            ("deep path", len(segments) >= 3),
            ("trailing slash", path.endswith("/")),
            ("** segment", "**" in segments),
            ("* segment", "*" in segments),
            ("glob in a segment", any("*" in s and s not in ("*", "**") for s in segments)),
            ("dot in a segment", any("." in s for s in segments)),
            ("long component", any(len(getattr(address, f)) > 100 for f in FIELDS)),
            ("long address", len(str(address)) > 1024),
            ("address at the limit", len(str(address)) == MAX_LENGTH),
        ]
        if present
    }
    return features


def test_addresses_cover_the_grammar() -> None:
    counts = seen(draws(ucxl_addresses(patterns=True), 1500), address_features)
    expected = {f"temporal {kind}" for kind in (*KINDS, "none")}
    expected |= {f"wildcard {f}" for f in FIELDS}
    expected |= {"empty path", "deep path", "trailing slash", "** segment", "* segment"}
    expected |= {"glob in a segment", "dot in a segment", "long component", "long address"}
    expected |= {"address at the limit"}
    assert expected <= set(counts), sorted(expected - set(counts))


HEAD = re.compile(r"ucxl://([^:]*):([^@]*)@([^:]*):([^/]*)")
TIMESTAMP = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"


def string_features(text: str) -> set[str]:
    """What a written address shows, read from the text (not from the strategy)."""
    address = UCXLAddress.parse(text)
    head = HEAD.match(text)
    assert head is not None
    tail = text[head.end() :]
    path = address.path
    checks = [
        ("'*' wildcard", "*" in head.groups()),
        ("'any' wildcard", "any" in head.groups()),
        ("lone '/' tail", tail == "/"),
        ("'/' after the token", address.temporal is not None and not path and tail.endswith("/")),
        ("'#'", "#" in tail),
        ("bare '~~'", re.search(r"~~(?![0-9])", tail) is not None),
        ("bare '^^'", re.search(r"\^\^(?![0-9])", tail) is not None),
        ("leading zeros", re.search(r"(\*~|~~|\^\^)0[0-9]", tail) is not None),
        ("bare timestamp", re.match(f"/{TIMESTAMP}", tail) is not None),
        ("'*@' timestamp", re.search(rf"\*@{TIMESTAMP}", tail) is not None),
        ("offset '+HH:MM'", re.search(rf"{TIMESTAMP}\+[0-9]{{2}}:[0-9]{{2}}", tail) is not None),
        ("offset '-HH:MM'", re.search(rf"{TIMESTAMP}-[0-9]{{2}}:[0-9]{{2}}", tail) is not None),
        ("no zone", re.search(rf"{TIMESTAMP}(?![0-9.Z+-])", tail) is not None),
        ("'Z'", re.search(rf"{TIMESTAMP}Z", tail) is not None),
        ("fraction padded with zeros", re.search(r":[0-9]{2}\.[0-9]*0(?![0-9])", tail) is not None),
        (
            "suffix form",
            address.temporal is not None
            and bool(path)
            and tail[1:].startswith(path)
            and tail[1 + len(path)] in "*~^#",
        ),
        ("canonical", text == str(address)),
    ]
    return {name for name, present in checks if present}


@pytest.mark.parametrize(
    ("strategy", "count", "expected"),
    [
        (
            ucxl_strings(form="any", patterns=True, temporal=False),
            500,
            {"'*' wildcard", "'any' wildcard", "lone '/' tail", "canonical"},
        ),
        (
            ucxl_strings(form="any", temporal={"latest"}),
            300,
            {"'#'", "'/' after the token", "suffix form", "canonical"},
        ),
        (
            ucxl_strings(form="any", temporal={"back", "forward"}),
            1000,
            {"bare '~~'", "bare '^^'", "leading zeros", "suffix form", "canonical"},
        ),
        (
            ucxl_strings(form="any", temporal={"at"}),
            500,
            {"bare timestamp", "'*@' timestamp", "offset '+HH:MM'", "offset '-HH:MM'", "no zone"}
            | {"'Z'", "fraction padded with zeros", "suffix form", "canonical"},
        ),
    ],
    ids=["wildcards", "latest", "steps", "instants"],
)
def test_strings_cover_every_spelling(
    strategy: st.SearchStrategy[str], count: int, expected: set[str]
) -> None:
    counts = seen(draws(strategy, count), string_features)
    assert expected <= set(counts), sorted(expected - set(counts))


def test_suffix_strings_are_written_in_the_suffix_form() -> None:
    texts = draws(ucxl_strings(form="suffix"), 300)
    counts = seen(texts, string_features)
    assert counts["suffix form"] > 100
    assert any(text.endswith("/") for text in texts)


def test_near_misses_cover_every_reason() -> None:
    reasons = Counter(case.reason for case in draws(strategies._invalid_cases(), 1000))
    assert set(reasons) == set(strategies._REASONS)
    assert len(reasons) >= 15


def selector_features(temporal: Temporal) -> set[str]:
    features = {temporal.kind}
    if temporal.n == 0:
        features.add("n = 0")
    if temporal.n is not None and 1 <= temporal.n <= 10:
        features.add("small n")
    if temporal.n is not None and temporal.n > 2**32:
        features.add("huge n")
    if temporal.at is not None:
        assert temporal.at.tzinfo is UTC
        features.add("microseconds" if temporal.at.microsecond else "whole seconds")
    return features


def test_temporal_selectors_cover_every_kind_and_range() -> None:
    # Read from addresses: hypothesis never repeats a draw, and a bare selector
    # such as '*^' can be drawn in only one way, so it would be seen only once.
    addresses = draws(ucxl_addresses(temporal=True), 800)
    counts = seen((a.temporal for a in addresses if a.temporal), selector_features)
    expected = {*KINDS, "n = 0", "small n", "huge n", "microseconds", "whole seconds"}
    assert expected <= set(counts), sorted(expected - set(counts))


@pytest.mark.parametrize("kinds", [{"latest"}, {"back", "at"}, set(KINDS)])
def test_temporal_selectors_draw_exactly_the_kinds_asked_for(kinds: set[Any]) -> None:
    assert {t.kind for t in draws(temporal_selectors(kinds=kinds), 200)} == kinds


@given(temporal_selectors())
def test_temporal_selectors_round_trip(temporal: Temporal) -> None:
    assert Temporal.parse(str(temporal)) == temporal
    assert temporal.n is None or 0 <= temporal.n <= MAX_NUMBER
