"""The threads of ``UCXIServer``: the one that accepts, and one for each connection.

Mixed into the server (``server.py``, which says why it uses threads). The
accepting thread waits in a selector on the listening socket and on the socket
pair that ``stop()`` writes to, accepts every connection waiting, and starts a
thread for each (``server_connection.Connection`` is what that thread runs),
or, beyond ``max_connections`` or when the system will start no more threads,
answers 503 and closes it. :meth:`ServerThreads._end_connections` shuts every
open connection down (its thread closes its own socket) and joins the threads.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading
import time
from collections.abc import Mapping
from typing import Final

from .server_arguments import Handler
from .server_connection import Connection, Limits
from .server_wire import SERVICE_UNAVAILABLE, Refusal, encode_error, encode_response

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them).
__tracebackhide__ = True

__all__ = ["ServerThreads"]

_LOG: Final = logging.getLogger("pytest_bzzz.ucxi")


class ServerThreads:
    """Accepting connections and running each on a thread of its own; the state is the
    server's."""

    _app: Handler
    _limits: Limits
    _max_connections: int
    _lock: threading.Lock
    # Each open connection: its thread, and the event that ends it.
    _connections: dict[socket.socket, tuple[threading.Thread, threading.Event]]
    _serial: int

    def _end_connections(self, deadline: float) -> None:
        with self._lock:
            connections = list(self._connections.items())
        for sock, (_, ending) in connections:
            ending.set()  # a delay being waited out ends at once
            with contextlib.suppress(OSError):  # already closed by its thread
                sock.shutdown(socket.SHUT_RDWR)  # its thread wakes and closes it
        current = threading.current_thread()  # called by the application itself
        for _, (thread, _) in connections:
            if thread is not current:
                # One accepted a moment ago may not have started yet: it ends by itself.
                with contextlib.suppress(RuntimeError):
                    thread.join(max(0.0, deadline - time.monotonic()))

    def _accept_loop(
        self, listener: socket.socket, wake: socket.socket, stopping: threading.Event
    ) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while not stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is wake:
                        return
                    self._accept_all(listener, stopping)

    def _accept_all(self, listener: socket.socket, stopping: threading.Event) -> None:
        while True:
            try:
                sock, _ = listener.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError:  # out of descriptors, say: let others close before trying again
                _LOG.warning("UCXI server: accept failed", exc_info=True)
                stopping.wait(0.05)
                return
            try:
                sock.setblocking(True)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # reset before we got to it
                sock.close()
                continue
            self._serve(sock)

    def _serve(self, sock: socket.socket) -> None:
        with self._lock:
            full = len(self._connections) >= self._max_connections
            if not full:
                self._serial += 1
                ending = threading.Event()
                thread = threading.Thread(
                    target=self._run_connection,
                    args=(sock, ending),
                    name=f"ucxi-connection-{self._serial}",
                    daemon=True,
                )
                self._connections[sock] = (thread, ending)
        if full:
            self._refuse(sock, "too many open connections")
            return
        try:
            thread.start()
        except RuntimeError:  # the system will not start another thread
            with self._lock:
                del self._connections[sock]
            self._refuse(sock, "cannot start a thread for the connection")

    def _refuse(self, sock: socket.socket, reason: str) -> None:
        details: Mapping[str, object] = {"reason": reason}
        try:
            refuse = getattr(self._app, "refuse", None)
            if refuse is None:
                raise LookupError
            answer = encode_response(
                refuse(SERVICE_UNAVAILABLE, None, details=details),
                head_only=False,
                keep_alive=False,
            )
        except Exception:  # no refuse(), or one that failed: the default envelope
            answer = encode_error(Refusal(SERVICE_UNAVAILABLE, details))
        try:
            sock.settimeout(1.0)
            sock.sendall(answer)
        except OSError:
            pass
        finally:
            sock.close()

    def _app_of(self) -> Handler:
        return self._app

    def _run_connection(self, sock: socket.socket, ending: threading.Event) -> None:
        try:
            Connection(sock, self._app_of, self._limits, ending).serve()
        finally:
            with self._lock:
                self._connections.pop(sock, None)
