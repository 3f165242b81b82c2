"""The package's exceptions and the UCXL error codes they carry.

Every exception here derives from :class:`UCXLError` and carries a ``code`` in
the ``UCXL-<HTTP class>-<NAME>`` convention of the UCXI API. Each one also
derives from the built-in exception a caller would naturally catch
(``ValueError`` for bad text, ``LookupError`` for something missing), so code
that knows nothing about pytest-bzzz still handles them sensibly.

They pickle by state rather than by constructor arguments: pytest-xdist ships
exceptions between processes, and keyword-only constructors do not survive
``BaseException``'s default pickling.

Each public class reports its public home, ``pytest_bzzz``, as its module (so
reprs, tracebacks and the API reference show ``pytest_bzzz.NotFoundError``);
pickle and ``copy`` look each one up there by name, and find this very class.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = [
    "ErrorCode",
    "NotFoundError",
    "TemporalRangeError",
    "UCXLError",
    "UCXLParseError",
]


class ErrorCode(enum.StrEnum):
    """The error codes of the UCXI API; each compares equal to its string."""

    __module__ = "pytest_bzzz"

    INVALID_ADDRESS = "UCXL-400-INVALID_ADDRESS"
    TEMPORAL_INVALID = "UCXL-400-TEMPORAL_INVALID"
    FORBIDDEN = "UCXL-403-FORBIDDEN"
    NOT_FOUND = "UCXL-404-NOT_FOUND"
    SERVICE_UNAVAILABLE = "UCXL-503-SERVICE_UNAVAILABLE"
    TIMEOUT = "UCXL-504-TIMEOUT"


def _restore(cls: type[UCXLError], args: tuple[Any, ...], state: dict[str, Any]) -> UCXLError:
    error = cls.__new__(cls)
    BaseException.__init__(error, *args)
    error.__dict__.update(state)
    return error


class UCXLError(Exception):
    """Base class of every error pytest-bzzz raises on purpose.

    ``code`` is the UCXL error code (an :class:`ErrorCode`, equal to its string).
    """

    __module__ = "pytest_bzzz"

    code: ErrorCode

    def __init__(self, message: str, *, code: ErrorCode | str) -> None:
        super().__init__(message)
        self.code = code if type(code) is ErrorCode else _error_code(code, type(self).__name__)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args, dict(self.__dict__)))


def _error_code(code: object, raiser: str) -> ErrorCode:
    """``code`` as an :class:`ErrorCode`; say what is accepted when it is none."""
    if not isinstance(code, str):
        raise TypeError(
            f"{raiser} code must be an ErrorCode or its str, got {type(code).__name__} {code!r}"
        )
    try:
        return ErrorCode(code)
    except ValueError:
        accepted = ", ".join(member.value for member in ErrorCode)
        raise ValueError(
            f"{raiser} code {code!r} is not a UCXL error code; accepted: {accepted}"
        ) from None


def _shorten(text: str, limit: int = 60) -> str:
    """Cut ``text`` to ``limit`` characters, marking the cut, for messages."""
    if len(text) <= limit:
        return text
    return text[: limit - 3] + "..."


class UCXLParseError(UCXLError, ValueError):
    """Text (or a field given to a constructor) is not valid UCXL.

    ``field`` names the part that failed (``"agent"``, ``"path"``,
    ``"temporal"``, ...), ``position`` is the 0-based index in ``text`` where
    the offending ``fragment`` starts, ``text`` is the whole input and
    ``reason`` says what was expected. ``code`` is
    ``UCXL-400-TEMPORAL_INVALID`` when only the temporal token is wrong and
    ``UCXL-400-INVALID_ADDRESS`` otherwise.
    """

    __module__ = "pytest_bzzz"

    field: str
    fragment: str
    position: int
    text: str
    reason: str

    def __init__(
        self,
        reason: str,
        *,
        field: str,
        fragment: str,
        position: int,
        text: str,
        code: ErrorCode | str = ErrorCode.INVALID_ADDRESS,
    ) -> None:
        message = f"{field} {_shorten(fragment)!r} at {position}: {reason}"
        if text != fragment:
            message += f" (in {_shorten(text, 100)!r})"
        super().__init__(message, code=code)
        self.field = field
        self.fragment = fragment
        self.position = position
        self.text = text
        self.reason = reason


class NotFoundError(UCXLError, LookupError):
    """Nothing is stored under the key or address asked for (``UCXL-404-NOT_FOUND``)."""

    __module__ = "pytest_bzzz"

    def __init__(self, message: str, *, code: ErrorCode | str = ErrorCode.NOT_FOUND) -> None:
        super().__init__(message, code=code)


class TemporalRangeError(UCXLError, IndexError):
    """A temporal selector points outside the versions that exist.

    Carries ``UCXL-400-TEMPORAL_INVALID``, the ``selector`` (its canonical token)
    and the ``count`` of versions it was resolved against.
    """

    __module__ = "pytest_bzzz"

    selector: str
    count: int

    def __init__(self, message: str, *, selector: str, count: int) -> None:
        super().__init__(message, code=ErrorCode.TEMPORAL_INVALID)
        self.selector = selector
        self.count = count


class InvalidFragment(Exception):
    """Raised by low-level validators; the caller turns it into a :class:`UCXLParseError`.

    ``start`` is relative to the string the validator was given, so the caller
    (which knows where that string sits in the user's text) can add its offset.
    """

    def __init__(
        self,
        reason: str,
        *,
        start: int,
        end: int,
        code: ErrorCode = ErrorCode.INVALID_ADDRESS,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.start = start
        self.end = end
        self.code = code
