"""What reports say about a test's world, and assertion messages for UCXL values.

A failing test's report gets a ``bzzz`` section (its seeds, how to reproduce
it, its world's conditions, clock and counters, its backend: the counters' real
seconds are those of the calls a backend made on a real network); every test that
used a world gets properties in a JUnit XML report, and the report's test
suite the session seed, so that a run whose failures used no world still
records it. Once the test's last report is made, the plugin lets its world
go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from .._settings import WorldSettings
from .fixtures import BACKEND_KEY, WORLD_KEY
from .stash import SESSION_KEY

if TYPE_CHECKING:
    from .._kernel.world import World


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    used = item.stash.get(WORLD_KEY, None)
    if used is not None and call.when == "call":
        record_properties(item, *used)  # before the report is made: it copies them
    report = yield
    if used is not None:
        world, settings = used
        if report.failed:
            backend = item.stash.get(BACKEND_KEY, None)
            name = settings.backend if backend is None else backend.name
            report.sections.append(("bzzz", _failure_section(world, settings, name)))
        if call.when == "teardown":
            # The last report of the test: let its world (and all it stores) go.
            del item.stash[WORLD_KEY]
            if BACKEND_KEY in item.stash:
                del item.stash[BACKEND_KEY]
    return report


def pytest_sessionstart(session: pytest.Session) -> None:
    """The session seed as a property of the JUnit XML report's test suite (``--junitxml``).

    Written by pytest's own report writer (the plugin ``record_testsuite_property``
    reaches), found among the registered plugins: only where the report is written
    (under xdist, the controller; its seed is the workers').
    """
    settings = session.config.stash.get(SESSION_KEY, None)
    if settings is None:
        return
    for plugin in session.config.pluginmanager.get_plugins():
        add = getattr(plugin, "add_global_property", None)
        if callable(add) and type(plugin).__name__ == "LogXML":
            add("bzzz_session_seed", settings.seed)


def reproduce(world: World, settings: WorldSettings) -> str:
    """How to run the test again with the same draws, for a report."""
    if world.seed != settings.seed:
        return f"the test's world was made with seed {world.seed} by a pytest_bzzz_make_world hook"
    if settings.seed_from_marker:
        return f"the test's seed is fixed by @pytest.mark.bzzz(seed={settings.seed})"
    return (
        f"rerun with --bzzz-seed={settings.session_seed}, "
        f"or add @pytest.mark.bzzz(seed={settings.seed}) to the test"
    )


def record_properties(item: pytest.Item, world: World, settings: WorldSettings) -> None:
    """What a JUnit XML report (``--junitxml``) shows for the test: its seeds and how to reproduce.

    As test properties, which pytest-xdist carries back from its workers.
    """
    item.user_properties += [
        ("bzzz_seed", world.seed),
        ("bzzz_session_seed", settings.session_seed),
        ("bzzz_reproduce", reproduce(world, settings)),
    ]


def _failure_section(world: World, settings: WorldSettings, backend: str) -> str:
    described = world.describe().splitlines()[1:]
    return "\n".join(
        [
            f"test seed: {world.seed} (session seed {settings.session_seed})",
            f"reproduce: {reproduce(world, settings)}",
            *described,
            f"backend: {backend}",
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
    """Whether ``value`` is of one of pytest-bzzz's classes, or of a user's subclass of one.

    Read from the class names' modules, so that a failed comparison of other
    values never imports anything.
    """
    return any(
        cls.__module__ == "pytest_bzzz" or cls.__module__.startswith("pytest_bzzz.")
        for cls in type(value).__mro__
    )
