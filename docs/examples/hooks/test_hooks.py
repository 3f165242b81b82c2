"""Tests that rely on the hooks of the conftest.py next to them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pytest_bzzz import MockDHT, World

BOOTSTRAP = "ucxl://ops:admin@bzzz:cluster/*^/bootstrap.json"


# Tests that count simulated time, arrange data in the world's storage or use more
# peers than a real network's hosts need the simulation: on a run that chooses the
# libp2p backend (--bzzz-backend=libp2p), they still run on the simulated network.
needs_simulation = pytest.mark.bzzz(backend="memory")


@needs_simulation
def test_the_bootstrap_list_is_in_place(mock_dht: MockDHT, bzzz_network: World) -> None:
    assert json.loads(mock_dht.get_value(BOOTSTRAP)) == ["/dns4/bootstrap-1/tcp/4001"]
    assert [peer.name for peer in bzzz_network.peers] == ["local", "bootstrap-1"]
    assert mock_dht.find_providers(BOOTSTRAP) == [bzzz_network.peers[1].id]
    assert mock_dht.stats.total == 2  # arranging the data cost no call


def test_every_world_here_has_a_timeout(bzzz_network: World) -> None:
    assert bzzz_network.conditions.timeout == 5.0


@pytest.mark.bzzz(timeout=100)
def test_a_marker_still_sets_its_own_timeout(bzzz_network: World) -> None:
    assert bzzz_network.conditions.timeout == pytest.approx(0.1)


@needs_simulation
@pytest.mark.latency(250)
def test_the_clock_starts_on_the_fixed_date(mock_dht: MockDHT, bzzz_network: World) -> None:
    assert bzzz_network.clock.datetime() == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    mock_dht.get_value(BOOTSTRAP)
    assert bzzz_network.clock.datetime() == datetime(2026, 3, 1, 9, 0, 0, 250000, tzinfo=UTC)
