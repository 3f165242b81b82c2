"""Properties of parsing and formatting over many generated addresses and near-misses."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import example, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from pytest_bzzz import ErrorCode, UCXLAddress, UCXLParseError

from ._ucxl_model import LOOKALIKES, Written, components, is_concrete, written_addresses

FIELDS = {"scheme", "agent", "role", "project", "task", "temporal", "path", "address"}
# Characters that matter to the grammar, plus a few that never belong in an address.
GRAMMAR_CHARS = "ucxl:/@*^~#.-_aZ09T+ \u00e9\x00\n\u0661"


def fields_of(address: UCXLAddress) -> tuple[object, ...]:
    return (
        address.agent,
        address.role,
        address.project,
        address.task,
        address.temporal,
        address.path,
    )


# -- The model itself -----------------------------------------------------------------------


def test_the_models_concrete_components_are_never_the_wildcard() -> None:
    # Hypothesis draws the string constants of the code under test, "any" among
    # them, so a model that drew names from the component alphabet alone drew the
    # wildcard as a concrete name now and then, and a property of concrete
    # addresses failed by luck. The model now offers "any" on purpose and filters
    # it out: without the filter this search finds it at once.
    assert not is_concrete("any")
    assert all(is_concrete(name) for name in ("a", *LOOKALIKES[1:]))
    with pytest.raises(NoSuchExample):
        find(
            components(wildcards=False),
            lambda pair: "any" in pair,
            settings=settings(database=None, derandomize=True, max_examples=500),
        )


@settings(derandomize=True)
@given(written_addresses(wildcards=False, globs=False))
def test_the_models_concrete_addresses_are_concrete(written: Written) -> None:
    assert "any" not in (written.agent, written.role, written.project, written.task)
    assert not UCXLAddress.parse(written.text).is_pattern


# -- The parser against the model ---------------------------------------------------------


@given(written_addresses())
def test_every_spelling_reads_back_as_the_model_says(written: Written) -> None:
    address = UCXLAddress.parse(written.text)
    assert str(address) == written.canonical
    assert (address.agent, address.role, address.project, address.task) == (
        written.agent,
        written.role,
        written.project,
        written.task,
    )
    assert address.path == written.path
    assert (None if address.temporal is None else str(address.temporal)) == written.token


@given(written_addresses())
def test_round_trip_and_fixed_point(written: Written) -> None:
    address = UCXLAddress.parse(written.text)
    again = UCXLAddress.parse(str(address))
    assert again == address
    assert fields_of(again) == fields_of(address)
    assert str(again) == str(address)
    assert hash(again) == hash(address)


@given(written_addresses())
def test_strict_accepts_exactly_the_canonical_strings(written: Written) -> None:
    canonical = str(UCXLAddress.parse(written.text))
    assert str(UCXLAddress.parse(canonical, strict=True)) == canonical
    if written.text == canonical:
        assert UCXLAddress.parse(written.text, strict=True) == UCXLAddress.parse(canonical)
    else:
        with pytest.raises(UCXLParseError, match="strict mode"):
            UCXLAddress.parse(written.text, strict=True)


@given(written_addresses())
def test_building_from_fields_equals_parsing(written: Written) -> None:
    parsed = UCXLAddress.parse(written.text)
    built = UCXLAddress(
        parsed.agent,
        parsed.role,
        parsed.project,
        parsed.task,
        temporal=parsed.temporal,
        path=parsed.path,
    )
    assert built == parsed
    assert str(built) == written.canonical


@given(written_addresses())
def test_fast_path_and_stepwise_parser_agree(written: Written) -> None:
    # The one-regex fast path is an accelerator: the step-by-step parser,
    # which handles every form, must produce the very same address.
    fast = UCXLAddress.parse(written.text)
    stepwise = UCXLAddress._parse_stepwise(written.text, False)
    assert fields_of(fast) == fields_of(stepwise)
    assert str(fast) == str(stepwise)


@given(written_addresses())
def test_addresses_pickle(written: Written) -> None:
    address = UCXLAddress.parse(written.text)
    assert pickle.loads(pickle.dumps(address)) == address


@given(st.lists(written_addresses(), min_size=2, max_size=6))
def test_order_is_the_order_of_canonical_strings(written: list[Written]) -> None:
    addresses = [UCXLAddress.parse(w.text) for w in written]
    assert [str(a) for a in sorted(addresses)] == sorted(str(a) for a in addresses)


def check_error(error: UCXLParseError, text: str) -> None:
    """An error states its facts consistently, and the step-by-step parser agrees."""
    assert error.field in FIELDS
    assert error.text == text
    assert 0 <= error.position <= len(text)
    assert text[error.position :].startswith(error.fragment)
    assert error.code in (ErrorCode.INVALID_ADDRESS, ErrorCode.TEMPORAL_INVALID)
    assert f" at {error.position}: " in str(error)
    assert error.field in str(error)
    with pytest.raises(UCXLParseError) as again:
        UCXLAddress._parse_stepwise(text, False)
    assert (again.value.field, again.value.position) == (error.field, error.position)


def assert_only_parse_errors(text: str) -> None:
    try:
        address = UCXLAddress.parse(text)
    except UCXLParseError as error:
        check_error(error, text)
    else:
        assert UCXLAddress.parse(str(address)) == address
        assert fields_of(UCXLAddress._parse_stepwise(text, False)) == fields_of(address)


@settings(max_examples=300)
@given(st.text())
@example("")
@example("ucxl://")
@example("ucxl://a:b@c:d/*")
@example("ucxl://a:b@c:d/*@")
def test_arbitrary_text_raises_only_parse_errors(text: str) -> None:
    assert_only_parse_errors(text)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(written_addresses()).text
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        char = draw(st.sampled_from(GRAMMAR_CHARS))
        if action == "insert":
            text = text[:position] + char + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + 1 :]
        elif action == "replace":
            text = text[:position] + char + text[position + 1 :]
        else:
            text = text[:position] + text[position:] * 2
    return text


@settings(max_examples=500)
@given(mutated())
def test_mutated_addresses_raise_only_parse_errors(text: str) -> None:
    assert_only_parse_errors(text)


@pytest.mark.parametrize(
    "text",
    [
        "x" * 1_000_000,
        "ucxl://a:b@c:d/" + "a/" * 500_000,
        "ucxl://" + "a" * 1_000_000,
        "ucxl://a:b@c:d/*~" + "9" * 1_000_000,
        "\u2603" * 1_000_000,
    ],
    ids=["junk", "deep-path", "long-agent", "long-number", "unicode"],
)
def test_huge_inputs_are_refused_with_a_parse_error(text: str) -> None:
    with pytest.raises(UCXLParseError, match="at most 4096 characters") as caught:
        UCXLAddress.parse(text)
    assert caught.value.field == "address"
    assert len(str(caught.value)) < 400  # the message quotes the input cut short
