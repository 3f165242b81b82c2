"""Parsers of values written by hand, one per kind of setting, shared by every place it comes from.

A marker argument, a command-line option, an environment variable and an ini
option all go through the same parser, so a value means the same wherever it
is written. Each parser returns the typed value or raises ``ValueError``
saying what it got and what is accepted; the resolver adds where the value
came from. Durations and rates are read by the kernel's ``units`` module.
Words (``real``, ``normal``, ``memory``, ``none``) are read in any case.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from .._backends.registry import BACKENDS, DEFAULT_BACKEND, LIBP2P_EXTRA
from .._kernel.clock import ClockMode
from .._kernel.conditions import check_operations
from .._kernel.seeds import SEED_LIMIT
from .._kernel.units import parse_duration, parse_rate

__all__ = [
    "BACKEND_HELP",
    "SEED_HELP",
    "SIZE_HELP",
    "SWITCH_HELP",
    "parse_backend",
    "parse_clock",
    "parse_count",
    "parse_distribution",
    "parse_duration_or_none",
    "parse_failure_rate",
    "parse_ops",
    "parse_positive_count",
    "parse_positive_duration",
    "parse_seed",
    "parse_size_or_none",
    "parse_switch",
]

SEED_HELP: Final = f"a whole number from 0 to {SEED_LIMIT - 1}"
BACKEND_HELP: Final = (
    f"the name of a backend: {DEFAULT_BACKEND}, or libp2p (real py-libp2p hosts; it needs "
    f"the {LIBP2P_EXTRA} extra)"
)
"""Every built-in backend, whether it can be loaded here or not (asked for without its extra,
the libp2p backend's error says what to install)."""


SWITCH_HELP: Final = "true or false (also yes/no, on/off, 1/0)"
SIZE_HELP: Final = (
    "a size in bytes: a whole number, or with a unit ('1MiB', '512KiB', '1000B'), "
    "or None for no limit"
)

_SWITCH_WORDS: Final = {
    "true": True, "yes": True, "on": True, "1": True,
    "false": False, "no": False, "off": False, "0": False,
}  # fmt: skip
_SIZE_UNITS: Final = {
    "b": 1,
    "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
    "kb": 1000, "mb": 1000**2, "gb": 1000**3,
}  # fmt: skip


def parse_switch(value: object) -> bool:
    """On or off: ``True``/``False``, or a word for either (``true``, ``off``, ``1``), any case.

    The numbers 1 and 0 (a TOML table's ``= 1``) are read as their words are.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    word = _word(value)
    if isinstance(word, str) and word in _SWITCH_WORDS:
        return _SWITCH_WORDS[word]
    raise ValueError(f"expected {SWITCH_HELP}, got {value!r}")


def parse_size_or_none(value: object) -> int | None:
    """A number of bytes, 1 or more: an int, digits, or digits with a unit (``1MiB``,
    ``512 KiB``, ``1000B``; ``KB``/``MB`` are powers of 1000); ``None`` (``"none"``,
    ``"off"``) for no limit."""
    word = _word(value)
    if value is None or word in ("none", "off"):
        return None
    size: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    elif isinstance(word, str):
        number = word.rstrip("abcdefghijklmnopqrstuvwxyz").strip()
        unit = word[len(word.rstrip("abcdefghijklmnopqrstuvwxyz")) :].strip() or "b"
        if number.isdigit() and unit in _SIZE_UNITS:
            size = int(number) * _SIZE_UNITS[unit]
    if size is None:
        raise ValueError(f"expected {SIZE_HELP}, got {value!r}")
    if size < 1:
        raise ValueError(f"must be 1 byte or more (or None for no limit), got {value!r}")
    return size


def parse_duration_or_none(value: object) -> float | None:
    """A duration as ``parse_duration`` reads it, or ``None`` (``"none"``, ``"off"``) for none."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "off")):
        return None
    return parse_duration(value)


def parse_positive_duration(value: object) -> float:
    """A duration as ``parse_duration`` reads it, more than 0."""
    seconds = parse_duration(value)
    if seconds == 0:
        raise ValueError(f"must be more than 0, got {value!r}")
    return seconds


def _word(value: object) -> object:
    """Text as a word: stripped and in lower case (anything else as it is)."""
    return value.strip().lower() if isinstance(value, str) else value


def parse_clock(value: object) -> ClockMode:
    word = _word(value)
    if word == "virtual":
        return "virtual"
    if word == "real":
        return "real"
    raise ValueError(f"expected 'virtual' or 'real', got {value!r}")


def parse_distribution(value: object) -> str:
    word = _word(value)
    if word in ("uniform", "normal"):
        return str(word)
    raise ValueError(f"expected 'uniform' or 'normal', got {value!r}")


def parse_failure_rate(value: object) -> float:
    """A probability as ``parse_rate`` reads it; a refused number above 1, up to 100, is asked
    about as a percentage (``10``: "did you mean '10%'?")."""
    try:
        return parse_rate(value)
    except ValueError as error:
        text = value.strip() if isinstance(value, str) else value
        try:
            number = float(text) if isinstance(text, (str, int, float)) else None
        except ValueError:
            number = None
        if isinstance(value, bool) or number is None or not 1 < number <= 100:
            raise
        percent = text if isinstance(text, str) else f"{number:g}"
        raise ValueError(f"{error}; did you mean '{percent}%'?") from None


def parse_count(value: object) -> int:
    """A whole number, 0 or more (an int, or its digits as text)."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError(f"expected a whole number, 0 or more, got {value!r}")


def parse_positive_count(value: object) -> int:
    """A whole number, 1 or more (an int, or its digits as text)."""
    if isinstance(value, str) and value.strip().isdigit() and int(value) >= 1:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise ValueError(f"expected a whole number, 1 or more, got {value!r}")


def parse_seed(value: object) -> int:
    """A seed: a whole number in ``range(SEED_LIMIT)`` (an int, or its digits as text)."""
    number = int(value) if isinstance(value, str) and value.strip().isdigit() else value
    if isinstance(number, int) and not isinstance(number, bool) and 0 <= number < SEED_LIMIT:
        return number
    raise ValueError(f"expected {SEED_HELP}, got {value!r}")


def parse_ops(value: object) -> frozenset[str] | None:
    """Operation names: a collection of them, or comma-separated text; ``None`` for all.

    An empty collection is refused: it would switch failures off unnoticed.
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = [name.strip() for name in value.split(",") if name.strip()]
    if not isinstance(value, Iterable):
        raise ValueError(
            f"expected a list of operation names, got {type(value).__name__} {value!r}"
        )
    names = list(value)
    for name in names:
        if not isinstance(name, str):
            raise ValueError(f"operation names must be str, got {type(name).__name__} {name!r}")
    if not names:
        raise ValueError(
            "no operation is named; leave ops out (or give ops=None) for every operation, "
            "or give flaky_network(0) to switch failures off"
        )
    return check_operations(names)


def parse_backend(value: object) -> str:
    """A backend's name, as the backend registry knows it (``memory``), in any case."""
    word = _word(value)
    for name in BACKENDS:
        if isinstance(word, str) and word == name.lower():
            return name
    raise ValueError(f"expected {BACKEND_HELP}, got {value!r}")
