"""Settings: every knob, where it may come from, and the one place precedence is decided.

A setting's value comes from the closest place that states it explicitly, in
this order: a marker (the test's own, then its class's, then its module's),
the command line, an environment variable, an ini option, the default. Only
arguments written explicitly count, so ``@pytest.mark.latency(50)`` on a test
keeps the ``jitter`` its module's marker gave, and a marker's unwritten
defaults never override the command line.

Values written by hand (markers, command line, environment, ini) give
durations in milliseconds or with a unit; every error names the value, where
it came from and what is accepted. This module does not import pytest: the
plugin hands it plain data and turns :class:`SettingError` into pytest's
errors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

from .._kernel.clock import ClockMode
from .._kernel.conditions import NetworkConditions, check_operations
from .._kernel.record import DEFAULT_RECORD_LIMIT
from .._kernel.seeds import SEED_LIMIT
from .._kernel.units import DURATION_HELP, parse_duration, parse_rate

__all__ = [
    "MARKERS",
    "SETTINGS",
    "MarkerUse",
    "SessionSettings",
    "SettingError",
    "WorldSettings",
    "parse_session_seed",
    "resolve_session",
    "resolve_test",
]


class SettingError(Exception):
    """A configured value is not acceptable; the message says what, where and what is."""


def _duration_or_none(value: object) -> float | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "off")):
        return None
    return parse_duration(value)


def _clock(value: object) -> ClockMode:
    if value == "virtual":
        return "virtual"
    if value == "real":
        return "real"
    raise ValueError(f"expected 'virtual' or 'real', got {value!r}")


def _distribution(value: object) -> str:
    if value in ("uniform", "normal"):
        return str(value)
    raise ValueError(f"expected 'uniform' or 'normal', got {value!r}")


def _count(value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError(f"expected a whole number, 0 or more, got {value!r}")


def _seed(value: object) -> int:
    number = int(value) if isinstance(value, str) and value.strip().isdigit() else value
    if isinstance(number, int) and not isinstance(number, bool) and 0 <= number < SEED_LIMIT:
        return number
    raise ValueError(f"expected a whole number from 0 to {SEED_LIMIT - 1}, got {value!r}")


def _ops(value: object) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [name.strip() for name in value.split(",") if name.strip()]
    if not isinstance(value, Iterable):
        raise ValueError(f"expected a list of operation names, got {value!r}")
    try:
        return check_operations(value)
    except TypeError as error:
        raise ValueError(str(error)) from None


@dataclasses.dataclass(frozen=True)
class Setting:
    """One knob: its name, the marker argument that sets it, and how to read it."""

    name: str
    marker: str
    argument: str
    parse: Callable[[object], Any]
    default: Any
    accepted: str
    help: str
    configurable: bool = True  # also from the command line, environment and ini

    @property
    def option(self) -> str:
        return "--bzzz-" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return "BZZZ_" + self.name.upper()

    @property
    def ini(self) -> str:
        return "bzzz_" + self.name


SETTINGS: Final = (
    Setting("latency", "latency", "ms", parse_duration, 0.0, DURATION_HELP,
            "simulated latency of every operation"),
    Setting("jitter", "latency", "jitter", parse_duration, 0.0, DURATION_HELP,
            "how far each operation's latency may stray from the latency"),
    Setting("distribution", "latency", "distribution", _distribution, "uniform",
            "'uniform' or 'normal'", "how latencies are drawn around the latency"),
    Setting("failure_rate", "flaky_network", "rate", parse_rate, 0.0,
            "a number from 0 to 1 (or a percentage such as '10%')",
            "probability that an operation fails with NetworkError"),
    Setting("ops", "flaky_network", "ops", _ops, None,
            "a list of operation names", "operations the failure rate applies to",
            configurable=False),
    Setting("timeout", "bzzz", "timeout", _duration_or_none, None,
            f"{DURATION_HELP}, or None for no timeout",
            "operations whose latency exceeds it raise NetworkTimeout"),
    Setting("clock", "bzzz", "clock", _clock, "virtual", "'virtual' or 'real'",
            "virtual time (simulated latency costs no wall time) or the real clock"),
    Setting("record_calls", "bzzz", "record_calls", _count, DEFAULT_RECORD_LIMIT,
            "a whole number, 0 or more (0 keeps no record)",
            "how many calls each test's record keeps"),
)  # fmt: skip

MARKERS: Final = {
    "latency": (
        ("ms",),
        ("jitter", "distribution"),
        "latency(ms, *, jitter=0, distribution='uniform'): simulate network latency for "
        "the test, class or module. A number is milliseconds; a string may carry a unit "
        "('250ms', '1.5s'). latency(0) switches a wider latency off.",
    ),
    "flaky_network": (
        ("rate",),
        ("ops",),
        "flaky_network(rate, *, ops=None): each operation fails with NetworkError with "
        "probability rate (0 to 1); ops limits it to the named operations. "
        "flaky_network(0) switches a wider one off.",
    ),
    "bzzz": (
        (),
        ("seed", "clock", "timeout", "record_calls"),
        "bzzz(*, seed=None, clock='virtual', timeout=None, record_calls=10000): the test's "
        "seed (exactly this one), clock ('virtual' or 'real'), operation timeout "
        "(milliseconds or with a unit) and call record size.",
    ),
}
"""Marker name -> (positional arguments, keyword-only arguments, help line)."""


@dataclasses.dataclass(frozen=True)
class MarkerUse:
    """One marker as it applies to a test: its arguments and where it was written."""

    name: str
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]
    where: str


@dataclasses.dataclass(frozen=True)
class Sourced:
    value: Any
    source: str


@dataclasses.dataclass(frozen=True)
class SessionSettings:
    """Settings for the whole run: the session seed and each setting's value and source."""

    seed: int
    values: Mapping[str, Sourced]


@dataclasses.dataclass(frozen=True)
class WorldSettings:
    """Everything a test's world is made from."""

    seed: int
    seed_from_marker: bool
    session_seed: int
    conditions: NetworkConditions
    clock: ClockMode
    record_calls: int
    sources: Mapping[str, str]


def _read(setting: Setting, raw: object, source: str) -> Sourced:
    try:
        return Sourced(setting.parse(raw), source)
    except ValueError as error:
        raise SettingError(f"{setting.name} {raw!r} {source}: {error}") from None


def resolve_session(
    cli: Mapping[str, object], env: Mapping[str, str], ini: Mapping[str, str]
) -> dict[str, Sourced]:
    """Each configurable setting from the command line, else environment, else ini, else default.

    ``cli`` maps setting names to values given on the command line (``None``:
    not given); ``env`` is the environment; ``ini`` maps ini option names to
    their text (empty: not given).
    """
    values: dict[str, Sourced] = {}
    for setting in SETTINGS:
        if not setting.configurable:
            values[setting.name] = Sourced(setting.default, "by default")
        elif cli.get(setting.name) is not None:
            values[setting.name] = _read(
                setting, cli[setting.name], f"from the command line ({setting.option})"
            )
        elif env.get(setting.env, "").strip():
            values[setting.name] = _read(
                setting, env[setting.env], f"from the {setting.env} environment variable"
            )
        elif ini.get(setting.ini, "").strip():
            values[setting.name] = _read(
                setting, ini[setting.ini], f"from the {setting.ini} ini option"
            )
        else:
            values[setting.name] = Sourced(setting.default, "by default")
    return values


def parse_session_seed(raw: object, source: str) -> int:
    """A session seed written by hand (``"last"`` is handled by the caller)."""
    try:
        return _seed(raw)
    except ValueError as error:
        raise SettingError(f"seed {raw!r} {source}: {error}") from None


def _marker_text(use: MarkerUse) -> str:
    parts = [repr(arg) for arg in use.args]
    parts += [f"{name}={value!r}" for name, value in use.kwargs.items()]
    return f"@pytest.mark.{use.name}({', '.join(parts)}) {use.where}"


def _explicit_arguments(use: MarkerUse) -> dict[str, Any]:
    positional, keywords, signature = MARKERS[use.name]
    if len(use.args) > len(positional):
        raise SettingError(
            f"{_marker_text(use)}: takes {len(positional)} positional argument"
            f"{'' if len(positional) == 1 else 's'}; the signature is {signature.split(':')[0]}"
        )
    given = dict(zip(positional, use.args, strict=False))
    for name, value in use.kwargs.items():
        if name not in positional and name not in keywords:
            allowed = ", ".join((*positional, *keywords))
            raise SettingError(
                f"{_marker_text(use)}: unknown argument {name!r}; accepted: {allowed}"
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
            f"the signature is {signature.split(':')[0]}"
        )
    return given


def resolve_test(
    session: SessionSettings, markers: Sequence[MarkerUse], nodeid: str, derived_seed: int
) -> WorldSettings:
    """Apply a test's markers (closest first) over the session's settings."""
    chosen: dict[str, Sourced] = {}
    seed: int | None = None
    for use in markers:
        for argument, raw in _explicit_arguments(use).items():
            source = f"from {_marker_text(use)}"
            if use.name == "bzzz" and argument == "seed":
                if raw is not None and seed is None:
                    try:
                        seed = _seed(raw)
                    except ValueError as error:
                        raise SettingError(f"{_marker_text(use)}: seed: {error}") from None
                continue
            setting = next(s for s in SETTINGS if s.marker == use.name and s.argument == argument)
            try:
                value = setting.parse(raw)
            except ValueError as error:
                raise SettingError(f"{_marker_text(use)}: {argument}: {error}") from None
            chosen.setdefault(setting.name, Sourced(value, source))
    values = {**session.values, **chosen}
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
        seed=derived_seed if seed is None else seed,
        seed_from_marker=seed is not None,
        session_seed=session.seed,
        conditions=conditions,
        clock=values["clock"].value,
        record_calls=values["record_calls"].value,
        sources={name: sourced.source for name, sourced in values.items()},
    )
