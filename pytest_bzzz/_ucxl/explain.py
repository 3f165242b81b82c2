"""Explanations for failed ``==`` assertions on UCXL values, field by field.

Two addresses that differ in one character of a long path are hard to tell
apart in pytest's default output; naming the differing fields is what a
reader needs. Comparing an address with a string is a common slip (it is
always false), so that gets a hint of its own.
"""

from __future__ import annotations

from .address import UCXLAddress
from .temporal import Temporal

__all__ = ["explain_equality"]

_FIELDS: dict[type, tuple[str, ...]] = {
    UCXLAddress: ("agent", "role", "project", "task", "temporal", "path"),
    Temporal: ("kind", "n", "at"),
}


def explain_equality(left: object, right: object) -> list[str] | None:
    """Lines explaining why ``left == right`` failed, or None if neither is a UCXL value."""
    for kind, fields in _FIELDS.items():
        if isinstance(left, kind) and isinstance(right, kind):
            return [f"{left!r} == {right!r}", f"Differing {kind.__name__} fields:"] + [
                f"  {name}: {_show(getattr(left, name))} != {_show(getattr(right, name))}"
                for name in fields
                if getattr(left, name) != getattr(right, name)
            ]
    for value, other in ((left, right), (right, left)):
        if isinstance(value, (UCXLAddress, Temporal)) and isinstance(other, str):
            kind_name = type(value).__name__
            return [
                f"{left!r} == {right!r}",
                f"A {kind_name} never equals a str: compare str(...) of it with the string,",
                f"or parse the string first: {kind_name}.parse({other!r}).",
            ]
    return None


def _show(value: object) -> str:
    if isinstance(value, Temporal):
        return repr(str(value))
    return repr(value)
