"""Precedence: the one place that decides each setting's value, and says where it came from.

For the whole run (:func:`resolve_session`), each setting of the table comes
from the first of: the value an xdist controller sent its worker, the command
line, an environment variable, an ini option; else a fresh value or the
default. The text ``last`` (for a remembered setting: the seed) reuses the
previous run's value. For each test (:func:`resolve_test`), a marker wins
over all of these: the test's own, then its class's, then its module's.
Only arguments written explicitly count, so ``@pytest.mark.latency(50)`` on a
test keeps the ``jitter`` its module's marker gave, and a marker's unwritten
defaults never override the command line.

Every error names the value, where it came from and what is accepted. This
module does not import pytest: the plugin hands it plain data (and a way to
read the previous run's values) and turns :class:`SettingError` into pytest's
errors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._kernel.clock import ClockMode
from .._kernel.conditions import NetworkConditions
from .table import MARKERS, SETTINGS, Setting, setting_named

__all__ = [
    "MarkerUse",
    "SessionSettings",
    "SettingError",
    "Sourced",
    "WorldSettings",
    "parse_session_seed",
    "resolve_session",
    "resolve_test",
]


class SettingError(Exception):
    """A configured value is not acceptable; the message says what, where and what is."""


@dataclasses.dataclass(frozen=True)
class MarkerUse:
    """One marker as it applies to a test: its arguments and where it was written."""

    name: str
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]
    where: str


@dataclasses.dataclass(frozen=True)
class Sourced:
    """A setting's value and where it came from (``"from the command line (--bzzz-jitter)"``)."""

    value: Any
    source: str


@dataclasses.dataclass(frozen=True)
class SessionSettings:
    """Settings for the whole run: the session seed and each setting's value and source."""

    seed: int
    values: Mapping[str, Sourced]

    @classmethod
    def from_values(cls, values: Mapping[str, Sourced]) -> SessionSettings:
        """The session of :func:`resolve_session`'s values (its seed is theirs)."""
        return cls(seed=values["seed"].value, values=values)


@dataclasses.dataclass(frozen=True)
class WorldSettings:
    """Everything a test's world is made from."""

    seed: int
    seed_from_marker: bool
    session_seed: int
    conditions: NetworkConditions
    clock: ClockMode
    record_calls: int
    backend: str
    """The name of the backend that builds the test's ``mock_dht`` and ``mock_bzzz``."""
    sources: Mapping[str, str]
    values: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """Every setting's value for the test, by name (``"seed"``: the test's seed)."""


def _read(setting: Setting, raw: object, source: str) -> Sourced:
    try:
        return Sourced(setting.parse(raw), source)
    except ValueError as error:
        raise SettingError(f"{setting.name} {raw!r} {source}: {error}") from None


def _written(
    setting: Setting, cli: Mapping[str, object], env: Mapping[str, str], ini: Mapping[str, str]
) -> tuple[object, str] | None:
    """The first value given by hand for ``setting`` and where it was given, if any."""
    if cli.get(setting.name) is not None:
        return cli[setting.name], f"from the command line ({setting.option})"
    if env.get(setting.env, "").strip():
        return env[setting.env], f"from the {setting.env} environment variable"
    if ini.get(setting.ini, "").strip():
        return ini[setting.ini], f"from the {setting.ini} ini option"
    return None


def _previous_runs(
    setting: Setting, source: str, previous: Callable[[str], object] | None
) -> Sourced:
    """``last``: the value the previous run recorded, or a fresh one when none is recorded."""
    if previous is None:
        raise SettingError(
            f"{setting.name} 'last' {source} needs pytest's cache to remember the previous "
            f"run's {setting.name}, but the cacheprovider plugin is disabled "
            f"(-p no:cacheprovider); give a {setting.name} as a number instead"
        )
    recorded = previous(setting.name)
    if recorded is not None:
        try:
            return Sourced(setting.parse(recorded), f"the previous run's ({setting.option}=last)")
        except ValueError:
            pass  # not a value this version records: as good as none
    return _unset(setting, f"fresh: no previous run's {setting.name} is recorded")


def _unset(setting: Setting, fresh_source: str = "fresh") -> Sourced:
    if setting.fresh is not None:
        return Sourced(setting.fresh(), fresh_source)
    return Sourced(setting.default, "by default")


def resolve_session(
    cli: Mapping[str, object],
    env: Mapping[str, str],
    ini: Mapping[str, str],
    *,
    controller: Mapping[str, object] | None = None,
    previous: Callable[[str], object] | None = None,
) -> dict[str, Sourced]:
    """Each setting's value for the whole run, and where it came from.

    ``cli`` maps setting names to the values given on the command line
    (``None``: not given); ``env`` is the environment; ``ini`` maps ini
    option names to their text (empty: not given). On an xdist worker,
    ``controller`` maps setting names to the values its controller sent,
    which win. ``previous`` reads the value a remembered setting had in the
    previous run (``None`` if none is recorded); ``None`` when nothing is
    remembered between runs (pytest's cache plugin is disabled).
    """
    values: dict[str, Sourced] = {}
    for setting in SETTINGS:
        if controller is not None and setting.name in controller:
            sent = controller[setting.name]
            values[setting.name] = _read(setting, sent, "from the xdist controller")
            continue
        written = _written(setting, cli, env, ini) if setting.configurable else None
        if written is None:
            values[setting.name] = _unset(setting)
        elif setting.remembered and str(written[0]).strip() == "last":
            values[setting.name] = _previous_runs(setting, written[1], previous)
        else:
            values[setting.name] = _read(setting, *written)
    return values


def parse_session_seed(raw: object, source: str) -> int:
    """A session seed written by hand (``"last"`` is :func:`resolve_session`'s to handle)."""
    seed: int = _read(setting_named("seed"), raw, source).value
    return seed


def _marker_text(use: MarkerUse) -> str:
    parts = [repr(arg) for arg in use.args]
    parts += [f"{name}={value!r}" for name, value in use.kwargs.items()]
    return f"@pytest.mark.{use.name}({', '.join(parts)}) {use.where}"


def _explicit_arguments(use: MarkerUse) -> dict[str, Any]:
    marker = MARKERS[use.name]
    positional = marker.positional
    if len(use.args) > len(positional):
        raise SettingError(
            f"{_marker_text(use)}: takes {len(positional)} positional argument"
            f"{'' if len(positional) == 1 else 's'}; the signature is {marker.signature}"
        )
    given = dict(zip(positional, use.args, strict=False))
    for name, value in use.kwargs.items():
        if name not in marker.arguments:
            raise SettingError(
                f"{_marker_text(use)}: unknown argument {name!r}; "
                f"accepted: {', '.join(marker.arguments)}"
            )
        if name in given:
            raise SettingError(f"{_marker_text(use)}: {name!r} is given twice")
        given[name] = value
    if use.name == "latency" and given.get("ms") == 0 and "jitter" not in given:
        given["jitter"] = 0  # latency(0) means no delay at all, also none from a wider jitter
    missing = [name for name in positional if name not in given]
    if missing:
        raise SettingError(
            f"{_marker_text(use)}: missing the argument {missing[0]!r}; "
            f"the signature is {marker.signature}"
        )
    return given


def _from_markers(markers: Sequence[MarkerUse]) -> dict[str, Sourced]:
    """The settings the markers (closest first) write explicitly; each one is checked."""
    chosen: dict[str, Sourced] = {}
    for use in markers:
        marker = MARKERS[use.name]
        for argument, raw in _explicit_arguments(use).items():
            setting = marker.setting(argument)
            if raw is None and setting.none_is_unwritten:
                continue
            try:
                value = setting.parse(raw)
            except ValueError as error:
                raise SettingError(f"{_marker_text(use)}: {argument}: {error}") from None
            chosen.setdefault(setting.name, Sourced(value, f"from {_marker_text(use)}"))
    return chosen


def resolve_test(
    session: SessionSettings, markers: Sequence[MarkerUse], nodeid: str, derived_seed: int
) -> WorldSettings:
    """Apply a test's markers (closest first) over the session's settings.

    The seed is the exception to "a marker wins over the run's value": the
    run gives the session seed, from which each test's (``derived_seed``)
    derives; a marker's ``seed`` is the test's own, exactly.
    """
    chosen = _from_markers(markers)
    values = {**session.values, **chosen}
    if "seed" not in chosen:
        session_seed = session.values.get("seed")
        how = "" if session_seed is None else f", {session_seed.source}"
        values["seed"] = Sourced(derived_seed, f"derived from the session seed{how}")
    try:
        conditions = NetworkConditions(
            latency=values["latency"].value,
            jitter=values["jitter"].value,
            distribution=values["distribution"].value,
            failure_rate=values["failure_rate"].value,
            failure_ops=values["ops"].value,
            timeout=values["timeout"].value,
        )
    except (TypeError, ValueError) as error:  # pragma: no cover - each value was checked
        raise SettingError(f"{nodeid}: {error}") from None
    return WorldSettings(
        seed=values["seed"].value,
        seed_from_marker="seed" in chosen,
        session_seed=session.seed,
        conditions=conditions,
        clock=values["clock"].value,
        record_calls=values["record_calls"].value,
        backend=values["backend"].value,
        sources={name: sourced.source for name, sourced in values.items()},
        values={name: sourced.value for name, sourced in values.items()},
    )
