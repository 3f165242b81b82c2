"""The table of settings: one row per knob, and everything the plugin derives from the rows.

A row says what a setting is called, how its value is read, its default, what
it accepts and which marker argument (if any) sets it. From the rows alone
come its command-line option, environment variable and ini option (with their
help texts), and each marker's signature and help line: nothing about a
setting is written anywhere else. A new setting that the command line, the
environment, the ini file and a marker may set needs nothing but its row;
the resolver (:mod:`.resolve`) decides its value with every other's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from .._backends.registry import DEFAULT_BACKEND, DEFAULT_LIBP2P_HOSTS
from .._kernel.defaults import (
    DEFAULT_ELECTION_TIMEOUT,
    DEFAULT_HEARTBEAT,
    DEFAULT_PROVIDER_TTL,
    DEFAULT_REPLICATION,
    DEFAULT_VALUE_TTL,
)
from .._kernel.record import DEFAULT_RECORD_LIMIT
from .._kernel.seeds import fresh_seed
from .._kernel.units import DURATION_HELP, parse_duration
from .values import (
    BACKEND_HELP,
    SEED_HELP,
    SIZE_HELP,
    SWITCH_HELP,
    parse_backend,
    parse_clock,
    parse_count,
    parse_distribution,
    parse_duration_or_none,
    parse_failure_rate,
    parse_ops,
    parse_positive_count,
    parse_positive_duration,
    parse_seed,
    parse_size_or_none,
    parse_switch,
)

__all__ = [
    "DEPRECATED_ENV_PREFIX",
    "ENV_PREFIX",
    "MARKERS",
    "REAL_DHT_SWITCH",
    "SETTINGS",
    "Marker",
    "Setting",
    "derive_markers",
    "setting_named",
]

ENV_PREFIX: Final = "PYTEST_BZZZ_"
"""The prefix of the plugin's environment variables."""
DEPRECATED_ENV_PREFIX: Final = "BZZZ_"
"""Their former prefix, which the real BZZZ node's own configuration shares; still read."""
REAL_DHT_SWITCH: Final = "BZZZ_USE_REAL_DHT"
"""BZZZ's hybrid design's switch to the real DHT: ``true`` picks the libp2p backend."""


@dataclasses.dataclass(frozen=True)
class Setting:
    """One knob: its name, how to read it, and where it may be written.

    Unless ``configurable`` is false, it may be given on the command line
    (``--bzzz-<name>``), in the environment (``PYTEST_BZZZ_<NAME>``, or the
    deprecated ``BZZZ_<NAME>``) and in the ini file (``bzzz_<name>``); if
    ``marker`` names a marker, also as that marker's argument ``argument``
    (the setting's name unless given).
    """

    name: str
    parse: Callable[[object], Any]
    """Reads a value written by hand; raises ``ValueError`` saying what is accepted."""
    default: Any
    """The value when nothing gives one; also the default a marker's signature shows."""
    accepted: str
    """What ``parse`` accepts, for the option's and the ini option's help."""
    help: str
    """What the setting does, for the option's and the ini option's help."""
    marker: str | None = None
    argument: str = ""
    positional: bool = False
    """The marker's argument comes first, may be given by position, and must be given."""
    configurable: bool = True
    """Also from the command line, the environment and the ini file."""
    metavar: str = ""
    """The option's value in ``--help``; the setting's name in capitals unless given."""
    fresh: Callable[[], Any] | None = None
    """Draws a new value for each run when nothing gives one (instead of ``default``)."""
    remembered: bool = False
    """Each run records its value, and the text ``last`` reuses the previous run's."""
    none_is_unwritten: bool = False
    """A marker's ``None`` for it counts as not written (it does not stand for a value)."""
    switch: tuple[str, object] | None = None
    """``(variable, value)``: an environment variable that, set to a true word (``true``,
    ``1``, ``yes``, ``on``), gives the setting ``value``, after the setting's own variables
    (a false word gives nothing). BZZZ's hybrid design switches its DHT so."""

    def __post_init__(self) -> None:
        if not self.argument:
            object.__setattr__(self, "argument", self.name)

    @property
    def option(self) -> str:
        return "--bzzz-" + self.name.replace("_", "-")

    @property
    def dest(self) -> str:
        """The option's attribute on the parsed command line."""
        return "bzzz_" + self.name

    @property
    def env(self) -> str:
        """The environment variable: ``PYTEST_BZZZ_<NAME>``."""
        return ENV_PREFIX + self.name.upper()

    @property
    def deprecated_env(self) -> str:
        """The variable's former name, still read (with a warning): ``BZZZ_<NAME>``.

        The real BZZZ node reads ``BZZZ_*`` variables of its own configuration
        (``BZZZ_LOG_LEVEL``, ``BZZZ_AGENT_ID``), so the plugin's moved to a
        prefix of their own.
        """
        return DEPRECATED_ENV_PREFIX + self.name.upper()

    @property
    def ini(self) -> str:
        return "bzzz_" + self.name

    @property
    def option_metavar(self) -> str:
        return self.metavar or self.name.upper()

    @property
    def accepted_text(self) -> str:
        """What the command line, the environment and the ini file accept."""
        if self.remembered:
            return f"{self.accepted}, or 'last' for the previous run's"
        return self.accepted

    @property
    def option_help(self) -> str:
        return f"{self.help}: {self.accepted_text} (env {self.env}, ini {self.ini})"

    @property
    def ini_help(self) -> str:
        return f"pytest-bzzz: {self.help} ({self.accepted_text})"

    @property
    def per_run(self) -> bool:
        """Drawn or recalled once per run: pytest-xdist's workers take their controller's."""
        return self.fresh is not None or self.remembered


SETTINGS: Final = (
    Setting("seed", parse_seed, None, SEED_HELP, "session seed every test's seed derives from",
            marker="bzzz", metavar="N|last", fresh=fresh_seed, remembered=True,
            none_is_unwritten=True),
    Setting("latency", parse_duration, 0.0, DURATION_HELP, "simulated latency of every operation",
            marker="latency", argument="ms", positional=True),
    Setting("jitter", parse_duration, 0.0, DURATION_HELP,
            "how far each operation's latency may stray from the latency", marker="latency"),
    Setting("distribution", parse_distribution, "uniform", "'uniform' or 'normal'",
            "how latencies are drawn around the latency", marker="latency"),
    Setting("failure_rate", parse_failure_rate, 0.0,
            "a number from 0 to 1 (or a percentage such as '10%')",
            "probability that an operation fails with NetworkError",
            marker="flaky_network", argument="rate", positional=True),
    Setting("ops", parse_ops, None, "a list of operation names",
            "operations the failure rate applies to", marker="flaky_network", configurable=False),
    Setting("clock", parse_clock, "virtual", "'virtual' or 'real'",
            "virtual time (simulated latency costs no wall time) or the real clock", marker="bzzz"),
    Setting("timeout", parse_duration_or_none, None, f"{DURATION_HELP}, or None for no timeout",
            "operations whose latency exceeds it raise NetworkTimeout", marker="bzzz"),
    Setting("ambiguous_timeouts", parse_switch, False, SWITCH_HELP,
            "a write that times out was applied or not, as a seeded draw decides (as on libp2p), "
            "instead of never", marker="bzzz"),
    Setting("max_record_size", parse_size_or_none, None, SIZE_HELP,
            "values put over this size (libp2p's is 1MiB), and empty values, are kept only by "
            "the peer that puts them", marker="bzzz"),
    Setting("record_calls", parse_count, DEFAULT_RECORD_LIMIT,
            "a whole number, 0 or more (0 keeps no record)",
            "how many calls each test's record keeps", marker="bzzz"),
    Setting("backend", parse_backend, DEFAULT_BACKEND, BACKEND_HELP,
            "the backend that builds mock_dht and mock_bzzz", marker="bzzz",
            switch=(REAL_DHT_SWITCH, "libp2p")),
    Setting("libp2p_hosts", parse_positive_count, DEFAULT_LIBP2P_HOSTS,
            "a whole number, 1 or more",
            "how many py-libp2p hosts the libp2p backend runs (one per peer of a world)"),
    Setting("peers", parse_positive_count, 1, "a whole number, 1 or more",
            "how many peers each test's world starts with, the local one included",
            marker="bzzz"),
    Setting("replication", parse_positive_count, DEFAULT_REPLICATION, "a whole number, 1 or more",
            "how many peers closest to a key keep a copy of what is stored under it",
            marker="bzzz"),
    Setting("value_ttl", parse_duration, DEFAULT_VALUE_TTL, DURATION_HELP,
            "how long a stored value lives unless stored again", marker="bzzz"),
    Setting("provider_ttl", parse_duration, DEFAULT_PROVIDER_TTL, DURATION_HELP,
            "how long a provider record lives unless provided again", marker="bzzz"),
    Setting("heartbeat", parse_positive_duration, DEFAULT_HEARTBEAT,
            f"{DURATION_HELP}, more than 0 and less than the election timeout",
            "how often the elected leader heartbeats to its followers", marker="bzzz"),
    Setting("election_timeout", parse_positive_duration, DEFAULT_ELECTION_TIMEOUT,
            f"{DURATION_HELP}, more than the heartbeat",
            "how long followers go without a heartbeat before they elect a new leader",
            marker="bzzz"),
)  # fmt: skip
"""Every setting, in the order of ``--help`` and of their marker's signature."""


def setting_named(name: str) -> Setting:
    return next(setting for setting in SETTINGS if setting.name == name)


@dataclasses.dataclass(frozen=True)
class Marker:
    """A marker: its name, what it does, and the settings its arguments set, in order."""

    name: str
    description: str
    settings: tuple[Setting, ...]

    @property
    def positional(self) -> tuple[str, ...]:
        return tuple(setting.argument for setting in self.settings if setting.positional)

    @property
    def keywords(self) -> tuple[str, ...]:
        return tuple(setting.argument for setting in self.settings if not setting.positional)

    @property
    def arguments(self) -> tuple[str, ...]:
        return (*self.positional, *self.keywords)

    def setting(self, argument: str) -> Setting:
        return next(setting for setting in self.settings if setting.argument == argument)

    @property
    def signature(self) -> str:
        """Its signature as Python would show it: ``latency(ms, *, jitter=0, ...)``."""
        parts = list(self.positional)
        if self.keywords:
            parts.append("*")
            parts += [
                f"{setting.argument}={_shown(setting.default, setting.parse in _DURATIONS)}"
                for setting in self.settings
                if not setting.positional
            ]
        return f"{self.name}({', '.join(parts)})"

    @property
    def help(self) -> str:
        """The line ``pytest --markers`` shows (after ``@pytest.mark.``)."""
        return f"{self.signature}: {self.description}"


_DURATIONS: Final = (parse_duration, parse_positive_duration)


def _shown(value: object, duration: bool = False) -> str:
    """A default as a signature shows it: ``0`` for ``0.0``, a duration with its unit
    (``'36h'``: a bare number would read as milliseconds), else its repr."""
    if duration and isinstance(value, float) and value:
        for unit, size in (("h", 3600), ("min", 60), ("s", 1)):
            if value >= size and (value / size).is_integer():
                return repr(f"{int(value / size)}{unit}")
        return repr(f"{value * 1000:g}ms")
    if isinstance(value, float) and value.is_integer():
        return repr(int(value))
    return repr(value)


def derive_markers(
    descriptions: Iterable[tuple[str, str]], settings: Iterable[Setting]
) -> dict[str, Marker]:
    """Each described marker with the settings whose rows name it, in the rows' order."""
    settings = tuple(settings)
    markers = {
        name: Marker(name, description, tuple(s for s in settings if s.marker == name))
        for name, description in descriptions
    }
    for setting in settings:
        if setting.marker is not None and setting.marker not in markers:
            raise ValueError(f"setting {setting.name!r}: no marker {setting.marker!r}")
        if setting.positional and setting.marker is None:
            raise ValueError(f"setting {setting.name!r}: positional, but of no marker")
    for marker in markers.values():
        if len(set(marker.arguments)) != len(marker.arguments):
            raise ValueError(f"marker {marker.name!r}: arguments {marker.arguments} repeat")
    return markers


MARKER_DESCRIPTIONS: Final = (
    ("latency", "simulate network latency for the test, class or module. A number is "
                "milliseconds; a string may carry a unit ('250ms', '1.5s'). latency(0) switches "
                "a wider latency off."),
    ("flaky_network", "each operation fails with NetworkError with probability rate (0 to 1); "
                      "ops limits it to the named operations. flaky_network(0) switches a wider "
                      "one off."),
    ("bzzz", "the test's seed (exactly this one), clock ('virtual' or 'real'), operation "
             "timeout (milliseconds or with a unit), ambiguous_timeouts (a timed-out write may "
             "have been applied), max_record_size ('1MiB': larger and empty values stay with "
             "their writer), call record size, backend (the "
             "built-in one is 'memory'), peers (the local one included), replication, "
             "the lifetimes of values and provider records ('36h'), and the leader's "
             "heartbeat and election timeout ('5s', '15s')."),
)  # fmt: skip
"""Each marker's name and what it does; its arguments are the rows that name it."""

MARKERS: Final[Mapping[str, Marker]] = derive_markers(MARKER_DESCRIPTIONS, SETTINGS)
"""Marker name -> :class:`Marker`, derived from the two tables above."""
