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

Relies on trio's public API only: ``trio.abc.Clock``,
``trio.lowlevel.current_statistics()`` (``io_statistics.tasks_waiting_read``
and ``tasks_waiting_write``; trio's own wake-up task always waits on one
read), ``trio.to_thread.current_default_thread_limiter()`` and
``trio.testing.active_thread_count()`` (this run's threads running a job).
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

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
        """Called by trio when a run starts: nothing to do."""

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
        if not _real_work_pending(clock):
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


def _real_work_pending(clock: Clock) -> bool:
    if clock.doing_real_work:
        return True
    if trio.to_thread.current_default_thread_limiter().borrowed_tokens:
        return True
    io = trio.lowlevel.current_statistics().io_statistics
    waiting = getattr(io, "tasks_waiting_read", 0) + getattr(io, "tasks_waiting_write", 0)
    # Threads of this run under any limiter (to_thread.run_sync(..., limiter=...), anyio's
    # too): trio counts them per run, so another run's threads, or one abandoned on cancel,
    # are not this run's real work.
    return bool(waiting > _TRIOS_OWN_READERS) or trio.testing.active_thread_count() > 0
