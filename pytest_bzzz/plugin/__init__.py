"""The pytest plugin, registered through the ``pytest11`` entry point ``bzzz``.

Kept thin: options, markers, fixtures and hooks. Configuration is read once,
in ``pytest_configure``, into typed settings kept in ``config.stash``; each
test's markers are applied when its world is made. Nothing here imports
hypothesis or faker, so a run that does not use the plugin pays next to
nothing for it. Disable the plugin with ``pytest -p no:bzzz``.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from .._kernel.seeds import derive_seed, fresh_seed
from .._settings.resolve import (
    MARKERS,
    SETTINGS,
    MarkerUse,
    SessionSettings,
    SettingError,
    TestSettings,
    parse_session_seed,
    resolve_session,
    resolve_test,
)
from . import hookspecs

if TYPE_CHECKING:
    # Imported where used instead: a run that never uses the fixtures never loads them.
    from .._backends.memory.connector import MockBZZZ
    from .._backends.memory.dht import MockDHT
    from .._kernel.conditions import NetworkConditions
    from .._kernel.world import World

SESSION_KEY = pytest.StashKey[SessionSettings]()
WORLD_KEY = pytest.StashKey[tuple["World", TestSettings]]()
SEED_NOTE_KEY = pytest.StashKey[str]()
_CACHE_KEY = "bzzz/seed"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("bzzz", "simulated BZZZ network (pytest-bzzz)")
    group.addoption(
        "--bzzz-seed",
        dest="bzzz_seed",
        metavar="N|last",
        help="session seed every test's seed derives from; 'last' reuses the previous run's "
        "(env BZZZ_SEED, ini bzzz_seed)",
    )
    parser.addini("bzzz_seed", "session seed for pytest-bzzz (a whole number or 'last')")
    for setting in SETTINGS:
        if not setting.configurable:
            continue
        described = f"{setting.help}: {setting.accepted} (env {setting.env}, ini {setting.ini})"
        group.addoption(
            setting.option,
            dest=f"bzzz_{setting.name}",
            metavar=setting.name.upper(),
            help=described.replace("%", "%%"),  # argparse formats help: a literal % is %%
        )
        parser.addini(setting.ini, f"pytest-bzzz: {setting.help} ({setting.accepted})")


def _session_seed(config: pytest.Config) -> tuple[int, str]:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and "bzzz_seed" in workerinput:
        return int(workerinput["bzzz_seed"]), "from the xdist controller"
    for raw, source in (
        (config.getoption("bzzz_seed"), "from the command line (--bzzz-seed)"),
        (
            os.environ.get("BZZZ_SEED", "").strip() or None,
            "from the BZZZ_SEED environment variable",
        ),
        (str(config.getini("bzzz_seed")).strip() or None, "from the bzzz_seed ini option"),
    ):
        if raw is None:
            continue
        if str(raw).strip() == "last":
            cache = getattr(config, "cache", None)
            if cache is None:
                raise pytest.UsageError(
                    f"bzzz: seed 'last' {source} needs pytest's cache to remember the previous "
                    "run's seed, but the cacheprovider plugin is disabled (-p no:cacheprovider); "
                    "give a seed as a number instead"
                )
            previous = cache.get(_CACHE_KEY, None)
            if isinstance(previous, int):
                return previous, "the previous run's (--bzzz-seed=last)"
            return fresh_seed(), "fresh: no previous run's seed is recorded"
        try:
            return parse_session_seed(raw, source), source
        except SettingError as error:
            raise pytest.UsageError(f"bzzz: {error}") from None
    return fresh_seed(), "fresh"


def pytest_configure(config: pytest.Config) -> None:
    for _, _, help_line in MARKERS.values():
        config.addinivalue_line("markers", help_line)
    seed, note = _session_seed(config)
    cli = {
        setting.name: config.getoption(f"bzzz_{setting.name}")
        for setting in SETTINGS
        if setting.configurable
    }
    ini = {
        setting.ini: str(config.getini(setting.ini)) for setting in SETTINGS if setting.configurable
    }
    try:
        values = resolve_session(cli, os.environ, ini)
    except SettingError as error:
        raise pytest.UsageError(f"bzzz: {error}") from None
    config.stash[SESSION_KEY] = SessionSettings(seed=seed, values=values)
    config.stash[SEED_NOTE_KEY] = note
    cache = getattr(config, "cache", None)
    if cache is not None and not hasattr(config, "workerinput"):
        cache.set(_CACHE_KEY, seed)
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistHooks(seed), "bzzz-xdist")


class _XdistHooks:
    """Hand the controller's session seed to every xdist worker."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["bzzz_seed"] = self.seed


def pytest_report_header(config: pytest.Config) -> str | None:
    settings = config.stash.get(SESSION_KEY, None)
    if settings is None:  # pragma: no cover - configure always runs first
        return None
    return f"bzzz: seed={settings.seed} (reproduce with --bzzz-seed={settings.seed})"


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
def pytest_bzzz_make_world(item: pytest.Item, settings: TestSettings) -> World:
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


def _replace_conditions(settings: TestSettings, conditions: NetworkConditions) -> TestSettings:
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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.failed:
        used = item.stash.get(WORLD_KEY, None)
        if used is not None:
            world, settings = used
            report.sections.append(("bzzz", _failure_section(item, world, settings)))
    return report


def _failure_section(item: pytest.Item, world: World, settings: TestSettings) -> str:
    if world.seed != settings.seed:
        how = f"the test's world was made with seed {world.seed} by a pytest_bzzz_make_world hook"
    elif settings.seed_from_marker:
        how = f"the test's seed is fixed by @pytest.mark.bzzz(seed={settings.seed})"
    else:
        how = (
            f"rerun with --bzzz-seed={settings.session_seed}, "
            f"or add @pytest.mark.bzzz(seed={settings.seed}) to the test"
        )
    return "\n".join(
        [
            f"test seed: {world.seed} (session seed {settings.session_seed})",
            f"reproduce: {how}",
            *world.describe().splitlines()[1:],
        ]
    )


def pytest_assertrepr_compare(
    config: pytest.Config, op: str, left: object, right: object
) -> list[str] | None:
    """Explain a failed ``==`` between UCXL addresses or temporal selectors field by field."""
    if op != "==" or (not _is_ours(left) and not _is_ours(right)):
        return None
    from .._ucxl.explain import explain_equality

    return explain_equality(left, right)


def _is_ours(value: object) -> bool:
    return type(value).__module__.startswith("pytest_bzzz.")


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
