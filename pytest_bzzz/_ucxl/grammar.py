"""The rules of an address's head and length, shared by the parser and its diagnosis.

Both :mod:`.address` (the parser and the constructor) and :mod:`.diagnosis`
(which explains what the parser rejects) need the scheme, the component names
and rules, and the length limit; they live here so that neither module
imports the other's internals.
"""

from __future__ import annotations

import re
from typing import Final

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

MAX_LENGTH: Final = 4096
"""The longest address accepted, as written and in canonical form."""

SCHEME: Final = "ucxl://"
WILDCARD: Final = "any"
_COMPONENTS: Final = ("agent", "role", "project", "task")
_COMPONENT_RE: Final = re.compile(r"[A-Za-z0-9_-]+|\*")
_ASCII_LETTERS_DIGITS: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
)


def _component_fault(value: str) -> str | None:
    """Say what is wrong with a component, or None if it is valid."""
    if _COMPONENT_RE.fullmatch(value):
        return None
    if not value:
        return "is empty: expected letters, digits, '_' and '-', or a wildcard ('any' or '*')"
    if "*" in value:
        return "a wildcard must be the whole component, written 'any' or '*'"
    bad = next(char for char in value if char not in _ASCII_LETTERS_DIGITS)
    note = ", which is not an ASCII letter" if bad.isalpha() else ""
    return f"only letters, digits, '_' and '-' are allowed (found {bad!r}{note})"
