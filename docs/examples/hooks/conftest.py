"""Hooks that shape the simulated world of every test in this directory.

The hooks of a conftest.py apply to the tests in its directory and below it;
tests elsewhere keep the plugin's defaults. Each is marked ``optionalhook``, so
that ``pytest -p no:bzzz`` (which does not register the plugin's hooks) does
not refuse this file.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pytest_bzzz import NetworkConditions, World, WorldSettings

BOOTSTRAP = "ucxl://ops:admin@bzzz:cluster/*^/bootstrap.json"
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.hookimpl(optionalhook=True)
def pytest_bzzz_conditions(
    item: pytest.Item, conditions: NetworkConditions
) -> NetworkConditions | None:
    """A timeout of 5 seconds for every test here that was given none."""
    if conditions.timeout is None:
        return conditions.replace(timeout=5.0)
    return None  # leave the conditions as the markers and options set them


@pytest.hookimpl(optionalhook=True)
def pytest_bzzz_make_world(item: pytest.Item, settings: WorldSettings) -> World:
    """Every world here starts on a fixed date, and is otherwise made as usual."""
    return World(
        seed=settings.seed,  # keeps the seed shown in a failure's report true
        conditions=settings.conditions,
        clock=settings.clock,
        record_calls=settings.record_calls,
        start=START,
    )


@pytest.hookimpl(optionalhook=True)
def pytest_bzzz_world_created(item: pytest.Item, world: World) -> None:
    """Every world here starts with the cluster's bootstrap list, served by one peer."""
    node = world.add_peer("bootstrap-1")
    world.storage.put(BOOTSTRAP, b'["/dns4/bootstrap-1/tcp/4001"]')
    world.storage.provide(BOOTSTRAP, node.id)
