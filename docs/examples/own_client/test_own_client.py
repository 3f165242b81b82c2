"""Tests that run on any DHT: the code under test is typed against pytest_bzzz.SyncDHT.

The conftest.py next to this file runs each test twice, on ``MockDHT`` and on
``DictDHT`` (standing for your real client). Tests here check only what every
DHT does; a test about latency, failures or the record of calls needs the
simulated network, and belongs with the tests of ``docs/examples/test_network.py``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_bzzz import DHT, NotFoundError, SyncDHT, UCXLAddress

# The [memory] runs set your client beside the simulated network: they need the simulation,
# also when a run chooses the libp2p backend (--bzzz-backend=libp2p).
pytestmark = pytest.mark.bzzz(backend="memory")

# -- The code under test ------------------------------------------------------
# Typed against the Protocol, not against MockDHT: it accepts the mock in tests
# and your real client in production.


def save_note(dht: SyncDHT, address: str, note: dict[str, Any], *, provider: str) -> str:
    """Store ``note`` as JSON under ``address`` and announce ``provider``; return the key."""
    key = UCXLAddress.parse(address)
    dht.put_value(key, json.dumps(note, sort_keys=True).encode())
    dht.provide(key, provider)
    return str(key)


def load_note(dht: SyncDHT, address: str) -> dict[str, Any] | None:
    """The note under ``address``, or None if there is none."""
    try:
        note: dict[str, Any] = json.loads(dht.get_value(UCXLAddress.parse(address)))
    except NotFoundError:
        return None
    return note


# -- The tests ----------------------------------------------------------------

ADDRESS = "ucxl://gpt4:architect@bzzz:v2/decisions/api.json*^"


def test_a_note_reads_back(mock_dht: DHT) -> None:
    save_note(mock_dht, ADDRESS, {"use": "REST"}, provider="peer-a")
    assert load_note(mock_dht, ADDRESS) == {"use": "REST"}


def test_every_spelling_of_the_address_reaches_the_note(mock_dht: DHT) -> None:
    key = save_note(mock_dht, ADDRESS, {"use": "REST"}, provider="peer-a")
    assert key == "ucxl://gpt4:architect@bzzz:v2/*^/decisions/api.json"
    assert load_note(mock_dht, key) == {"use": "REST"}


def test_a_missing_note_is_none(mock_dht: DHT) -> None:
    assert load_note(mock_dht, ADDRESS) is None


def test_providers_are_listed_once_each_in_order(mock_dht: DHT) -> None:
    for provider in ("peer-b", "peer-a", "peer-b"):
        save_note(mock_dht, ADDRESS, {"use": "REST"}, provider=provider)
    assert mock_dht.find_providers(UCXLAddress.parse(ADDRESS)) == ["peer-b", "peer-a"]


def test_the_fixture_is_the_chosen_backends_dht(mock_dht: DHT, dht_backend: str) -> None:
    assert isinstance(mock_dht, DHT)  # the plugin checked it, too, before the test
    expected = {"memory": "MockDHT", "dict": "DictDHT"}[dht_backend]
    assert type(mock_dht).__name__ == expected
