"""Temporal selectors: the ``temporal_selectors`` strategy and the kind checks it shares.

The address strategies draw their temporal segment from here, and the
near-miss strategy draws well-formed tokens from here to misplace them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Final, get_args

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from .._ucxl.temporal import MAX_NUMBER, Temporal, TemporalKind

_KINDS: Final[tuple[TemporalKind, ...]] = get_args(TemporalKind)  # simplest first

_MIN_INSTANT: Final = datetime(1, 1, 1)
_MAX_INSTANT: Final = datetime(9999, 12, 31, 23, 59, 59, 999_999)
_ANY_INSTANTS: Final = st.datetimes(_MIN_INSTANT, _MAX_INSTANT, timezones=st.just(UTC))
# Half are whole seconds, as most real timestamps are (and as they read canonically).
_INSTANTS: Final = st.one_of(_ANY_INSTANTS.map(lambda at: at.replace(microsecond=0)), _ANY_INSTANTS)
# Half the numbers are small, so that they fall inside the histories tests build.
_NUMBERS: Final = st.one_of(st.integers(0, 4), st.integers(0, MAX_NUMBER))


def _kind_selectors(kind: TemporalKind) -> SearchStrategy[Temporal]:
    if kind in ("latest", "earliest"):
        return st.just(Temporal(kind))
    if kind == "at":
        return _INSTANTS.map(lambda at: Temporal("at", at=at))
    return _NUMBERS.map(lambda n: Temporal(kind, n))


_SELECTORS: Final = {kind: _kind_selectors(kind) for kind in _KINDS}
_ANY_SELECTORS: Final = st.one_of(list(_SELECTORS.values()))


def _check_kinds(argument: str, value: object) -> tuple[TemporalKind, ...]:
    """Validate a collection of temporal kind names; return them, simplest first."""
    accepted = ", ".join(repr(kind) for kind in _KINDS)
    if isinstance(value, str):
        raise InvalidArgument(
            f"{argument}={value!r} is a str; give a collection of kind names, "
            f"such as {{{value!r}}}, from {accepted}"
        )
    if not isinstance(value, Collection):
        raise InvalidArgument(
            f"{argument}={value!r} is not a collection of temporal kind names; "
            f"give names from {accepted}"
        )
    names = list(value)
    for name in names:
        if name not in _KINDS:
            raise InvalidArgument(
                f"{argument}={value!r} holds {name!r}, which is not a temporal kind; "
                f"accepted kinds: {accepted}"
            )
    if not names:
        raise InvalidArgument(
            f"{argument}={value!r} is empty, so no selector could be drawn; give at least one "
            f"kind from {accepted}"
            + (" (or temporal=False for addresses without one)" if argument == "temporal" else "")
        )
    return tuple(kind for kind in _KINDS if kind in names)


def temporal_selectors(
    *, kinds: Collection[TemporalKind] | None = None
) -> SearchStrategy[Temporal]:
    """Temporal selectors of the given ``kinds`` (default: every kind).

    ``kinds`` is a collection of kind names: ``"latest"``, ``"earliest"``,
    ``"version"``, ``"back"``, ``"forward"`` and ``"at"``. Numbers run from 0
    (so ``*~0``, which parses but never resolves, is drawn too) to the largest
    allowed, and half of them are at most 4, to fall inside the short version
    histories tests build; instants cover years 0001 to 9999 to the
    microsecond. Shrinks towards ``*^``, then small numbers and 2000-01-01.

    >>> temporal_selectors(kinds={"back", "forward"}).example().kind in {"back", "forward"}
    True
    """
    chosen = _KINDS if kinds is None else _check_kinds("kinds", kinds)
    return st.one_of([_SELECTORS[kind] for kind in chosen])
