"""Precedence: the one place that decides each setting's value, and says where it came from.

For the whole run (:func:`resolve_session`), each setting of the table comes
from the first of: the value an xdist controller sent its worker, the command
line, an environment variable (``PYTEST_BZZZ_<NAME>``, then its deprecated
name ``BZZZ_<NAME>``), an ini option; else a fresh value or the default.
Every value given is checked, also those that a higher place overrides. The
text ``last`` (for a remembered setting: the seed) reuses the previous run's
value, as a run that reruns the previous run's failures (``--lf``) does when
nothing gives one. For each test (:func:`resolve_test`), a marker wins
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
import difflib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from .._kernel.clock import ClockMode
from .._kernel.conditions import NetworkConditions
from .._kernel.defaults import (
    DEFAULT_ELECTION_TIMEOUT,
    DEFAULT_HEARTBEAT,
    DEFAULT_PROVIDER_TTL,
    DEFAULT_REPLICATION,
    DEFAULT_VALUE_TTL,
)
from .._kernel.units import format_seconds
from .table import DEPRECATED_ENV_PREFIX, ENV_PREFIX, MARKERS, SETTINGS, Setting, setting_named

__all__ = [
    "MarkerUse",
    "SessionSettings",
    "SettingError",
    "Sourced",
    "WorldSettings",
    "check_markers",
    "deprecated_variables",
    "parse_session_seed",
    "resolve_session",
    "resolve_test",
    "unknown_variables",
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

    @property
    def text(self) -> str:
        """The marker as written, and where: ``@pytest.mark.latency(100) on test_x``."""
        parts = [repr(arg) for arg in self.args]
        parts += [f"{name}={value!r}" for name, value in self.kwargs.items()]
        return f"@pytest.mark.{self.name}({', '.join(parts)}) {self.where}"


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
    peers: int = 1
    """How many peers the world starts with, the local one included."""
    replication: int = DEFAULT_REPLICATION
    """How many peers closest to a key keep a copy of what is stored under it."""
    value_ttl: float = DEFAULT_VALUE_TTL
    """Seconds a stored value lives unless stored again."""
    provider_ttl: float = DEFAULT_PROVIDER_TTL
    """Seconds a provider record lives unless provided again."""
    heartbeat: float = DEFAULT_HEARTBEAT
    """Seconds between two heartbeats of the elected leader."""
    election_timeout: float = DEFAULT_ELECTION_TIMEOUT
    """Seconds followers go without a heartbeat before they elect a new leader."""


def _an(word: str) -> str:
    """``word`` with its indefinite article: ``a seed``, ``an offset``."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


@dataclasses.dataclass(frozen=True)
class _Given:
    """A value written by hand for a setting, where, and whether in an ini file."""

    raw: object
    source: str
    in_ini: bool = False


def _read(setting: Setting, given: _Given) -> Sourced:
    try:
        return Sourced(setting.parse(given.raw), given.source)
    except ValueError as error:
        if given.in_ini and isinstance(given.raw, bool):  # TOML's true/false, for a number
            written = "true" if given.raw else "false"
            raise SettingError(
                f"{setting.name} = {written} {given.source}: a boolean (true or false) is not "
                f"a value of this setting; accepted: {setting.accepted_text}"
            ) from None
        hint = _unquoted_hint(setting, given)
        raise SettingError(f"{setting.name} {given.raw!r} {given.source}: {error}{hint}") from None


def _unquoted_hint(setting: Setting, given: _Given) -> str:
    """For text in quotes (TOML's, copied into an ini file) that reads without them: say so."""
    text = given.raw.strip() if isinstance(given.raw, str) else ""
    if len(text) < 2 or text[0] != text[-1] or text[0] not in "'\"":
        return ""
    unquoted = text[1:-1]
    if not (setting.remembered and _is_last(unquoted)):
        try:
            setting.parse(unquoted)
        except ValueError:
            return ""
    if given.in_ini:
        return f"; an ini file takes values without quotes: {setting.ini} = {unquoted}"
    return f"; write it without the quotes: {unquoted}"


def _is_set(raw: object) -> bool:
    """Written: not ``None``, and not empty or blank text (a number from TOML is written)."""
    return raw is not None and (not isinstance(raw, str) or bool(raw.strip()))


def _is_last(raw: object) -> bool:
    return isinstance(raw, str) and raw.strip().lower() == "last"


def _given(
    setting: Setting, cli: Mapping[str, object], env: Mapping[str, str], ini: Mapping[str, object]
) -> list[_Given]:
    """Every value written by hand for ``setting``, first the one that wins.

    The command line, then the environment (its variable, then the variable's
    deprecated name), then the ini file.
    """
    given = []
    if _is_set(cli.get(setting.name)):
        given.append(_Given(cli[setting.name], f"from the command line ({setting.option})"))
    given += [
        _Given(env[variable], f"from the {variable} environment variable")
        for variable in (setting.env, setting.deprecated_env)
        if _is_set(env.get(variable))
    ]
    if setting.switch is not None and _is_set(env.get(setting.switch[0])):
        variable, value = setting.switch
        if _switched_on(variable, env[variable]):
            given.append(_Given(value, f"from the {variable} environment variable"))
    if _is_set(ini.get(setting.ini)):
        given.append(_Given(ini[setting.ini], f"from the {setting.ini} ini option", in_ini=True))
    return given


_TRUE: Final = frozenset({"true", "1", "yes", "on"})
_FALSE: Final = frozenset({"false", "0", "no", "off"})


def _switched_on(variable: str, raw: str) -> bool:
    word = raw.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise SettingError(
        f"{variable}={raw!r} (from the environment): expected true or false "
        f"({', '.join(sorted(_TRUE))}; {', '.join(sorted(_FALSE))})"
    )


def _recorded(setting: Setting, previous: Callable[[str], object]) -> object | None:
    """The value the previous run recorded for ``setting``, if it is one this version reads."""
    recorded = previous(setting.name)
    if recorded is None:
        return None
    try:
        value: object = setting.parse(recorded)
    except ValueError:
        return None  # not a value this version records: as good as none
    return value


def _previous_runs(
    setting: Setting, source: str, previous: Callable[[str], object] | None
) -> Sourced:
    """``last``: the value the previous run recorded, or a fresh one when none is recorded."""
    if previous is None:
        raise SettingError(
            f"{setting.name} 'last' {source} needs pytest's cache to remember the previous "
            f"run's {setting.name}, but the cacheprovider plugin is disabled "
            f"(-p no:cacheprovider); give {_an(setting.name)} as a number instead"
        )
    recorded = _recorded(setting, previous)
    if recorded is not None:
        return Sourced(recorded, f"the previous run's ({setting.option}=last)")
    return _unset(setting, f"fresh: no previous run's {setting.name} is recorded")


def _unset(setting: Setting, fresh_source: str = "fresh") -> Sourced:
    if setting.fresh is not None:
        return Sourced(setting.fresh(), fresh_source)
    return Sourced(setting.default, "by default")


def _reused(setting: Setting, rerun: str, previous: Callable[[str], object] | None) -> Sourced:
    """A remembered setting that nothing gives, in a rerun (``--lf``): the previous run's."""
    recorded = None if previous is None else _recorded(setting, previous)
    if recorded is not None:
        return Sourced(recorded, f"the previous run's (reused for {rerun})")
    return _unset(setting, f"fresh: no previous run's {setting.name} is recorded")


def resolve_session(
    cli: Mapping[str, object],
    env: Mapping[str, str],
    ini: Mapping[str, object],
    *,
    controller: Mapping[str, object] | None = None,
    previous: Callable[[str], object] | None = None,
    rerun: str | None = None,
) -> dict[str, Sourced]:
    """Each setting's value for the whole run, and where it came from.

    ``cli`` maps setting names to the values given on the command line
    (``None``: not given); ``env`` is the environment; ``ini`` maps ini
    option names to their values (text, or a number from a TOML file; empty
    text: not given). On an xdist worker, ``controller`` maps setting names
    to the values its controller sent, which win. ``previous`` reads the
    value a remembered setting had in the previous run (``None`` if none is
    recorded); ``None`` when nothing is remembered between runs (pytest's
    cache plugin is disabled). ``rerun`` names the option of a run that
    reruns the previous run's tests (``"--lf"``): a remembered setting that
    nothing gives then takes the previous run's value, not a fresh one.

    Every value written for a setting is checked, also one that a place
    higher in the order overrides: the first bad one is the error.
    """
    values: dict[str, Sourced] = {}
    for setting in SETTINGS:
        if controller is not None and setting.name in controller:
            sent = _Given(controller[setting.name], "from the xdist controller")
            values[setting.name] = _read(setting, sent)
            continue
        given = _given(setting, cli, env, ini) if setting.configurable else []
        read = [
            None if setting.remembered and _is_last(written.raw) else _read(setting, written)
            for written in given
        ]
        if not given:
            if setting.remembered and rerun is not None:
                values[setting.name] = _reused(setting, rerun, previous)
            else:
                values[setting.name] = _unset(setting)
        elif read[0] is None:
            values[setting.name] = _previous_runs(setting, given[0].source, previous)
        else:
            values[setting.name] = read[0]
    _check_timing(values, "")
    return values


def _check_timing(values: Mapping[str, Sourced], where: str) -> None:
    """The heartbeat must be shorter than the election timeout, wherever each came from."""
    beat, timeout = values["heartbeat"], values["election_timeout"]
    if beat.value >= timeout.value:
        raise SettingError(
            f"{where}heartbeat {format_seconds(beat.value)} ({beat.source}) must be shorter "
            f"than election_timeout {format_seconds(timeout.value)} ({timeout.source}): "
            "followers would time out between two heartbeats"
        )


def deprecated_variables(env: Mapping[str, str]) -> list[str]:
    """What to tell about each deprecated environment variable (``BZZZ_<NAME>``) that is set."""
    notes = []
    for setting in SETTINGS:
        old, new = setting.deprecated_env, setting.env
        if not setting.configurable or not _is_set(env.get(old)):
            continue
        if _is_set(env.get(new)):
            notes.append(
                f"the environment variable {old} is deprecated, and overridden by {new}, which is "
                f"also set (its value is still checked, and a bad one is an error): remove {old}"
            )
        else:
            notes.append(
                f"the environment variable {old} is deprecated: rename it {new} "
                f"(the {DEPRECATED_ENV_PREFIX} prefix belongs to the BZZZ node's own configuration)"
            )
    return notes


def unknown_variables(env: Mapping[str, str]) -> list[str]:
    """What to tell about each ``PYTEST_BZZZ_`` environment variable that names no setting.

    A misspelt variable (``PYTEST_BZZZ_LATNECY``) would otherwise be ignored,
    and the run take the setting's default without a word.
    """
    ours = sorted(name for name in env if name.startswith(ENV_PREFIX))
    known = sorted(setting.env for setting in SETTINGS if setting.configurable)
    names = [name.removeprefix(ENV_PREFIX) for name in known]  # compared without the prefix
    notes = []
    for variable in ours:
        if variable in known:
            continue
        close = difflib.get_close_matches(variable.removeprefix(ENV_PREFIX), names, n=1)
        hint = f"did you mean {ENV_PREFIX}{close[0]}? " if close else ""
        notes.append(
            f"the environment variable {variable} is not one of pytest-bzzz's, and is ignored; "
            f"{hint}(they are {', '.join(known)})"
        )
    return notes


def parse_session_seed(raw: object, source: str) -> int:
    """A session seed written by hand (``"last"`` is :func:`resolve_session`'s to handle)."""
    seed: int = _read(setting_named("seed"), _Given(raw, source)).value
    return seed


def _explicit_arguments(use: MarkerUse) -> dict[str, Any]:
    marker = MARKERS[use.name]
    positional = marker.positional
    if len(use.args) > len(positional):
        raise SettingError(
            f"{use.text}: takes {len(positional)} positional argument"
            f"{'' if len(positional) == 1 else 's'}; the signature is {marker.signature}"
        )
    given = dict(zip(positional, use.args, strict=False))
    for name, value in use.kwargs.items():
        if name not in marker.arguments:
            raise SettingError(
                f"{use.text}: unknown argument {name!r}; accepted: {', '.join(marker.arguments)}"
            )
        if name in given:
            raise SettingError(f"{use.text}: {name!r} is given twice")
        given[name] = value
    missing = [name for name in positional if name not in given]
    if missing:
        raise SettingError(
            f"{use.text}: missing the argument {missing[0]!r}; the signature is {marker.signature}"
        )
    return given


def _from_markers(markers: Sequence[MarkerUse]) -> dict[str, Sourced]:
    """The settings the markers (closest first) write explicitly; each one is checked."""
    chosen: dict[str, Sourced] = {}
    for use in markers:
        marker = MARKERS[use.name]
        written: dict[str, Any] = {}
        for argument, raw in _explicit_arguments(use).items():
            setting = marker.setting(argument)
            if raw is None and setting.none_is_unwritten:
                continue
            try:
                written[setting.name] = setting.parse(raw)
            except ValueError as error:
                raise SettingError(f"{use.text}: {argument}: {error}") from None
        if use.name == "latency" and written.get("latency") == 0 and "jitter" not in written:
            # latency(0), latency("0ms"): no delay at all, also none from a wider jitter.
            written["jitter"] = 0.0
        for name, value in written.items():
            chosen.setdefault(name, Sourced(value, f"from {use.text}"))
    return chosen


def check_markers(markers: Sequence[MarkerUse]) -> None:
    """Check every argument of the markers, as :func:`resolve_test` would: raise ``SettingError``.

    For a test that makes no world, whose markers are checked all the same.
    """
    _from_markers(markers)


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
    _check_timing(values, f"{nodeid}: ")
    try:
        conditions = NetworkConditions(
            latency=values["latency"].value,
            jitter=values["jitter"].value,
            distribution=values["distribution"].value,
            failure_rate=values["failure_rate"].value,
            failure_ops=values["ops"].value,
            timeout=values["timeout"].value,
            ambiguous_timeouts=values["ambiguous_timeouts"].value,
            max_record_size=values["max_record_size"].value,
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
        peers=values["peers"].value,
        replication=values["replication"].value,
        value_ttl=values["value_ttl"].value,
        provider_ttl=values["provider_ttl"].value,
        heartbeat=values["heartbeat"].value,
        election_timeout=values["election_timeout"].value,
    )
