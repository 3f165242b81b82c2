"""The hypothesis strategies: validity, coverage of the grammar, shrinking, arguments, from_type."""

from __future__ import annotations

import dataclasses
import inspect
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, example, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from pytest_bzzz import (
    MAX_LENGTH,
    OPERATIONS,
    NetworkConditions,
    Temporal,
    UCXLAddress,
    UCXLParseError,
    strategies,
)
from pytest_bzzz.strategies import (
    invalid_ucxl_strings,
    network_conditions,
    temporal_selectors,
    ucxl_addresses,
    ucxl_patterns,
    ucxl_strings,
)

T = TypeVar("T")
FIELDS = ("agent", "role", "project", "task")
KINDS = ("latest", "earliest", "version", "back", "forward", "at")
MAX_NUMBER = 2**63 - 1
COMPONENT = re.compile(r"[A-Za-z0-9_-]+")
PUBLIC_STRATEGIES = [
    ucxl_addresses,
    ucxl_patterns,
    ucxl_strings,
    temporal_selectors,
    invalid_ucxl_strings,
    network_conditions,
]


# Every search here that counts what it draws ("one of 300 draws has a long
# path") is derandomized: its outcome is the same on every run, so a failure
# replays. They draw as a @given test does, without its database.
SEARCH = settings(database=None, deadline=None, derandomize=True)


def draws(strategy: st.SearchStrategy[T], count: int) -> list[T]:
    """``count`` examples of ``strategy``, drawn the way a ``@given`` test gets them.

    Derandomized: the same strategy gives the same examples on every run.
    """
    drawn: list[T] = []

    @settings(
        SEARCH,
        max_examples=count,
        phases=[Phase.generate],
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(strategy)
    def collect(value: T) -> None:
        drawn.append(value)

    collect()
    return drawn


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


def fields_of(address: UCXLAddress) -> tuple[object, ...]:
    return (*(getattr(address, f) for f in FIELDS), address.temporal, address.path)


# -- Every draw is valid and round-trips ---------------------------------------


@given(ucxl_addresses())
def test_addresses_are_concrete_and_round_trip(address: UCXLAddress) -> None:
    assert type(address) is UCXLAddress
    assert not address.is_pattern
    again = UCXLAddress.parse(str(address))
    assert again == address
    assert fields_of(again) == fields_of(address)
    assert UCXLAddress.parse(str(address), strict=True) == address
    assert len(str(address)) <= MAX_LENGTH


@given(ucxl_addresses(patterns=True))
def test_addresses_with_patterns_round_trip(address: UCXLAddress) -> None:
    assert UCXLAddress.parse(str(address)) == address
    assert fields_of(UCXLAddress.parse(str(address))) == fields_of(address)
    assert len(str(address)) <= MAX_LENGTH


@given(ucxl_patterns())
def test_patterns_are_all_patterns(address: UCXLAddress) -> None:
    assert address.is_pattern
    assert UCXLAddress.parse(str(address)) == address


@given(ucxl_strings())
def test_canonical_strings_are_exactly_what_strict_mode_accepts(text: str) -> None:
    address = UCXLAddress.parse(text, strict=True)
    assert str(address) == text
    assert not address.is_pattern


@given(ucxl_strings(form="suffix", patterns=True))
def test_suffix_strings_end_with_their_temporal_token(text: str) -> None:
    address = UCXLAddress.parse(text)
    assert address.temporal is not None
    assert text.removesuffix("/").endswith(str(address.temporal))
    assert UCXLAddress.parse(str(address)) == address
    assert len(text) <= MAX_LENGTH


@given(ucxl_strings(form="any", patterns=True))
def test_any_spelling_parses_and_round_trips(text: str) -> None:
    address = UCXLAddress.parse(text)
    assert UCXLAddress.parse(str(address)) == address
    assert len(text) <= MAX_LENGTH


@st.composite
def spelled(draw: st.DrawFn, form: str) -> tuple[UCXLAddress, str]:
    address = draw(ucxl_addresses(patterns=True, temporal=form != "suffix" or {"at", "back"}))
    if form == "suffix":
        return address, strategies._suffix_spelling(draw, address)
    return address, strategies._any_spelling(draw, address)


@pytest.mark.parametrize("form", ["suffix", "any"])
@given(data=st.data())
def test_every_spelling_reads_back_as_the_address_it_spells(form: str, data: st.DataObject) -> None:
    address, text = data.draw(spelled(form))
    assert UCXLAddress.parse(text) == address
    assert fields_of(UCXLAddress.parse(text)) == fields_of(address)


@st.composite
def spellings_of(draw: st.DrawFn, address: UCXLAddress) -> str:
    if draw(st.booleans()):
        return strategies._suffix_spelling(draw, address)
    return strategies._any_spelling(draw, address)


def test_spellings_of_an_address_at_the_limit_stay_within_it() -> None:
    # Leading zeros, a zone offset or a final '/' would take these over 4096
    # characters; a spelling that fits is written instead.
    for head in ("ucxl://a:b@c:d/*~1/", "ucxl://a:b@c:d/*@2025-01-01T00:00:00Z/"):
        address = UCXLAddress.parse(head + "x" * (MAX_LENGTH - len(head)))
        spellings = draws(spellings_of(address), 200)
        assert all(len(text) <= MAX_LENGTH for text in spellings)
        assert all(UCXLAddress.parse(text) == address for text in spellings)
        assert len(set(spellings)) > 1


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"])
def test_spellings_of_the_extreme_instants_stay_within_years_1_to_9999(instant: str) -> None:
    # A zone offset that would take the local time out of range is not written.
    address = UCXLAddress.parse(f"ucxl://a:b@c:d/*@{instant}/x")
    spellings = draws(spellings_of(address), 200)
    assert all(UCXLAddress.parse(text) == address for text in spellings)
    assert any(re.search(r"[+-][0-9]{2}:[0-9]{2}", text) for text in spellings)


@given(
    path=ucxl_addresses(patterns=True).map(lambda a: a.path).filter(bool),
    target=st.integers(0, MAX_LENGTH - len("ucxl://a:b@c:d/")),
)
@example(path="a/..x", target=4)  # cut to '..', which is dropped
@example(path="..x/", target=3)
def test_stretching_a_path_keeps_it_valid_and_near_its_target(path: str, target: int) -> None:
    stretched = strategies._stretch_path(path, target)
    UCXLAddress("a", "b", "c", "d", path=stretched)  # a valid path, or this raises
    assert target - 3 <= len(stretched) <= target
    if target >= len(path):
        assert stretched.startswith(path.removesuffix("/"))
        assert stretched.endswith("/") == path.endswith("/")


def test_every_kind_of_bad_timestamp_is_refused() -> None:
    cases = draws(strategies._BAD_TIMESTAMPS, 400)
    assert {fault for fault, _ in cases} == set(strategies._TIMESTAMP_FAULTS)
    for fault, token in cases:
        with pytest.raises(UCXLParseError) as caught:
            Temporal.parse(token)
        assert caught.value.field == "temporal", (fault, token)


@given(invalid_ucxl_strings())
def test_near_misses_are_all_rejected(text: str) -> None:
    with pytest.raises(UCXLParseError):
        UCXLAddress.parse(text)


@settings(max_examples=500)
@given(strategies._invalid_cases())
def test_each_near_miss_is_rejected_for_its_reason(case: Any) -> None:
    with pytest.raises(UCXLParseError) as caught:
        UCXLAddress.parse(case.text)
    assert caught.value.field in case.fields, (case.reason, case.text, str(caught.value))


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


# -- Shrinking -----------------------------------------------------------------


def falsifying_example(strategy: st.SearchStrategy[Any], fails: Callable[[Any], bool]) -> str:
    """Run a failing ``@given`` test; return what hypothesis reports as the failing example."""

    @settings(SEARCH)
    @given(strategy)
    def property_under_test(value: Any) -> None:
        assert not fails(value)

    with pytest.raises(AssertionError) as caught:
        property_under_test()
    return "\n".join(getattr(caught.value, "__notes__", []))


def test_a_failing_address_shrinks_to_the_simplest() -> None:
    report = falsifying_example(ucxl_addresses(), lambda address: True)
    assert "UCXLAddress('ucxl://a:a@a:a')" in report


def test_a_failing_address_with_a_path_shrinks_to_the_simplest_path() -> None:
    report = falsifying_example(
        ucxl_addresses(patterns=True), lambda address: address.path.strip("/").count("/") >= 1
    )
    assert "UCXLAddress('ucxl://a:a@a:a/a/a')" in report


@pytest.mark.parametrize(
    ("strategy", "simplest"),
    [
        (ucxl_patterns(), UCXLAddress.parse("ucxl://any:a@a:a")),
        (ucxl_strings(form="any", patterns=True), "ucxl://a:a@a:a"),
        (ucxl_strings(form="suffix"), "ucxl://a:a@a:a/*^"),
        (temporal_selectors(), Temporal.parse("*^")),
        (network_conditions(), NetworkConditions()),
    ],
    ids=["patterns", "any-strings", "suffix-strings", "selectors", "conditions"],
)
def test_every_strategy_shrinks_to_its_simplest_value(
    strategy: st.SearchStrategy[Any], simplest: object
) -> None:
    assert find(strategy, lambda value: True, settings=SEARCH) == simplest


def test_a_failing_selector_shrinks_to_the_simplest_of_its_kind() -> None:
    found = find(
        ucxl_addresses(temporal={"version"}),
        lambda address: address.temporal is not None and address.temporal.n >= 3,
        settings=SEARCH,
    )
    assert str(found) == "ucxl://a:a@a:a/*~3"


# -- Arguments -----------------------------------------------------------------


@pytest.mark.parametrize("function", PUBLIC_STRATEGIES, ids=lambda f: f.__name__)
def test_every_argument_is_keyword_only(function: Callable[..., object]) -> None:
    for parameter in inspect.signature(function).parameters.values():
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, parameter.name


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ucxl_addresses(patterns="yes"), "patterns must be True or False, got 'yes'"),
        (
            lambda: ucxl_addresses(temporal="latest"),
            "temporal='latest' is a str; give a collection of kind names, such as {'latest'}",
        ),
        (lambda: ucxl_addresses(temporal=set()), r"temporal=set\(\) is empty.*temporal=False"),
        (
            lambda: ucxl_addresses(temporal={"latest", "newest"}),
            "holds 'newest', which is not a temporal kind; accepted kinds: 'latest', 'earliest',"
            " 'version', 'back', 'forward', 'at'",
        ),
        (lambda: ucxl_addresses(temporal=5), "temporal=5 is not a collection of temporal kind"),
        (lambda: ucxl_addresses(temporal=None), "temporal=None is not a collection"),
        (
            lambda: ucxl_addresses(agents="gpt4"),
            r"agents='gpt4' is not a hypothesis strategy.*agents=st.just\('gpt4'\)",
        ),
        (lambda: ucxl_patterns(paths=["docs"]), r"paths=\['docs'\] is not a hypothesis strategy"),
        (
            lambda: ucxl_strings(form="pretty"),
            "form='pretty' is not a textual form; accepted: 'canonical', 'suffix', 'any'",
        ),
        (
            lambda: ucxl_strings(form="suffix", temporal=False),
            "form='suffix' .* every address needs one; temporal=False contradicts it",
        ),
        (lambda: temporal_selectors(kinds="at"), "kinds='at' is a str"),
        (lambda: temporal_selectors(kinds=[]), r"kinds=\[\] is empty, so no selector"),
        (lambda: network_conditions(latencies=0.5), "latencies=0.5 is not a hypothesis strategy"),
    ],
)
def test_bad_arguments_are_refused_at_once(make: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        make()


def test_the_empty_kinds_message_suggests_temporal_false_only_where_it_exists() -> None:
    with pytest.raises(InvalidArgument) as caught:
        temporal_selectors(kinds=set())
    assert "temporal=False" not in str(caught.value)


@pytest.mark.parametrize(
    ("strategy", "message"),
    [
        (ucxl_addresses(agents=st.just("a b")), "agents= drew 'a b', which is not a UCXL comp"),
        (
            ucxl_addresses(roles=st.just(5)),
            "roles= drew 5, of type int; it must draw str components",
        ),
        (
            ucxl_addresses(projects=st.just("any")),
            "projects= drew the wildcard 'any', but these addresses must be concrete; "
            "pass patterns=True",
        ),
        (ucxl_strings(tasks=st.just("*")), "tasks= drew the wildcard '\\*'"),
        (ucxl_addresses(paths=st.just("/docs/a.md")), "must not start with '/'.*no leading '/'"),
        (ucxl_addresses(paths=st.just("docs/*.md")), "paths= drew the glob 'docs/\\*.md'"),
        (ucxl_addresses(paths=st.just(b"docs")), "paths= drew b'docs', of type bytes"),
        (
            network_conditions(failure_rates=st.just(1.5)),
            "NetworkConditions refuses: failure_rate must be between 0 and 1, got 1.5",
        ),
    ],
)
def test_bad_draws_from_given_strategies_are_refused(
    strategy: st.SearchStrategy[Any], message: str
) -> None:
    with pytest.raises(InvalidArgument, match=message):
        draws(strategy, 1)


def test_strategies_show_the_call_they_came_from() -> None:
    # hypothesis names a strategy by its repr in its messages (health checks,
    # unsatisfiable assumptions): it shows the arguments given, not the defaults.
    shown = repr(ucxl_addresses(patterns=True, temporal=True, agents=st.just("x")))
    assert "ucxl_addresses(patterns=True, agents=just('x'))" in shown
    assert "ucxl_patterns(temporal=False)" in repr(ucxl_patterns(temporal=False))
    assert "ucxl_strings(form='any')" in repr(ucxl_strings(form="any"))
    assert "ucxl_strings()" in repr(ucxl_strings(form="canonical"))


# -- Constraints are honoured --------------------------------------------------


def test_given_component_strategies_are_used() -> None:
    agents = ["gpt4", "claude"]
    strategy = ucxl_addresses(
        agents=st.sampled_from(agents), roles=st.just("architect"), paths=st.just("")
    )
    addresses = draws(strategy, 100)
    assert {a.agent for a in addresses} == set(agents)
    assert all(a.role == "architect" and a.path == "" for a in addresses)


@pytest.mark.parametrize("kinds", [{"latest", "version"}, ["at"], ("back", "forward", "earliest")])
def test_temporal_kinds_are_honoured(kinds: Iterable[str]) -> None:
    for address in draws(ucxl_addresses(temporal=kinds), 100):  # type: ignore[arg-type]
        assert address.temporal is not None
        assert address.temporal.kind in kinds


def test_temporal_false_means_no_selector() -> None:
    assert all(address.temporal is None for address in draws(ucxl_addresses(temporal=False), 100))


def test_a_given_wildcard_is_written_canonically() -> None:
    strategy = ucxl_addresses(patterns=True, agents=st.just("*"))
    assert {address.agent for address in draws(strategy, 100)} == {"any"}
    # '*' is two characters shorter than 'any': the room left for the path
    # must be counted with 'any', or an address filled to the limit overflows.
    at_the_limit = find(
        strategy,
        lambda a: len(str(a)) == MAX_LENGTH,
        settings=settings(SEARCH, max_examples=2000),
    )
    assert at_the_limit.agent == "any"


def test_patterns_from_given_strategies_alone_keep_only_patterns() -> None:
    # With every part given, the wildcard must come from the user's strategies.
    strategy = ucxl_patterns(
        agents=st.sampled_from(["any", "gpt4"]),
        roles=st.just("architect"),
        projects=st.just("bzzz"),
        tasks=st.just("v2"),
        paths=st.sampled_from(["", "docs/*.md", "docs/a.md"]),
    )
    addresses = draws(strategy, 50)
    assert all(address.is_pattern for address in addresses)
    assert {address.path for address in addresses} >= {"docs/*.md", "docs/a.md"}


def test_the_wildcard_goes_where_no_strategy_was_given() -> None:
    given_all_but_path = {name: st.just("x") for name in ("agents", "roles", "projects", "tasks")}
    for address in draws(ucxl_patterns(**given_all_but_path), 100):
        assert "*" in address.path


def test_long_given_components_leave_room_only_for_a_short_path() -> None:
    # Addresses that cannot fit in 4096 characters are discarded; paths are
    # cut to the room that is left.
    long = "x" * (MAX_LENGTH - 60)
    addresses = draws(ucxl_addresses(agents=st.sampled_from(["a", long])), 300)
    assert all(len(str(address)) <= MAX_LENGTH for address in addresses)
    assert {address.agent for address in addresses} == {"a", long}
    assert any(address.agent == long and address.path for address in addresses)
    too_long = "x" * MAX_LENGTH
    fitting = draws(ucxl_addresses(agents=st.sampled_from(["a", too_long])), 50)
    assert {address.agent for address in fitting} == {"a"}


def test_a_forced_glob_that_does_not_fit_is_discarded() -> None:
    fixed = {name: st.just("x" * 1015) for name in ("agents", "roles", "projects", "tasks")}
    for address in draws(ucxl_patterns(temporal=False, **fixed), 100):
        assert address.is_pattern
        assert len(str(address)) <= MAX_LENGTH


def test_network_conditions_cover_their_fields() -> None:
    conditions = draws(network_conditions(), 500)
    assert all(isinstance(c, NetworkConditions) for c in conditions)
    assert {c.distribution for c in conditions} == {"uniform", "normal"}
    assert any(c.failure_ops is None for c in conditions)
    assert any(c.failure_ops is not None and c.failure_ops <= OPERATIONS for c in conditions)
    assert any(c.timeout is None for c in conditions)
    assert any(c.timeout is not None for c in conditions)
    assert any(c.latency > 0 and c.jitter > 0 and 0 < c.failure_rate < 1 for c in conditions)


def test_network_conditions_take_field_strategies() -> None:
    strategy = network_conditions(
        latencies=st.just(0.25), failure_rates=st.just(0.0), timeouts=st.none()
    )
    for conditions in draws(strategy, 50):
        assert conditions.latency == 0.25
        assert conditions.failure_rate == 0.0
        assert conditions.timeout is None


# -- st.from_type, through the hypothesis entry point --------------------------


@dataclasses.dataclass
class Record:
    address: UCXLAddress
    selector: Temporal
    network: NetworkConditions


def test_from_type_knows_the_types() -> None:
    records = draws(st.from_type(Record), 300)
    addresses = [record.address for record in records]
    assert all(type(a) is UCXLAddress for a in addresses)
    # Every value of the type: patterns and concrete addresses alike.
    assert {a.is_pattern for a in addresses} == {True, False}
    assert all(isinstance(record.selector, Temporal) for record in records)
    assert all(isinstance(record.network, NetworkConditions) for record in records)


def test_from_type_works_without_importing_the_strategies() -> None:
    code = (
        "import sys\n"
        "from hypothesis import strategies as st\n"
        "from pytest_bzzz import UCXLAddress\n"
        "assert 'pytest_bzzz.strategies' not in sys.modules\n"
        "strategy = st.from_type(UCXLAddress)\n"
        "print(type(strategy.example()).__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "UCXLAddress"


# -- envelopes() -------------------------------------------------------------------------

from pytest_bzzz import Envelope  # noqa: E402
from pytest_bzzz.strategies import envelopes  # noqa: E402


@given(envelopes())
def test_envelopes_are_valid_and_round_trip(envelope: Envelope) -> None:
    assert isinstance(envelope, Envelope)
    assert not envelope.base_address.is_pattern
    assert envelope.address.temporal is not None
    assert envelope.address.temporal.n == envelope.version
    assert Envelope.from_json(envelope.to_json()) == envelope


@given(
    envelopes(
        addresses=st.just(UCXLAddress.parse("ucxl://gpt4:architect@bzzz:v2/api.json")),
        contents=st.just(b"{}"),
        versions=st.just(3),
    )
)
def test_envelopes_fields_can_be_fixed(envelope: Envelope) -> None:
    assert str(envelope.address) == "ucxl://gpt4:architect@bzzz:v2/*~3/api.json"
    assert envelope.content == b"{}"


def test_envelopes_arguments_must_be_strategies() -> None:
    with pytest.raises(InvalidArgument, match=r"versions=3 is not a hypothesis strategy"):
        envelopes(versions=3)  # type: ignore[arg-type]


def test_envelopes_refuse_what_an_envelope_refuses() -> None:
    patterns = st.just(UCXLAddress.parse("ucxl://any:any@bzzz:v2/x"))

    @given(envelopes(addresses=patterns))
    def draw(envelope: Envelope) -> None:
        raise AssertionError("a pattern address must not make an envelope")

    with pytest.raises(InvalidArgument, match="Envelope refuses"):
        draw()
