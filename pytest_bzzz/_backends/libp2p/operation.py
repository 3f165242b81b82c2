"""An operation on the libp2p backend's network, as its caller holds it, and how it can end.

:meth:`Libp2pNetwork.begin <.network.Libp2pNetwork.begin>` hands back an
:class:`Operation`: its :class:`concurrent.futures.Future` answers the caller
(a sync caller waits on it, an async one awaits it), and :meth:`Operation.cancel`
carries the caller's cancellation into the network's trio thread, where the
call runs in a cancel scope of its own. The exceptions are what the future
raises besides py-libp2p's own errors; :func:`wait` and :func:`done` wait for
it from a thread, and from asyncio or trio.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from typing import Any, Generic, TypeVar

import trio

from ..._kernel.asynclib import running_library

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# call that fails or is interrupted ends at the line of the test that made it.
__tracebackhide__ = True

__all__ = [
    "HostStopped",
    "NetworkClosed",
    "Operation",
    "OperationCancelled",
    "RealTimeout",
    "Unannounced",
    "describe",
    "done",
    "wait",
]

T = TypeVar("T")


class NetworkClosed(RuntimeError):
    """The network is closed (or closing): no operation can start on it."""


class RealTimeout(Exception):
    """An operation ran past its timeout, in real time (it may still have been applied)."""


class HostStopped(Exception):
    """The host an operation was to run on is stopped (its peer was killed)."""

    def __init__(self, index: int) -> None:
        super().__init__(f"libp2p host {index} is stopped")
        self.index = index


class OperationCancelled(Exception):
    """The caller cancelled the operation before it finished (:meth:`Operation.cancel`)."""


def describe(error: BaseException) -> str:
    """``Type: message`` of ``error``; of a group's first error (trio's nurseries), and how many."""
    leaves = _leaves(error)
    first, more = leaves[0], len(leaves) - 1
    return f"{type(first).__name__}: {first}" + (f" (and {more} more errors)" if more else "")


def _leaves(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup) and error.exceptions:
        return [leaf for inner in error.exceptions for leaf in _leaves(inner)]
    return [error]


class Operation(Generic[T]):
    """An operation submitted to the network: its :attr:`future`, and :meth:`cancel`."""

    def __init__(
        self, future: concurrent.futures.Future[T], token: trio.lowlevel.TrioToken
    ) -> None:
        self.future = future
        self._token = token
        self._scope: trio.CancelScope | None = None  # the two are the network thread's alone
        self._cancelled = False

    def cancel(self) -> None:
        """Stop the operation where it runs (from any thread): it is not made, or is cut short.

        Its future then raises :class:`OperationCancelled` (or is cancelled, if
        it had not begun). What the operation did before it was cut short stays done.
        """
        if self.future.cancel():  # not begun: it never will
            return
        with contextlib.suppress(trio.RunFinishedError):  # the network ended: nothing runs
            self._token.run_sync_soon(self._cancel_here)

    def enter_scope(self, scope: trio.CancelScope) -> None:
        """The network thread runs the operation in ``scope``: a cancel reaches it there
        (at once, if the caller cancelled before it began)."""
        self._scope = scope
        if self._cancelled:
            scope.cancel()

    def _cancel_here(self) -> None:
        self._cancelled = True
        if self._scope is not None:
            self._scope.cancel()


class Unannounced(Exception):
    """A provider announcement that no other host took (``KadDHT.provide`` returned False)."""

    def __init__(self, others: int) -> None:
        super().__init__(f"the announcement reached none of {others} other hosts")
        self.others = others


def wait(future: concurrent.futures.Future[Any]) -> None:
    """Wait for ``future`` (its timeout is the network's to enforce)."""
    concurrent.futures.wait([future])


async def done(future: concurrent.futures.Future[Any]) -> None:
    """Wait for ``future`` from asyncio or trio, without blocking the caller's loop."""
    if running_library() == "trio":
        token = trio.lowlevel.current_trio_token()
        finished = trio.Event()

        def wake(_: object) -> None:
            with contextlib.suppress(trio.RunFinishedError):  # the caller's run ended first
                token.run_sync_soon(finished.set)

        future.add_done_callback(wake)
        await finished.wait()
        return
    waited = asyncio.wrap_future(future)
    waited.add_done_callback(_retrieved)  # read by the caller, unless it stopped waiting
    await asyncio.wait([waited])


def _retrieved(waited: asyncio.Future[Any]) -> None:
    """Mark the outcome as seen: a caller cancelled meanwhile reads it elsewhere, or never."""
    if not waited.cancelled():
        waited.exception()
