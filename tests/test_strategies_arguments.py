"""The strategies' arguments: bad ones are refused at once, given ones are honoured."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from hypothesis import find, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from pytest_bzzz import MAX_LENGTH, OPERATIONS, NetworkConditions
from pytest_bzzz.strategies import (
    invalid_ucxl_strings,
    network_conditions,
    temporal_selectors,
    ucxl_addresses,
    ucxl_patterns,
    ucxl_strings,
)
from tests._strategy_helpers import SEARCH, draws

PUBLIC_STRATEGIES = [
    ucxl_addresses,
    ucxl_patterns,
    ucxl_strings,
    temporal_selectors,
    invalid_ucxl_strings,
    network_conditions,
]


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
