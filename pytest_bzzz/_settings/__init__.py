"""Settings: every knob of the plugin, where it may come from, and the one place that decides.

Pytest-free: the plugin hands this package plain data (command-line values,
the environment, ini text, the markers on a test) and turns a
:class:`SettingError` into pytest's errors. It may import the kernel and the
backends' registry (to know the valid values), never pytest.
"""

from __future__ import annotations

from .resolve import (
    MARKERS,
    SETTINGS,
    MarkerUse,
    SessionSettings,
    SettingError,
    WorldSettings,
    parse_session_seed,
    resolve_session,
    resolve_test,
)

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
