"""Near-misses: ``invalid_ucxl_strings``, valid addresses broken in exactly one place.

Each way of breaking an address is a small function registered under the
reason it gives; the reason is drawn first, and a valid address (drawn as
:mod:`._addresses` draws them) is then taken apart and broken that way. The
test suite checks that the parser blames one of the fields each case names.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Final, TypeAlias

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from .._ucxl.address import MAX_LENGTH
from .._ucxl.temporal import MAX_NUMBER
from ._addresses import _draw_address, _spec
from ._parts import _COMPONENT_NAMES, _CONCRETE_SEGMENTS, _join_path
from ._temporal import _ANY_SELECTORS
from ._text import _COUNTED_PREFIXES, _components


@dataclasses.dataclass(frozen=True)
class _Invalid:
    """One invalid string, the reason it is invalid, and the fields a parser may blame."""

    reason: str
    text: str
    fields: frozenset[str]


@dataclasses.dataclass
class _Parts:
    """A valid address taken apart, to be broken in one place."""

    components: list[str]
    token: str | None
    segments: list[str]
    trailing: bool

    def text(self, scheme: str = "ucxl://") -> str:
        agent, role, project, task = self.components
        text = f"{scheme}{agent}:{role}@{project}:{task}"
        if self.token is not None:
            text += f"/{self.token}"
        if self.segments:
            text += "/" + _join_path(self.segments, self.trailing)
        return text


_Breaker: TypeAlias = Callable[[st.DrawFn, _Parts], tuple[str, frozenset[str]]]
_BREAKERS: dict[str, _Breaker] = {}

_BAD_SCHEMES: Final = (
    *("", "ucxl:/", "ucxl:", "ucxl//", "ucxl:\\\\", "ucx://", "ucxll://", "http://"),
    *("ucxl ://", "ucxl:/ /"),
)
_TIMESTAMP_FAULTS: Final = (
    *("month", "day", "hour", "minute", "second", "year", "zone hours", "zone minutes"),
    *("before year 1", "after year 9999", "shape"),
)
_BAD_COMPONENT_CHARS: Final = " .!%+=$&'(,;?\\\t\u00e9\u00df\u0661\u00a0"
_BAD_PATH_CHARS: Final = " !%+=$&'(,;?\\\t\u00e9\u00df\u0661\u00a0\"<>|"
_BAD_NUMBERS: Final = ("-1", "+1", "x", "1.5", " 1", "1e3", "0x1", "\u0661", "1_000", "\u00bd")
# Not "*~~" or "*#": after an empty path those read as the glob "*" and a token.
_BAD_TOKENS: Final = ("^", "~", "^~", "~^", "##", "*@", "*^^^", "^^^^", "~~~")
_WHITESPACE: Final = (" ", "\t", "\n", "\r", "\u00a0", "\u2028")
_PATH: Final = frozenset({"path"})
_TEMPORAL: Final = frozenset({"temporal"})


def _breaker(reason: str) -> Callable[[_Breaker], _Breaker]:
    def register(function: _Breaker) -> _Breaker:
        _BREAKERS[reason] = function
        return function

    return register


def _draw_slot(draw: st.DrawFn) -> int:
    return draw(st.integers(0, 3))


def _insert(draw: st.DrawFn, value: str, insertion: str) -> str:
    at = draw(st.integers(0, len(value)))
    return value[:at] + insertion + value[at:]


@_breaker("scheme in upper case")
def _upper_scheme(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    upper = draw(st.sets(st.integers(0, 3), min_size=1))
    scheme = "".join(c.upper() if i in upper else c for i, c in enumerate("ucxl")) + "://"
    return parts.text(scheme), frozenset({"scheme"})


@_breaker("scheme missing or misspelled")
def _bad_scheme(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    return parts.text(draw(st.sampled_from(_BAD_SCHEMES))), frozenset({"scheme"})


@_breaker("a separator missing")
def _missing_separator(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    text = parts.text()
    which = draw(st.integers(0, 2))  # the ':' after the agent, the '@', the ':' before the task
    at = len("ucxl://") + sum(len(value) + 1 for value in parts.components[: which + 1]) - 1
    # The parser blames the component that should have followed the separator.
    return text[:at] + text[at + 1 :], frozenset({_COMPONENT_NAMES[which + 1]})


@_breaker("an empty component")
def _empty_component(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    slot = _draw_slot(draw)
    parts.components[slot] = ""
    return parts.text(), frozenset({_COMPONENT_NAMES[slot]})


@_breaker("a character not allowed in a component")
def _bad_component_char(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    slot = _draw_slot(draw)
    bad = draw(st.sampled_from(_BAD_COMPONENT_CHARS))
    parts.components[slot] = _insert(draw, parts.components[slot], bad)
    return parts.text(), frozenset({_COMPONENT_NAMES[slot]})


@_breaker("a wildcard that is not the whole component")
def _partial_wildcard(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    slot = _draw_slot(draw)
    parts.components[slot] = _insert(draw, parts.components[slot], "*")
    return parts.text(), frozenset({_COMPONENT_NAMES[slot]})


@_breaker("a '.' or '..' segment")
def _dot_segment(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    at = draw(st.integers(0, len(parts.segments)))
    parts.segments.insert(at, draw(st.sampled_from(("..", "."))))
    return parts.text(), _PATH


@_breaker("an empty segment")
def _empty_segment(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    if not parts.segments:
        return parts.text() + "//", _PATH
    # An empty segment before a real one ('a//b', '//a'); one at the end would
    # read as a trailing '/', which is valid.
    parts.segments.insert(draw(st.integers(0, len(parts.segments) - 1)), "")
    return parts.text(), _PATH


@_breaker("a character not allowed in a path")
def _bad_path_char(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    bad = draw(st.sampled_from(_BAD_PATH_CHARS))
    if not parts.segments:
        parts.segments = [bad]
    else:
        at = draw(st.integers(0, len(parts.segments) - 1))
        parts.segments[at] = _insert(draw, parts.segments[at], bad)
    return parts.text(), _PATH


@_breaker("a temporal number that is not a number")
def _bad_number(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    prefix = draw(st.sampled_from(tuple(_COUNTED_PREFIXES.values())))
    parts.token = prefix + draw(st.sampled_from(_BAD_NUMBERS))
    return parts.text(), _TEMPORAL


@_breaker("a temporal number too large")
def _large_number(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    prefix = draw(st.sampled_from(tuple(_COUNTED_PREFIXES.values())))
    parts.token = f"{prefix}{MAX_NUMBER + draw(st.integers(1, 10**30))}"
    return parts.text(), _TEMPORAL


@st.composite
def _bad_timestamps(draw: st.DrawFn) -> tuple[str, str]:
    """(fault, token): a timestamp token with one field out of range, or of the wrong shape."""
    year, month, day = (
        draw(st.integers(1, 9999)),
        draw(st.integers(1, 12)),
        draw(st.integers(1, 28)),
    )
    hour, minute, second = (
        draw(st.integers(0, 23)),
        draw(st.integers(0, 59)),
        draw(st.integers(0, 59)),
    )
    zone = draw(st.sampled_from(("", "Z", "+01:30")))
    fault = draw(st.sampled_from(_TIMESTAMP_FAULTS))
    if fault == "month":
        month = draw(st.sampled_from((0, *range(13, 100))))
    elif fault == "day":
        last = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
        if month == 2 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
            last = 28
        day = draw(st.sampled_from((0, *range(last + 1, 100))))
    elif fault == "hour":
        hour = draw(st.integers(24, 99))
    elif fault == "minute":
        minute = draw(st.integers(60, 99))
    elif fault == "second":
        second = draw(st.integers(60, 99))
    elif fault == "year":
        year = 0
    elif fault == "zone hours":
        zone = f"+{draw(st.integers(24, 99))}:00"
    elif fault == "zone minutes":
        zone = f"-00:{draw(st.integers(60, 99))}"
    elif fault == "before year 1":
        year, month, day, hour, minute, second = 1, 1, 1, 0, 0, 0
        zone = f"+00:{draw(st.integers(1, 59)):02d}"
    elif fault == "after year 9999":
        year, month, day, hour, minute, second = 9999, 12, 31, 23, 59, 59
        zone = f"-00:{draw(st.integers(1, 59)):02d}"
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{zone}"
    if fault == "shape":
        shapes = (
            text.replace("T", "t"),
            text.replace("T", " "),
            text[: len("YYYY-MM-DDTHH:MM")],  # no seconds
            text[:19] + ".1234567",  # a fraction finer than microseconds
            f"{year % 1000:03d}" + text[4:],  # a three-digit year
            text[:19] + "+0130",
        )
        return fault, "*@" + draw(st.sampled_from(shapes))
    return fault, draw(st.sampled_from(("*@", ""))) + text


_BAD_TIMESTAMPS: Final = _bad_timestamps()


@_breaker("an impossible or malformed timestamp")
def _impossible_timestamp(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    parts.token = draw(_BAD_TIMESTAMPS)[1]
    return parts.text(), _TEMPORAL


@_breaker("a temporal token that is no token")
def _bad_token(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    parts.token = draw(st.sampled_from(_BAD_TOKENS))
    return parts.text(), _TEMPORAL


@_breaker("a temporal token in the middle of the path")
def _token_mid_path(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    segments = parts.segments or [draw(_CONCRETE_SEGMENTS)]
    cut = draw(st.integers(1, len(segments)))
    before, after = segments[:cut], segments[cut:] or [draw(_CONCRETE_SEGMENTS)]
    token = str(draw(_ANY_SELECTORS))
    parts.token = None
    parts.segments = []
    tail = "/".join(before) + token + "/" + _join_path(after, parts.trailing)
    return f"{parts.text()}/{tail}", _TEMPORAL


@_breaker("two temporal tokens")
def _two_tokens(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    # One right after the task, one at the end of the path: what follows the
    # first must be a path, and a path cannot hold a token.
    parts.token = str(draw(_ANY_SELECTORS))
    parts.trailing = False
    text = parts.text() if parts.segments else parts.text() + "/"
    return text + str(draw(_ANY_SELECTORS)), _PATH


@_breaker("longer than 4096 characters")
def _too_long(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    parts.trailing = False
    text = parts.text()
    length = MAX_LENGTH + draw(st.integers(1, 64))
    return f"{text}/{'x' * (length - len(text) - 1)}", frozenset({"address"})


@_breaker("whitespace around the address")
def _whitespace(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    space = draw(st.sampled_from(_WHITESPACE))
    if draw(st.booleans()):
        return space + parts.text(), frozenset({"scheme"})
    last = "path" if parts.segments else "temporal" if parts.token is not None else "task"
    return parts.text() + space, frozenset({last})


_REASONS: Final = tuple(_BREAKERS)
_NEAR_MISS_BASES: Final = dataclasses.replace(
    _spec(
        "invalid_ucxl_strings",
        patterns=True,
        temporal=True,
        agents=None,
        roles=None,
        projects=None,
        tasks=None,
        paths=None,
    ),
    long=False,
)


@st.composite
def _invalid_cases(draw: st.DrawFn) -> _Invalid:
    """Near-misses with the reason each is invalid and the fields a parser may blame."""
    # The reason first: it is what matters most, for exploring and shrinking.
    reason = draw(st.sampled_from(_REASONS))
    address = _draw_address(draw, _NEAR_MISS_BASES)
    path = address.path
    parts = _Parts(
        components=_components(address),
        token=None if address.temporal is None else str(address.temporal),
        segments=path.removesuffix("/").split("/") if path else [],
        trailing=path.endswith("/"),
    )
    text, fields = _BREAKERS[reason](draw, parts)
    return _Invalid(reason, text, fields)


def invalid_ucxl_strings() -> SearchStrategy[str]:
    """Near-misses of valid addresses: strings every UCXL parser must reject.

    Each is a valid address broken in one place, for one of these reasons:
    the scheme in upper case, or missing or misspelled; a separator missing;
    an empty component; a character not allowed in a component; a wildcard
    that is not the whole component (``gpt*``); a ``.`` or ``..`` segment; an
    empty segment (``a//b``); a character not allowed in a path; a temporal
    number that is not a number (``*~-1``) or too large; an impossible or
    malformed timestamp (``2025-02-30``, hour 24, a zone offset ``+24:00``, a
    leap second, an instant outside years 0001-9999 once converted to UTC); a
    temporal token that is no token; a temporal token in the middle of the
    path; two temporal tokens; more than 4096 characters; whitespace before
    or after the address (a trailing newline included).
    """
    return _invalid_cases().map(lambda case: case.text)
