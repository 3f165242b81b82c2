"""Durations and rates as people write them in markers, on the command line and in ini files.

The Python API takes seconds (``set_network_latency(0.25)``), as Python's own
time functions do. Configuration written by hand takes milliseconds, the unit
network people think in, or a string with a unit (``"250ms"``, ``"1.5s"``;
``"10min"`` and ``"36h"`` for the long spans of record lifetimes).
Both parsers raise ``ValueError`` saying what is accepted; callers add where
the value came from. Units are case-insensitive (``"250MS"``); a negative
duration is a number, and is refused as one (it must be 0 or more).
"""

from __future__ import annotations

import math
import re
from typing import Final

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = [
    "DURATION_HELP",
    "format_seconds",
    "parse_duration",
    "parse_rate",
    "seconds_or_text",
]

DURATION_HELP: Final = "a number of milliseconds (250) or a string with a unit ('250ms', '1.5s')"
_DURATION_RE: Final = re.compile(
    r"\s*([+-]?[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*(ms|s|min|h)?\s*", re.IGNORECASE
)
_SCALE: Final = {None: 0.001, "ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0}


def parse_duration(value: object) -> float:
    """Read a duration written by hand; return seconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected {DURATION_HELP}, got {type(value).__name__} {value!r}")
    if isinstance(value, str):
        match = _DURATION_RE.fullmatch(value)
        if match is None:
            raise ValueError(f"expected {DURATION_HELP}, got {value!r}")
        seconds = float(match[1]) * _SCALE[None if match[2] is None else match[2].lower()]
    else:
        seconds = float(value) * 0.001
    if not math.isfinite(seconds):
        raise ValueError(f"must be a finite duration, 0 or more, got {value!r}")
    if seconds < 0:
        raise ValueError(f"must be 0 or more, got {value!r}")
    return seconds + 0.0  # -0 is 0


def seconds_or_text(name: str, value: object) -> float:
    """A duration given to the Python API: seconds (a number), or a string with a unit.

    A bare string of digits is refused: in the Python API a bare number means
    seconds, while in markers and configuration it means milliseconds, so the
    string must say which (``"250ms"``, ``"1.5s"``).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(
            f"{name} must be seconds (a number) or a string with a unit ('250ms', '1.5s'), "
            f"got {type(value).__name__} {value!r}"
        )
    if isinstance(value, str):
        match = _DURATION_RE.fullmatch(value)
        if match is None or match[2] is None:
            raise ValueError(
                f"{name} must be seconds (a number) or a string with a unit ('250ms', '1.5s'), "
                f"got {value!r}"
            )
        try:
            return parse_duration(value)
        except ValueError as error:  # negative or infinite: say of what
            raise ValueError(f"{name} {error}") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number of seconds, 0 or more, got {value!r}")
    return float(value) + 0.0


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
        if percent:
            raise ValueError(f"must be between 0% and 100%, got {value!r}")
        raise ValueError(f"must be between 0 and 1, got {value!r}")
    return rate + 0.0  # -0 is 0


def format_seconds(seconds: float) -> str:
    """Write a duration for people: ``250ms``, ``1.5s``."""
    if seconds < 1:
        return f"{seconds * 1000:g}ms"
    return f"{seconds:g}s"
