"""The fixtures: ``bzzz_network`` makes each test's world, a backend builds the mocks on it.

A test's settings are resolved from its markers over the session's when its
world is made, so only tests that use the fixtures pay for them. The hooks of
``hookspecs`` shape the world on the way: its conditions, the world itself,
and the backend that builds ``mock_dht`` and ``mock_bzzz`` (the one the
``backend`` setting names, unless a hook supplies another).

Loading, starting and checking the backend, and having it build the
mocks, is ``backends``'s (the plugin's ``pytest_bzzz_make_backend`` is there).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

import pytest

from .._backends import Backend
from .._backends.interfaces import DHT, Connector
from .._kernel.seeds import derive_seed
from .._settings import MARKERS, MarkerUse, SettingError, WorldSettings, resolve_test
from .backends import build, fail
from .backends import pytest_bzzz_make_backend as pytest_bzzz_make_backend  # (plugin/__init__)
from .faults import fault_markers
from .markers import partition_groups
from .options import SESSION_KEY
from .trio_check import record as record_trio_clock

if TYPE_CHECKING:
    from .._kernel.clock import Clock
    from .._kernel.conditions import NetworkConditions
    from .._kernel.timeline import Failure, Scheduled
    from .._kernel.world import World

WORLD_KEY = pytest.StashKey[tuple["World", WorldSettings]]()
BACKEND_KEY = pytest.StashKey[Backend]()
# The at markers' scheduled actions of a test, each with its marker as written.
_SCHEDULED_KEY = pytest.StashKey[dict["Scheduled", str]]()


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
def pytest_bzzz_make_world(item: pytest.Item, settings: WorldSettings) -> World:
    from .._kernel.world import World

    return World(
        seed=settings.seed,
        conditions=settings.conditions,
        clock=settings.clock,
        record_calls=settings.record_calls,
        peers=settings.peers,
        replication=settings.replication,
        value_ttl=settings.value_ttl,
        provider_ttl=settings.provider_ttl,
        heartbeat=settings.heartbeat,
        election_timeout=settings.election_timeout,
    )


def _combine(base: NetworkConditions, results: Sequence[object]) -> NetworkConditions:
    """Apply each hook's changes to ``base``, field by field; the first to change a field wins."""
    from .._kernel.conditions import NetworkConditions

    changes: dict[str, Any] = {}
    for result in results:
        if not isinstance(result, NetworkConditions):
            fail(f"a pytest_bzzz_conditions hook returned {result!r}, not a NetworkConditions")
        for field in dataclasses.fields(NetworkConditions):
            value = getattr(result, field.name)
            if value != getattr(base, field.name):
                changes.setdefault(field.name, value)
    return base.replace(**changes) if changes else base


@pytest.fixture
def bzzz_network(request: pytest.FixtureRequest) -> Iterator[World]:
    """The test's simulated world: seed, clock, network conditions, peers, storage, calls."""
    __tracebackhide__ = True
    from .._kernel.slots import enter_running, leave_running
    from .._kernel.timeline import Scheduled
    from .._kernel.units import format_seconds
    from .._kernel.world import World, unraised_failures

    item = request.node
    session = request.config.stash[SESSION_KEY]
    try:
        settings = resolve_test(
            session, _markers_of(item), item.nodeid, derive_seed(session.seed, item.nodeid)
        )
    except SettingError as error:
        problem = str(error)
    else:
        problem = ""
    if problem:
        fail(problem)
    hook = item.ihook  # so that a conftest.py's hooks apply only to the tests below it
    conditions = _combine(
        settings.conditions,
        hook.pytest_bzzz_conditions(item=item, conditions=settings.conditions),
    )
    settings = dataclasses.replace(settings, conditions=conditions)
    world = hook.pytest_bzzz_make_world(item=item, settings=settings)
    if not isinstance(world, World):
        fail(f"a pytest_bzzz_make_world hook returned {world!r}, not a pytest_bzzz.World")
    backend = hook.pytest_bzzz_make_backend(item=item, settings=settings)
    if not isinstance(backend, Backend):
        world.close()
        fail(
            f"a pytest_bzzz_make_backend hook returned {backend!r}, which is not a backend "
            "(pytest_bzzz.Backend: a name, and dht(world) and connector(world) methods)"
        )
    # The backend takes the world first (the libp2p backend: the test's key namespace, from its
    # id, and its watch on the faults real hosts cannot take), so that it sees the markers' faults.
    name_world = getattr(backend, "name_world", None)
    if callable(name_world):
        try:
            name_world(world, item.nodeid)
        except NotImplementedError as error:  # a world the backend cannot take, said by it
            world.close()
            fail(f"backend {backend.name!r} cannot take this test's world: {error}")
    try:
        partitioned = partition_groups(item)
        if partitioned is not None:
            shown, groups = partitioned
            try:
                world.partition(*groups)
            except (TypeError, ValueError, NotImplementedError) as error:
                raise SettingError(f"{shown}: {error}") from None
        scheduled = item.stash[_SCHEDULED_KEY] = {}
        for shown, apply in fault_markers(item):  # peers down from the start, schedules
            try:
                entry = apply(world)
                if isinstance(entry, Scheduled):  # an at marker's: a backend may refuse it
                    scheduled[entry] = shown
            except (TypeError, ValueError, LookupError, NotImplementedError) as error:
                raise SettingError(f"{shown}: {error}") from None
        if world.clock.mode == "real":
            # Times setup has passed: what is due runs now, in the order of its times.
            _ = world.scheduled
    except SettingError as error:
        problem = str(error)
    else:
        problem = ""
    if problem:
        world.close()
        fail(problem)
    item.stash[WORLD_KEY] = (world, settings)
    item.stash[BACKEND_KEY] = backend
    hook.pytest_bzzz_world_created(item=item, world=world)
    test_function = getattr(item, "obj", None)
    if inspect.iscoroutinefunction(test_function):
        item.obj = _in_world_time(test_function, world)
    enter_running(world)  # what a TrioClock made before the world follows
    failures: list[Failure] = []
    try:
        yield world
        failures = unraised_failures(world)
    finally:
        leave_running(world)
        if test_function is not None:
            item.obj = test_function
        world.close()
    if failures:  # raised by no operation: the test ended first
        fail(
            "a scheduled action failed, and no operation of the test came after it to raise "
            "it:\n"
            + "\n".join(
                f"  at {format_seconds(f.at)}, {f.label}: {type(f.error).__name__}: {f.error}"
                for f in failures
            )
        )


def _in_world_time(test: Callable[..., Awaitable[Any]], world: World) -> Callable[..., Any]:
    """Wrap an async test so that its event loop follows the world clock from its first line.

    And no longer than its last: the loop is released when the coroutine ends,
    before the runner (pytest-asyncio's, anyio's) shuts it down on real time.
    """

    @functools.wraps(test)
    async def in_world_time(*args: Any, **kwargs: Any) -> Any:
        world.clock.follow_running_loop()
        try:
            return await test(*args, **kwargs)
        finally:
            world.clock.release_running_loop()

    return in_world_time


_BZZZ_FIXTURES: Final = frozenset({"bzzz_network", "mock_dht", "mock_bzzz", "bzzz_faker"})


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest) -> Any:
    """Run an async fixture that requests a bzzz fixture on the world clock, as tests are.

    Outermost of the ``pytest_fixture_setup`` wrappers, so that the plugin that
    runs the coroutine (pytest-asyncio, anyio) runs this wrapper of it.
    """
    func = fixturedef.func
    if _BZZZ_FIXTURES.isdisjoint(fixturedef.argnames) or not (
        inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func)
    ):
        return (yield)
    fixturedef.func = _fixture_in_world_time(func, request.node)  # type: ignore[misc]
    try:
        return (yield)
    finally:
        fixturedef.func = func  # type: ignore[misc]


def _fixture_in_world_time(func: Callable[..., Any], item: pytest.Item) -> Callable[..., Any]:
    def clock() -> Clock:
        return item.stash[WORLD_KEY][0].clock  # set up by now: the fixture requests it

    if inspect.isasyncgenfunction(func):

        @functools.wraps(func)
        async def generator_in_world_time(*args: Any, **kwargs: Any) -> Any:
            steps = func(*args, **kwargs)
            clock().follow_running_loop()
            try:
                value = await steps.__anext__()
            finally:
                clock().release_running_loop()
            yield value
            clock().follow_running_loop()
            try:
                async for _ in steps:
                    raise ValueError(f"the async generator fixture {func.__name__} yielded twice")
            finally:
                clock().release_running_loop()

        return generator_in_world_time

    @functools.wraps(func)
    async def in_world_time(*args: Any, **kwargs: Any) -> Any:
        clock().follow_running_loop()
        try:
            return await func(*args, **kwargs)
        finally:
            clock().release_running_loop()

    return in_world_time


def _built(request: pytest.FixtureRequest, world: World, interface: type[Any]) -> Any:
    """What the test's backend builds for ``interface`` (``DHT`` or ``Connector``), checked."""
    __tracebackhide__ = True
    return build(
        request,
        request.node.stash[BACKEND_KEY],
        world,
        interface,
        sources=request.node.stash[WORLD_KEY][1].sources,
        scheduled=request.node.stash.get(_SCHEDULED_KEY, None),
    )


@pytest.fixture
def mock_dht(request: pytest.FixtureRequest, bzzz_network: World) -> DHT:
    """The test's DHT, on its world: a MockDHT unless another backend is chosen."""
    __tracebackhide__ = True
    built: DHT = _built(request, bzzz_network, DHT)
    return built


@pytest.fixture
def mock_bzzz(request: pytest.FixtureRequest, bzzz_network: World) -> Connector:
    """The test's BZZZ connector, on its world: a MockBZZZ unless another backend is chosen."""
    __tracebackhide__ = True
    built: Connector = _built(request, bzzz_network, Connector)
    return built


if TYPE_CHECKING:
    from .._kernel.trio_clock import TrioClock
    from ..faker import Faker


@pytest.fixture
def bzzz_trio_clock(request: pytest.FixtureRequest, bzzz_network: World) -> TrioClock:
    """A trio clock on the test's world clock; pytest-trio runs the test with it.

    pytest-trio passes ``trio.run`` the fixture among the test function's own
    arguments that is a ``trio.abc.Clock``: request this one in the test's
    arguments, and trio's timers (``trio.sleep``, ``trio.move_on_after``) and
    the async operations run in the world's virtual time, concurrently.
    Requested by another fixture only, pytest-trio ignores it (so does
    anyio, unless ``anyio_backend``'s options name it): the plugin warns
    (``trio_check``).
    """
    from .._kernel.trio_clock import TrioClock

    clock = TrioClock(bzzz_network)
    record_trio_clock(request, clock)  # checked when the test is called
    return clock


@pytest.fixture
def bzzz_faker(bzzz_network: World) -> Faker:
    """A Faker with :class:`~pytest_bzzz.faker.UCXLProvider`, seeded from the test's bzzz seed.

    Its data is the same on every run with the same session seed
    (``--bzzz-seed``), like everything else in the test's world. Its seed is
    derived from the test's (``bzzz_network.seed``), so that the fake data and
    the network's draws do not share one random stream.
    """
    from ..faker import ucxl_faker

    return ucxl_faker(derive_seed(bzzz_network.seed, "bzzz_faker"))
