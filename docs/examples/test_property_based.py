"""Property-based tests a user of pytest-bzzz writes, with its Hypothesis strategies and Faker.

Run them with ``python -m pytest docs/examples``. Hypothesis and Faker come
with pytest-bzzz; the tests are skipped where they are missing.
"""

from __future__ import annotations

import pytest

pytest.importorskip("hypothesis")
pytest.importorskip("faker")

from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_bzzz import MockDHT, NetworkConditions, UCXLAddress, UCXLParseError
from pytest_bzzz.strategies import (
    invalid_ucxl_strings,
    network_conditions,
    ucxl_addresses,
    ucxl_patterns,
    ucxl_strings,
)

# -- The code under test ------------------------------------------------------
# In a real project this lives in your package; it is inlined here so that the
# example suite is self-contained.


def decision_address(agent: str, task: str, name: str, version: int | None = None) -> str:
    """Where an architect agent records a decision, as a UCXL address string."""
    selector = "" if version is None else f"/*~{version}"
    return f"ucxl://{agent}:architect@bzzz:{task}{selector}/decisions/{name}.json"


def normalise(text: str) -> str:
    """The canonical form of an address a user typed; raises UCXLParseError if invalid."""
    return str(UCXLAddress.parse(text))


class Index:
    """A small search index of context summaries, keyed by canonical address."""

    def __init__(self) -> None:
        self._summaries: dict[str, str] = {}

    def add(self, address: str, summary: str) -> None:
        self._summaries[normalise(address)] = summary

    def search(self, pattern: str) -> list[str]:
        """The stored addresses ``pattern`` matches, sorted."""
        search = UCXLAddress.parse(pattern)
        return sorted(address for address in self._summaries if search.matches(address))


# -- The tests ----------------------------------------------------------------

components = ucxl_addresses().map(lambda address: address.agent)


@given(
    agent=components,
    task=components,
    name=components,
    version=st.none() | st.integers(min_value=1, max_value=10**6),
)
def test_decision_addresses_are_canonical(
    agent: str, task: str, name: str, version: int | None
) -> None:
    # Strict mode accepts exactly the canonical spelling, for any valid parts.
    address = UCXLAddress.parse(decision_address(agent, task, name, version), strict=True)
    assert address.path == f"decisions/{name}.json"


@given(ucxl_strings(form="any", patterns=True))
def test_normalise_accepts_every_spelling_and_is_idempotent(text: str) -> None:
    canonical = normalise(text)
    assert normalise(canonical) == canonical
    assert UCXLAddress.parse(canonical) == UCXLAddress.parse(text)


@given(invalid_ucxl_strings())
def test_normalise_rejects_near_misses(text: str) -> None:
    with pytest.raises(UCXLParseError):
        normalise(text)


@given(st.lists(ucxl_addresses(temporal=False), max_size=8), ucxl_patterns(temporal=False))
def test_search_returns_exactly_what_the_pattern_matches(
    addresses: list[UCXLAddress], pattern: UCXLAddress
) -> None:
    index = Index()
    for address in addresses:
        index.add(str(address), "a decision")
    expected = sorted({str(a) for a in addresses if pattern.matches(a)})
    assert index.search(str(pattern)) == expected


@given(st.from_type(UCXLAddress))
def test_any_address_value_survives_normalising(address: UCXLAddress) -> None:
    assert normalise(str(address)) == str(address)


@settings(max_examples=50)
@given(
    network_conditions(failure_rates=st.just(0.0), timeouts=st.none()),
    ucxl_addresses(temporal=False),
)
def test_a_value_survives_any_latency(conditions: NetworkConditions, address: UCXLAddress) -> None:
    with MockDHT(conditions=conditions, seed=0) as dht:
        dht.put_value(address, b"context")
        assert dht.get_value(address) == b"context"


def test_search_with_realistic_data(bzzz_faker: Faker) -> None:
    # bzzz_faker is seeded from the test's bzzz seed: the same data on every
    # run with the same --bzzz-seed.
    index = Index()
    stored = [bzzz_faker.ucxl_address(temporal=False) for _ in range(30)]
    for address in stored:
        index.add(address, "context")
    project = UCXLAddress.parse(stored[0]).project
    found = index.search(f"ucxl://any:any@{project}:any/**")
    assert normalise(stored[0]) in found
    assert all(UCXLAddress.parse(address).project == project for address in found)
