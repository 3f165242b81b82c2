"""Make a running asyncio event loop follow a virtual world clock.

Why not looptime: it keeps the loop's time in the loop itself, while here one
world clock must be moved by async and sync operations alike (a sync call
made from async code advances the loop's time too), and it needs
pytest-asyncio and a marker, while a mock used outside pytest must still never
sleep for real. So the loop is attached to the clock instead:

- ``loop.time()`` reads the world clock (shifted so that it does not jump at
  the moment of attaching);
- when the loop has nothing to run and waits for its next timer, the selector
  does not block: the clock jumps to that timer instead. When it waits with
  no timer at all (only for I/O) it really waits; while work runs in an
  executor thread it really waits too, until the thread is done or the
  next timer's time has passed in real time (then the clock moves to it), so
  real I/O and threads still work, and a timeout around a thread still fires.

Attaching is per loop and undone by :func:`release` when the world closes.
Resetting the world clock to 0 does not take the loop's time back with it
(:func:`rebase`): an event loop's time never goes backwards.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

    from .clock import Clock

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["follow", "rebase", "release"]

_attached: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Attachment] = (
    weakref.WeakKeyDictionary()
)


class _Attachment:
    def __init__(self, loop: asyncio.AbstractEventLoop, clock: Clock) -> None:
        selector = getattr(loop, "_selector", None)
        if selector is None:
            raise RuntimeError(
                f"virtual time needs asyncio's standard event loop, not {type(loop).__name__}; "
                "use the real clock (clock='real') with this loop"
            )
        self.clock = clock
        self.loop = loop
        self.selector = selector
        self.original_select: Callable[..., Any] = selector.select
        self.original_executor = loop.run_in_executor
        self.executor_futures: weakref.WeakSet[asyncio.Future[Any]] = weakref.WeakSet()
        # Shifted so that the loop's time does not jump when attaching.
        self.shift = loop.time() - clock.now()

        def time() -> float:
            return self.shift + clock.now()

        def run_in_executor(executor: Any, func: Any, *args: Any) -> asyncio.Future[Any]:
            future = self.original_executor(executor, func, *args)
            self.executor_futures.add(future)
            return future

        loop.time = time  # type: ignore[method-assign]
        loop.run_in_executor = run_in_executor  # type: ignore[method-assign,assignment]
        selector.select = self.select

    def select(self, timeout: float | None = None) -> Any:
        if timeout is None or timeout <= 0:
            return self.original_select(timeout)
        ready = self.original_select(0)
        if ready:
            return ready
        if any(not future.done() for future in self.executor_futures):
            # A thread is working: wait for it for real, but no longer than the next
            # timer; if the timer comes first, it is due, so the clock moves to it.
            ready = self.original_select(timeout)
            if not ready:
                self.clock.advance(timeout)
            return ready
        self.clock.advance(timeout)  # idle until the next timer: jump to it
        return ready

    def detach(self) -> None:
        for name in ("time", "run_in_executor"):
            self.loop.__dict__.pop(name, None)
        self.selector.select = self.original_select


def follow(loop: asyncio.AbstractEventLoop, clock: Clock) -> None:
    """Make ``loop`` follow ``clock`` (once; a no-op when it already does)."""
    attachment = _attached.get(loop)
    if attachment is not None:
        if attachment.clock is clock:
            return
        raise RuntimeError(
            "this event loop already follows the virtual clock of another simulated world; "
            "share one world between mocks (MockDHT(world=...)) or close the other one first"
        )
    _attached[loop] = _Attachment(loop, clock)


def rebase(clock: Clock, elapsed: float) -> None:
    """``clock`` is about to go back by ``elapsed``: keep its loops' time from going back."""
    for attachment in list(_attached.values()):
        if attachment.clock is clock:
            attachment.shift += elapsed


def release(clock: Clock) -> None:
    """Detach every loop that follows ``clock``."""
    for loop, attachment in list(_attached.items()):
        if attachment.clock is clock:
            attachment.detach()
            del _attached[loop]
