"""WSGI and ASGI for the UCXI application: their forms of a request in, a :class:`Response` out.

So that the fake node runs in process, under ``httpx.WSGITransport`` and
``httpx.ASGITransport`` (or ``requests`` through a WSGI adapter), and under
any server that takes either interface (uvicorn takes ``app.asgi``). Both
refuse a body over the size limit before reading it when the request says
its length (the application answers 413 from the ``Content-Length`` alone),
and stop reading one that turns out longer.

A response to ``HEAD`` has no body and the ``Content-Length`` of the GET's
(RFC 9110), which the application computes.

In process there is no connection to close: a response the rules say to
drop (a simulated timeout, ``on_timeout="drop"``) is answered as the 504 it
carries; and the ``delay`` has passed already (on the loop's clock for ASGI,
instantly for sync code on a virtual clock), so neither adapter waits for it.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import TYPE_CHECKING, Any, Final

from .http import Request, Response, reason

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from .app import UCXIApp

__all__ = ["asgi", "content_length", "wsgi"]

Message = MutableMapping[str, Any]
Crashed = Callable[["UCXIApp", Request | None, Exception], Response]
"""What answers an exception raised while reading a request: ``internal_error`` in ``app``,
which the application hands over (this module cannot import it: ``app`` imports this one)."""


def content_length(text: str | None) -> int | None:
    """A ``Content-Length``'s value; ``None`` when there is none or it is not a number.

    Only ASCII digits count (``int`` would take other scripts' digits too), and
    a length past any body's is read as the largest number, not parsed.
    """
    if text is None:
        return None
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text) if len(text) <= 18 else sys.maxsize


def _wire_headers(request: Request | None, response: Response) -> list[tuple[str, str]]:
    """The response's headers with one ``Content-Length``: the body's, or for HEAD the GET's.

    RFC 9110: a response to HEAD may carry the ``Content-Length`` that GET
    would have; the application gives it, with an empty body. A handler that
    gives neither a body nor a length leaves it out (0 would be a lie).
    """
    headers = [
        (name, value) for name, value in response.headers if name.lower() != "content-length"
    ]
    length: str | None = str(len(response.body))
    if request is not None and request.method == "HEAD" and not response.body:
        given = [v for n, v in response.headers if n.lower() == "content-length"]
        length = given[0] if given and given[0].isascii() and given[0].isdigit() else None
    if length is not None:
        headers.append(("Content-Length", length))
    return headers


# -- WSGI ---------------------------------------------------------------------------------


def _wsgi_text(text: str) -> str:
    """PEP 3333 hands over bytes decoded as Latin-1; most servers' paths are UTF-8 in fact."""
    try:
        return text.encode("latin-1").decode()
    except UnicodeError:  # not Latin-1 (an in-process transport's str), or not UTF-8: as given
        return text


# WSGI's name of a header field -> ours (HTTP_X_REQUEST_ID -> x-request-id), as they are met.
_FIELD_NAMES: dict[str, str | None] = {}
_MAX_FIELD_NAMES: Final = 4096  # a client inventing names cannot grow it beyond this


def _field_name(key: str) -> str | None:
    """The header field an environ key holds (``None`` for a key that holds none)."""
    name = _FIELD_NAMES.get(key, "")
    if name == "":
        if key[:5] == "HTTP_":
            name = key[5:].replace("_", "-").lower()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key.replace("_", "-").lower()
        else:
            name = None
        if len(_FIELD_NAMES) < _MAX_FIELD_NAMES:
            _FIELD_NAMES[key] = name
    return name


def _wsgi_request(environ: WSGIEnvironment, max_body: int) -> Request:
    headers: dict[str, str] = {}
    names = _FIELD_NAMES
    for key, value in environ.items():  # on every request's path: the lookups written out
        name = names.get(key, "")
        if name == "":
            name = _field_name(key)
        if name is not None and value:
            headers[name] = value if type(value) is str else str(value)
    length = content_length(headers.get("content-length"))
    stream = environ.get("wsgi.input")
    body = b""
    if stream is not None:
        if length is not None and 0 < length <= max_body:
            body = stream.read(length)
        elif length is None and environ.get("wsgi.input_terminated"):
            body = stream.read(max_body + 1)
    path = _wsgi_text(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
    return Request(
        method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
        path=path or "/",
        query=str(environ.get("QUERY_STRING", "")),
        headers=headers,
        body=bytes(body),
    )


def wsgi(
    app: UCXIApp, environ: WSGIEnvironment, start_response: StartResponse, crashed: Crashed
) -> Iterable[bytes]:
    """Answer a WSGI request with ``app.handle``; an error reading it is answered by ``crashed``."""
    request: Request | None = None
    try:
        request = _wsgi_request(environ, app.rules.max_body)
        response = app.handle(request)
    except Exception as error:  # a malformed environ, or a stream that fails
        response = crashed(app, request, error)
    status = f"{response.status} {reason(response.status) or 'Unknown'}"
    start_response(status, _wire_headers(request, response))
    return [response.body]


# -- ASGI ---------------------------------------------------------------------------------


async def _asgi_request(
    scope: Message, receive: Callable[[], Awaitable[Message]], max_body: int
) -> Request | None:
    """The request, its body read up to one byte past the limit; ``None`` if the client left."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name, value = bytes(raw_name).decode("latin-1").lower(), bytes(raw_value).decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    length = content_length(headers.get("content-length"))
    chunks: list[bytes] = []
    if length is None or length <= max_body:  # else the app answers 413 without the body
        size = 0
        while True:
            message = await receive()
            if message.get("type") == "http.disconnect":
                return None
            chunk = bytes(message.get("body", b""))
            chunks.append(chunk)
            size += len(chunk)
            if size > max_body or not message.get("more_body", False):
                break
    return Request(
        method=str(scope.get("method", "GET")).upper(),
        path=str(scope.get("path", "")) or "/",
        query=bytes(scope.get("query_string", b"")).decode("latin-1"),
        headers=headers,
        body=b"".join(chunks),
    )


async def _http(
    app: UCXIApp,
    scope: Message,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
    crashed: Crashed,
) -> None:
    request: Request | None = None
    try:
        request = await _asgi_request(scope, receive, app.rules.max_body)
        if request is None:
            return
        response = await app.ahandle(request)
    except Exception as error:  # a malformed scope or message
        response = crashed(app, request, error)
    headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in _wire_headers(request, response)
    ]
    try:
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})
    except Exception:  # the client went away: there is no one left to answer
        return


async def _lifespan(
    receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
) -> None:
    """Nothing to start or stop: the world is the test's, and outlives the server."""
    try:
        while True:
            kind = (await receive()).get("type")
            if kind == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif kind == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
            else:
                return
    except Exception:  # a server that breaks the protocol: nothing to clean up
        return


async def asgi(
    app: UCXIApp,
    scope: Message,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
    crashed: Crashed,
) -> None:
    """Serve an ASGI 3 connection: ``http`` with ``app.ahandle``, ``lifespan`` at once.

    An error reading an ``http`` request is answered by ``crashed`` (a 500).
    """
    kind = scope.get("type")
    if kind == "http":
        await _http(app, scope, receive, send, crashed)
    elif kind == "lifespan":
        await _lifespan(receive, send)
    elif kind == "websocket":  # UCXI has no websocket: refuse the handshake
        try:
            await receive()
            await send({"type": "websocket.close", "code": 1003})
        except Exception:
            return
