"""``UCXIServer``: the fake UCXI node on a real socket, for clients that speak HTTP.

The application (anything with ``handle(request) -> Response``) knows UCXI;
this server knows HTTP/1.1 and sockets, and nothing of UCXI but its error
envelope. It uses the standard library alone, so that it runs wherever
pytest-bzzz does, inside pytest or outside (``python -m pytest_bzzz.ucxi``).

Threads, not a selector loop: one thread accepts, and each connection gets a
thread of its own. The application may block: a world on the real clock
sleeps through each operation's latency, and every operation waits for the
world's lock. In a single-threaded selector loop one such request would stall
every other connection, and handing requests to a pool would add a queue and
two thread switches to each of them. A thread per connection is what
``http.server.ThreadingHTTPServer`` does too; the speed comes from the rest:
a parser that finds the head with two ``bytes.find`` calls and splits it once
(no ``email`` parser, no file object around the socket), ``TCP_NODELAY``, and
each response written with one ``sendall``. With a keep-alive client this
takes about two thirds of ``ThreadingHTTPServer``'s time per request (and
``ThreadingHTTPServer`` needs ``disable_nagle_algorithm`` on its handler to
come close: it writes head and body apart, and Nagle's algorithm then waits
for the client's delayed acknowledgement). Response delays are spent on the
connection's own thread, blocking nobody else, and end early when the server
stops.

The application can be changed while the server runs (:attr:`UCXIServer.app`),
and :meth:`UCXIServer.close_connections` ends every open connection without
closing the listening socket: together, a node restarted on another world at
the same URL, which is how one server is shared by the tests of a session.

The accepting thread waits in a selector on the listening socket and on a
socket pair that ``stop()`` writes to, so it wakes at once and never polls.
``stop()`` then shuts every open connection down (the connection's thread
closes its own socket, so no descriptor is closed under a thread still using
it) and joins the threads. The listening socket's backlog is the system's
largest (``SOMAXCONN``, at least 128), so a burst of simultaneous connects
waits in the kernel's queue instead of being refused.

This module is the server's face: its arguments, what a user reads and sets,
start and stop. Beside it, ``server_arguments`` checks what it is given (and
defines :class:`Handler`), ``server_threads`` runs the accepting thread and
starts and ends each connection's, ``server_connection`` is one connection's
conversation, and ``server_wire`` the bytes of HTTP/1.1.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING, Final, Self

from .server_arguments import Handler, _check_app, _number, _rules_max_body
from .server_connection import Limits
from .server_threads import ServerThreads

if TYPE_CHECKING:
    from .app import ReceivedRequest

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = ["Handler", "UCXIServer"]

_BACKLOG: Final = max(128, socket.SOMAXCONN)


class UCXIServer(ServerThreads):
    """Serve ``app`` over HTTP/1.1 on ``host:port`` (``port=0``: a free port, chosen at start).

    ``latency_scale`` multiplies each response's ``delay`` (the simulated time
    its operations took) before it is spent in real time; 0 answers at once.
    A body over ``max_body`` bytes is refused with 413 (by default the
    application's own limit, ``app.rules.max_body``, so that the server and
    the in-process application refuse the same bodies; 1 MiB for a handler
    without rules), a request head over ``max_header`` bytes with 400. A
    connection idle for ``idle_timeout`` seconds (``None``: never) is closed;
    beyond ``max_connections`` open connections, a new one is answered 503
    and closed.

    ``start()`` returns once the socket listens; ``stop()`` closes everything
    and may be called any number of times; ``with UCXIServer(app) as server``
    does both. After ``stop()``, ``start()`` listens again on the same port,
    so that clients' URL stays valid, as across a node's restart.
    """

    def __init__(
        self,
        app: Handler,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_scale: float = 1.0,
        max_body: int | None = None,
        max_header: int = 64 << 10,
        idle_timeout: float | None = 60.0,
        max_connections: int = 512,
    ) -> None:
        app = _check_app(app)
        if not isinstance(host, str) or not host:
            raise TypeError(f"host must be a non-empty str, got {host!r}")
        port = int(_number("port", port, low=0, integer=True))
        if port > 65535:
            raise ValueError(f"port must be from 0 to 65535, got {port}")
        self._app = app
        self._host = host
        self._port = port
        self._limits = Limits(
            latency_scale=float(_number("latency_scale", latency_scale, low=0)),
            max_body=_rules_max_body(app)
            if max_body is None
            else int(_number("max_body", max_body, low=0, integer=True)),
            max_header=int(_number("max_header", max_header, low=256, integer=True)),
            idle_timeout=None
            if idle_timeout is None
            else float(_number("idle_timeout", idle_timeout, low=0.001)),
        )
        self._max_connections = int(
            _number("max_connections", max_connections, low=1, integer=True)
        )
        self._lock = threading.Lock()
        self._running = False
        self._bound: tuple[str, int] | None = None
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None
        self._acceptor: threading.Thread | None = None
        # Each open connection: its thread, and the event that ends it.
        self._connections: dict[socket.socket, tuple[threading.Thread, threading.Event]] = {}
        self._serial = 0

    # -- what a user reads ----------------------------------------------------------------

    @property
    def host(self) -> str:
        """The address the server listens on (``127.0.0.1`` unless told otherwise)."""
        return self._bound[0] if self._bound else self._host

    @property
    def port(self) -> int:
        """The port the server listens on (the one chosen for ``port=0``, once started)."""
        if self._bound is None:
            if self._port:
                return self._port
            raise RuntimeError("UCXIServer: the port is chosen when the server starts: start() it")
        return self._bound[1]

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the base every request's path goes after."""
        host = self.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """:attr:`url` and the application's base path: ``http://127.0.0.1:<port>/ucxi/v1``."""
        base = getattr(getattr(self._app, "rules", None), "base_path", "")
        return self.url + (base if isinstance(base, str) else "")

    @property
    def app(self) -> Handler:
        """The application requests are handed to; settable while running.

        A request already in progress finishes with the application it
        arrived at; the next one goes to the new one. To leave nothing of the
        old one behind (keep-alive connections, answers waiting out their
        delay), call :meth:`close_connections` too.
        """
        return self._app

    @app.setter
    def app(self, app: Handler) -> None:
        self._app = _check_app(app)

    @property
    def requests(self) -> list[ReceivedRequest]:
        """What the application received (its ``requests``: :class:`ReceivedRequest` values).

        Raises ``AttributeError`` for an application that keeps no record.
        """
        requests = getattr(self._app, "requests", None)
        if requests is None:
            raise AttributeError(f"{type(self._app).__name__} keeps no record of requests")
        return list(requests)

    @property
    def running(self) -> bool:
        return self._running

    @property
    def latency_scale(self) -> float:
        """What each response's delay is multiplied by; settable while running."""
        return self._limits.latency_scale

    @latency_scale.setter
    def latency_scale(self, value: float) -> None:
        self._limits.latency_scale = float(_number("latency_scale", value, low=0))

    @property
    def max_body(self) -> int:
        """The largest request body, in bytes, read before refusing with 413; settable."""
        return self._limits.max_body

    @max_body.setter
    def max_body(self, value: int) -> None:
        self._limits.max_body = int(_number("max_body", value, low=0, integer=True))

    def __repr__(self) -> str:
        where = self.url if self._bound or self._port else f"{self._host}, port chosen at start"
        return f"<UCXIServer {where} {'running' if self._running else 'stopped'}>"

    # -- start and stop -------------------------------------------------------------------

    def start(self) -> Self:
        """Listen and start accepting; return once connects succeed."""
        with self._lock:
            if self._running:
                raise RuntimeError(f"UCXIServer is already running on {self.url}")
            host = self._bound[0] if self._bound else self._host
            port = self._bound[1] if self._bound else self._port
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            try:
                listener = socket.create_server((host, port), family=family, backlog=_BACKLOG)
            except OSError as error:
                raise OSError(
                    error.errno, f"UCXIServer cannot listen on {host}:{port}: {error.strerror}"
                ) from None
            listener.setblocking(False)
            self._bound = listener.getsockname()[:2]
            self._listener = listener
            self._wake = socket.socketpair()
            self._stopping = threading.Event()
            self._acceptor = threading.Thread(
                target=self._accept_loop,
                args=(listener, self._wake[0], self._stopping),
                name=f"ucxi-server-{self._bound[1]}",
                daemon=True,
            )
            self._running = True
            self._acceptor.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop accepting, close every connection, join the threads; idempotent.

        A thread still inside the application after ``timeout`` seconds (an
        application that never returns) is left behind, as a daemon thread.
        """
        with self._lock:
            if not self._running:
                return
            self._running = False
            self._stopping.set()
            listener, wake, acceptor = self._listener, self._wake, self._acceptor
            self._listener = self._wake = self._acceptor = None
        assert listener is not None
        assert wake is not None
        assert acceptor is not None
        deadline = time.monotonic() + timeout
        with contextlib.suppress(OSError):  # a socket pair's buffer is never full here
            wake[1].send(b"x")
        acceptor.join()  # it never blocks but in select(), which the byte ends
        listener.close()
        wake[0].close()
        wake[1].close()
        self._end_connections(deadline)

    def close_connections(self, timeout: float = 10.0) -> None:
        """Close every open connection now, and keep listening; wait for their threads.

        A response still waiting out its delay is never sent; a keep-alive
        client reconnects on its next request. A thread still inside the
        application after ``timeout`` seconds is left to finish by itself.
        """
        self._end_connections(time.monotonic() + timeout)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
