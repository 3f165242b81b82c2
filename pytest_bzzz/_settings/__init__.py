"""Settings: every knob of the plugin, where it may come from, and the one place that decides.

Pytest-free: the plugin hands this package plain data (command-line values,
the environment, ini text, the markers on a test, what an xdist controller
sent, a way to read the previous run's seed, whether the run reruns the
previous run's failures) and turns a
:class:`SettingError` into pytest's errors. It may import the kernel and the
backends' registry (to know the valid values), never pytest.

- ``values``: the parsers of values written by hand;
- ``table``: the settings' rows and the markers, and what is derived from
  them (option and ini names and help, marker signatures and help lines);
- ``resolve``: precedence, for the whole run and for each test.
"""

from __future__ import annotations

from .resolve import (
    MarkerUse,
    SessionSettings,
    SettingError,
    Sourced,
    WorldSettings,
    check_markers,
    deprecated_variables,
    parse_session_seed,
    resolve_session,
    resolve_test,
    unknown_variables,
)
from .table import MARKERS, SETTINGS, Marker, Setting

__all__ = [
    "MARKERS",
    "SETTINGS",
    "Marker",
    "MarkerUse",
    "SessionSettings",
    "Setting",
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
