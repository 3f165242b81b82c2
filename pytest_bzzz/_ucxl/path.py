"""Paths inside a UCXL task: validation and glob matching.

A path is ``segment *("/" segment) ["/"]``. A trailing ``/`` is kept and, for
matching, counts as a final empty segment. In a pattern, ``*`` inside a
segment matches any run of characters within that segment, and a segment that
is exactly ``**`` matches zero or more whole segments (the final empty one
included).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Final, NoReturn

from .errors import InvalidFragment

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = ["PathMatcher", "check_path", "has_dot_segment"]

_PATH_RE: Final = re.compile(r"[A-Za-z0-9_.*-]+(?:/[A-Za-z0-9_.*-]+)*/?")
_SEGMENT_CHARS: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.*"
)
_ALLOWED: Final = "letters, digits, '_', '-', '.' and '*'"


def check_path(text: str, start: int, end: int) -> str:
    """Return the non-empty ``text[start:end]`` if it is a valid path.

    Otherwise raise :class:`InvalidFragment`.

    Positions in the raised error are absolute (indexes into ``text``).
    """
    path = text[start:end]
    if _PATH_RE.fullmatch(text, start, end) is None:
        _explain(path, start)
    if "." in path and has_dot_segment(path):
        _explain(path, start)
    return path


def has_dot_segment(path: str) -> bool:
    """True when a segment of ``path`` is exactly ``.`` or ``..``."""
    segments = path.split("/")
    return "." in segments or ".." in segments


def _explain(path: str, offset: int) -> NoReturn:
    position = offset
    segments = path.split("/")
    if len(segments) > 1 and not segments[-1]:
        segments.pop()  # a trailing "/" is allowed: it stands for a final empty segment
    for index, segment in enumerate(segments):
        if not segment:
            if index == 0:
                raise InvalidFragment(
                    "a path must not start with '/' (empty first segment)",
                    start=position,
                    end=position + 1,
                )
            raise InvalidFragment(
                "empty segment ('//'): every segment needs at least one character",
                start=position - 1,
                end=position + 1,
            )
        if segment in (".", ".."):
            raise InvalidFragment(
                f"{segment!r} segments are not allowed: a path cannot leave its task",
                start=position,
                end=position + len(segment),
            )
        for char in segment:
            if char not in _SEGMENT_CHARS:
                hint = ""
                if char in "^~@#":
                    hint = "; a temporal token is allowed only once, after the task or at the end"
                elif char == ":":
                    hint = "; a timestamp inside a path needs '*@' in front and must end the path"
                raise InvalidFragment(
                    f"only {_ALLOWED} are allowed in a path segment, found {char!r}{hint}",
                    start=position,
                    end=position + len(segment),
                )
        position += len(segment) + 1
    raise AssertionError(f"path {path!r} was rejected but no fault was found")  # pragma: no cover


SegmentTest = Callable[[str], bool]


class _DoubleStar:
    """Marker for a ``**`` segment in a compiled pattern."""


_DOUBLE_STAR: Final = _DoubleStar()


def _segment_test(pattern: str) -> SegmentTest | _DoubleStar:
    if pattern == "**":
        return _DOUBLE_STAR
    if "*" not in pattern:
        return pattern.__eq__
    # A glob of '*' only is matched greedily, without backtracking: the segment must start
    # with the part before the first '*' and end with the part after the last, and each
    # part between must occur, in order, after the previous one (its leftmost occurrence
    # is always the best choice). Linear in the segment's length, whatever the pattern;
    # a regex of '.*' pieces backtracks exponentially on patterns such as '*a*a*a*b'.
    head, *middle, tail = pattern.split("*")
    shortest = len(head) + len(tail) + sum(map(len, middle))

    def test(segment: str) -> bool:
        # A glob never matches the empty final segment a trailing '/' stands for.
        if not segment or len(segment) < shortest:
            return False
        if not segment.startswith(head) or not segment.endswith(tail):
            return False
        position, end = len(head), len(segment) - len(tail)
        for part in middle:
            found = segment.find(part, position, end)
            if found < 0:
                return False
            position = found + len(part)
        return True

    return test


class PathMatcher:
    """A compiled path pattern; call :meth:`matches` with a concrete path."""

    __slots__ = ("_everything", "_tests")

    def __init__(self, pattern: str) -> None:
        self._everything = pattern == "**"
        self._tests: Sequence[SegmentTest | _DoubleStar] = [
            _segment_test(segment) for segment in (pattern.split("/") if pattern else [])
        ]

    def matches(self, path: str) -> bool:
        if self._everything:
            return True
        tests = self._tests
        segments = path.split("/") if path else []
        # Wildcard matching with one-step backtracking to the last '**' seen: linear in
        # practice, at worst len(tests) * len(segments) segment tests (each linear in its
        # segment), so under a second for two addresses at the 4,096-character limit.
        t = s = 0
        star_t = -1
        star_s = 0
        while s < len(segments):
            if t < len(tests):
                test = tests[t]
                if test is _DOUBLE_STAR:
                    star_t, star_s = t, s
                    t += 1
                    continue
                assert not isinstance(test, _DoubleStar)
                if test(segments[s]):
                    t += 1
                    s += 1
                    continue
            if star_t < 0:
                return False
            star_s += 1
            s = star_s
            t = star_t + 1
        while t < len(tests) and tests[t] is _DOUBLE_STAR:
            t += 1
        return t == len(tests)
