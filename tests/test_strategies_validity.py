"""Every draw of the strategies is valid and round-trips; every near miss is rejected."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pytest_bzzz import MAX_LENGTH, Temporal, UCXLAddress, UCXLParseError, strategies
from pytest_bzzz.strategies import invalid_ucxl_strings, ucxl_addresses, ucxl_patterns, ucxl_strings
from tests._strategy_helpers import FIELDS, draws


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
