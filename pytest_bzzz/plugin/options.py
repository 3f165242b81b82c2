"""Options, ini keys and the session's settings: pytest's side of the settings table.

The options and ini keys are registered from the table (``_settings``). In
``pytest_configure`` this module gathers the raw inputs (the command line,
the environment, the ini text, what an xdist controller sent, the previous
run's seed from pytest's cache) and the ``_settings`` resolver decides every
setting from them, the session seed included; the result is kept in
``config.stash`` (a bad value is a usage error that names where it came
from). Here too: recording the seed in the cache, handing it to xdist
workers, and showing it in the report header.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from .._settings import MARKERS, SETTINGS, SessionSettings, SettingError, resolve_session
from . import hookspecs

SESSION_KEY = pytest.StashKey[SessionSettings]()
SEED_NOTE_KEY = pytest.StashKey[str]()


def _cache_key(name: str) -> str:
    return f"bzzz/{name}"  # the session seed: "bzzz/seed"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("bzzz", "simulated BZZZ network (pytest-bzzz)")
    for setting in SETTINGS:
        if not setting.configurable:
            continue
        group.addoption(
            setting.option,
            dest=setting.dest,
            metavar=setting.option_metavar,
            help=setting.option_help.replace("%", "%%"),  # argparse formats help: % is %%
        )
        parser.addini(setting.ini, setting.ini_help)


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS.values():
        config.addinivalue_line("markers", marker.help)
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    cache = getattr(config, "cache", None)
    configurable = [setting for setting in SETTINGS if setting.configurable]
    controller = None
    if workerinput is not None:  # an xdist worker: what its controller sent (_XdistHooks)
        controller = {s.name: workerinput[s.dest] for s in SETTINGS if s.dest in workerinput}
    try:
        values = resolve_session(
            {setting.name: config.getoption(setting.dest) for setting in configurable},
            os.environ,
            {setting.ini: str(config.getini(setting.ini)) for setting in configurable},
            controller=controller,
            previous=None if cache is None else lambda name: cache.get(_cache_key(name), None),
        )
    except SettingError as error:
        raise pytest.UsageError(f"bzzz: {error}") from None
    settings = SessionSettings.from_values(values)
    config.stash[SESSION_KEY] = settings
    config.stash[SEED_NOTE_KEY] = values["seed"].source
    if cache is not None and workerinput is None:
        for setting in SETTINGS:
            if setting.remembered:
                cache.set(_cache_key(setting.name), values[setting.name].value)
    if config.pluginmanager.hasplugin("xdist"):
        per_run = {s.dest: values[s.name].value for s in SETTINGS if s.per_run}
        config.pluginmanager.register(_XdistHooks(per_run), "bzzz-xdist")


class _XdistHooks:
    """Hand the controller's session seed to every xdist worker (as ``workerinput["bzzz_seed"]``).

    Each worker reads the command line, the environment and the ini file for
    itself, but could not draw the same fresh seed, or read the cache, as its
    controller: it takes every such per-run value from the controller.
    """

    def __init__(self, per_run: dict[str, object]) -> None:
        self.per_run = per_run

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput.update(self.per_run)


def pytest_report_header(config: pytest.Config) -> str | None:
    settings = config.stash.get(SESSION_KEY, None)
    if settings is None:  # pragma: no cover - configure always runs first
        return None
    return f"bzzz: seed={settings.seed} (reproduce with --bzzz-seed={settings.seed})"
