"""UCXIApp: the fake UCXI node's application, answering HTTP requests from a world's connector.

One application serves one connector on one world. A request is resolved once
(route, method, size, parameters: see ``endpoints``) and then driven through
the connector's sync methods (:meth:`UCXIApp.handle`: WSGI and the threaded
server) or their async twins (:meth:`UCXIApp.ahandle`: ASGI, so that the
world's virtual clock runs through the event loop; the two drivers are in
``driving``, and ``responses`` writes the answer as the response). The
network conditions apply because every operation goes through the
connector: a simulated failure is a 503, a timeout a 504 (or no answer), and
the simulated time a request took is the response's ``delay``.

Nothing escapes: an unexpected exception is answered 500 in the error
envelope, without a traceback, and kept in :attr:`UCXIApp.errors`, so that a
fixture can fail the test at teardown (as pytest-httpx does with requests it
did not expect) rather than let a broken fake pass as a failing client.

What a request's ``delay`` is: on a virtual clock, the simulated time that
its own operations spent. The sync path holds the world's lock around each
operation while it reads the clock before and after (the pipeline holds that
same re-entrant lock for the whole of a virtual operation anyway), so that
the time other threads' requests spend, or an event loop that follows the
clock moves it by, is never counted as this request's. On a real clock the
operations have slept through their latency already, and the delay is 0.

The record of requests is bounded (``record_requests``, 10,000 by default,
as the world's record of calls), so that a node that serves for hours, as the
command line's does, keeps a flat memory.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, NamedTuple, overload

from ..._kernel.record import DEFAULT_RECORD_LIMIT
from ..._kernel.world import World
from ..interfaces import Connector
from . import adapters, local
from .driving import adrive, drive
from .endpoints import ENDPOINTS, Answer, Exchange, Program, parse_query
from .envelopes import RequestIds, status_of
from .http import Request, Response, checked
from .responses import last_resort, respond
from .rules import UCXIRules

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = ["ReceivedRequest", "UCXIApp", "internal_error"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_DEFAULT_RULES = UCXIRules()
_MAX_ERRORS: Final = 1000  # the newest unexpected exceptions kept, whatever record_requests says


@dataclasses.dataclass(frozen=True, slots=True)
class ReceivedRequest:
    """A request the node received, and what it answered.

    ``route`` is the operation it reached (``None`` for a path no route has,
    and for a request the server refused after reading its request line: a
    malformed header, a body over the limit, a malformed chunked body),
    ``at`` the world clock's time when it arrived (seconds), ``dropped``
    whether it was left unanswered (a simulated timeout, with
    ``on_timeout="drop"``). The body of a refused request is not read, so it
    is recorded as ``b""``.
    """

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    status: int
    request_id: str
    route: str | None
    at: float
    dropped: bool = False


class _Turn(NamedTuple):
    """A request resolved: its id, when it arrived, its route, and its answer or program."""

    request: Request
    request_id: str
    start: float
    route: str | None
    plan: Answer | Program


def _limit(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"UCXIApp record_requests must be an int, 0 or more, got {type(value).__name__} "
            f"{value!r}"
        )
    if value < 0:
        raise ValueError(f"UCXIApp record_requests must be an int, 0 or more, got {value!r}")
    return value


class UCXIApp:
    """The fake UCXI node's application over ``connector`` (any ``Connector``) on ``world``.

    ``world`` is the connector's world: the one whose clock stamps envelopes
    and request ids, whose seed the ids derive from, and whose conditions
    ``/health`` reports. ``rules`` are the node's rules (:class:`UCXIRules`).
    ``record_requests`` bounds :attr:`requests` to the newest so many
    (``0`` keeps none; the count by route in ``/status`` covers all of them).

    Call :meth:`handle` or :meth:`ahandle` with a :class:`Request`, or serve it:
    :attr:`wsgi` is a WSGI application, :attr:`asgi` an ASGI one (with
    ``lifespan``), and the application itself is either, by the number of
    arguments it is called with.
    """

    def __init__(
        self,
        connector: Connector,
        world: World,
        *,
        rules: UCXIRules = _DEFAULT_RULES,
        record_requests: int = DEFAULT_RECORD_LIMIT,
    ) -> None:
        if not isinstance(connector, Connector):
            raise TypeError(
                "UCXIApp needs a connector (a pytest_bzzz.Connector, such as mock_bzzz), "
                f"got {type(connector).__name__}"
            )
        if not isinstance(world, World):
            raise TypeError(f"UCXIApp needs the connector's World, got {type(world).__name__}")
        if not isinstance(rules, UCXIRules):
            raise TypeError(f"UCXIApp rules must be a UCXIRules, got {type(rules).__name__}")
        self._connector, self._world, self._rules = connector, world, rules
        self._table: dict[str, dict[str, str]] = {}
        for name, route in rules.routes.items():
            methods = self._table.setdefault(rules.base_path + route.path, {})
            methods.update(dict.fromkeys(route.methods, name))
        if rules.head:
            for methods in self._table.values():
                if "GET" in methods:
                    methods.setdefault("HEAD", methods["GET"])
        # Each role's code, HTTP status and message, looked up once here rather than per answer.
        self._roles = {
            role: (rules.code(role), status_of(rules.code(role)), message)
            for role, message in rules.messages.items()
        }
        self._id_header = rules.request_id_header.lower()
        self._ids = RequestIds(world.seed)
        self._lock = threading.Lock()
        # Each request's ReceivedRequest fields, as a tuple: made into one only when asked for.
        self._requests: collections.deque[tuple[Any, ...]] = collections.deque(
            maxlen=_limit(record_requests)
        )
        self._errors: collections.deque[Exception] = collections.deque(maxlen=_MAX_ERRORS)
        # On a virtual clock the sync path times each operation under the world's lock.
        self._world_lock = world.clock.lock if world.clock.mode == "virtual" else None
        self._counts = dict.fromkeys([*rules.routes, "other"], 0)
        self._started = world.clock.now()
        self._start_instant = world.clock.start
        self._last_instant = (self._started, self._start_instant + timedelta(seconds=self._started))

    @property
    def connector(self) -> Connector:
        return self._connector

    @property
    def world(self) -> World:
        return self._world

    @property
    def rules(self) -> UCXIRules:
        return self._rules

    @property
    def requests(self) -> list[ReceivedRequest]:
        """The requests received so far, oldest first, with the status each was answered.

        The newest ``record_requests`` of them (10,000 unless told otherwise).
        """
        with self._lock:
            records = list(self._requests)
        return [ReceivedRequest(*record) for record in records]

    @property
    def record_requests(self) -> int:
        """How many requests :attr:`requests` keeps (``0``: none)."""
        return self._requests.maxlen or 0

    @property
    def errors(self) -> list[Exception]:
        """The unexpected exceptions answered 500 so far, oldest first (a fault of the fake).

        The newest 1,000 of them, whatever ``record_requests`` says: a test
        that keeps no requests still learns that the fake failed.
        """
        with self._lock:
            return list(self._errors)

    def reset(self) -> None:
        """Forget the requests, errors and request counts so far."""
        with self._lock:
            self._requests.clear()
            self._errors.clear()
            self._counts = dict.fromkeys(self._counts, 0)

    # -- answering a request ------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """Answer ``request`` with the connector's sync methods. Never raises."""
        turn = None
        try:
            turn = self._begin(request)
            plan = turn.plan
            if isinstance(plan, Answer):
                return self._finish(turn, plan, 0.0)
            lock, now = self._world_lock, self._world.clock.now
            answer, spent = drive(self._connector, plan, self._rules.on_timeout, lock, now)
            return self._finish(turn, answer, spent)
        except Exception as error:
            return self._crash(request, turn, error)

    async def ahandle(self, request: Request) -> Response:
        """Answer ``request`` with the connector's async twins, on the running loop. Never raises.

        On a virtual clock the loop follows the world, so simulated latency
        passes in the loop's time, as for any async operation.
        """
        turn = None
        try:
            turn = self._begin(request)
            plan = turn.plan
            if isinstance(plan, Answer):
                answer = plan
            else:
                answer = await adrive(self._connector, plan, self._rules.on_timeout)
            # The loop's time has passed already; only a virtual clock's jump is left to show.
            clock = self._world.clock
            spent = max(clock.now() - turn.start, 0.0) if clock.mode == "virtual" else 0.0
            return self._finish(turn, answer, spent)
        except Exception as error:
            return self._crash(request, turn, error)

    def refuse(
        self,
        role: str,
        request: Request | None = None,
        *,
        details: Mapping[str, Any] | None = None,
    ) -> Response:
        """The error response for a request a server refuses before handling it. Never raises.

        For a server that reads HTTP itself (:class:`UCXIServer`): a request
        that is not valid HTTP (``"BAD_REQUEST"``), a body over the limit
        (``"PAYLOAD_TOO_LARGE"``), a connection over the limit
        (``"SERVICE_UNAVAILABLE"``), a handler that failed
        (``"INTERNAL_ERROR"``). The answer follows this application's rules,
        as every other answer does: the code's spelling and message, the
        source, the request id header (the client's id when it sent a usable
        one, else one drawn from the world's seed), the world clock's time.
        ``request`` is what the server could read of it (its head, without
        the body), ``None`` when it could read nothing; a request is recorded
        in :attr:`requests`, with route ``None``.
        """
        try:
            if role not in self._rules.codes:
                raise ValueError(f"refuse() takes a role of the codes table, got {role!r}")
            shown = Request("", "") if request is None else checked(request)
            clock = self._world.clock
            given = shown.headers.get(self._id_header)
            request_id = self._ids.take(
                given, self._instant(clock.now()), self._rules.max_request_id
            )
            answer = Answer(role, details=details)
            turn = _Turn(shown, request_id, clock.now(), None, answer)
            return self._finish(turn, answer, 0.0, record=request is not None)
        except Exception as error:
            return self._crash(request, None, error)

    def _begin(self, request: Request) -> _Turn:
        """Resolve a request: its id, its route, and what answers it (shared by both twins)."""
        request = checked(request)
        clock, rules = self._world.clock, self._rules
        start = clock.now()
        given = request.headers.get(self._id_header)
        request_id = self._ids.take(given, self._instant(start), rules.max_request_id)
        methods = self._table.get(request.path)
        route = None if methods is None else methods.get(request.method)
        with self._lock:
            self._counts["other" if route is None else route] += 1
        declared = adapters.content_length(request.headers.get("content-length"))
        length = max(len(request.body), declared or 0)
        plan: Answer | Program
        details: dict[str, Any]
        if length > rules.max_body:
            details = {"limit": rules.max_body, "length": length}
            plan = Answer("PAYLOAD_TOO_LARGE", details=details)
        elif methods is None:
            plan = Answer("NOT_FOUND", details={"reason": "no endpoint at this path"})
        elif route is None:
            allowed = list(methods)
            details = {"method": request.method, "allowed": allowed}
            headers = (("Allow", ", ".join(allowed)),)
            plan = Answer("METHOD_NOT_ALLOWED", details=details, headers=headers)
        elif route == "status":
            with self._lock:
                counts = dict(self._counts)
            uptime = max(start - self._started, 0.0)
            plan = local.status(self._world, self._connector, rules, uptime=uptime, requests=counts)
        elif route == "health":
            plan = local.health(self._world, self._connector, rules)
        else:
            plan = ENDPOINTS[route](Exchange(rules, request, parse_query(request.query)))
        return _Turn(request, request_id, start, route, plan)

    def _instant(self, now: float) -> datetime:
        """The world clock's ``now`` as a UTC instant (its ``datetime()``), the last one kept."""
        last, instant = self._last_instant
        if last != now:
            instant = self._start_instant + timedelta(seconds=now)
            self._last_instant = (now, instant)  # one tuple: a racing thread sees either whole
        return instant

    def _finish(
        self, turn: _Turn, answer: Answer, spent: float, *, record: bool = True
    ) -> Response:
        """The response to a resolved request, recorded; ``spent`` is its simulated time."""
        request = turn.request
        role = self._roles[answer.role]
        now = self._instant(self._world.clock.now())
        response = respond(self._rules, request, turn.request_id, answer, role, now, spent)
        if record and self._requests.maxlen != 0:
            received = (
                request.method,
                request.path,
                request.query,
                dict(request.headers),
                request.body,
                response.status,
                turn.request_id,
                turn.route,
                turn.start,
                answer.drop,
            )
            with self._lock:
                self._requests.append(received)
        return response

    def _crash(self, request: object, turn: _Turn | None, error: Exception) -> Response:
        """500 INTERNAL_ERROR for an unexpected exception, which :attr:`errors` keeps.

        The envelope names the exception's class (``details.exception``), never
        its message or traceback: those are for the test (:attr:`errors`), not
        the client.
        """
        with self._lock:
            self._errors.append(error)
        try:
            if turn is None:
                try:
                    shown = checked(request)  # type: ignore[arg-type]  # whatever came
                except TypeError:
                    shown = Request("?", "")
                clock = self._world.clock
                request_id = self._ids.new(self._instant(clock.now()))
                turn = _Turn(shown, request_id, clock.now(), None, Answer("INTERNAL_ERROR"))
            # The class name only, as the server's own 500 gives it: the message may hold
            # anything (a path, a key, a secret), and the client needs none of it.
            details = {"exception": type(error).__name__}
            return self._finish(turn, Answer("INTERNAL_ERROR", details=details), 0.0)
        except Exception:  # pragma: no cover - the last resort, should _finish itself fail
            return last_resort(self._rules)

    # -- serving: WSGI and ASGI ----------------------------------------------------------

    def wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The application as WSGI (PEP 3333), answered with :meth:`handle`."""
        return adapters.wsgi(self, environ, start_response, internal_error)

    async def asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The application as ASGI 3 (``http``, and ``lifespan``), answered with :meth:`ahandle`."""
        await adapters.asgi(self, scope, receive, send, internal_error)

    @overload
    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse, /
    ) -> Iterable[bytes]: ...

    @overload
    def __call__(self, scope: Scope, receive: Receive, send: Send, /) -> Awaitable[None]: ...

    def __call__(self, *args: Any) -> Any:
        """WSGI when called with two arguments, ASGI (a coroutine) with three."""
        if len(args) == 2:  # what an in-process WSGI transport calls on every request
            return adapters.wsgi(self, *args, internal_error)
        if len(args) == 3:
            return self.asgi(*args)
        raise TypeError(
            "UCXIApp is called as WSGI, app(environ, start_response), or as ASGI, "
            f"await app(scope, receive, send); got {len(args)} arguments"
        )

    def __repr__(self) -> str:
        return f"<UCXIApp at {self._rules.base_path or '/'} on {self._world!r}>"


def internal_error(app: UCXIApp, request: Request | None, error: Exception) -> Response:
    """The 500 ``app`` answers for an exception raised before it could handle ``request``.

    What its WSGI and ASGI faces (``adapters``, which the application hands
    it to) answer when reading the request failed: ``request`` is what they
    read of it (``None`` for nothing), and ``error`` is kept in
    :attr:`UCXIApp.errors`, as for any unexpected exception.
    """
    return app._crash(request, None, error)
