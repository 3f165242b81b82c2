"""The plain request and response that the UCXI application and its servers exchange.

The application handles a :class:`Request` and returns a :class:`Response`;
the WSGI and ASGI adapters and the HTTP server translate to and from their own
forms. Nothing here knows HTTP's wire format or UCXI's routes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Final

__all__ = ["Request", "Response", "checked", "reason"]


@dataclasses.dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request, as the application sees it.

    ``method`` is upper case (``"GET"``); ``path`` is the request path without
    the query, percent-decoded; ``query`` is the raw query string (without
    ``?``); ``headers`` maps lower-case names to values (repeated headers
    joined with ``", "``); ``body`` is the whole body.
    """

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    body: bytes = b""


@dataclasses.dataclass(frozen=True, slots=True)
class Response:
    """What the application answers.

    ``status`` is the HTTP status; ``headers`` the response headers, in order
    (``Content-Type``, ``X-Request-ID``, ``Allow``, ...; a server adds
    ``Content-Length``, ``Date`` and ``Connection``). ``body`` is the whole
    body; for ``HEAD`` it is empty, and a ``Content-Length`` header gives the
    length GET would have sent. ``delay`` is the simulated time, in seconds,
    that the request's operations took in the world: a server on real sockets
    spends it in real time (scaled by its setting) before answering, so that a
    client's own timeout can fire. ``close`` asks the server to close the
    connection after answering (a request that was not valid HTTP). ``drop``
    asks it to answer nothing and close (a simulated timeout, when the rules
    say a timed-out request gets no answer).
    """

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    delay: float = 0.0
    close: bool = False
    drop: bool = False


def checked(request: Request) -> Request:
    """``request``, once it is known to be a :class:`Request` whose fields have their types.

    A ``TypeError`` names the first that does not, for a caller of
    ``UCXIApp.handle()`` that built its own.
    """
    if (  # what the adapters and the server make: the usual case, checked at once
        type(request) is Request
        and type(request.method) is str
        and type(request.path) is str
        and type(request.query) is str
        and type(request.body) is bytes
        and type(request.headers) is dict
    ):
        return request
    if not isinstance(request, Request):
        raise TypeError(f"handle() takes a Request, got {type(request).__name__}")
    for field, kind in (("method", str), ("path", str), ("query", str), ("body", bytes)):
        if not isinstance(getattr(request, field), kind):
            raise TypeError(f"Request.{field} must be a {kind.__name__}")
    if not isinstance(request.headers, Mapping):
        raise TypeError("Request.headers must be a mapping of lower-case names to values")
    return request


# The reason phrases of the status line, as the real node's Go HTTP server
# writes them. Python's own table renamed some (413 is "Content Too Large"
# from 3.13 on); a fixed table keeps the answer the same on every Python.
_REASONS: Final[Mapping[int, str]] = {
    100: "Continue",
    101: "Switching Protocols",
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    206: "Partial Content",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    304: "Not Modified",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    408: "Request Timeout",
    409: "Conflict",
    410: "Gone",
    411: "Length Required",
    412: "Precondition Failed",
    413: "Request Entity Too Large",
    414: "Request URI Too Long",
    415: "Unsupported Media Type",
    416: "Requested Range Not Satisfiable",
    417: "Expectation Failed",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    505: "HTTP Version Not Supported",
}


def reason(status: int) -> str:
    """The reason phrase for ``status`` (``"Not Found"``), ``""`` for a status without one."""
    return _REASONS.get(status, "")
