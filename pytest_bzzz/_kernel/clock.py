"""The world clock: the one source of time a test can observe.

In ``"virtual"`` mode (the default) time is a number that only operations and
the test move: simulated latency costs no wall time, and sync operations
advance the clock instantly. Under asyncio the running event loop is made to
follow this clock (see ``loop``), so ``asyncio.wait_for`` and
``asyncio.timeout`` around an operation fire at exactly the simulated instant.

In ``"real"`` mode the clock reads the wall clock and operations really sleep,
for code under test that measures time itself.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final, Literal, Self, TypeAlias, get_args

from . import loop
from .asynclib import running_library
from .units import seconds_or_text

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = [
    "DEFAULT_START",
    "Clock",
    "ClockControl",
    "ClockMode",
    "RealWork",
    "check_mode",
    "control",
]

ClockMode: TypeAlias = Literal["virtual", "real"]
_MODES: Final = frozenset(get_args(ClockMode))

DEFAULT_START: Final = datetime(2025, 1, 1, tzinfo=UTC)
"""The instant a virtual world starts at, so that timestamps are reproducible."""


def check_mode(mode: object) -> ClockMode:
    """A clock's mode, ``"virtual"`` or ``"real"``, in any case (``"REAL"``)."""
    if not isinstance(mode, str):
        raise TypeError(
            f"clock must be a str, 'virtual' or 'real', got {type(mode).__name__} {mode!r}"
        )
    word = mode.strip().lower()
    if word not in _MODES:
        raise ValueError(f"clock must be 'virtual' or 'real' (in any case), got {mode!r}")
    return word  # type: ignore[return-value]  # one of the Literal's values, checked above


def _seconds(what: str, value: object) -> float:
    """A time given to the clock by hand that is not a float: an int, or a string with a unit.

    The methods call this only for a value that is not a float already (one
    ``type`` check on an operation's path): ``"1.5s"`` and ``"250ms"`` are
    read as :func:`seconds_or_text` reads them; anything but a number or a
    string is refused.
    """
    if isinstance(value, str):
        return seconds_or_text(what, value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"{what} must be seconds (a number) or a string with a unit ('250ms', '1.5s'), "
            f"got {type(value).__name__} {value!r}"
        )
    return value  # an int, as given (a message about it shows it so)


class ClockControl:
    """A clock's moving parts: the numbers it keeps and the steps that move them.

    The public :class:`Clock` is a façade over one of these. The world that
    owns the clock drives it through this object (see :func:`control`): it
    ties the clock to its timeline (:meth:`set_timeline`,
    :meth:`set_deadline`), spends an operation's latency under its own lock
    (:meth:`spend_held`), and reads :attr:`offset` and :attr:`deadline` on its
    hot path as plain attributes. Kernel-internal: not part of the public API.
    """

    __slots__ = ("deadline", "lock", "offset", "origin", "real_work", "run_due", "virtual")

    def __init__(self, virtual: bool) -> None:
        self.virtual = virtual
        self.lock = threading.RLock()
        self.offset = 0.0  # virtual: the time itself; real: hand-made jumps
        self.origin = time.monotonic()
        self.real_work = 0  # how many real_work() blocks are open
        # The world's timeline: what is due at a time runs as the clock passes it.
        self.deadline = math.inf  # the earliest time something is due
        self.run_due: Callable[[float], float] | None = None

    def now(self) -> float:
        """Seconds since the clock's start (see :meth:`Clock.now`)."""
        if self.virtual:
            return self.offset
        return time.monotonic() - self.origin + self.offset

    # -- the timeline: what is due at a time runs as the clock passes it ------------------

    def set_timeline(self, run_due: Callable[[float], float] | None) -> None:
        """Run ``run_due(now)`` whenever the clock reaches the deadline it returns.

        ``run_due`` runs what is due at ``now`` and returns the next time
        something is (``inf`` for never); :meth:`set_deadline` changes it.
        """
        with self.lock:
            self.run_due = run_due
            if run_due is None:
                self.deadline = math.inf

    def set_deadline(self, deadline: float) -> None:
        """The earliest time something is due on the timeline (``inf`` for nothing)."""
        self.deadline = deadline

    def pass_to(self, target: float) -> None:
        """Move a virtual clock to ``target``, stopping at each deadline on the way; lock held."""
        run_due = self.run_due
        while run_due is not None and self.deadline <= target:
            self.offset = max(self.offset, self.deadline)
            self.deadline = run_due(self.offset)  # what is due runs; the next deadline
        self.offset = max(self.offset, target)  # an action may have spent time itself

    def catch_up(self) -> None:
        """Run what is due by now: a real clock's time passes without telling the timeline."""
        if self.deadline <= self.now() and self.run_due is not None:
            with self.lock:
                while self.run_due is not None and self.deadline <= self.now():
                    self.deadline = self.run_due(self.now())

    def spend_held(self, seconds: float) -> float:
        """Spend ``seconds`` (>= 0) on a virtual clock whose lock the caller holds; the start.

        The pipeline's hot path: an operation's latency, drawn under the
        world's lock (which is this clock's), is spent without taking it again.
        """
        start = self.offset
        end = start + seconds
        if end >= self.deadline:
            self.pass_to(end)  # something is due on the way
        else:
            self.offset = end
        return start


def control(clock: Clock) -> ClockControl:
    """The moving parts of ``clock``, for the world that owns it (not part of the public API)."""
    return clock._control


class Clock:
    """Seconds since the world started, virtual or real; see :meth:`now` and :meth:`advance`.

    The times its methods take (:meth:`advance`, :meth:`advance_to`,
    :meth:`sleep`, :meth:`spend`) are seconds (a number), or a string with a
    unit (``"1.5s"``, ``"250ms"``), as the world's fault methods take them.
    """

    def __init__(
        self,
        mode: ClockMode = "virtual",
        *,
        start: datetime | None = None,
    ) -> None:
        mode = check_mode(mode)
        if start is not None and not isinstance(start, datetime):
            raise TypeError(f"start must be a timezone-aware datetime, got {type(start).__name__}")
        if start is not None and start.utcoffset() is None:
            raise ValueError(f"start must be a timezone-aware datetime, got {start!r}")
        self._mode: ClockMode = mode
        if start is None:
            start = DEFAULT_START if mode == "virtual" else datetime.now(UTC)
        self._start = start.astimezone(UTC)
        self._control = ClockControl(mode == "virtual")
        self._lock = self._control.lock

    @property
    def mode(self) -> ClockMode:
        """``"virtual"`` or ``"real"``."""
        return self._mode

    @property
    def start(self) -> datetime:
        """The UTC instant the world started at (time 0)."""
        return self._start

    @property
    def lock(self) -> threading.RLock:
        """The re-entrant lock that guards this clock.

        Hold it to make readings and moves of the clock one atomic step with
        other work: a world holds it for the whole of each operation.
        """
        return self._lock

    def now(self) -> float:
        """Seconds since the world started."""
        control = self._control
        if control.virtual:
            return control.offset
        return time.monotonic() - control.origin + control.offset

    def datetime(self) -> datetime:
        """The current instant as a timezone-aware UTC datetime."""
        return self._start + timedelta(seconds=self.now())

    def advance(self, seconds: float | str) -> None:
        """Move the clock forward by hand (without sleeping, in either mode).

        ``seconds`` is a number, or a string with a unit (``"1.5s"``).
        """
        if type(seconds) is not float:
            seconds = _seconds("advance(seconds)", seconds)
        if not seconds >= 0:
            raise ValueError(f"the clock only moves forward; cannot advance by {seconds!r}")
        control = self._control
        with self._lock:
            if control.virtual and control.offset + seconds >= control.deadline:
                control.pass_to(control.offset + seconds)
            else:
                control.offset += seconds
                control.catch_up()

    def advance_to(self, instant: float | str) -> None:
        """Move the clock forward to ``instant`` (seconds since the start); never back.

        ``instant`` is a number, or a string with a unit (``"5s"``: five seconds in).
        """
        if type(instant) is not float:
            instant = _seconds("advance_to(instant)", instant)
        if not instant >= 0:
            raise ValueError(f"the clock's instants are 0 or more, got {instant!r}")
        control = self._control
        with self._lock:
            now = self.now()
            if instant < now:
                raise ValueError(
                    f"the clock only moves forward; it is at {now!r}, cannot go to {instant!r}"
                )
            if control.virtual:
                if instant >= control.deadline:
                    control.pass_to(instant)
                control.offset = max(control.offset, instant)  # exactly: no rounding
            else:
                control.offset += instant - now
                control.catch_up()

    def spend(self, seconds: float | str) -> float:
        """Spend ``seconds`` of simulated time and return the time the spending started at.

        Virtual: the clock jumps at once (an operation's latency is spent so).
        Real: really sleeps, without holding :attr:`lock`.
        """
        if type(seconds) is not float:
            seconds = _seconds("spend(seconds)", seconds)
        if not seconds >= 0:
            raise ValueError(f"the clock only moves forward; cannot spend {seconds!r} seconds")
        control = self._control
        if control.virtual:
            lock = self._lock
            lock.acquire()  # not a with statement: this is on every simulated operation's path
            try:
                return control.spend_held(seconds)
            finally:
                lock.release()
        start = self.now()
        if seconds > 0:
            time.sleep(seconds)
        control.catch_up()
        return start

    def sleep(self, seconds: float | str) -> None:
        """Spend ``seconds`` of simulated time: instantly when virtual, really when real."""
        if type(seconds) is not float:
            seconds = _seconds("sleep(seconds)", seconds)
        if self._mode == "virtual":
            self.advance(seconds)
        elif seconds > 0:
            time.sleep(seconds)
            self._control.catch_up()

    async def asleep(self, seconds: float | str) -> None:
        """Spend ``seconds`` in async code, on the loop that runs it.

        Under asyncio, the running loop follows this clock when virtual, so the
        time passes at once unless real work is pending (see ``loop``). Under
        trio (directly, or through anyio), with a ``TrioClock`` that follows
        this clock the task sleeps in its time, so concurrent operations
        overlap; without one, a virtual clock moves by ``seconds`` at once and
        the task yields to the others. A real clock sleeps.
        """
        if type(seconds) is not float:
            seconds = _seconds("asleep(seconds)", seconds)
        library = running_library()
        if library == "asyncio":
            import asyncio

            self.follow_running_loop()
            await asyncio.sleep(seconds)
        elif library == "trio":
            import trio

            from .trio_clock import TrioClock

            trio_clock = trio.lowlevel.current_clock()
            if self._mode == "real" or (
                isinstance(trio_clock, TrioClock) and trio_clock.follows(self)
            ):
                await trio.sleep(seconds)  # trio's time is this clock's (or real time)
            else:
                self.advance(seconds)  # without a TrioClock: one operation after the other
                await trio.lowlevel.checkpoint()
        else:
            raise RuntimeError(
                "the async operations must be awaited in code that asyncio or trio runs "
                "(directly or through anyio); outside async code, call the sync ones"
            )

    @property
    def doing_real_work(self) -> bool:
        """Whether a :meth:`real_work` block is open: loops following this clock wait for real."""
        return self._control.real_work > 0

    def real_work(self) -> RealWork:
        """A context manager (``with`` or ``async with``) for real work the plugin cannot see.

        While it is open, an event loop following this clock never jumps over
        time: it waits for real, and the clock follows the real time waited.
        Use it around code that waits for a thread of your own, or anything
        else outside the loop that will wake it (``call_soon_threadsafe``).
        """
        return RealWork(self)

    def follow_running_loop(self) -> None:
        """Make the running asyncio event loop follow this clock from now on (when virtual).

        Operations do this themselves; call it first thing in async code whose
        own timers (``asyncio.sleep``, ``wait_for``) must be virtual from the
        start. The pytest fixtures do it for async tests and async fixtures.
        Under trio it does nothing: trio's timers are trio's clock's.
        """
        if self._mode == "virtual" and running_library() == "asyncio":
            import asyncio

            loop.follow(asyncio.get_running_loop(), self)

    def reset(self) -> None:
        """Back to time 0 (the world's start); an event loop following it keeps going forward."""
        with self._lock:
            loop.rebase(self, self.now())
            self._control.offset = 0.0
            self._control.origin = time.monotonic()

    def release_running_loop(self) -> None:
        """Stop making the running event loop follow this clock (a no-op if it does not).

        The loop's time goes on counting in real time from where the clock
        left it. The pytest fixtures do this when the test's (or an async
        fixture's) coroutine ends, before anything tears the loop down.
        """
        if self._mode == "virtual" and running_library() == "asyncio":
            import asyncio

            loop.release(self, asyncio.get_running_loop())

    def close(self) -> None:
        """Release every event loop that follows this clock."""
        loop.release(self)


class RealWork:
    """What :meth:`Clock.real_work` returns: usable with ``with`` and ``async with``."""

    def __init__(self, clock: Clock) -> None:
        self._control = clock._control

    def __enter__(self) -> Self:
        with self._control.lock:
            self._control.real_work += 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._control.lock:
            self._control.real_work -= 1

    async def __aenter__(self) -> Self:
        return self.__enter__()

    async def __aexit__(self, *exc_info: object) -> None:
        self.__exit__(*exc_info)
