"""The step-by-step side of parsing: the slow walk that names the fault in bad input.

:meth:`UCXLAddress.parse <.address.UCXLAddress.parse>` takes well-formed input
with one regex; whatever that does not take comes here. The walk reads the
tail (temporal token and path, in either form) part by part, and when
something is wrong it names the field, the fragment and the position at
fault: a bad head, a bad token or path, a token out of place, an address
too long, or (in strict mode) the first part not written canonically.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, NoReturn

from .errors import ErrorCode, InvalidFragment, UCXLParseError
from .grammar import _COMPONENTS, MAX_LENGTH, SCHEME, _component_fault
from .path import check_path
from .temporal import TOKEN_RE, Temporal, explain_token, parse_token

if TYPE_CHECKING:
    from .address import UCXLAddress

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

_DELIMITER_RE: Final = re.compile(r"[:@/]")
_SPECIAL_RE: Final = re.compile(r"[\^~@#:]")


def _error(
    text: str,
    field: str,
    start: int,
    end: int,
    reason: str,
    code: ErrorCode = ErrorCode.INVALID_ADDRESS,
) -> UCXLParseError:
    return UCXLParseError(
        reason, field=field, fragment=text[start:end], position=start, text=text, code=code
    )


def _fail(
    text: str,
    field: str,
    start: int,
    end: int,
    reason: str,
    code: ErrorCode = ErrorCode.INVALID_ADDRESS,
) -> NoReturn:
    raise _error(text, field, start, end, reason, code)


def _diagnose_head(text: str) -> NoReturn:
    """Explain why ``text`` does not start with a valid ``ucxl://agent:role@project:task``."""
    if not text.startswith(SCHEME):
        if text[:7].lower() == SCHEME:
            _fail(text, "scheme", 0, 7, "the scheme must be written in lower case, 'ucxl://'")
        separator = text.find("://", 0, 64)
        if separator >= 0:
            end = separator + 3
        else:
            found = _DELIMITER_RE.search(text)
            end = len(text) if found is None else found.start()
        _fail(text, "scheme", 0, end, "a UCXL address starts with 'ucxl://'")
    position = len(SCHEME)
    for index, field in enumerate(_COMPONENTS[:3]):
        found = _DELIMITER_RE.search(text, position)
        end = len(text) if found is None else found.start()
        _check_head_component(text, field, position, end)
        expected = ":@:"[index]
        following = _COMPONENTS[index + 1]
        if end == len(text) or text[end] != expected:
            found_text = f"found {text[end]!r}" if end < len(text) else "the address ends"
            _fail(
                text,
                following,
                end,
                end + 1,
                f"expected {expected!r} and the {following} after the {field}, but {found_text}"
                " (the form is ucxl://agent:role@project:task)",
            )
        position = end + 1
    slash = text.find("/", position)
    _check_head_component(text, "task", position, len(text) if slash < 0 else slash)
    raise AssertionError(f"{text!r} was rejected but no fault was found")  # pragma: no cover


def _check_head_component(text: str, field: str, start: int, end: int) -> None:
    fault = _component_fault(text[start:end])
    if fault is not None:
        _fail(text, field, start, end, fault)


def _temporal_at(text: str, start: int, end: int) -> Temporal:
    try:
        return parse_token(text[start:end])
    except InvalidFragment as bad:
        _fail(text, "temporal", start, end, bad.reason, ErrorCode.TEMPORAL_INVALID)


def _path_at(text: str, start: int, end: int) -> str:
    try:
        return check_path(text, start, end)
    except InvalidFragment as bad:
        _fail(text, "path", bad.start, bad.end, bad.reason)


def _parse_tail(text: str, base: int) -> tuple[Temporal | None, str, int, bool]:
    """Parse what follows ``task/``: (temporal, path, token start or -1, canonical?)."""
    length = len(text)
    if base == length:
        return None, "", -1, False  # a lone "/" is dropped from canonical output
    special = _SPECIAL_RE.search(text, base)
    if special is None:
        return None, _path_at(text, base, length), -1, True

    # Canonical form: the temporal token right after the task.
    token = TOKEN_RE.match(text, base)
    if token is not None:
        end = token.end()
        if end == length or text[end] == "/":
            temporal = _temporal_at(text, base, end)
            if end + 1 >= length:
                return temporal, "", base, end == length and str(temporal) == text[base:]
            path = _path_at(text, end + 1, length)
            return temporal, path, base, str(temporal) == text[base:end]

    # Suffix form (the design note's): path, then the token, then an optional "/".
    # A '*' right before '^', '~' or '@' may start the token or end a glob;
    # at most one reading leaves nothing but an optional "/" after the token.
    first = special.start()
    char = text[first]
    starts = [first]
    if first > base and text[first - 1] == "*" and char in "^~@":
        starts.insert(0, first - 1)
    for start in starts:
        token = TOKEN_RE.match(text, start)
        if token is not None and (
            token.end() == length or (token.end() == length - 1 and text[-1] == "/")
        ):
            path = _path_at(text, base, start) if start > base else ""
            return _temporal_at(text, start, token.end()), path, start, False
    raise _suffix_error(text, base, starts)


def _suffix_error(text: str, base: int, starts: list[int]) -> UCXLParseError:
    start = starts[0]
    if text[start] in ":@":
        # Not a token at all: the path holds a character it may not.
        _path_at(text, base, len(text))
    slash = text.find("/", start)
    end = len(text) if slash < 0 else slash
    for candidate in starts:
        token = TOKEN_RE.match(text, candidate)
        if token is not None and token.end() == end:
            return _error(
                text,
                "temporal",
                candidate,
                end,
                "a temporal token after the path must end the address (only a final '/' may "
                "follow); to keep the path after it, write the token right after the task",
            )
    return _error(
        text, "temporal", start, end, explain_token(text[start:end]), ErrorCode.TEMPORAL_INVALID
    )


def _too_long(length: int, form: str) -> str:
    return f"an address is at most {MAX_LENGTH} characters, but this one has {length} ({form})"


def _explain_not_canonical(
    text: str, address: UCXLAddress, head: re.Match[str], token_start: int
) -> NoReturn:
    """Strict mode: name the first part of ``text`` that is not written canonically."""
    canonical = str(address)
    for index, field in enumerate(_COMPONENTS, start=1):
        if head[index] == "*":
            _fail(
                text,
                field,
                head.start(index),
                head.end(index),
                f"strict mode: a wildcard is written 'any' (canonical: {canonical!r})",
            )
    if token_start >= 0:
        match = TOKEN_RE.match(text, token_start)
        assert match is not None
        written = match[0]
        if token_start != head.end() + 1:
            reason = "strict mode: the temporal token comes right after the task"
        else:
            reason = f"strict mode: the canonical token is '{address.temporal!s}'"
        if token_start != head.end() + 1 or written != str(address.temporal):
            _fail(
                text,
                "temporal",
                token_start,
                match.end(),
                f"{reason} (canonical: {canonical!r})",
                ErrorCode.INVALID_ADDRESS,
            )
    _fail(
        text,
        "path",
        len(text) - 1,
        len(text),
        f"strict mode: a '/' with no path after it is dropped (canonical: {canonical!r})",
    )
