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

**Links.** A link with conditions of its own (``world.link(a, b, ...)``)
applies to the operations that reach across it: an operation from ``a`` whose
lookup ends at ``b`` (``b`` among the peers it writes to or reads from, as the
backend says through its state's ``contacted(peer, key)``). Those requests go
out in parallel, so the slowest link's extra latency is added (each drawn
uniformly within its latency ± jitter), and each such link may fail the
operation with its own failure rate. These draws come after the operation's
own, and only in a world with link conditions, so other worlds' draws do not
move.

**Ambiguous timeouts.** A timed-out operation never acts, unless the
conditions' ``ambiguous_timeouts`` is on and the operation is a write (one a
backend declared with :func:`declare_writes`): then a draw (even odds, right
after the operation's other draws, and only then, so other worlds' draws do
not move) decides whether it was applied, as a write whose answer was lost
may have been on a real network. An applied one acts when its timeout
expires, and its caller gets the same :class:`NetworkTimeout` either way,
saying that the write may have been applied; the record of calls says which
(``Call.applied``).

The two virtual paths of :meth:`Pipeline._run` are written out for speed (the
benchmarks' floor): they hold the world's lock through its pre-bound
``acquire`` and ``release`` and record an ``"ok"`` call with the record's
members directly.
"""

from __future__ import annotations

import collections
import contextlib
import math
import random
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeAlias, TypeVar

from .asynclib import cancellations
from .clock import Clock
from .cluster import FaultEvent
from .conditions import NetworkConditions, seconds
from .errors import NetworkError, NetworkTimeout
from .peers import Peer
from .record import CallLog
from .timeline import Timeline
from .topology import Topology
from .units import format_seconds

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


LOOKUP_FANOUT = 16
"""Each round of a lookup narrows the peers to ask by this much: ⌈log16 n⌉ rounds among n."""
LOOKUP_ALPHA = 3
"""Peers asked in each round of a lookup (Kademlia's alpha)."""

WRITES: set[str] = set()
"""The operations that change data, as the backends declare them (:func:`declare_writes`)."""


def declare_writes(*names: str) -> None:
    """Declare operations that change data: with ambiguous timeouts, a timed-out one may have
    been applied (see ``NetworkConditions.ambiguous_timeouts``)."""
    WRITES.update(names)


class Pipeline:
    """How a world runs operations; its state is the world's."""

    _lock: threading.RLock
    _acquire: Callable[[], bool]
    _release: Callable[[], None]
    _clock: Clock
    _now: Callable[[], float]
    _spend: Callable[[float], float]
    _spend_held: Callable[[float], float]
    _seed: int
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
    _peers: dict[str, Peer]
    _topology: Topology
    _reach_cache: dict[str, tuple[int, int]]
    _timeline: Timeline
    _states: dict[Any, Any]
    _fault_log: list[FaultEvent]

    def _raise_failures(self) -> None:  # defined by Schedule
        raise NotImplementedError

    def _reach(self, peer: str) -> tuple[int, int]:
        """The cost of a lookup from ``peer``: (rounds, peers contacted); see ``LOOKUP``."""
        cost = self._reach_cache.get(peer)
        if cost is None:
            if self._calm:
                reached = len(self._peers)
            else:
                can_reach = self._topology.can_reach
                reached = sum(1 for other in self._peers if can_reach(peer, other))
            rounds = 0 if reached <= 1 else math.ceil(math.log(reached, LOOKUP_FANOUT) - 1e-9)
            cost = self._reach_cache[peer] = (rounds, min(reached - 1, rounds * LOOKUP_ALPHA))
        return cost

    def _links_of(self, peer: str, key: str) -> tuple[float, str | None]:
        """What the links an operation reaches across add: latency, and the one that failed it.

        Drawn in the order the backend lists the peers contacted; lock held.
        """
        link, rng = self._topology.link, self._rng
        extra, failed = 0.0, None
        for state in self._states.values():
            contacted = getattr(state, "contacted", None)
            if contacted is None:
                continue
            for other in contacted(peer, key):
                conditions = link(peer, other)
                if not (conditions.latency or conditions.jitter or conditions.failure_rate):
                    continue
                delay = conditions.latency
                if conditions.jitter:
                    delay += conditions.jitter * (2 * rng.random() - 1)
                extra = max(extra, delay, 0.0)
                rate = conditions.failure_rate
                if rate and rng.random() < rate and failed is None:  # the first to fail says
                    names = self._peers[peer].name, self._peers[other].name
                    failed = f"the link {names[0]} <-> {names[1]}, failure rate {rate:g}"
        return extra, failed

    def _draw(
        self, op: str, key: str, timeout: float | None, peer: str
    ) -> tuple[float, bool | str, float | None, tuple[int, ...]]:
        """Draw latency (a round's each), then failure (always in this order); lock held.

        The failure is ``True`` (the world's failure rate), a link's description, or ``False``.
        """
        conditions, rng = self._conditions, self._rng
        latency = conditions.draw_latency(rng) if conditions.jitter else conditions.latency
        cost: tuple[int, ...] = ()
        fails: bool | str = False
        if not self._alone:
            cost = self._reach(peer)
            for _ in range(1, cost[0]):
                latency += conditions.draw_latency(rng) if conditions.jitter else conditions.latency
        fails = conditions.may_fail(op) and rng.random() < conditions.failure_rate
        if not self._alone and self._topology.linked:
            extra, failed = self._links_of(peer, key)
            latency += extra
            if failed is not None and not fails:
                fails = failed
        return latency, fails, conditions.timeout if timeout is None else timeout, cost

    def _timed_out(
        self,
        op: str,
        key: str,
        latency: float,
        limit: float,
        start: float,
        peer: str,
        cost: tuple[int, ...],
        applied: bool | None = None,
    ) -> NetworkTimeout:
        """The timeout to raise, recorded; ``applied`` is the draw for a write under ambiguous
        timeouts (``None``: no draw was made), which the record keeps (``Call.applied``)."""
        self._log.add(op, key, "timeout", limit, start, peer, cost, applied)
        if op not in WRITES:
            outcome = ""
        elif applied is None:
            outcome = "; the write was not applied"
        else:  # the caller learns no more than a real client would: what the draw allowed
            outcome = (
                "; the write may have been applied (ambiguous timeouts: a draw from the world's "
                "seed decides)"
            )
        return NetworkTimeout(
            f"simulated timeout: {op}({key!r}) took longer than its timeout of "
            f"{format_seconds(limit)} (simulated latency {format_seconds(latency)}; "
            f"world seed {self._seed}){outcome}",
            op=op,
            key=key,
            latency=latency,
            timeout=limit,
        )

    def _ambiguous(self, op: str) -> bool | None:
        """For a timed-out operation: whether it was applied after all; lock held.

        ``None`` (and nothing drawn) unless the conditions' ``ambiguous_timeouts`` is on and
        ``op`` is a write; else one draw, even odds.
        """
        if not self._conditions.ambiguous_timeouts or op not in WRITES:
            return None
        return self._rng.random() < 0.5

    @staticmethod
    def _apply_timed_out(prepared: Prepared[Any]) -> None:
        """Let a timed-out write that was applied after all act; lock held. Its answer is lost:
        a write that finds nothing to change (a delete of a deleted address) changes nothing."""
        _, _, action, args = prepared
        with contextlib.suppress(LookupError):
            action(*args)

    def _failed(
        self,
        op: str,
        key: str,
        latency: float,
        start: float,
        peer: str,
        cost: tuple[int, ...],
        cause: bool | str = True,
    ) -> NetworkError:
        self._log.add(op, key, "failed", latency, start, peer, cost)
        why = cause if isinstance(cause, str) else f"failure rate {self._conditions.failure_rate:g}"
        return NetworkError(
            f"simulated network failure: {op}({key!r}) failed ({why}; world seed {self._seed})",
            op=op,
            key=key,
        )

    def _check_caller(self, op: str, key: str, peer: str) -> None:
        """A paused or killed peer makes no calls: its operations fail at once.

        Raises first a scheduled action's failure, if one is waiting.
        """
        with self._lock:
            if self._timeline.failures:
                self._raise_failures()
            status = self._topology.status(peer)
            if status == "live":
                return
            self._log.add(op, key, "failed", 0.0, self._clock.now(), peer)
            raise NetworkError(
                f"simulated network failure: {op}({key!r}) from {self._peers[peer].name}, "
                f"which is {status} (world seed {self._seed})",
                op=op,
                key=key,
            )

    def _check_completion(
        self,
        op: str,
        key: str,
        latency: float,
        start: float,
        peer: str,
        cost: tuple[int, ...],
        seen: int,
    ) -> None:
        """Fail an operation whose caller was paused or killed while it ran; lock held.

        ``seen`` is how many faults the world had recorded when the operation
        began: the later ones happened during its latency. A caller paused or
        killed meanwhile fails its operation, even if revived before it ended
        (a killed peer's process died with the operation in it).
        """
        log = self._fault_log
        if len(log) == seen:
            return
        if len(log) < seen:
            seen = 0  # the world was reset meanwhile: what it recorded since
        name = self._peers[peer].name if peer in self._peers else peer
        fault = next(
            (e for e in log[seen:] if e.action in ("pause", "kill") and e.detail == name), None
        )
        if fault is None:
            return
        self._log.add(op, key, "failed", latency, start, peer, cost)
        done = "paused" if fault.action == "pause" else "killed"
        raise NetworkError(
            f"simulated network failure: {op}({key!r}) from {name} failed: {name} was {done} "
            f"at {format_seconds(fault.at)}, before the operation completed at "
            f"{format_seconds(start + latency)} (world seed {self._seed})",
            op=op,
            key=key,
        )

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
                    start = self._clock._offset  # virtual: the time itself (no call)
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
                if self._clock._deadline > self._clock._offset + latency:
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
            self._clock._catch_up()
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
        self._clock._catch_up()
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
            self._clock._catch_up()
            self._check_completion(op, key, latency, start, peer, cost, seen)
            if fails:
                raise self._failed(op, key, latency, start, peer, cost, fails)
            return self._act(prepared, latency, start, peer, cost)
