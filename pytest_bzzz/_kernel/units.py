"""Durations and rates as people write them in markers, on the command line and in ini files.

The Python API takes seconds (``set_network_latency(0.25)``), as Python's own
time functions do. Configuration written by hand takes milliseconds, the unit
network people think in, or a string with a unit (``"250ms"``, ``"1.5s"``).
Both parsers raise ``ValueError`` saying what is accepted; callers add where
the value came from.
"""

from __future__ import annotations

import math
import re
from typing import Final

__all__ = ["DURATION_HELP", "format_seconds", "parse_duration", "parse_rate"]

DURATION_HELP: Final = "a number of milliseconds (250) or a string with a unit ('250ms', '1.5s')"
_DURATION_RE: Final = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(ms|s)?\s*")
_SCALE: Final = {None: 0.001, "ms": 0.001, "s": 1.0}


def parse_duration(value: object) -> float:
    """Read a duration written by hand; return seconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected {DURATION_HELP}, got {type(value).__name__} {value!r}")
    if isinstance(value, str):
        match = _DURATION_RE.fullmatch(value)
        if match is None:
            raise ValueError(f"expected {DURATION_HELP}, got {value!r}")
        seconds = float(match[1]) * _SCALE[match[2]]
    else:
        seconds = float(value) * 0.001
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"expected a finite duration of 0 or more, got {value!r}")
    return seconds


def parse_rate(value: object) -> float:
    """Read a probability: a number in [0, 1], or a percentage string such as ``"10%"``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected a number between 0 and 1, got {type(value).__name__} {value!r}")
    percent = isinstance(value, str) and value.strip().endswith("%")
    try:
        rate = float(str(value).strip()[:-1]) / 100 if percent else float(value)
    except ValueError:
        raise ValueError(
            f"expected a number between 0 and 1 (or a percentage such as '10%'), got {value!r}"
        ) from None
    if not 0 <= rate <= 1:  # also refuses NaN
        raise ValueError(f"must be between 0 and 1, got {value!r}")
    return rate


def format_seconds(seconds: float) -> str:
    """Write a duration for people: ``250ms``, ``1.5s``."""
    if seconds < 1:
        return f"{seconds * 1000:g}ms"
    return f"{seconds:g}s"
