"""Options, ini keys and the session's settings: pytest's side of the settings table.

The options and ini keys are registered from the table (``_settings``). In
``pytest_configure`` this module gathers the raw inputs (the command line,
the environment, the ini values, what an xdist controller sent, the previous
run's seed from pytest's cache, whether the run reruns the previous run's
failures) and the ``_settings`` resolver decides every setting from them, the
session seed included; the result is kept in ``config.stash`` (a bad value is
a usage error that names where it came from). Here too: the warning about
each deprecated environment variable, recording the seed in the cache at the
end of a run whose tests used a world, handing it to xdist workers, showing it
(and where it came from) in the report header, and registering the check of
the markers of tests that make no world (``markers``), with the ``ucxi``
marker's of tests that make no fake node (``ucxi``).
"""

from __future__ import annotations

import os
from typing import Any, Final

import pytest

from .._backends.registry import backend_unavailable
from .._settings import (
    MARKERS,
    SETTINGS,
    SessionSettings,
    Setting,
    SettingError,
    Sourced,
    deprecated_variables,
    resolve_session,
    unknown_variables,
)
from . import hookspecs
from .faults import AT_HELP, FAULTS_HELP
from .markers import PARTITION_HELP, MarkerCheck
from .stash import SESSION_KEY as SESSION_KEY  # (read from here by fixtures.py)
from .ucxi import MARKER, check_unused_marker

SEED_NOTE_KEY = pytest.StashKey[str]()

_INI_TYPE: Final[Any] = (str | int | float | bool) if pytest.version_tuple[:2] >= (9, 2) else None
"""pytest 9.2 reads a number or a boolean from a native TOML table (``bzzz_latency = 250``,
``bzzz_ambiguous_timeouts = true``) for an ini option typed so, and text from every other
file; earlier versions only text (``None``). Each setting's parser then accepts what it means
(a boolean only for an on/off setting) and refuses the rest with its own message."""

_RERUNS: Final = (
    ("lf", "--lf"),
    ("failedfirst", "--ff"),
    ("stepwise", "--sw"),
    ("stepwise_skip", "--sw-skip"),
)
"""pytest's options that rerun the previous run's failures (their ``dest``, and their name)."""

_USED_WORLD: Final = "bzzz_used_world"
"""What an xdist worker tells its controller (``workeroutput``) when a test of it made a world."""


class BzzzDeprecationWarning(pytest.PytestDeprecationWarning):
    """Something pytest-bzzz still reads, but will not for long: a ``BZZZ_*`` variable."""

    __module__ = "pytest_bzzz.plugin"  # its public name, for filterwarnings


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
        parser.addini(setting.ini, setting.ini_help, type=_INI_TYPE, default="")


def _ini_value(config: pytest.Config, setting: Setting) -> object:
    """The ini option's value: text, or a number from a native TOML table (pytest 9.2+)."""
    try:
        return config.getini(setting.ini)
    except (pytest.UsageError, TypeError, ValueError) as error:  # a TOML value of another type
        hint = ""
        if _INI_TYPE is None:
            hint = (
                f" (pytest {pytest.__version__} reads only text here: write it in quotes, "
                "or use pytest 9.2 or later)"
            )
        raise pytest.UsageError(
            f"bzzz: {setting.name} from the {setting.ini} ini option: {error}; "
            f"accepted: {setting.accepted_text}{hint}"
        ) from None


def _rerun(config: pytest.Config) -> str | None:
    """The option by which this run reruns the previous run's failures (``--lf``), if any.

    ``--sw-reset`` starts the stepwise workflow over: a fresh start, not a rerun.
    """
    for dest, option in _RERUNS:
        if dest.startswith("stepwise") and config.getoption("stepwise_reset", False):
            continue
        if config.getoption(dest, False):
            return option
    return None


def _warn(config: pytest.Config, warning: Warning) -> None:
    """A warning at configure time; an error, without a traceback, if the filters say so."""
    try:
        config.issue_config_time_warning(warning, stacklevel=3)
    except type(warning):
        kind = type(warning).__name__
        raise pytest.UsageError(
            f"bzzz: {warning} ({kind}, an error under the warnings filters)"
        ) from None


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS.values():
        config.addinivalue_line("markers", marker.help)
    config.addinivalue_line("markers", PARTITION_HELP)
    config.addinivalue_line("markers", FAULTS_HELP)
    config.addinivalue_line("markers", AT_HELP)
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    cache = getattr(config, "cache", None)
    configurable = [setting for setting in SETTINGS if setting.configurable]
    controller = None
    if workerinput is not None:  # an xdist worker: what its controller sent (_XdistHooks)
        controller = {s.name: workerinput[s.dest] for s in SETTINGS if s.dest in workerinput}
    else:  # the controller warns, once for the run
        for note in deprecated_variables(os.environ):
            _warn(config, BzzzDeprecationWarning(note))  # BZZZ_<NAME>: now PYTEST_BZZZ_<NAME>
        for note in unknown_variables(os.environ):  # as pytest warns of an unknown ini key
            _warn(config, pytest.PytestConfigWarning(note))
    try:
        values = resolve_session(
            {setting.name: config.getoption(setting.dest) for setting in configurable},
            os.environ,
            {setting.ini: _ini_value(config, setting) for setting in configurable},
            controller=controller,
            previous=None if cache is None else lambda name: cache.get(_cache_key(name), None),
            rerun=_rerun(config),
        )
    except SettingError as error:
        raise pytest.UsageError(f"bzzz: {error}") from None
    backend = values["backend"]
    problem = backend_unavailable(backend.value)
    if problem:
        raise pytest.UsageError(f"bzzz: backend {backend.value!r} {backend.source}: {problem}")
    settings = SessionSettings.from_values(values)
    config.stash[SESSION_KEY] = settings
    config.stash[SEED_NOTE_KEY] = values["seed"].source
    record = _RunRecord(config, values)
    config.pluginmanager.register(record, "bzzz-record")
    config.pluginmanager.register(MarkerCheck(also={MARKER: check_unused_marker}), "bzzz-markers")
    if config.pluginmanager.hasplugin("xdist"):
        per_run = {s.dest: values[s.name].value for s in SETTINGS if s.per_run}
        config.pluginmanager.register(_XdistHooks(per_run, record), "bzzz-xdist")


class _RunRecord:
    """Record the run's remembered values (the seed) in pytest's cache, for ``last`` and ``--lf``.

    Only at the end of a run in which a test made a simulated world: a run
    that tests nothing with it (``pytest --help``, ``--collect-only``, a run
    of other tests) leaves the previous run's seed for ``--bzzz-seed=last``.
    On xdist, the controller records, once its workers said a test of theirs
    made a world.
    """

    def __init__(self, config: pytest.Config, values: dict[str, Sourced]) -> None:
        self.config = config
        self.values = values
        self.used_world = False

    def pytest_bzzz_world_created(self) -> None:
        if self.used_world:
            return
        self.used_world = True
        workeroutput: dict[str, Any] | None = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:  # an xdist worker: tell the controller
            workeroutput[_USED_WORLD] = True

    def pytest_sessionfinish(self) -> None:
        cache = getattr(self.config, "cache", None)
        if not self.used_world or cache is None or hasattr(self.config, "workerinput"):
            return
        for setting in SETTINGS:
            if setting.remembered:
                cache.set(_cache_key(setting.name), self.values[setting.name].value)


class _XdistHooks:
    """Hand the controller's session seed to every xdist worker (as ``workerinput["bzzz_seed"]``).

    Each worker reads the command line, the environment and the ini file for
    itself, but could not draw the same fresh seed, or read the cache, as its
    controller: it takes every such per-run value from the controller. Back
    from each worker comes whether a test of it made a world.
    """

    def __init__(self, per_run: dict[str, object], record: _RunRecord) -> None:
        self.per_run = per_run
        self.record = record

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput.update(self.per_run)

    def pytest_testnodedown(self, node: Any) -> None:
        if getattr(node, "workeroutput", {}).get(_USED_WORLD):
            self.record.used_world = True


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    settings = config.stash.get(SESSION_KEY, None)
    if settings is None:  # pragma: no cover - configure always runs first
        return None
    seed = settings.seed
    backend = settings.values["backend"]
    where = ""
    if backend.value == "libp2p":
        where = f", {settings.values['libp2p_hosts'].value} py-libp2p hosts on 127.0.0.1"
        if config.pluginmanager.has_plugin("dsession"):  # xdist's controller: workers run tests
            where += " in each xdist worker"
    return [
        f"bzzz: seed={seed}, {settings.values['seed'].source}; reproduce with --bzzz-seed={seed}",
        f"bzzz: backend={backend.value}, {backend.source}{where}",
    ]
