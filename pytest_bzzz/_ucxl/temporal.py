"""Temporal selectors: which version of an address a reader means.

A selector is written as a short token (``*^``, ``*~3``, ``~~2``,
``*@2025-08-07T14:30:00Z``, ...) and resolved against a version history to a
1-based version number. Parsing a token, formatting it canonically and
resolving it all live here, so that the address parser, the mock connector and
the hypothesis strategies share one definition.

Tokens are parsed through a small cache: real address sets repeat the same few
selectors, and a :class:`Temporal` is immutable, so sharing one is safe.
"""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Final, Literal, NoReturn, TypeAlias, get_args

from .errors import ErrorCode, InvalidFragment, NotFoundError, TemporalRangeError, UCXLParseError

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = [
    "MAX_NUMBER",
    "SUFFIX_TOKEN_PATTERN",
    "TOKEN_RE",
    "Temporal",
    "TemporalKind",
    "explain_token",
    "parse_token",
    "token_of",
]

TemporalKind: TypeAlias = Literal["latest", "earliest", "version", "back", "forward", "at"]
_KINDS: Final = frozenset(get_args(TemporalKind))
_KIND_NAMES: Final = ", ".join(repr(kind) for kind in get_args(TemporalKind))
_COUNTED: Final = frozenset({"version", "back", "forward"})
_PREFIXES: Final = {"version": "*~", "back": "~~", "forward": "^^"}

MAX_NUMBER: Final = 2**63 - 1
"""The largest version number or step a token may hold (the BZZZ Go parser's int64)."""

_TIMESTAMP = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
SUFFIX_TOKEN_PATTERN: Final = rf"\*\^|#|\*~[0-9]*|~~[0-9]*|\^\^[0-9]*|\*@{_TIMESTAMP}"
"""Every token shape but the bare timestamp (which may only follow the task)."""
TOKEN_RE: Final = re.compile(rf"{SUFFIX_TOKEN_PATTERN}|{_TIMESTAMP}")
"""Matches the shape of every temporal token; ranges are checked by :func:`parse_token`."""

_TIMESTAMP_RE: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]{1,6}))?(Z|[+-]([0-9]{2}):([0-9]{2}))?"
)
_TIMESTAMP_FORMAT: Final = "YYYY-MM-DDTHH:MM:SS[.ffffff][Z|+HH:MM|-HH:MM]"
_ACCEPTED_TOKENS: Final = (
    "expected a temporal token: *^ (latest), *~ (earliest), *~N (version N), "
    "~~N (N back), ^^N (N forward), *@TIMESTAMP, a bare TIMESTAMP or # (present)"
)


def _bad(reason: str, start: int, end: int) -> NoReturn:
    raise InvalidFragment(reason, start=start, end=end, code=ErrorCode.TEMPORAL_INVALID)


def _format_timestamp(at: datetime) -> str:
    text = (
        f"{at.year:04d}-{at.month:02d}-{at.day:02d}T{at.hour:02d}:{at.minute:02d}:{at.second:02d}"
    )
    if at.microsecond:
        text += "." + f"{at.microsecond:06d}".rstrip("0")
    return text + "Z"


def _parse_timestamp(text: str, offset: int) -> datetime:
    """Parse the timestamp starting at ``offset`` of ``text`` (which must be exactly it)."""
    match = _TIMESTAMP_RE.fullmatch(text, offset)
    assert match is not None, "callers pass only text TOKEN_RE accepted as a timestamp"
    year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))

    def check(ok: bool, group: int, reason: str) -> None:
        if not ok:
            _bad(reason, match.start(group), match.end(group))

    check(year >= 1, 1, "year 0000 is out of range: years run from 0001 to 9999")
    check(1 <= month <= 12, 2, f"month {match[2]} is out of range 01-12")
    last_day = calendar.monthrange(year, month)[1]
    check(1 <= day <= last_day, 3, f"day {match[3]} does not exist in {year:04d}-{month:02d}")
    check(hour <= 23, 4, f"hour {match[4]} is out of range 00-23")
    check(minute <= 59, 5, f"minute {match[5]} is out of range 00-59")
    check(second <= 59, 6, f"second {match[6]} is out of range 00-59 (no leap seconds)")
    micro = int(match[7].ljust(6, "0")) if match[7] else 0
    zone = match[8]
    if zone is None or zone == "Z":
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
    zone_hours, zone_minutes = int(match[9]), int(match[10])
    check(zone_hours <= 23, 9, f"zone offset hours {match[9]} are out of range 00-23")
    check(zone_minutes <= 59, 10, f"zone offset minutes {match[10]} are out of range 00-59")
    shift = timedelta(hours=zone_hours, minutes=zone_minutes)
    local = datetime(
        year,
        month,
        day,
        hour,
        minute,
        second,
        micro,
        tzinfo=timezone(-shift if zone[0] == "-" else shift),
    )
    try:
        return local.astimezone(UTC)
    except OverflowError:
        _bad(
            "the instant falls outside years 0001-9999 once converted to UTC",
            offset,
            len(text),
        )


def _number(text: str, start: int) -> int:
    digits = text[start:]
    if not digits:
        return 1
    value = int(digits)
    if value > MAX_NUMBER:
        _bad(f"{digits} is larger than the largest allowed number, {MAX_NUMBER}", start, len(text))
    return value


def explain_token(token: str) -> str:
    """Say what is wrong with text that does not have the shape of a token."""
    if token.startswith("*@"):
        return f"expected a timestamp {_TIMESTAMP_FORMAT} after '*@'"
    for prefix in ("*~", "~~", "^^"):
        if token.startswith(prefix):
            return f"'{prefix}' may be followed only by a number written in ASCII digits 0-9"
    if token[:1].isdigit():
        return f"expected a timestamp {_TIMESTAMP_FORMAT}"
    return _ACCEPTED_TOKENS


@lru_cache(maxsize=4096)
def parse_token(token: str) -> Temporal:
    """Parse one whole token; raise :class:`InvalidFragment` positioned within it."""
    match = TOKEN_RE.fullmatch(token)
    if match is None:
        _bad(explain_token(token), 0, len(token))
    head = token[:2]
    if head == "*^" or token == "#":
        return _LATEST
    if head == "*~":
        if len(token) == 2:
            return _EARLIEST
        return Temporal._make("version", _number(token, 2), None)
    if head == "~~":
        return Temporal._make("back", _number(token, 2), None)
    if head == "^^":
        return Temporal._make("forward", _number(token, 2), None)
    start = 2 if head == "*@" else 0
    return Temporal._make("at", None, _parse_timestamp(token, start))


def _invalid(reason: str, fragment: str, position: int, token: str) -> NoReturn:
    """Refuse a value given to :class:`Temporal`, as parsing ``token`` would refuse it."""
    raise UCXLParseError(
        reason,
        field="temporal",
        fragment=fragment,
        position=position,
        text=token,
        code=ErrorCode.TEMPORAL_INVALID,
    )


class Temporal:
    """An immutable temporal selector: which version of an address is meant.

    ``kind`` is one of ``"latest"``, ``"earliest"``, ``"version"``, ``"back"``,
    ``"forward"`` and ``"at"``; ``n`` is the number for ``version``, ``back`` and
    ``forward`` (``None`` otherwise); ``at`` is the timezone-aware UTC instant
    for ``at`` (``None`` otherwise). ``str()`` gives the canonical token.

    Building one from its parts validates as parsing does: a value out of
    range (a negative ``n``, a naive ``at``) raises :class:`UCXLParseError`
    with ``field="temporal"`` and the code ``UCXL-400-TEMPORAL_INVALID``, its
    ``text`` the token the value stands for (``*~-1``); an argument of the
    wrong type, or one the kind does not take, raises ``TypeError``.

    >>> Temporal.parse("~~")
    Temporal('~~1')
    >>> Temporal("version", n=7)
    Temporal('*~7')
    """

    __slots__ = ("_at", "_kind", "_n", "_token")

    _kind: TemporalKind
    _n: int | None
    _at: datetime | None
    _token: str

    def __init__(
        self,
        kind: TemporalKind,
        n: int | None = None,
        at: datetime | None = None,
    ) -> None:
        # A value out of range is reported as parsing the token it stands for
        # would report it: ``text`` is that token, ``position`` where in it the
        # fault starts, with the code UCXL-400-TEMPORAL_INVALID.
        if not isinstance(kind, str):
            raise TypeError(
                f"Temporal() kind must be a str, one of {_KIND_NAMES}; "
                f"got {type(kind).__name__} {kind!r}"
            )
        if kind not in _KINDS:
            _invalid(f"unknown kind; expected one of {_KIND_NAMES}", kind, 0, kind)
        if kind in _COUNTED:
            if isinstance(n, bool) or not isinstance(n, int):
                raise TypeError(f"Temporal({kind!r}) needs n as an int, got {type(n).__name__}")
            if not 0 <= n <= MAX_NUMBER:
                prefix = _PREFIXES[kind]
                token = f"{prefix}{n}"
                # '*~-1' is no token at all; '*~9223372036854775808' has a number too large.
                where = 0 if n < 0 else len(prefix)
                _invalid(
                    f"n for {kind!r} must be between 0 and {MAX_NUMBER}, got {n}",
                    token[where:],
                    where,
                    token,
                )
        elif n is not None:
            raise TypeError(f"Temporal({kind!r}) takes no n (got {n!r})")
        if kind == "at":
            if not isinstance(at, datetime):
                raise TypeError(f"Temporal('at') needs at as a datetime, got {type(at).__name__}")
            written = at.isoformat()
            if at.utcoffset() is None:
                _invalid(
                    "a naive datetime is ambiguous; give it a timezone (e.g. UTC)",
                    written,
                    2,
                    f"*@{written}",
                )
            try:
                at = at.astimezone(UTC)
            except OverflowError:
                _invalid(
                    "the instant falls outside years 0001-9999 once converted to UTC",
                    written,
                    2,
                    f"*@{written}",
                )
        elif at is not None:
            raise TypeError(f"Temporal({kind!r}) takes no at (got {at!r})")
        self._init(kind, n, at)

    def _init(self, kind: TemporalKind, n: int | None, at: datetime | None) -> None:
        if kind == "latest":
            token = "*^"
        elif kind == "earliest":
            token = "*~"
        elif kind == "at":
            assert at is not None
            token = "*@" + _format_timestamp(at)
        else:
            token = _PREFIXES[kind] + str(n)
        self._kind = kind
        self._n = n
        self._at = at
        self._token = token

    @classmethod
    def _make(cls, kind: TemporalKind, n: int | None, at: datetime | None) -> Temporal:
        """Build from values already validated by the parser."""
        temporal = cls.__new__(cls)
        temporal._init(kind, n, at)
        return temporal

    @property
    def kind(self) -> TemporalKind:
        """Which version is meant: latest, earliest, version, back, forward or at."""
        return self._kind

    @property
    def n(self) -> int | None:
        """The number of a ``version``, ``back`` or ``forward`` selector; else ``None``."""
        return self._n

    @property
    def at(self) -> datetime | None:
        """The UTC instant of an ``at`` selector; else ``None``."""
        return self._at

    @classmethod
    def parse(cls, token: str) -> Temporal:
        """Parse a temporal token, in any of the forms an address accepts.

        A bare timestamp is accepted too. Raises :class:`UCXLParseError` (code
        ``UCXL-400-TEMPORAL_INVALID``) naming what is wrong.
        """
        if not isinstance(token, str):
            raise TypeError(f"Temporal.parse() takes a str, got {type(token).__name__}")
        try:
            return parse_token(token)
        except InvalidFragment as bad:
            raise UCXLParseError(
                bad.reason,
                field="temporal",
                fragment=token[bad.start : bad.end],
                position=bad.start,
                text=token,
                code=bad.code,
            ) from None

    def resolve(self, count: int, timestamps: Sequence[datetime] | None = None) -> int:
        """Resolve against a history of ``count`` versions; return a 1-based version number.

        ``timestamps`` (one per version, oldest first, timezone-aware) is needed
        only for ``at`` selectors. Raises :class:`NotFoundError` when
        ``count`` is 0 and :class:`TemporalRangeError` when the selector points
        outside the history; ``TypeError`` for an argument of the wrong type and
        ``ValueError`` for a wrong value (a negative ``count``, missing or naive
        timestamps, or timestamps that decrease).
        """
        if isinstance(count, bool) or not isinstance(count, int):
            raise TypeError(f"count must be an int, got {type(count).__name__}")
        if count < 0:
            raise ValueError(f"count must be 0 or more, got {count}")
        if count == 0:
            raise NotFoundError(f"cannot resolve {self._token}: there are no versions")
        kind, n = self._kind, self._n
        if kind == "latest":
            return count
        if kind == "earliest":
            return 1
        if kind == "at":
            return self._resolve_at(count, timestamps)
        assert n is not None
        if kind == "version":
            if 1 <= n <= count:
                return n
            wanted = f"version {n}"
        elif n < count:
            return count - n if kind == "back" else 1 + n
        else:
            wanted = f"{n} version{'s' if n != 1 else ''} {kind} from the "
            wanted += "latest" if kind == "back" else "earliest"
        raise TemporalRangeError(
            f"{self._token} selects {wanted}, but the history has {count} "
            f"version{'s' if count != 1 else ''} ({_valid_range(kind, count)})",
            selector=self._token,
            count=count,
        )

    def _resolve_at(self, count: int, timestamps: Sequence[datetime] | None) -> int:
        if timestamps is None:
            raise ValueError(f"resolving {self._token} needs the versions' timestamps")
        given: object = timestamps  # any object, at run time
        if not isinstance(given, Sequence) or isinstance(given, (str, bytes)):
            raise TypeError(
                "timestamps must be a sequence of datetimes, one per version, oldest first; "
                f"got {type(timestamps).__name__}"
            )
        if len(timestamps) != count:
            raise ValueError(
                f"timestamps has {len(timestamps)} entries, but count is {count}: "
                "give one timestamp per version"
            )
        previous: datetime | None = None
        for index, stamp in enumerate(timestamps):
            if not isinstance(stamp, datetime):
                raise TypeError(
                    f"timestamps[{index}] must be a timezone-aware datetime, "
                    f"got {type(stamp).__name__} {stamp!r}"
                )
            if stamp.utcoffset() is None:
                raise ValueError(
                    f"timestamps[{index}] must be a timezone-aware datetime, "
                    f"got the naive {stamp!r}"
                )
            if previous is not None and stamp < previous:
                raise ValueError(
                    f"timestamps must not decrease (versions are stored in time order), "
                    f"but timestamps[{index}] is before timestamps[{index - 1}]"
                )
            previous = stamp
        assert self._at is not None
        version = bisect.bisect_right(timestamps, self._at)
        if version == 0:
            raise TemporalRangeError(
                f"{self._token} is before the first version, stored at "
                f"{_format_timestamp(timestamps[0].astimezone(UTC))}",
                selector=self._token,
                count=count,
            )
        return version

    def __str__(self) -> str:
        return self._token

    def __repr__(self) -> str:
        return f"Temporal({self._token!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Temporal):
            return NotImplemented
        return self._token == other._token

    def __hash__(self) -> int:
        return hash(self._token)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Temporal.parse, (self._token,))


def token_of(temporal: Temporal) -> str:
    """The canonical token of ``temporal`` (its ``str()``), for the parser's fast path."""
    return temporal._token


def _valid_range(kind: str, count: int) -> str:
    if kind == "version":
        return f"valid versions are 1-{count}"
    return f"valid steps are 0-{count - 1}"


_LATEST: Final = Temporal._make("latest", None, None)
_EARLIEST: Final = Temporal._make("earliest", None, None)
