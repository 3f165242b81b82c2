"""Options, ini keys and the session's settings: read once, in ``pytest_configure``.

Every setting is read here from the command line, the environment and the ini
file into typed settings kept in ``config.stash`` (a bad value is a usage
error that names where it came from); the session seed is chosen here too,
and handed to xdist workers, and shown in the report header.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from .._kernel.seeds import fresh_seed
from .._settings import (
    MARKERS,
    SETTINGS,
    SessionSettings,
    SettingError,
    parse_session_seed,
    resolve_session,
)
from . import hookspecs

SESSION_KEY = pytest.StashKey[SessionSettings]()
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
