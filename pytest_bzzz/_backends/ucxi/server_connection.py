"""One connection of the fake UCXI node's server: read requests, ask the application, answer.

Each connection has a thread of its own (``server.py`` says why) and this
module is what that thread runs: a loop that reads one request (head, then
body), hands it to the application, spends the response's delay, answers with
one ``sendall``, and goes round again while the connection is kept alive, so
that pipelined requests are answered in order.

The application is looked up for each request (``app_of()``), so that a
server re-pointed at another application (a shared server, moving from one
test's world to the next) hands each request to the one current when the
request arrived. What the server answers itself (a request that is not HTTP,
a body over the limit) is written by that application when it can
(``refuse``), so that it follows the application's rules and draws its
request id from the world's seed.

Every way out of the loop ends in ``_close``. After an answer the close is a
"lingering" one, as Apache's: shut our side, then read and discard what the
client still sends for a bounded while. Closing at once with unread bytes in
the socket makes the kernel send a reset, which can destroy the answer before
the client reads it; a 413 sent while the client is still sending its body
would then never be seen.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from .http import Request, Response
from .server_wire import (
    INTERNAL_ERROR,
    PAYLOAD_TOO_LARGE,
    Head,
    Refusal,
    bad_request,
    check_start,
    encode_error,
    encode_response,
    find_head_end,
    parse_head,
)

if TYPE_CHECKING:
    from .server_arguments import Handler

__all__ = ["Connection", "Limits"]

_LOG: Final = logging.getLogger("pytest_bzzz.ucxi")
_RECV: Final = 64 << 10
_CONTINUE: Final = b"HTTP/1.1 100 Continue\r\n\r\n"
_CHUNK_SIZE: Final = re.compile(rb"[0-9A-Fa-f]{1,16}")
_CHUNK_LINE: Final = 4096  # a chunk-size line with its extensions
_LINGER_SECONDS: Final = 2.0
_LINGER_BYTES: Final = 64 << 20
_EMPTY_LINES: Final = (13, 10)  # CR, LF


@dataclasses.dataclass(slots=True)
class Limits:
    """What every connection of one server reads its limits from (changes apply at once)."""

    latency_scale: float
    max_body: int
    max_header: int
    idle_timeout: float | None


class _Closed(Exception):
    """The client went away, the connection timed out, or the server is stopping."""


class Connection:
    """One client's connection, served by :meth:`serve` on its own thread.

    ``app_of()`` is the application to hand the next request to; ``stopping``
    is set to end the connection (the server stops, or closes its
    connections): a response waiting out its delay is then never sent.
    """

    __slots__ = ("_app_of", "_buf", "_limits", "_sock", "_stopping")

    def __init__(
        self,
        sock: socket.socket,
        app_of: Callable[[], Handler],
        limits: Limits,
        stopping: threading.Event,
    ) -> None:
        self._sock = sock
        self._app_of = app_of
        self._limits = limits
        self._stopping = stopping
        self._buf = bytearray()

    def serve(self) -> None:
        """Answer requests until one side closes; never raises."""
        linger = False
        try:
            linger = self._loop()
        except _Closed:
            pass
        except Exception:  # a bug of the server's own: log it, never take the server down
            _LOG.exception("UCXI server: a connection failed")
        finally:
            self._close(linger)

    def _loop(self) -> bool:
        """Serve requests; return whether to linger on closing (an answer was just sent)."""
        self._sock.settimeout(self._limits.idle_timeout)
        while True:
            head: Head | None = None
            try:
                head = self._read_head()
                body = self._read_chunked(head) if head.chunked else self._read_body(head)
            except Refusal as refusal:
                self._send(self._refusal(self._app_of(), refusal, head, keep_alive=False))
                return True
            request = Request(head.method, head.path, head.query, head.headers, body)
            answer, keep_alive = self._answer(self._app_of(), head, request)
            if answer is None:  # dropped: no answer, and the client sees the connection close
                return True
            self._send(answer)
            if not keep_alive:
                return True

    # -- the application ------------------------------------------------------------------

    def _refusal(
        self, app: Handler, refusal: Refusal, head: Head | None, *, keep_alive: bool
    ) -> bytes:
        """The server's own error answer: written by the application if it can, else by default."""
        if head is None and refusal.line is not None:  # the request line was read: its path
            method, path, query = refusal.line
            head_only = method == "HEAD"
            known: Request | None = Request(method, path, query, refusal.headers)
        elif head is not None:
            head_only = head.method == "HEAD"
            known = Request(head.method, head.path, head.query, head.headers)
        else:
            head_only, known = False, None
        refuse = getattr(app, "refuse", None)
        if refuse is not None:
            request = known
            try:
                response = refuse(refusal.role, request, details=refusal.details)
                return encode_response(response, head_only=head_only, keep_alive=keep_alive)
            except Exception:  # an application that cannot even refuse: the default envelope
                _LOG.exception("UCXI application failed to refuse a request")
        return encode_error(
            refusal,
            path="" if known is None else known.path,
            request_id=None if known is None else known.headers.get("x-request-id"),
            head_only=head_only,
            keep_alive=keep_alive,
        )

    def _answer(self, app: Handler, head: Head, request: Request) -> tuple[bytes | None, bool]:
        """The response's bytes (``None`` to drop it), after its delay; and keep-alive."""
        head_only = head.method == "HEAD"
        try:
            response = app.handle(request)
            if not isinstance(response, Response):
                raise TypeError(f"handle() returned {type(response).__name__}, not a Response")
            delay = response.delay * self._limits.latency_scale
            if not (isinstance(delay, float) and math.isfinite(delay) and delay >= 0):
                raise ValueError(
                    f"delay must be a finite number of seconds, got {response.delay!r}"
                )
            keep_alive = head.keep_alive and not response.close and not response.drop
            answer = (
                None
                if response.drop
                else encode_response(response, head_only=head_only, keep_alive=keep_alive)
            )
        except Exception as error:
            # The traceback goes to the log of the process that runs the server; the client
            # gets the envelope, with the exception's class but not its message (as
            # UCXIApp's own 500 does), and the connection stays usable.
            _LOG.exception("UCXI application failed on %s %s", request.method, request.path)
            keep_alive = head.keep_alive
            refusal = Refusal(INTERNAL_ERROR, {"exception": type(error).__name__})
            return self._refusal(app, refusal, head, keep_alive=keep_alive), keep_alive
        if delay > 0 and self._stopping.wait(delay):
            raise _Closed  # the server stopped while the request was in the simulated network
        return answer, keep_alive

    # -- reading --------------------------------------------------------------------------

    def _fill(self) -> None:
        try:
            data = self._sock.recv(_RECV)
        except OSError:  # reset, timed out, or shut by stop()
            raise _Closed from None
        if not data:
            raise _Closed
        self._buf += data

    def _send(self, data: bytes) -> None:
        try:
            self._sock.sendall(data)
        except OSError:
            raise _Closed from None

    def _read_head(self) -> Head:
        buf, limit = self._buf, self._limits.max_header
        while True:
            if buf and buf[0] in _EMPTY_LINES:  # RFC 9112: ignore empty lines before a request
                skip = len(buf) - len(buf.lstrip(b"\r\n"))
                del buf[:skip]
            end, consumed = find_head_end(buf)
            if end >= 0:
                if end > limit:
                    raise bad_request(f"a request head over {limit} bytes")
                head = parse_head(bytes(buf[:end]))
                del buf[:consumed]
                return head
            if len(buf) > limit:
                raise bad_request(f"a request head over {limit} bytes")
            if buf:
                check_start(buf)
            self._fill()

    def _read_line(self, limit: int) -> bytes:
        """One line (CRLF or LF) of a chunked body, without its end."""
        buf = self._buf
        while (newline := buf.find(b"\n")) < 0:
            if len(buf) > limit + 1:
                raise bad_request("a line of the chunked body too long")
            self._fill()
        if newline > limit + 1:
            raise bad_request("a line of the chunked body too long")
        line = bytes(buf[:newline])
        del buf[: newline + 1]
        return line[:-1] if line.endswith(b"\r") else line

    def _take(self, size: int) -> bytes:
        buf = self._buf
        while len(buf) < size:
            self._fill()
        data = bytes(buf[:size])
        del buf[:size]
        return data

    def _read_body(self, head: Head) -> bytes:
        size = head.content_length
        if not size:
            return b""
        limit = self._limits.max_body
        if size > limit:  # refused before a byte of it is read (and before 100 Continue)
            raise Refusal(PAYLOAD_TOO_LARGE, {"limit": limit, "length": size})
        if head.expect_continue and len(self._buf) < size:
            self._send(_CONTINUE)
        return self._take(size)

    def _read_chunked(self, head: Head) -> bytes:
        limit = self._limits.max_body
        if head.expect_continue and not self._buf:
            self._send(_CONTINUE)
        body = bytearray()
        while True:
            line = self._read_line(_CHUNK_LINE)
            size_text = line.split(b";", 1)[0].strip(b" \t")
            if _CHUNK_SIZE.fullmatch(size_text) is None:
                raise bad_request("a malformed chunk size")
            size = int(size_text, 16)
            if size == 0:
                break
            if len(body) + size > limit:  # refused before that chunk is read
                raise Refusal(PAYLOAD_TOO_LARGE, {"limit": limit})
            body += self._take(size)
            if self._read_line(0):
                raise bad_request("a chunk longer than its size")
        trailers = 0
        while line := self._read_line(self._limits.max_header):  # trailer fields: ignored
            trailers += len(line)
            if trailers > self._limits.max_header:
                raise bad_request(f"trailer fields over {self._limits.max_header} bytes")
        return bytes(body)

    # -- closing --------------------------------------------------------------------------

    def _close(self, linger: bool) -> None:
        sock = self._sock
        try:
            if linger:
                sock.shutdown(socket.SHUT_WR)
                deadline = time.monotonic() + _LINGER_SECONDS
                drained = 0
                while drained < _LINGER_BYTES:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    sock.settimeout(left)
                    data = sock.recv(_RECV)
                    if not data:
                        break
                    drained += len(data)
        except OSError:
            pass
        finally:
            sock.close()
