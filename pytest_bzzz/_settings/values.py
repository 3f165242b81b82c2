"""Parsers of values written by hand, one per kind of setting, shared by every place it comes from.

A marker argument, a command-line option, an environment variable and an ini
option all go through the same parser, so a value means the same wherever it
is written. Each parser returns the typed value or raises ``ValueError``
saying what it got and what is accepted; the resolver adds where the value
came from. Durations and rates are read by the kernel's ``units`` module.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from .._backends.registry import BACKENDS
from .._kernel.clock import ClockMode
from .._kernel.operations import OPERATIONS
from .._kernel.seeds import SEED_LIMIT
from .._kernel.units import parse_duration

__all__ = [
    "BACKEND_HELP",
    "SEED_HELP",
    "parse_backend",
    "parse_clock",
    "parse_count",
    "parse_distribution",
    "parse_duration_or_none",
    "parse_ops",
    "parse_seed",
]

SEED_HELP: Final = f"a whole number from 0 to {SEED_LIMIT - 1}"
BACKEND_HELP: Final = f"the name of a backend: {', '.join(sorted(BACKENDS))}"


def parse_duration_or_none(value: object) -> float | None:
    """A duration as ``parse_duration`` reads it, or ``None`` (``"none"``, ``"off"``) for none."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "off")):
        return None
    return parse_duration(value)


def parse_clock(value: object) -> ClockMode:
    if value == "virtual":
        return "virtual"
    if value == "real":
        return "real"
    raise ValueError(f"expected 'virtual' or 'real', got {value!r}")


def parse_distribution(value: object) -> str:
    if value in ("uniform", "normal"):
        return str(value)
    raise ValueError(f"expected 'uniform' or 'normal', got {value!r}")


def parse_count(value: object) -> int:
    """A whole number, 0 or more (an int, or its digits as text)."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError(f"expected a whole number, 0 or more, got {value!r}")


def parse_seed(value: object) -> int:
    """A seed: a whole number in ``range(SEED_LIMIT)`` (an int, or its digits as text)."""
    number = int(value) if isinstance(value, str) and value.strip().isdigit() else value
    if isinstance(number, int) and not isinstance(number, bool) and 0 <= number < SEED_LIMIT:
        return number
    raise ValueError(f"expected {SEED_HELP}, got {value!r}")


def parse_ops(value: object) -> frozenset[str] | None:
    """Operation names: a collection of them, or comma-separated text; ``None`` for all."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [name.strip() for name in value.split(",") if name.strip()]
    if not isinstance(value, Iterable):
        raise ValueError(f"expected a list of operation names, got {value!r}")
    try:
        return OPERATIONS.check(value)
    except TypeError as error:
        raise ValueError(str(error)) from None


def parse_backend(value: object) -> str:
    """A backend's name, as the backend registry knows it (``memory``)."""
    name = value.strip() if isinstance(value, str) else value
    if not isinstance(name, str) or name not in BACKENDS:
        raise ValueError(f"expected {BACKEND_HELP}, got {value!r}")
    return name
