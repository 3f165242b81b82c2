"""The characters and parts an address is built from: components, segments and paths.

Values are built from their parts and then written out, never generated as
text and filtered through the parser. This module draws those parts, with
characters ordered so that they shrink to ``a``, and stretches paths for the
*long* draws that reach the length limits. The address, text and near-miss
strategies all build on it.
"""

from __future__ import annotations

import string
from typing import Final

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from .._ucxl.address import WILDCARD

_COMPONENT_NAMES: Final = ("agent", "role", "project", "task")

# -- Characters ----------------------------------------------------------------
# Each alphabet is written in the order we want shrinking to prefer.
_COMPONENT_ALPHABET: Final = string.ascii_lowercase + string.ascii_uppercase + string.digits + "-_"
_SEGMENT_ALPHABET: Final = _COMPONENT_ALPHABET + "."


def _hypothesis_shrink_rank(char: str) -> tuple[int, int]:
    """Where hypothesis's text strategy puts ``char`` when shrinking: ``'0'``-``'Z'``
    first, then lower code points downwards, then higher ones upwards."""
    code = ord(char)
    if ord("0") <= code <= ord("Z"):
        return (0, code)
    if code < ord("0"):
        return (1, -code)
    return (2, code)


def _shrink_table(alphabet: str) -> dict[int, int]:
    """A ``str.translate`` table from hypothesis's shrink order of ``alphabet`` onto ours.

    hypothesis shrinks characters towards ``'0'``; translating its order onto
    the order ``alphabet`` is written in makes the simplest component ``a``
    rather than ``0``, and leaves the set of values drawn unchanged.
    """
    return str.maketrans("".join(sorted(alphabet, key=_hypothesis_shrink_rank)), alphabet)


def _coin(one_in: int) -> SearchStrategy[bool]:
    """True about once in ``one_in`` draws; shrinks to False."""
    return st.sampled_from((False,) * (one_in - 1) + (True,))


# -- Parts ---------------------------------------------------------------------
# Parts are drawn as raw text and finished by plain functions inside the
# address draw, rather than through .map(), .filter() and st.builds(): each
# strategy layer costs a nested draw, and an address is made of many parts.
# Fewer draws make generation, shrinking and hypothesis's explain phase faster.
_SHORT_COMPONENT: Final = 20
_SHORT_SEGMENT: Final = 16
_SHORT_SEGMENTS: Final = 6
_LONG_COMPONENT: Final = 512
_LONG_DRAWS: Final = _coin(16)
_OVERSHOOT: Final = 2**16

_COMPONENT_TABLE: Final = _shrink_table(_COMPONENT_ALPHABET)
_SEGMENT_TABLE: Final = _shrink_table(_SEGMENT_ALPHABET)
_RAW_COMPONENTS: Final = st.text(_COMPONENT_ALPHABET, min_size=1, max_size=_SHORT_COMPONENT)
_RAW_SEGMENTS: Final = st.text(_SEGMENT_ALPHABET, min_size=1, max_size=_SHORT_SEGMENT)
# With patterns allowed, a component is drawn as usual and then, one time in
# four, replaced by the wildcard: the concrete value stays among the choices
# made, so shrinking the wildcard away takes one step.
_WILDCARD_COIN: Final = _coin(4)

# A segment of a pattern's path is raw text and a shape: 0-14 leave it plain,
# 15-19 make it a glob ("*", "**", or a "*" at its end, start or middle:
# "model-*", "*.md", "a*b"), so one segment in four is a glob.
_PLAIN_SHAPES: Final = 15
_SHAPED_SEGMENTS: Final = st.tuples(_RAW_SEGMENTS, st.integers(0, _PLAIN_SHAPES + 4))
_GLOB_SEGMENTS: Final = st.tuples(_RAW_SEGMENTS, st.integers(_PLAIN_SHAPES, _PLAIN_SHAPES + 4))
_SEGMENT_LISTS: Final = st.lists(_RAW_SEGMENTS, max_size=_SHORT_SEGMENTS)
_SHAPED_SEGMENT_LISTS: Final = st.lists(_SHAPED_SEGMENTS, max_size=_SHORT_SEGMENTS)
_SHAPED_SEGMENT_LISTS_BUT_ONE: Final = st.lists(_SHAPED_SEGMENTS, max_size=_SHORT_SEGMENTS - 1)
_TRAILING_SLASHES: Final = st.booleans()


def _component(raw: str) -> str:
    value = raw.translate(_COMPONENT_TABLE)
    # "any" is the wildcard, so a concrete component cannot be it.
    return "ANY" if value == WILDCARD else value


def _segment(raw: str, shape: int = 0) -> str:
    segment = raw.translate(_SEGMENT_TABLE)
    if segment in (".", ".."):
        segment = segment.replace(".", "_")  # '.' and '..' are not allowed as segments
    if shape < _PLAIN_SHAPES:
        return segment
    glob = shape - _PLAIN_SHAPES
    if glob == 0:
        return "*"
    if glob == 1:
        return "**"
    if glob == 2:
        return segment + "*"
    if glob == 3:
        return "*" + segment
    middle = len(segment) // 2
    return segment[:middle] + "*" + segment[middle:]


_CONCRETE_SEGMENTS: Final = _RAW_SEGMENTS.map(_segment)


def _join_path(segments: list[str], trailing: bool) -> str:
    if not segments:
        return ""
    return "/".join(segments) + ("/" if trailing else "")


def _draw_component(draw: st.DrawFn, *, patterns: bool, long: bool) -> str:
    value = _component(draw(_RAW_COMPONENTS))
    wildcard = patterns and draw(_WILDCARD_COIN)
    # Always drawn, used only by long draws (see _draw_address).
    repeat = draw(st.integers(1, max(1, _LONG_COMPONENT // len(value))))
    if wildcard:
        return WILDCARD
    return value * repeat if long else value


def _draw_path(draw: st.DrawFn, *, patterns: bool, glob: bool = False) -> str:
    """A path; with ``glob``, one that holds at least one glob."""
    if glob:
        segments = [_segment(*item) for item in draw(_SHAPED_SEGMENT_LISTS_BUT_ONE)]
        segments.insert(draw(st.integers(0, len(segments))), _segment(*draw(_GLOB_SEGMENTS)))
    elif patterns:
        segments = [_segment(*item) for item in draw(_SHAPED_SEGMENT_LISTS)]
    else:
        segments = [_segment(raw) for raw in draw(_SEGMENT_LISTS)]
    return _join_path(segments, draw(_TRAILING_SLASHES))


def _stretch_path(path: str, target: int) -> str:
    """Repeat the segments of the non-empty ``path`` to ``target`` characters (or cut it).

    The trailing ``/``, if any, is kept; a segment cut down to ``.`` or
    ``..`` is dropped with its ``/``, so the result may be up to three
    characters short.
    """
    trailing = path.endswith("/")
    segments = path.removesuffix("/").split("/")
    parts: list[str] = []
    length = -1  # the first segment has no "/" before it
    room = target - trailing
    while room >= 1:
        segment = segments[len(parts) % len(segments)]
        if len(segment) >= room:
            segment = segment[:room]
            if segment not in (".", ".."):
                parts.append(segment)
            break
        parts.append(segment)
        length += len(segment) + 1
        room = target - length - 1 - trailing
    return _join_path(parts, trailing)
