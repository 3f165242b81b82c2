"""The plain request and response that the UCXI application and its servers exchange.

The application handles a :class:`Request` and returns a :class:`Response`;
the WSGI and ASGI adapters and the HTTP server translate to and from their own
forms. Nothing here knows HTTP's wire format or UCXI's routes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

__all__ = ["Request", "Response"]


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
    body (empty for ``HEAD``). ``delay`` is the simulated time, in seconds,
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
