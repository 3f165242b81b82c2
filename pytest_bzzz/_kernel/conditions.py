"""Network conditions: what the simulated network does to each operation.

A DHT operation is one request and one response, so of the conditions that
Toxiproxy and Linux netem offer, those that fit are: latency, jitter (with a
distribution), a failure probability, and a timeout. Bandwidth limits, packet
reordering, duplication and corruption act on byte streams and packets, which
these operations do not expose; they are not simulated (see the docs).

Durations here are seconds, as everywhere in the Python API.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Iterable
from types import EllipsisType
from typing import Any, Final, Literal, TypeAlias, get_args

from .operations import OPERATIONS
from .units import format_seconds, parse_rate, seconds_or_text

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = [
    "LIBP2P_RECORD_LIMIT",
    "Distribution",
    "NetworkConditions",
    "check_operations",
    "format_size",
    "seconds",
    "seconds_or_none",
    "with_failure_rate",
]

LIBP2P_RECORD_LIMIT: Final = 1 << 20
"""libp2p's record size limit (1 MiB): its peers refuse larger values, and empty ones."""

Distribution: TypeAlias = Literal["uniform", "normal"]
_DISTRIBUTIONS: Final = frozenset(get_args(Distribution))


def seconds(name: str, value: object) -> float:
    """Validate a duration given to the Python API (seconds, 0 or more).

    A value of the wrong type (not an int or a float) raises ``TypeError``; a
    number out of range (negative, infinite, NaN) raises ``ValueError``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, got {_shown_duration(value)}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number of seconds, 0 or more, got {value!r}")
    return float(value) + 0.0  # -0.0 is 0


def _shown_duration(value: object) -> str:
    """A duration of the wrong type as a message shows it: a string with a unit is read, to
    suggest the number to write instead (these take numbers, as asyncio's timeouts do)."""
    shown = f"{type(value).__name__} {value!r}"
    if isinstance(value, str):
        try:
            number = seconds_or_text("", value)
        except ValueError:
            return shown
        return f"{shown}; write {number!r}"
    return shown


def seconds_or_none(name: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"{name} must be a number of seconds, or None for none, got {_shown_duration(value)}"
        )
    return seconds(name, value)


def _distribution(value: object) -> Distribution:
    if not isinstance(value, str):
        raise TypeError(
            f"distribution must be a str, 'uniform' or 'normal', got {type(value).__name__}"
        )
    if value not in _DISTRIBUTIONS:
        raise ValueError(
            f"distribution must be one of {', '.join(sorted(_DISTRIBUTIONS))}, got {value!r}"
        )
    return value  # type: ignore[return-value]  # one of the Literal's values, checked above


def _failure_rate(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"failure_rate must be a number from 0 to 1, got {type(value).__name__}")
    if not 0 <= value <= 1:  # also refuses NaN
        raise ValueError(f"failure_rate must be between 0 and 1, got {value!r}")
    return float(value) + 0.0


def check_operations(names: Iterable[str]) -> frozenset[str]:
    """Operation names, each declared in ``OPERATIONS``, as a frozenset (``OPERATIONS.check``).

    An unknown name that is a known one in another case (``"PUT_VALUE"``) is
    refused with the known name to write instead.
    """
    chosen = names if isinstance(names, str) else list(names)
    try:
        return OPERATIONS.check(chosen)
    except ValueError:
        known = {name.lower(): name for name in OPERATIONS}
        for name in OPERATIONS:
            operation = OPERATIONS.get(name)
            if operation is not None:
                known.setdefault(operation.twin.lower(), name)  # "APUT_VALUE": put_value
        for name in sorted({n for n in chosen if isinstance(n, str)} - OPERATIONS.names()):
            meant = known.get(name.lower())
            if meant is not None and name != name.lower():  # the registry explains a twin
                twin = "" if meant == name.lower() else f", and {meant!r} covers {name.lower()!r}"
                raise ValueError(
                    f"unknown operation {name!r}: did you mean {meant!r}? (operation names are "
                    f"in lower case{twin})"
                ) from None
        raise


def _failure_ops(value: object, rate: float, name: str = "failure_ops") -> frozenset[str] | None:
    """Operation names, each declared in ``OPERATIONS``; ``None`` for every operation.

    ``name`` is the argument the caller wrote (``failure_ops``, or ``ops`` for
    ``set_failure_rate``), and ``rate`` the failure rate they go with, so that
    the advice fits the case.
    """
    if value is None:
        return None
    accepted = "a collection of operation names, or None for every operation"
    if isinstance(value, str):
        raise TypeError(
            f"{name} must be {accepted}, not the str {value!r} (for one operation: "
            f"{name}=[{value!r}])"
        )
    if not isinstance(value, Iterable):
        raise TypeError(f"{name} must be {accepted}, got {type(value).__name__}")
    names = list(value)
    for each in names:
        if not isinstance(each, str):
            raise TypeError(
                f"{name}: operation names must be str, got {type(each).__name__} {each!r}"
            )
    if not names:
        raise ValueError(_no_operation(name, rate))
    try:
        return check_operations(names)
    except ValueError as error:  # an unknown name: the registry's message, then the argument
        raise ValueError(
            f"{error}; {name} takes these names, or None for every operation"
        ) from None


def _no_operation(name: str, rate: float) -> str:
    """Why an empty ``failure_ops`` (or ``set_failure_rate``'s ``ops``) is refused; what instead."""
    rate_name = "failure_rate" if name == "failure_ops" else "the rate"
    if rate == 0:
        return (
            f"{name} must name at least one operation, or be None for every operation; with "
            f"{rate_name} 0 no operation fails anyway: leave {name} out"
        )
    if name == "failure_ops":
        return (
            "failure_ops must name at least one operation (an empty set would switch failures "
            "off unnoticed): leave it None for every operation, or give failure_rate=0 for no "
            "failures"
        )
    return (
        f"{name} must name at least one operation (an empty collection would switch failures "
        f"off unnoticed): leave {name} out to keep the operations the failures are limited to, "
        f"give {name}=None for every operation, or a rate of 0 for no failures"
    )


def _ambiguous_timeouts(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"ambiguous_timeouts must be True or False, got {type(value).__name__}")
    return value


def _max_record_size(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            "max_record_size must be a whole number of bytes, or None for no limit, "
            f"got {type(value).__name__}"
        )
    if value < 1:
        raise ValueError(
            f"max_record_size must be 1 byte or more (libp2p's is {LIBP2P_RECORD_LIMIT}, 1 MiB), "
            f"or None for no limit, got {value!r}"
        )
    return value


def format_size(size: int) -> str:
    """A size for people: ``1 MiB``, ``512 KiB``, ``1000 bytes``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} byte{'' if size == 1 else 's'}"


@dataclasses.dataclass(frozen=True, slots=True)
class NetworkConditions:
    """How the simulated network treats each operation. Immutable; use :meth:`replace`.

    ``latency`` and ``jitter`` are seconds: each operation's delay is drawn from
    ``distribution`` (``"uniform"``: evenly in ``[latency - jitter, latency +
    jitter]``; ``"normal"``: mean ``latency``, standard deviation ``jitter``),
    never below zero. Each operation fails with probability ``failure_rate``;
    ``failure_ops`` limits failures to the named operations (``None``: all;
    see ``pytest_bzzz.OPERATIONS`` for the names; an empty set is refused, as
    it would switch failures off unnoticed: ``failure_rate=0`` does that).
    ``timeout`` (seconds, or ``None`` for none) limits every operation that
    gives no ``timeout=`` of its own.

    Two of libp2p's behaviours, each off by default (see docs/fidelity.md):
    with ``ambiguous_timeouts``, a write (``put_value``, ``provide``, the
    connector's ``store``, ``delete`` and ``announce``) that times out was
    applied or not, as a seeded draw decides (even odds), instead of never;
    with ``max_record_size`` (bytes, or ``None`` for no limit; libp2p's is
    ``LIBP2P_RECORD_LIMIT``, 1 MiB), a value put over the limit, or an empty
    one, is kept only by the peer that put it: the other peers refuse it, and
    ``put_value`` reports success all the same.
    """

    latency: float = 0.0
    jitter: float = 0.0
    distribution: Distribution = "uniform"
    failure_rate: float = 0.0
    failure_ops: frozenset[str] | None = None
    timeout: float | None = None
    ambiguous_timeouts: bool = False
    max_record_size: int | None = None

    def __post_init__(self) -> None:
        # Each field: a value of the wrong type raises TypeError, one out of range ValueError,
        # and the message names the field.
        set_field = object.__setattr__
        set_field(self, "latency", seconds("latency", self.latency))
        set_field(self, "jitter", seconds("jitter", self.jitter))
        set_field(self, "distribution", _distribution(self.distribution))
        set_field(self, "failure_rate", _failure_rate(self.failure_rate))
        set_field(self, "failure_ops", _failure_ops(self.failure_ops, self.failure_rate))
        set_field(self, "timeout", seconds_or_none("timeout", self.timeout))
        set_field(self, "ambiguous_timeouts", _ambiguous_timeouts(self.ambiguous_timeouts))
        set_field(self, "max_record_size", _max_record_size(self.max_record_size))

    def replace(self, **changes: Any) -> NetworkConditions:
        """Return a copy with the given fields changed (validated)."""
        # Built here rather than by dataclasses.replace, whose frame would show in the
        # traceback of a refused value: this module's frames are hidden, the stdlib's not.
        fields = {name: getattr(self, name) for name in _FIELDS}
        unknown = sorted(changes.keys() - fields.keys())
        if unknown:
            raise TypeError(
                f"NetworkConditions has no field {unknown[0]!r}; its fields: {', '.join(_FIELDS)}"
            )
        fields.update(changes)
        return NetworkConditions(**fields)

    def draw_latency(self, rng: random.Random) -> float:
        """Draw one operation's delay. Draws from ``rng`` only when there is jitter."""
        jitter = self.jitter
        if not jitter:
            return self.latency
        if self.distribution == "uniform":
            # The same arithmetic as rng.uniform(latency - jitter, latency + jitter).
            low = self.latency - jitter
            delay = low + (self.latency + jitter - low) * rng.random()
        else:
            delay = rng.gauss(self.latency, jitter)
        return delay if delay > 0 else 0.0

    def may_fail(self, op: str) -> bool:
        """Whether ``op`` is subject to the failure rate (and so draws for it)."""
        return self.failure_rate > 0 and (self.failure_ops is None or op in self.failure_ops)

    def refuses(self, value: bytes) -> bool:
        """Whether peers other than the writer refuse ``value`` (over the limit, or empty)."""
        limit = self.max_record_size
        return limit is not None and (len(value) > limit or not value)

    def describe(self) -> str:
        """One line for people: ``latency 250ms ± 50ms (uniform), failure rate 0.1``."""
        parts = []
        if self.latency or self.jitter:
            text = f"latency {format_seconds(self.latency)}"
            if self.jitter:
                text += f" ± {format_seconds(self.jitter)} ({self.distribution})"
            parts.append(text)
        if self.failure_rate:
            text = f"failure rate {self.failure_rate:.4g}"
            if self.failure_ops is not None:
                text += f" on {', '.join(sorted(self.failure_ops))}"
            parts.append(text)
        if self.timeout is not None:
            parts.append(f"timeout {format_seconds(self.timeout)}")
        if self.ambiguous_timeouts:
            parts.append("ambiguous timeouts (a timed-out write may have been applied)")
        if self.max_record_size is not None:
            parts.append(f"record size limit {format_size(self.max_record_size)}")
        return ", ".join(parts) or "a perfect network (no latency, no failures)"


_FIELDS: Final = tuple(field.name for field in dataclasses.fields(NetworkConditions))


def with_failure_rate(
    conditions: NetworkConditions, rate: object, ops: Iterable[str] | EllipsisType | None = ...
) -> NetworkConditions:
    """``conditions`` with the failure ``rate`` (0 to 1, checked) and, unless ``...``, ``ops``.

    What a mock's ``set_failure_rate`` does to its world's conditions: left
    out, ``ops`` stays what it was (limited by a ``flaky_network(ops=...)``
    marker, say).
    """
    if isinstance(rate, bool) or not isinstance(rate, (int, float)):
        raise TypeError(f"rate must be a number between 0 and 1, got {type(rate).__name__}")
    try:
        value = parse_rate(rate)
    except ValueError as error:
        raise ValueError(f"rate {error}") from None
    failing = conditions.failure_ops if ops is ... else _failure_ops(ops, value, "ops")
    return conditions.replace(failure_rate=value, failure_ops=failing)
