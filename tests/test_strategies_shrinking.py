"""A failing example drawn from the strategies shrinks to the simplest value."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import find
from hypothesis import strategies as st

from pytest_bzzz import NetworkConditions, Temporal, UCXLAddress
from pytest_bzzz.strategies import (
    network_conditions,
    temporal_selectors,
    ucxl_addresses,
    ucxl_patterns,
    ucxl_strings,
)
from tests._strategy_helpers import SEARCH, falsifying_example

# -- Shrinking -----------------------------------------------------------------


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
