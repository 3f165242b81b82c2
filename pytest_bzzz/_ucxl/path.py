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


def _segment_test(pattern: str) -> SegmentTest:
    """The test of one segment pattern (not ``**``): equality, or an in-segment glob."""
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


class _Piece:
    """A run of segment patterns between two ``**``, found in a path with the Shift-And method.

    Bit ``i`` of the state says that the piece's first ``i + 1`` patterns
    match the segments just read. A segment moves every live bit on at once:
    a literal pattern by one dict lookup (the bits of the patterns equal to
    the segment), a glob by testing it, and only a glob whose bit is live, each
    distinct glob once. So a piece of k patterns costs, per segment read, a
    few operations on k-bit integers and the tests of the globs that could
    still extend a match.
    """

    __slots__ = ("_done", "_glob_bits", "_globs", "_literals", "_tests")

    def __init__(self, texts: Sequence[str]) -> None:
        self._literals: dict[str, int] = {}
        by_glob: dict[str, int] = {}
        for index, text in enumerate(texts):
            target = by_glob if "*" in text else self._literals
            target[text] = target.get(text, 0) | 1 << index
        self._globs = [(_segment_test(text), bits) for text, bits in by_glob.items()]
        self._glob_bits = sum(bits for _, bits in self._globs)
        self._done = 1 << (len(texts) - 1)

    def __len__(self) -> int:
        return self._done.bit_length()

    def find(self, segments: Sequence[str], start: int, end: int) -> int:
        """Where the leftmost match of the piece in ``segments[start:end]`` ends, or -1."""
        literals, globs, glob_bits, done = self._literals, self._globs, self._glob_bits, self._done
        state = 0
        for position in range(start, end):
            segment = segments[position]
            live = (state << 1) | 1
            state = literals.get(segment, 0) & live
            if live & glob_bits:
                for test, bits in globs:
                    if bits & live and test(segment):
                        state |= bits & live
            if state & done:
                return position + 1
        return -1


class PathMatcher:
    """A compiled path pattern; call :meth:`matches` with a concrete path.

    Its ``**`` segments cut it into a head (matched at the path's start), a
    tail (at its end), and pieces between, each found at its leftmost place
    after the one before (the leftmost is never a worse choice, as for ``*``
    in a glob). Each segment of the path is read once for the pieces, so a
    match costs the path's length times a few operations on integers of the
    longest piece's bits: linear in practice at any size an address can have,
    with no backtracking.
    """

    __slots__ = ("_everything", "_plan")

    def __init__(self, pattern: str) -> None:
        self._everything = pattern == "**"
        runs: list[list[str]] = [[]]
        for text in pattern.split("/") if pattern else []:
            if text == "**":
                runs.append([])
            else:
                runs[-1].append(text)
        head = [_segment_test(text) for text in runs[0]]
        if len(runs) == 1:  # no '**': one test a segment
            self._plan: tuple[list[SegmentTest], list[SegmentTest] | None, list[_Piece], int] = (
                head,
                None,
                [],
                0,
            )
            return
        tail = [_segment_test(text) for text in runs[-1]]
        pieces = [_Piece(run) for run in runs[1:-1] if run]
        # The segments the head, the tail and the pieces need at least.
        self._plan = (head, tail, pieces, len(head) + len(tail) + sum(map(len, pieces)))

    def matches(self, path: str) -> bool:
        if self._everything:
            return True
        segments = path.split("/") if path else []
        head, tail, pieces, least = self._plan
        count = len(segments)
        if tail is None:
            if count != len(head):
                return False
            for test, segment in zip(head, segments):  # noqa: B905, SIM110 - checked; no generator
                if not test(segment):
                    return False
            return True
        if count < least:
            return False
        for test, segment in zip(head, segments):  # noqa: B905 - the head is the shorter
            if not test(segment):
                return False
        rest = count - len(tail)
        if tail:
            for test, segment in zip(tail, segments[rest:]):  # noqa: B905 - same length
                if not test(segment):
                    return False
        position = len(head)
        for piece in pieces:
            position = piece.find(segments, position, rest)
            if position < 0:
                return False
        return True
