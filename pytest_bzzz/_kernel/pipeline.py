"""The operation pipeline: how a world runs each operation a backend hands it.

Mixed into :class:`~pytest_bzzz.World`; backends reach it through
``world.runners(world)``. The order of events is fixed: draw the latency (one
per round of a lookup, in a world of many peers), then whether it fails; if
the latency exceeds the timeout, spend the timeout and raise
:class:`NetworkTimeout`; else spend the latency, raise :class:`NetworkError`
if it failed, and only then let the operation act. A failed or timed-out
operation therefore never changes the data. A paused or killed caller makes
no call at all.

**Faults on the way.** Spending the latency runs what the world's timeline
has due by the operation's end (scheduled faults at their times), and the
operation then sees the network as it is at its completion: its action
chooses its peers then, and a caller paused or killed meanwhile (even if
revived before the end) fails it with :class:`NetworkError`, naming the
fault and its time, before it acts. The faults recorded since the operation
began tell which (``Cluster.faults``); the virtual hot path looks at them only
when something fell due while the latency was spent.

This module holds the entries, :meth:`Pipeline._run` and :meth:`Pipeline._arun`,
which put the steps in that order; the steps are the mixins it inherits:
``draws`` (the latency and failure, per round of a lookup and per link),
``timeouts`` (a timed-out operation, and the ambiguous timeouts of writes)
and ``failures`` (a failed one, and a paused or killed caller's).

The two virtual paths of :meth:`Pipeline._run` are written out for speed (the
benchmarks' floor): they hold the world's lock through its pre-bound
``acquire`` and ``release``, draw inline as ``Draws._draw`` does and record an
``"ok"`` call with the record's members directly.
"""

from __future__ import annotations

import collections
import random
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeAlias, TypeVar

from .asynclib import cancellations
from .clock import Clock, ClockControl
from .cluster import FaultEvent
from .conditions import NetworkConditions, seconds
from .draws import LOOKUP_ALPHA, LOOKUP_FANOUT, Draws
from .failures import Failures
from .record import CallLog
from .timeouts import WRITES, Timeouts, declare_writes
from .topology import Topology

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = [
    "LOOKUP_ALPHA",
    "LOOKUP_FANOUT",
    "WRITES",
    "AsyncRun",
    "Pipeline",
    "Prepared",
    "Run",
    "declare_writes",
]

T = TypeVar("T")

Prepared: TypeAlias = tuple[str, str, Callable[..., T], tuple[Any, ...]]
"""An operation ready to run: its name, its key, the action and the action's arguments.

A backend's sync and async twins share one preparation (argument checks, key,
action), then hand it to the pipeline: ``run(prepared, timeout, peer_id)``.
"""


class Run(Protocol):
    """The pipeline's sync entry: ``run(prepared, timeout, peer_id)``."""

    def __call__(self, prepared: Prepared[T], timeout: float | None, peer: str, /) -> T: ...


class AsyncRun(Protocol):
    """The pipeline's async entry: ``await arun(prepared, timeout, peer_id)``."""

    def __call__(
        self, prepared: Prepared[T], timeout: float | None, peer: str, /
    ) -> Coroutine[Any, Any, T]: ...


class Pipeline(Draws, Timeouts, Failures):
    """How a world runs operations; its state is the world's."""

    _lock: threading.RLock
    _acquire: Callable[[], bool]
    _release: Callable[[], None]
    _clock: Clock
    _time: ClockControl
    _spend: Callable[[float], float]
    _spend_held: Callable[[float], float]
    _rng: random.Random
    _conditions: NetworkConditions
    _uniform: tuple[float, float] | None
    _perfect: bool
    _virtual: bool
    _calm: bool
    _alone: bool
    _log: CallLog
    _count: collections.defaultdict[str, int]
    _append: Callable[[tuple[Any, ...]], None]
    _topology: Topology
    _fault_log: list[FaultEvent]

    def _act(
        self,
        prepared: Prepared[T],
        latency: float,
        start: float,
        peer: str,
        cost: tuple[int, ...],
    ) -> T:
        """Let the operation act and record it; call with the lock held."""
        op, key, action, args = prepared
        try:
            result = action(*args)
        except LookupError:  # NotFoundError, or TemporalRangeError: no such version
            self._log.add(op, key, "not_found", latency, start, peer, cost)
            raise
        self._log.add(op, key, "ok", latency, start, peer, cost)
        return result

    def _run(self, prepared: Prepared[T], timeout: float | None, peer: str) -> T:
        # The two virtual paths hold the lock through its pre-bound acquire and release:
        # half the cost of a with statement, on every operation.
        if timeout is None:
            if self._perfect:
                # A perfect network on a virtual clock: nothing to draw, no time passes.
                self._acquire()
                try:
                    start = self._time.offset  # virtual: the time itself (no call)
                    op, key, action, args = prepared
                    try:
                        result = action(*args)
                    except LookupError:  # NotFoundError, or TemporalRangeError
                        self._log.add(op, key, "not_found", 0.0, start, peer)
                        raise
                    self._count[op] += 1
                    self._append((op, key, "ok", 0.0, start, peer))
                    return result
                finally:
                    self._release()
        else:
            timeout = seconds("timeout", timeout)
        op, key, action, args = prepared
        if not self._calm:
            self._check_caller(op, key, peer)
        if self._virtual:
            # Simulated time passes instantly, so the whole operation is one atomic step.
            # The hot path of a network with conditions: _draw and _act, written out.
            self._acquire()
            try:
                conditions, rng, uniform = self._conditions, self._rng, self._uniform
                if uniform is not None:
                    latency = uniform[0] + uniform[1] * rng.random()
                    if not latency > 0:  # as draw_latency: never below zero
                        latency = 0.0
                elif conditions.jitter:
                    latency = conditions.draw_latency(rng)
                else:
                    latency = conditions.latency
                cost: tuple[int, ...] = ()
                alone = self._alone
                if not alone:  # a lookup among many peers: a drawn latency per round
                    cost = self._reach(peer)
                    for _ in range(1, cost[0]):
                        latency += conditions.draw_latency(rng)
                rate, failing = conditions.failure_rate, conditions.failure_ops
                fails: bool | str = (
                    rate > 0 and (failing is None or op in failing) and rng.random() < rate
                )
                if not alone and self._topology.linked:
                    extra, failed = self._links_of(peer, key)
                    latency += extra
                    if failed is not None and not fails:
                        fails = failed
                limit = conditions.timeout if timeout is None else timeout
                if limit is not None and latency > limit:
                    applied = self._ambiguous(op)
                    start = self._spend_held(limit)
                    if applied:
                        self._apply_timed_out(prepared)
                    raise self._timed_out(op, key, latency, limit, start, peer, cost, applied)
                if self._time.deadline > self._time.offset + latency:
                    start = self._spend_held(latency)  # nothing is due on the way
                else:  # what is due runs; then the operation meets the network at its end
                    seen = len(self._fault_log)
                    start = self._spend_held(latency)
                    self._check_completion(op, key, latency, start, peer, cost, seen)
                if fails:
                    raise self._failed(op, key, latency, start, peer, cost, fails)
                try:
                    result = action(*args)
                except LookupError:  # NotFoundError, or TemporalRangeError
                    self._log.add(op, key, "not_found", latency, start, peer, cost)
                    raise
                self._count[op] += 1
                self._log.seconds += latency
                record = (op, key, "ok", latency, start, peer)
                self._append(record + cost if cost else record)  # alone: no cost to add
                return result
            finally:
                self._release()
        with self._lock:  # a real clock: draw, then wait without holding the lock
            self._time.catch_up()
            latency, fails, limit, cost = self._draw(op, key, timeout, peer)
            applied = self._ambiguous(op) if limit is not None and latency > limit else None
            seen = len(self._fault_log)
        if limit is not None and latency > limit:
            start = self._spend(limit)
            with self._lock:
                if applied:
                    self._apply_timed_out(prepared)
                raise self._timed_out(op, key, latency, limit, start, peer, cost, applied)
        start = self._spend(latency)
        with self._lock:
            self._check_completion(op, key, latency, start, peer, cost, seen)
            if fails:
                raise self._failed(op, key, latency, start, peer, cost, fails)
            return self._act(prepared, latency, start, peer, cost)

    async def _arun(self, prepared: Prepared[T], timeout: float | None, peer: str) -> T:
        if timeout is not None:
            timeout = seconds("timeout", timeout)
        op, key = prepared[0], prepared[1]
        self._time.catch_up()
        if not self._calm:
            self._check_caller(op, key, peer)
        with self._lock:
            latency, fails, limit, cost = self._draw(op, key, timeout, peer)
            timed_out = limit is not None and latency > limit
            applied = self._ambiguous(op) if timed_out else None
            start = self._clock.now()
            seen = len(self._fault_log)
        try:
            await self._clock.asleep(limit if timed_out and limit is not None else latency)
        except BaseException as error:
            if isinstance(error, cancellations()):  # asyncio's or trio's
                with self._lock:
                    elapsed = self._clock.now() - start
                    self._log.add(op, key, "cancelled", elapsed, start, peer, cost)
            raise
        with self._lock:
            if timed_out and limit is not None:
                if applied:
                    self._apply_timed_out(prepared)
                raise self._timed_out(op, key, latency, limit, start, peer, cost, applied)
            self._time.catch_up()
            self._check_completion(op, key, latency, start, peer, cost, seen)
            if fails:
                raise self._failed(op, key, latency, start, peer, cost, fails)
            return self._act(prepared, latency, start, peer, cost)
