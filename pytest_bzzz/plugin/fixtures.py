"""The fixtures: ``bzzz_network`` makes each test's world; the mocks and the Faker act on it.

A test's settings are resolved from its markers over the session's when its
world is made, so only tests that use the fixtures pay for them; the hooks
of ``hookspecs`` shape the world on the way.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from .._kernel.seeds import derive_seed
from .._settings import MARKERS, MarkerUse, SettingError, WorldSettings, resolve_test
from .options import SESSION_KEY

if TYPE_CHECKING:
    # Imported where used instead: a run that never uses the fixtures never loads them.
    from .._backends.memory.connector import MockBZZZ
    from .._backends.memory.dht import MockDHT
    from .._kernel.conditions import NetworkConditions
    from .._kernel.world import World

WORLD_KEY = pytest.StashKey[tuple["World", WorldSettings]]()


def _markers_of(item: pytest.Item) -> list[MarkerUse]:
    uses = []
    for name in MARKERS:
        for node, mark in item.iter_markers_with_node(name):
            if isinstance(node, pytest.Module):
                where = f"on module {node.name}"
            elif isinstance(node, pytest.Class):
                where = f"on class {node.name}"
            else:
                where = f"on {node.name}"
            uses.append(MarkerUse(name, tuple(mark.args), dict(mark.kwargs), where))
    return uses


@pytest.hookimpl(trylast=True)
def pytest_bzzz_conditions(item: pytest.Item, conditions: NetworkConditions) -> NetworkConditions:
    return conditions


@pytest.hookimpl(trylast=True)
def pytest_bzzz_make_world(item: pytest.Item, settings: WorldSettings) -> World:
    from .._kernel.world import World

    return World(
        seed=settings.seed,
        conditions=settings.conditions,
        clock=settings.clock,
        record_calls=settings.record_calls,
    )


@pytest.fixture
def bzzz_network(request: pytest.FixtureRequest) -> Iterator[World]:
    """The test's simulated world: seed, clock, network conditions, peers, storage, calls."""
    __tracebackhide__ = True
    item = request.node
    config = request.config
    session = config.stash[SESSION_KEY]
    try:
        settings = resolve_test(
            session, _markers_of(item), item.nodeid, derive_seed(session.seed, item.nodeid)
        )
    except SettingError as error:
        problem = str(error)
    else:
        problem = ""
    if problem:
        pytest.fail(f"bzzz: {problem}", pytrace=False)
    from .._kernel.conditions import NetworkConditions

    hook = item.ihook  # so that a conftest.py's hooks apply only to the tests below it
    conditions = hook.pytest_bzzz_conditions(item=item, conditions=settings.conditions)
    if not isinstance(conditions, NetworkConditions):
        pytest.fail(
            f"bzzz: a pytest_bzzz_conditions hook returned {conditions!r}, not a NetworkConditions",
            pytrace=False,
        )
    settings = _replace_conditions(settings, conditions)
    world = hook.pytest_bzzz_make_world(item=item, settings=settings)
    item.stash[WORLD_KEY] = (world, settings)
    hook.pytest_bzzz_world_created(item=item, world=world)
    test_function = getattr(item, "obj", None)
    if inspect.iscoroutinefunction(test_function):
        item.obj = _in_world_time(test_function, world)
    try:
        yield world
    finally:
        if test_function is not None:
            item.obj = test_function
        world.close()


def _in_world_time(test: Callable[..., Awaitable[Any]], world: World) -> Callable[..., Any]:
    """Wrap an async test so that its event loop follows the world clock from its first line."""

    @functools.wraps(test)
    async def in_world_time(*args: Any, **kwargs: Any) -> Any:
        world.clock.follow_running_loop()
        return await test(*args, **kwargs)

    return in_world_time


def _replace_conditions(settings: WorldSettings, conditions: NetworkConditions) -> WorldSettings:
    return dataclasses.replace(settings, conditions=conditions)


@pytest.fixture
def mock_dht(bzzz_network: World) -> MockDHT:
    """A MockDHT on the test's simulated world (shared with ``bzzz_network`` and ``mock_bzzz``)."""
    from .._backends.memory.dht import MockDHT

    return MockDHT(bzzz_network)


@pytest.fixture
def mock_bzzz(bzzz_network: World) -> MockBZZZ:
    """A MockBZZZ connector on the test's simulated world (shared with ``mock_dht``)."""
    from .._backends.memory.connector import MockBZZZ

    return MockBZZZ(bzzz_network)


if TYPE_CHECKING:
    from faker import Faker


@pytest.fixture
def bzzz_faker(bzzz_network: World) -> Faker:
    """A Faker with :class:`~pytest_bzzz.faker.UCXLProvider`, seeded from the test's bzzz seed.

    Its data is the same on every run with the same session seed
    (``--bzzz-seed``), like everything else in the test's world. Its seed is
    derived from the test's (``bzzz_network.seed``), so that the fake data and
    the network's draws do not share one random stream.
    """
    from faker import Faker

    from ..faker import UCXLProvider

    fake = Faker()
    fake.add_provider(UCXLProvider)
    fake.seed_instance(derive_seed(bzzz_network.seed, "bzzz_faker"))
    return fake
