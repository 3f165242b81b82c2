"""HTTP/1.1 as bytes, for the fake UCXI node's server: request heads in, responses out.

The server (``server.py``) owns sockets and threads and ``server_connection.py``
one connection's conversation; this module owns the bytes, in pure functions
that neither block nor touch a socket.

Parsing follows RFC 9112 and is strict wherever leniency would let a malformed
request reach the application unnoticed: one space between the parts of the
request line, HTTP/1.0 or HTTP/1.1 only, header names that are tokens with no
space before the colon, no obsolete line folding, no control characters, one
Host in HTTP/1.1 (as Go's ``net/http``, the real node's server, requires),
``Content-Length`` as digits (repeated only with one value), and
``Transfer-Encoding: chunked`` alone and never beside ``Content-Length``
(request smuggling's favourite ambiguity). It is lenient where the RFC allows
and clients differ: a bare LF ends a line as CRLF does, and empty lines
before a request line are skipped.

Whatever the server answers itself (a request that is not HTTP, a body over
the limit, an application that failed) is a UCXL error envelope. The server
asks the application for it when the application can write one
(``UCXIApp.refuse``: its rules' codes, messages, source and request id
header, an id drawn from the world's seed, the world clock's time), so that a
seeded run reproduces these answers too. For a handler that cannot, this
module writes it (:func:`encode_error`) with the application's own writer
(``envelopes.error_body``), so that the shapes cannot drift apart, the
default rules, the wall clock's time and a random request id: the server
needs no world to refuse a request.
"""

from __future__ import annotations

import dataclasses
import email.utils
import re
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Final
from urllib.parse import unquote

from .envelopes import CONTENT_TYPE, error_body, status_of, usable_id
from .http import Response, reason
from .rules import CODES, MESSAGES, UCXIRules

_DEFAULT_RULES: Final = UCXIRules()

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them).
__tracebackhide__ = True

__all__ = [
    "BAD_REQUEST",
    "INTERNAL_ERROR",
    "MAX_HEADERS",
    "PAYLOAD_TOO_LARGE",
    "SERVICE_UNAVAILABLE",
    "Head",
    "Refusal",
    "bad_request",
    "check_start",
    "encode_error",
    "encode_response",
    "find_head_end",
    "parse_head",
]

# The roles (of the codes table, ``rules.CODES``) of what the server answers itself.
BAD_REQUEST: Final = "BAD_REQUEST"
PAYLOAD_TOO_LARGE: Final = "PAYLOAD_TOO_LARGE"
INTERNAL_ERROR: Final = "INTERNAL_ERROR"
SERVICE_UNAVAILABLE: Final = "SERVICE_UNAVAILABLE"

MAX_HEADERS: Final = 100  # header fields in one request, as http.client and http.server allow

_TOKEN: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEAD_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # but HT, LF and CR
_VALUE_CONTROL: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # but HT
_TARGET: Final = re.compile(r"[\x21-\x7e]+")
_VERSION: Final = re.compile(r"HTTP/[0-9]\.[0-9]")
_VERSIONS: Final = frozenset({"HTTP/1.0", "HTTP/1.1"})
# What the start of a request line can look like, however little of it has arrived.
_REQUEST_PREFIX: Final = re.compile(
    rb"[!#$%&'*+.^_`|~0-9A-Za-z-]*(?: [\x21-\x7e]*(?: [\x21-\x7e]*)?)?\r?"
)

_SERVER_FIELDS: Final = frozenset(  # the server frames the message: the application's are dropped
    {"content-length", "connection", "date", "keep-alive", "transfer-encoding"}
)
_NO_BODY: Final = frozenset({204, 304})


class Refusal(Exception):
    """A request the server answers itself with an error envelope, then closes the connection.

    ``role`` is the answer's role in the codes table (``"BAD_REQUEST"``, ...),
    which the application's rules spell.
    """

    def __init__(self, role: str, details: Mapping[str, object] | None = None) -> None:
        super().__init__(role)
        self.role = role
        self.details = details
        self.line: tuple[str, str, str] | None = None
        """The request line's method, path and query, when it was read before the refusal."""
        self.headers: dict[str, str] = {}
        """The header fields read before the refusal (for the client's ``X-Request-ID``)."""


def bad_request(reason: str) -> Refusal:
    return Refusal(BAD_REQUEST, {"reason": reason})


def _shown(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


@dataclasses.dataclass(frozen=True, slots=True)
class Head:
    """A request's line and header fields, checked; ``path`` percent-decoded."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    keep_alive: bool
    content_length: int | None
    chunked: bool
    expect_continue: bool


def find_head_end(buf: bytearray) -> tuple[int, int]:
    """Where the head in ``buf`` ends: its length and the bytes to consume; ``(-1, 0)`` if not yet.

    The head is everything before the empty line (CRLF CRLF, or a bare LF's
    equivalents); ``buf`` starts with the request line.
    """
    crlf = buf.find(b"\n\r\n")
    lf = buf.find(b"\n\n")
    if lf < 0:
        return (crlf, crlf + 3) if crlf >= 0 else (-1, 0)
    if 0 <= crlf < lf:
        return crlf, crlf + 3
    return lf, lf + 2


def check_start(buf: bytearray) -> None:
    """Refuse an incomplete head at once if it can no longer become a request.

    Before its first line ends, what has come must be the start of one; once
    it has ended, the line itself is checked, so that a client sending a bad
    line gets its 400 without having to end the head.
    """
    newline = buf.find(b"\n")
    if newline < 0:
        if _REQUEST_PREFIX.fullmatch(buf) is None:
            raise bad_request("not an HTTP request")
        return
    text = buf[:newline].decode("latin-1")
    if _HEAD_CONTROL.search(text):
        raise bad_request("a control character in the request head")
    _request_line(_line(text))


def _line(text: str) -> str:
    line = text[:-1] if text.endswith("\r") else text
    if "\r" in line:
        raise bad_request("a bare CR in the request head")
    return line


def _request_line(line: str) -> tuple[str, str, str, str]:
    """Method, path, query and version of a request line."""
    parts = line.split(" ")
    if len(parts) != 3:
        raise bad_request(f"malformed request line {_shown(line)}")
    method, target, version = parts
    if _TOKEN.fullmatch(method) is None:
        raise bad_request(f"malformed method {_shown(method)}")
    path, query = _split_target(method, target)
    if version not in _VERSIONS:
        if _VERSION.fullmatch(version) is None:
            refusal = bad_request(f"malformed HTTP version {_shown(version)}")
        else:
            refusal = bad_request(
                f"unsupported HTTP version {version!r}: this server speaks 1.0 and 1.1"
            )
        refusal.line = (method, path, query)  # the path the error envelope names
        raise refusal
    return method, path, query, version


def parse_head(raw: bytes) -> Head:
    """Read a request head (without its final empty line); raise :class:`Refusal` if invalid."""
    text = raw.decode("latin-1")
    if _HEAD_CONTROL.search(text):
        raise bad_request("a control character in the request head")
    lines = text.split("\n")
    if len(lines) > MAX_HEADERS + 1:
        raise bad_request(f"more than {MAX_HEADERS} header fields")
    method, path, query, version = _request_line(_line(lines[0]))
    headers: dict[str, str] = {}
    try:
        return _head(method, path, query, version, lines[1:], headers)
    except Refusal as refusal:  # the request line was read: the error envelope names its path
        refusal.line = (method, path, query)
        refusal.headers = headers
        raise


def _head(
    method: str, path: str, query: str, version: str, lines: list[str], headers: dict[str, str]
) -> Head:
    """The rest of :func:`parse_head`: the header fields, filled into ``headers`` as read."""
    lengths: list[str] = []
    hosts = 0
    for raw_line in lines:
        line = _line(raw_line)
        if line[:1] in (" ", "\t"):
            raise bad_request("obsolete line folding in a header field")
        name, colon, value = line.partition(":")
        if not colon or _TOKEN.fullmatch(name) is None:
            raise bad_request(f"malformed header field {_shown(line)}")
        name = name.lower()
        value = value.strip(" \t")
        if name == "content-length":
            lengths.append(value)
        elif name == "host":
            hosts += 1
        earlier = headers.get(name)
        headers[name] = value if earlier is None else f"{earlier}, {value}"

    http11 = version == "HTTP/1.1"
    if hosts > 1 or (http11 and not hosts):
        raise bad_request("an HTTP/1.1 request needs exactly one Host header field")
    chunked = False
    coding = headers.get("transfer-encoding")
    if coding is not None:
        if not http11:
            raise bad_request("Transfer-Encoding in an HTTP/1.0 request")
        if lengths:
            raise bad_request("both Content-Length and Transfer-Encoding")
        if [c.strip().lower() for c in coding.split(",")] != ["chunked"]:
            raise bad_request(f"unsupported Transfer-Encoding {_shown(coding)}: only chunked is")
        chunked = True
    connection = {t.strip().lower() for t in headers.get("connection", "").split(",")}
    return Head(
        method=method,
        path=path,
        query=query,
        headers=headers,
        keep_alive="close" not in connection and (http11 or "keep-alive" in connection),
        content_length=_content_length(lengths) if lengths else None,
        chunked=chunked,
        # RFC 9110: an HTTP/1.0 client's 100-continue is ignored.
        expect_continue=http11 and headers.get("expect", "").lower() == "100-continue",
    )


def _split_target(method: str, target: str) -> tuple[str, str]:
    if _TARGET.fullmatch(target) is None:
        raise bad_request(f"malformed request target {_shown(target)}")
    if target.startswith("/"):
        rest = target
    elif target == "*" and method == "OPTIONS":
        return "*", ""
    elif target[:7].lower() == "http://" or target[:8].lower() == "https://":
        after = target.partition("://")[2]  # absolute form, as sent to a proxy: keep the path
        cut = min((i for i in (after.find("/"), after.find("?")) if i >= 0), default=len(after))
        if cut == 0:
            raise bad_request(f"an absolute request target without a host {_shown(target)}")
        rest = after[cut:]
        if not rest.startswith("/"):
            rest = "/" + rest
    else:
        raise bad_request(f"the request target must be a path or an absolute URL: {_shown(target)}")
    if "#" in rest:
        raise bad_request(f"a fragment in the request target {_shown(target)}")
    path, _, query = rest.partition("?")
    return (unquote(path) if "%" in path else path), query


def _content_length(values: list[str]) -> int:
    found = {part.strip() for value in values for part in value.split(",")}
    if len(found) != 1:
        raise bad_request("conflicting Content-Length values")
    (value,) = found
    if not (value.isascii() and value.isdigit()):
        raise bad_request(f"malformed Content-Length {_shown(value)}")
    return int(value)


# -- responses ------------------------------------------------------------------------


class _DateCache:
    """The Date field's text, made once a second (formatting it costs more than a request)."""

    second = -1
    text = ""

    @classmethod
    def now(cls) -> str:
        second = int(time.time())
        if second != cls.second:
            cls.text = email.utils.formatdate(second, usegmt=True)
            cls.second = second  # a race rewrites the same text: harmless
        return cls.text


def encode_response(response: Response, *, head_only: bool, keep_alive: bool) -> bytes:
    """The whole response, head and body, for one ``sendall``.

    Raises ``ValueError`` or ``TypeError`` for a response that cannot go on
    the wire (a status out of range, a header name that is not a token, a
    value with a control character, a body that is not bytes): the caller
    answers 500 instead. For ``HEAD`` the body is never sent; its length is
    given as the body's, or as the application's own ``Content-Length`` when
    it left the body out, or not at all when it gave neither (a length of 0
    would be a lie).
    """
    status, body = response.status, response.body
    if type(status) is not int or not 200 <= status <= 599:
        raise ValueError(f"status must be an int from 200 to 599, got {status!r}")
    if type(body) is not bytes:
        raise TypeError(f"body must be bytes, got {type(body).__name__}")
    parts = [f"HTTP/1.1 {status} {reason(status)}\r\n"]
    # RFC 9110: a HEAD response's Content-Length, if any, is the length GET would have sent.
    length = str(len(body)) if body or not head_only else None
    for name, value in response.headers:
        lower = name.lower()
        if lower in _SERVER_FIELDS:
            if lower == "content-length" and length is None and value.isascii() and value.isdigit():
                length = value
            continue
        if _TOKEN.fullmatch(name) is None or _VALUE_CONTROL.search(value):
            raise ValueError(f"a header field that cannot be sent: {name!r}: {value!r}")
        parts.append(f"{name}: {value}\r\n")
    parts.append(f"Date: {_DateCache.now()}\r\n")
    parts.append("Connection: keep-alive\r\n" if keep_alive else "Connection: close\r\n")
    if length is not None and status != 204:
        parts.append(f"Content-Length: {length}\r\n")
    parts.append("\r\n")
    wire = "".join(parts).encode("latin-1")  # a value beyond Latin-1: UnicodeEncodeError
    return wire if head_only or status in _NO_BODY else wire + body


def encode_error(
    refusal: Refusal,
    *,
    path: str = "",
    request_id: str | None = None,
    head_only: bool = False,
    keep_alive: bool = False,
) -> bytes:
    """A UCXL error envelope from the server itself, with the default rules, as a whole response.

    For a handler that cannot write it (no ``refuse`` method). ``request_id``
    is the client's ``X-Request-ID`` when it sent a usable one (1 to
    ``UCXIRules().max_request_id`` printable ASCII characters, the application's
    rule), used verbatim;
    otherwise a new one, from the wall clock (the server has no world) and 8
    random hex digits.
    """
    code = CODES[refusal.role]
    status, message = status_of(code), MESSAGES[refusal.role]
    now = datetime.now(UTC)
    # The client's id only if usable, as the application's RequestIds.take decides.
    if not usable_id(request_id, _DEFAULT_RULES.max_request_id):
        request_id = f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"
    body = error_body(
        code,
        message,
        details=refusal.details,
        cause=None,
        source="ucxi-server",
        path=path,
        request_id=request_id,
        timestamp=now,
    )
    headers = (("Content-Type", CONTENT_TYPE), ("X-Request-ID", request_id))
    return encode_response(
        Response(status, headers, body), head_only=head_only, keep_alive=keep_alive
    )
