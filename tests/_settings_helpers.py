"""Helpers shared by the ``test_settings_*`` modules: a configured session, a marker's use."""

from __future__ import annotations

from typing import Any

from pytest_bzzz._settings import MarkerUse, SessionSettings, resolve_session


def session(
    cli: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    ini: dict[str, str] | None = None,
) -> SessionSettings:
    return SessionSettings(seed=42, values=resolve_session(cli or {}, env or {}, ini or {}))


def use(name: str, *args: Any, where: str = "on test_x", **kwargs: Any) -> MarkerUse:
    return MarkerUse(name, args, kwargs, where)
