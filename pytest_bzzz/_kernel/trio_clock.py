"""A trio clock that follows a world clock, without outrunning real work.

Hand it to ``trio.run(..., clock=...)``, to pytest-trio (as the value of a
fixture: the plugin's ``bzzz_trio_clock``), or to anyio's trio backend
(``("trio", {"clock": TrioClock()})``). Made without a world, it follows the
world of the running test, so it can be made before that world exists; between
tests (or with a real-clock world) it counts real time. Its time never goes
backwards when the world it follows changes.

While it follows a virtual world clock, trio's time *is* that clock: when
every task is blocked, the clock jumps to the next deadline (as trio's
``MockClock`` does with ``autojump_threshold=0``), so concurrent operations
overlap in simulated time and ``trio.move_on_after`` fires at the exact
simulated instant. Unless real work is pending: a thread busy with
``trio.to_thread`` (trio's default thread limiter has tokens out, or a
thread of this run is running a job, whatever its limiter), a task
waiting on a socket, pipe or subprocess (trio's I/O statistics count it), or
the world's ``real_work()`` open. Then trio waits for real, and the world
clock follows the real time waited, to the deadline at most. With no real
work and no deadline at all, trio waits as it would and the world clock stands
still.

A TCP socket whose other end is in the same trio run is not real work (a
server and its client in one run, talking over loopback, get the virtual
latency the simulation adds), nor is a listening socket. To tell, the clock
looks at the sockets tasks wait on, and keeps the local addresses of the TCP
sockets it has seen this run wait (listeners included): a socket whose peer
is one of them has its other end here. A socket it cannot place this way
(its other end never seen waiting, a Unix socket, a pipe) is real work, as
before.

Relies on trio's public API: ``trio.abc.Clock``,
``trio.lowlevel.current_statistics()`` (``io_statistics.tasks_waiting_read``
and ``tasks_waiting_write``; trio's own wake-up task always waits on one
read), ``trio.to_thread.current_default_thread_limiter()`` and
``trio.testing.active_thread_count()`` (this run's threads running a job);
and on one internal, to find the sockets tasks wait on: the run's I/O
manager's ``_registered`` map of file descriptors to waiting tasks (epoll on
Linux; where it is missing or shaped otherwise, every wait counts as real
work, as trio's statistics alone say).
"""

from __future__ import annotations

import math
import socket
import time
from typing import TYPE_CHECKING, Final, NamedTuple

import trio
import trio.testing

from .slots import running_world

if TYPE_CHECKING:
    from .clock import Clock
    from .world import World

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them).
__tracebackhide__ = True

__all__ = ["TrioClock"]

_TRIOS_OWN_READERS = 1  # trio's wake-up task, always waiting to read


class TrioClock(trio.abc.Clock):
    """A ``trio.abc.Clock`` on a world's virtual clock (the running test's, unless ``world``)."""

    def __init__(self, world: World | None = None) -> None:
        self._world = world
        self._following: Clock | None = None
        self._shift = 0.0  # following: trio time = shift + clock.now()
        self._offset = -time.monotonic()  # not following: trio time = monotonic() + offset
        self._waiting: tuple[float, float, float] | None = None  # real start, base, deadline
        self._run_ends: set[tuple[str, int]] = set()  # local TCP addresses seen waiting

    def __repr__(self) -> str:
        bound = "the running test's world" if self._world is None else repr(self._world)
        return f"<TrioClock following {bound}>"

    def _clock(self) -> Clock | None:
        world = self._world if self._world is not None else running_world()
        if world is None or world.clock.mode != "virtual":
            return None
        return world.clock

    def follows(self, clock: Clock) -> bool:
        """Whether this trio clock follows ``clock`` now."""
        return self._clock() is clock

    def _switch(self, clock: Clock | None) -> None:
        """Follow ``clock`` from now on, going on from the time this clock shows."""
        now = self._time_of(self._following)
        self._following, self._waiting = clock, None
        if clock is None:
            self._offset = now - time.monotonic()
        else:
            self._shift = now - clock.now()

    def _time_of(self, clock: Clock | None) -> float:
        if clock is None:
            return time.monotonic() + self._offset
        if self._waiting is not None:  # a real wait: the world follows the real time waited
            started, base, deadline = self._waiting
            target = min(base + (time.monotonic() - started), deadline - self._shift)
            if target > clock.now():
                clock.advance_to(target)
        return self._shift + clock.now()

    # -- trio.abc.Clock --------------------------------------------------------------------

    def start_clock(self) -> None:
        """Called by trio when a run starts: forget the sockets of an earlier run."""
        self._run_ends.clear()

    def current_time(self) -> float:
        clock = self._clock()
        if clock is not self._following:
            self._switch(clock)
        return self._time_of(clock)

    def deadline_to_sleep_time(self, deadline: float) -> float:
        now = self.current_time()
        clock = self._following
        self._waiting = None
        if clock is None or deadline <= now:
            return max(0.0, deadline - now)
        if not _real_work_pending(clock, self._run_ends):
            if deadline == math.inf:
                # No deadline and no real work: wait as trio would; the world stands still.
                return math.inf
            # Every task is blocked and nothing real is under way: jump to the deadline.
            clock.advance_to(max(clock.now(), deadline - self._shift))
            while self._shift + clock.now() < deadline:  # the shift rounds: make it due
                clock.advance_to(math.nextafter(clock.now(), math.inf))
            return 0.0
        self._waiting = (time.monotonic(), clock.now(), deadline)
        return deadline - now


def _real_work_pending(clock: Clock, run_ends: set[tuple[str, int]]) -> bool:
    if clock.doing_real_work:
        return True
    if trio.to_thread.current_default_thread_limiter().borrowed_tokens:
        return True
    # Threads of this run under any limiter (to_thread.run_sync(..., limiter=...), anyio's
    # too): trio counts them per run, so another run's threads, or one abandoned on cancel,
    # are not this run's real work.
    if trio.testing.active_thread_count() > 0:
        return True
    io = trio.lowlevel.current_statistics().io_statistics
    waiting = getattr(io, "tasks_waiting_read", 0) + getattr(io, "tasks_waiting_write", 0)
    if waiting <= _TRIOS_OWN_READERS:
        return False
    real = _real_waits(run_ends)
    return (waiting if real is None else real) > _TRIOS_OWN_READERS


class _Ends(NamedTuple):
    """A TCP socket's local address, and its peer's (None: listening, or not connected)."""

    local: tuple[str, int]
    peer: tuple[str, int] | None
    listening: bool


_WILDCARDS: Final = ("0.0.0.0", "::")


def _real_waits(run_ends: set[tuple[str, int]]) -> int | None:
    """How many waits on file descriptors are for real work (None: the waits are unknown).

    Learns the local address of each TCP socket waited on into ``run_ends``
    first; then a listening socket, and a connected one whose peer is in
    ``run_ends`` (its other end is in this run), are not real work.
    """
    waited = _waited_descriptors()
    if waited is None:
        return None
    ends = [_ends_of(fd) for fd in waited]
    run_ends.update(end.local for end in ends if end is not None)
    real = 0
    for end in ends:
        if end is None:
            real += 1  # a pipe, a Unix socket, trio's own wake-up socket: real work
        elif end.listening:
            continue
        elif end.peer is None or not _in_run(end.peer, run_ends):
            real += 1  # connecting, or connected to something outside this run
    return real


def _in_run(peer: tuple[str, int], run_ends: set[tuple[str, int]]) -> bool:
    port = peer[1]
    return peer in run_ends or any((wildcard, port) in run_ends for wildcard in _WILDCARDS)


def _waited_descriptors() -> list[int] | None:
    """The file descriptors tasks of the running trio run wait on; None where unknown.

    trio's internals (its I/O manager's ``_registered``): the one place they
    are read, see the module's docstring.
    """
    try:
        from trio._core._run import GLOBAL_RUN_CONTEXT

        registered = GLOBAL_RUN_CONTEXT.runner.io_manager._registered
        items: list[tuple[object, object]] = list(registered.items())
    except (ImportError, AttributeError, RuntimeError):
        return None
    waited = []
    for fd, waiters in items:
        if not isinstance(fd, int):
            return None  # another I/O manager's map (kqueue's keys are pairs)
        if getattr(waiters, "read_task", None) is not None:
            waited.append(fd)
        if getattr(waiters, "write_task", None) is not None:
            waited.append(fd)
    return waited


def _ends_of(fd: int) -> _Ends | None:
    """The ends of the TCP socket ``fd`` (None for anything else), read without owning it."""
    try:
        sock = socket.socket(fileno=fd)
    except OSError:
        return None  # not a socket
    try:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return None
        if sock.type != socket.SOCK_STREAM:
            return None
        local = _host_port(sock.getsockname())
        if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
            return _Ends(local, None, listening=True)
        try:
            peer = _host_port(sock.getpeername())
        except OSError:
            return _Ends(local, None, listening=False)  # not connected (yet)
        return _Ends(local, peer, listening=False)
    except OSError:
        return None
    finally:
        sock.detach()  # the descriptor stays trio's, open


def _host_port(address: tuple[str, int] | tuple[str, int, int, int]) -> tuple[str, int]:
    return address[0], address[1]
