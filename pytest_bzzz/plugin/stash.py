"""Where the plugin keeps what it read once per run: keys into ``config.stash``.

Apart from the modules that fill and read them, so that any of those may
import the keys without importing each other.
"""

from __future__ import annotations

import pytest

from .._settings import SessionSettings

__all__ = ["SESSION_KEY"]

SESSION_KEY = pytest.StashKey[SessionSettings]()
"""The run's settings, resolved once when pytest is configured (``options``)."""
