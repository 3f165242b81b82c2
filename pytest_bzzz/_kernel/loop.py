"""Make a running asyncio event loop follow a virtual world clock, without outrunning real work.

Why not looptime: it keeps the loop's time in the loop itself, while here one
world clock must be moved by async and sync operations alike (a sync call
made from async code advances the loop's time too), and it needs
pytest-asyncio and a marker, while a mock used outside pytest must still never
sleep for real. So the loop is attached to the clock instead.

While attached:

- ``loop.time()`` reads the world clock, shifted so that it does not jump at
  the moment of attaching.
- When the loop has nothing to run and would wait for its next timer, it
  waits for real if **real work is pending** (below), and the world clock
  advances by the real time waited: exactly to the timer if the wait ended
  because the timer was due. Otherwise the clock **jumps** to the next timer
  set while this world was attached (an "own" timer), so simulated latency
  and ``asyncio.sleep`` cost no wall time. Timers set before the world
  attached (left by an earlier test on a wider loop scope) never move the
  world's clock: with only such timers ahead, or none, and no real work, the
  loop waits as it would, and the world clock stands still.
- Real work is pending while: an executor job (``run_in_executor``,
  ``asyncio.to_thread``) or an anyio worker thread is busy, or the default
  executor is being shut down; a subprocess a
  task awaits (its exit, or its output) is running; a socket or pipe a task
  awaits data from (asyncio's ``sock_*`` calls, a ``StreamReader``, anyio's
  sockets, aiohttp's client) or has data queued for is open to a peer outside
  this loop; or the world's
  ``real_work()`` is entered (for threads the plugin cannot see). Listening
  sockets and idle connections are not pending work, and neither is a peer in
  this same loop, so a client and a server in one loop still get simulated
  latency.

Detaching (:func:`release`, when the test's coroutine ends or the world
closes) leaves ``loop.time()`` counting in real time from where the world left
it, so the loop's time never goes backwards across attaching and detaching.
Nothing here keeps a loop alive, closed or not: the record of loops is weak,
what the loop's patched methods close over does not refer to the loop, and
neither does the record's value (it holds the loop's selector, which refers
to the loop, only weakly, and reads the loop's timers through the loop).

CPython internals this relies on (asyncio's selector event loop, the same in
3.11, 3.12 and 3.13; checked by the test suite on each):

- ``loop._selector`` (its ``select`` is wrapped; ``get_map()`` is read) and
  the selector key's data: ``(reader_handle, writer_handle)``, each an
  ``asyncio.Handle`` with ``_callback``, ``_args`` and ``_cancelled``;
- the callbacks asyncio registers: ``_sock_recv``, ``_sock_recv_into``,
  ``_sock_recvfrom``, ``_sock_recvfrom_into``, ``_sock_sendall``,
  ``_sock_sendto``, ``_sock_connect_cb``
  (a task awaits a socket), ``_read_ready`` and ``_write_ready`` of a transport
  (``_protocol``; for streams, ``StreamReaderProtocol._stream_reader`` and
  ``StreamReader._waiter``; for aiohttp's client, ``ResponseHandler._waiter``
  and ``._payload._waiter``, the protocol known by its module,
  ``aiohttp.client_proto``), ``_accept_connection`` (a listening socket) and
  ``_read_from_self`` (the loop's own wake-up pipe);
- ``loop.call_at`` and ``loop.call_later`` (wrapped to know which timers a
  world set, and when each is due in world time; ``call_later`` calls
  ``call_at``), ``loop._scheduled`` (the timer heap, read through the
  handles' public ``when()`` and ``cancelled()``), ``loop.run_in_executor``
  (wrapped to see executor jobs), ``loop.shutdown_default_executor``
  (wrapped: its thread is real work), ``loop._make_subprocess_transport``
  (wrapped to see subprocesses; the transport's ``_returncode``,
  ``_exit_waiters`` and ``_protocol.stdout`` / ``.stderr`` readers);
- anyio's ``WorkerThread`` (``loop``, ``idle_workers``, ``stopping``), when
  anyio is imported, and its sockets' protocol's ``read_event`` (an
  ``asyncio.Event``, whose ``_waiters`` are the tasks waiting on it);
- a bound method's ``__func__`` and ``__self__`` (the selector's own
  ``select``, called through a weak reference to the selector).
"""

from __future__ import annotations

import math
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

    from .clock import Clock

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["follow", "follows", "rebase", "release"]

# Callbacks asyncio registers while a task awaits a socket (reader or writer).
_AWAITED = frozenset(
    {
        "_sock_recv",
        "_sock_recv_into",
        "_sock_recvfrom",
        "_sock_recvfrom_into",
        "_sock_sendall",
        "_sock_sendto",
        "_sock_connect_cb",
    }
)
_LISTENING = frozenset({"_accept_connection", "_sock_accept", "_read_from_self"})


class _Timers:
    """Timer handles by identity, held weakly, each with the world instant it is due at.

    Not a ``WeakSet``: a ``TimerHandle`` hashes by its due time, and thousands of
    timers due at the same instant (concurrent operations) would make every
    lookup a linear search.
    """

    def __init__(self) -> None:
        self._items: dict[int, tuple[weakref.ref[asyncio.TimerHandle], float | None]] = {}

    def add(self, handle: asyncio.TimerHandle, due: float | None = None) -> None:
        key = id(handle)
        self._items[key] = (weakref.ref(handle, lambda _: self._items.pop(key, None)), due)

    def __contains__(self, handle: object) -> bool:
        item = self._items.get(id(handle))
        return item is not None and item[0]() is handle

    def due(self, handle: asyncio.TimerHandle) -> float | None:
        item = self._items.get(id(handle))
        return item[1] if item is not None and item[0]() is handle else None


class _Binding:
    """How one loop keeps time: following a world clock, or real time from where it left off.

    Referred to by the loop's patched methods; it never refers to the loop itself.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, selector: Any) -> None:
        self.clock: Clock | None = None
        self.owner: Clock | None = None  # the clock the timers in ``own`` were set under
        # The timers set while the owner was attached, each with the exact world instant an
        # own call_later is due at: now + delay, as a test adds them, rather than loop time
        # minus the shift, which rounds.
        self.own = _Timers()
        self.shift = 0.0  # attached: loop time = shift + clock.now()
        self.offset = loop.time() - time.monotonic()  # detached: monotonic() + offset
        # Neither the selector nor the loop's timers are held: both lead back to the loop (the
        # selector holds the loop's wake-up handle; a timer, its callback's future), and this
        # binding is the value of a weak record keyed by the loop.
        self._selector = weakref.ref(selector)
        select = selector.select
        self._select_function: Callable[..., Any] = getattr(select, "__func__", select)
        self._select_bound = getattr(select, "__self__", None) is selector
        self.executor_futures: weakref.WeakSet[asyncio.Future[Any]] = weakref.WeakSet()
        self.subprocesses: weakref.WeakSet[Any] = weakref.WeakSet()
        self.shutting_down = 0  # shutdown_default_executor() calls under way
        self.loop_ref = weakref.ref(loop)

    @property
    def selector(self) -> Any:
        return self._selector()

    @property
    def scheduled(self) -> list[asyncio.TimerHandle]:
        """The loop's timer heap (empty once the loop is gone)."""
        loop = self.loop_ref()
        return [] if loop is None else loop._scheduled  # type: ignore[attr-defined]

    def original_select(self, timeout: float | None = None) -> Any:
        """The selector's own ``select``."""
        if self._select_bound:
            return self._select_function(self._selector(), timeout)
        return self._select_function(timeout)

    def time(self) -> float:
        clock = self.clock
        if clock is not None:
            return self.shift + clock.now()
        return time.monotonic() + self.offset

    # -- attaching ----------------------------------------------------------------------

    def attach(self, clock: Clock) -> None:
        now = self.time()
        self.shift = now - clock.now()
        if self.owner is not clock:
            self.own = _Timers()
            self.owner = clock
        self.clock = clock
        self.selector.select = self.select

    def detach(self) -> None:
        now = self.time()
        self.clock = None
        self.offset = now - time.monotonic()
        selector = self.selector
        if selector is None:
            return
        if self._select_bound:
            vars(selector).pop("select", None)  # the selector's own method again
        else:
            selector.select = self._select_function

    # -- waiting --------------------------------------------------------------------------

    def select(self, timeout: float | None = None) -> Any:
        clock = self.clock
        if clock is None or (timeout is not None and timeout <= 0):
            return self.original_select(timeout)
        ready = self.original_select(0)
        if ready:
            return ready
        if not self.real_work_pending(clock):
            timer = self.next_own_timer()
            if timer is not None:  # idle until an own timer: jump to it
                self.jump_to(clock, timer)
                return ready
            # Nothing of this world's to wait for (no timer of its own, no real work it
            # knows of): wait as the loop would, and leave the world clock where it is.
            return self.original_select(timeout)
        # Real work: wait for real, and let the world clock follow the real time waited
        # (exactly to the timer, if the wait ended because it is due).
        started = time.monotonic()
        ready = self.original_select(timeout)
        waited = time.monotonic() - started
        if timeout is not None and (not ready or waited >= timeout) and self.scheduled:
            self.jump_to(clock, self.scheduled[0])  # the timer is due: exactly to it
        else:
            clock.advance(waited)
        return ready

    def next_own_timer(self) -> asyncio.TimerHandle | None:
        """The next timer set while this world was attached, if any."""
        scheduled, own = self.scheduled, self.own
        if scheduled and scheduled[0] in own:  # the usual case: no need to look further
            return scheduled[0]
        mine = [handle for handle in scheduled if handle in own and not handle.cancelled()]
        return min(mine, key=lambda handle: handle.when()) if mine else None

    def jump_to(self, clock: Clock, timer: asyncio.TimerHandle) -> None:
        """Move the world clock to ``timer``'s instant (never back), so that it is due."""
        instant = self.own.due(timer)
        if instant is None:
            instant = timer.when() - self.shift
        if instant > clock.now():
            clock.advance_to(instant)
        while self.time() < timer.when():  # loop time carries the shift: make sure it is due
            clock.advance_to(math.nextafter(clock.now(), math.inf))

    def real_work_pending(self, clock: Clock) -> bool:
        if clock.doing_real_work or self.shutting_down:
            return True
        if any(not future.done() for future in self.executor_futures):
            return True
        loop = self.loop_ref()
        if loop is not None and self.anyio_workers_busy(loop):
            return True
        if any(_awaited_subprocess(transport) for transport in self.subprocesses):
            return True
        return self.io_pending()

    @staticmethod
    def anyio_workers_busy(loop: asyncio.AbstractEventLoop) -> bool:
        backend = sys.modules.get("anyio._backends._asyncio")
        worker_class = getattr(backend, "WorkerThread", None)
        if worker_class is None:
            return False
        return any(
            isinstance(thread, worker_class)
            and getattr(thread, "loop", None) is loop
            and not getattr(thread, "stopping", True)
            and thread not in getattr(thread, "idle_workers", (thread,))
            for thread in threading.enumerate()
        )

    def io_pending(self) -> bool:
        """Whether a task awaits a socket or pipe whose peer is outside this loop."""
        awaited = []  # the peers of what tasks await
        local: set[Any] = set()  # the names of this loop's own sockets
        for key in list(self.selector.get_map().values()):
            for handle in key.data or ():
                if handle is None or handle._cancelled:
                    continue
                name = getattr(handle._callback, "__name__", "")
                transport: Any = getattr(handle._callback, "__self__", None)
                if name in _LISTENING:
                    local.add(_sockname(handle._args[1]) if handle._args else None)
                elif name in _AWAITED:
                    sock = handle._args[1]
                    local.add(_sockname(sock))
                    awaited.append(_peername(sock))
                elif name in ("_read_ready", "_write_ready") and hasattr(transport, "_protocol"):
                    local.add(transport.get_extra_info("sockname") or None)
                    if name == "_write_ready" or _stream_awaited(transport._protocol):
                        awaited.append(transport.get_extra_info("peername") or None)
        local.discard(None)
        # A peer this loop also holds the other end of is no real work: its reply comes from
        # this loop's own tasks. An unknown peer (a pipe, an unnamed socket) counts as real.
        return any(peer is None or peer not in local for peer in awaited)

    def track_executor(self, future: asyncio.Future[Any]) -> None:
        self.executor_futures.add(future)

    def track_timer(self, handle: asyncio.TimerHandle) -> None:
        if self.clock is not None:
            self.own.add(handle)

    def track_delay(self, handle: asyncio.TimerHandle, delay: float) -> None:
        clock = self.clock
        if clock is not None and handle in self.own:
            self.own.add(handle, clock.now() + delay)


def _sockname(sock: Any) -> Any:
    try:
        name = sock.getsockname()
    except (AttributeError, OSError):
        return None
    return name or None  # an unnamed unix socket: no name to match a peer by


def _peername(sock: Any) -> Any:
    try:
        name = sock.getpeername()
    except (AttributeError, OSError):
        return None
    return name or None


def _stream_awaited(protocol: Any) -> bool:
    """Whether a task awaits the data this protocol's transport will bring.

    asyncio's streams: the ``StreamReader``'s waiter is set. anyio's sockets
    on asyncio (httpx's async client reads through them): a task waits on the
    protocol's ``read_event``. aiohttp's client: a task waits on the
    protocol's own ``_waiter`` (the response's head) or on its body reader's.
    """
    reader = getattr(protocol, "_stream_reader", None)
    if getattr(reader, "_waiter", None) is not None:
        return True
    event = getattr(protocol, "read_event", None)  # an asyncio.Event: its waiters are tasks
    if getattr(event, "_waiters", None):
        return True
    # aiohttp's client: its protocol is itself the queue a task awaits the response head
    # from, and feeds the body to a reader a task awaits (``_payload``). Its client only: the
    # server's protocol has a ``_waiter`` too, for the next request of an idle connection.
    if type(protocol).__module__ != "aiohttp.client_proto":
        return False
    if _unfinished(getattr(protocol, "_waiter", None)):
        return True
    return _unfinished(getattr(getattr(protocol, "_payload", None), "_waiter", None))


def _unfinished(waiter: Any) -> bool:
    """Whether ``waiter`` is a future not done yet."""
    done = getattr(waiter, "done", None)
    return callable(done) and not done()


def _awaited_subprocess(transport: Any) -> bool:
    if getattr(transport, "_returncode", 0) is not None:
        return False  # exited (or not a subprocess transport)
    if getattr(transport, "_exit_waiters", None):
        return True
    protocol = getattr(transport, "_protocol", None)
    return any(
        getattr(getattr(protocol, name, None), "_waiter", None) is not None
        for name in ("stdout", "stderr")
    )


_bindings: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Binding] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def _binding(loop: asyncio.AbstractEventLoop) -> _Binding:
    """The loop's binding, made (and the loop's methods wrapped) the first time."""
    binding = _bindings.get(loop)
    if binding is not None:
        return binding
    selector = getattr(loop, "_selector", None)
    if selector is None:
        raise RuntimeError(
            f"virtual time needs asyncio's standard event loop, not {type(loop).__name__}; "
            "use the real clock (clock='real') with this loop"
        )
    binding = _Binding(loop, selector)
    original_call_at = loop.call_at
    original_call_later = loop.call_later
    original_executor = loop.run_in_executor
    original_subprocess = getattr(loop, "_make_subprocess_transport", None)
    original_shutdown = loop.shutdown_default_executor

    def call_at(when: float, callback: Any, *args: Any, context: Any = None) -> Any:
        handle = original_call_at(when, callback, *args, context=context)
        binding.track_timer(handle)
        return handle

    def call_later(delay: float, callback: Any, *args: Any, context: Any = None) -> Any:
        handle = original_call_later(delay, callback, *args, context=context)  # calls call_at
        binding.track_delay(handle, delay)
        return handle

    def run_in_executor(executor: Any, func: Any, *args: Any) -> asyncio.Future[Any]:
        future = original_executor(executor, func, *args)
        binding.track_executor(future)
        return future

    async def make_subprocess_transport(*args: Any, **kwargs: Any) -> Any:
        assert original_subprocess is not None
        transport = await original_subprocess(*args, **kwargs)
        binding.subprocesses.add(transport)
        return transport

    async def shutdown_default_executor(*args: Any, **kwargs: Any) -> None:
        # Its thread joins the executor's under a timeout (300 s in asyncio.run): real work.
        binding.shutting_down += 1
        try:
            await original_shutdown(*args, **kwargs)
        finally:
            binding.shutting_down -= 1

    loop.time = binding.time  # type: ignore[method-assign]
    loop.shutdown_default_executor = shutdown_default_executor  # type: ignore[method-assign]
    loop.call_at = call_at  # type: ignore[method-assign,assignment]
    loop.call_later = call_later  # type: ignore[method-assign,assignment]
    loop.run_in_executor = run_in_executor  # type: ignore[method-assign,assignment]
    if original_subprocess is not None:
        loop._make_subprocess_transport = make_subprocess_transport  # type: ignore[attr-defined]
    _bindings[loop] = binding
    return binding


def follow(loop: asyncio.AbstractEventLoop, clock: Clock) -> None:
    """Make ``loop`` follow ``clock`` (a no-op when it already does)."""
    with _lock:
        binding = _binding(loop)
        if binding.clock is clock:
            return
        if binding.clock is not None:
            raise RuntimeError(
                "this event loop already follows the virtual clock of another simulated world; "
                "share one world between mocks (MockDHT(world=...)) or close the other one first"
            )
        binding.attach(clock)


def follows(loop: asyncio.AbstractEventLoop, clock: Clock) -> bool:
    """Whether ``loop`` follows ``clock`` now."""
    binding = _bindings.get(loop)
    return binding is not None and binding.clock is clock


def rebase(clock: Clock, elapsed: float) -> None:
    """``clock`` is about to go back by ``elapsed``: keep its loops' time from going back."""
    with _lock:
        for binding in list(_bindings.values()):
            if binding.clock is clock:
                binding.shift += elapsed


def release(clock: Clock, loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Detach ``loop`` (every loop, if None) from ``clock``; each keeps its time, in real time."""
    with _lock:
        for candidate, binding in list(_bindings.items()):
            if binding.clock is clock and (loop is None or candidate is loop):
                binding.detach()
