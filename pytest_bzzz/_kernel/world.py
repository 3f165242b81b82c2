"""The simulated world: one per test, the kernel every backend runs its operations through.

A world holds the seed and the random draws made from it, the clock, the
network conditions, the peers and the record of calls, and a slot for the
state each backend keeps in it (its data, per peer). It knows no DHT and no
BZZZ: a backend declares its operations (see ``operations``) and runs each
one through the world's pipeline (see :func:`runners`), which fixes the order
of events: draw the latency, then whether it fails; if the latency exceeds
the timeout, spend the timeout and raise :class:`NetworkTimeout`; else spend
the latency, raise :class:`NetworkError` if it failed, and only then let the
operation act. A failed or timed-out operation therefore never changes the
data.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Coroutine
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeAlias, TypeVar, cast

from .asynclib import cancellations
from .clock import Clock, ClockMode, RealWork
from .cluster import Cluster, FaultEvent
from .conditions import NetworkConditions, seconds
from .errors import NetworkError, NetworkTimeout
from .operations import OPERATIONS
from .peers import Peer, PeerIds
from .record import DEFAULT_RECORD_LIMIT, Call, CallLog, Outcome, Stats
from .seeds import SEED_LIMIT, fresh_seed
from .slots import _VIEWS, S, StateKey, WorldState
from .topology import Topology
from .units import format_seconds

if TYPE_CHECKING:
    # Annotations only: the two views below read the memory backend's data (see _VIEWS).
    from .._backends.memory.content import ContentStore
    from .._backends.memory.storage import DHTStorage

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["AsyncRun", "Prepared", "Run", "World", "runners"]

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


_PERFECT = NetworkConditions()


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(
            f"seed must be an int from 0 to {SEED_LIMIT - 1}, got {type(seed).__name__} {seed!r}"
        )
    if not 0 <= seed < SEED_LIMIT:
        raise ValueError(f"seed must be an int from 0 to {SEED_LIMIT - 1}, got {seed!r}")
    return seed


def _check_conditions(conditions: object) -> NetworkConditions:
    if not isinstance(conditions, NetworkConditions):
        raise TypeError(f"conditions must be a NetworkConditions, got {type(conditions).__name__}")
    return conditions


class World(Cluster):
    """A simulated BZZZ world: seed, clock, network conditions, peers, the record of calls.

    Usable on its own as a context manager; closing it releases any event loop
    that follows its virtual clock and what backends keep in it. ``seed``
    defaults to a fresh one (see :attr:`seed`), ``clock`` is ``"virtual"`` or
    ``"real"``, ``start`` is the instant the clock starts at,
    ``record_calls`` bounds the call record (``0`` keeps none), and ``peers``
    is how many peers it starts with, the local one included. The peers and
    the faults among them (``partition``, ``kill``, ...) are the methods of
    :class:`~pytest_bzzz._kernel.cluster.Cluster`, documented with the world's.
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        conditions: NetworkConditions | None = None,
        clock: ClockMode = "virtual",
        start: datetime | None = None,
        record_calls: int = DEFAULT_RECORD_LIMIT,
        peers: int = 1,
    ) -> None:
        if isinstance(peers, bool) or not isinstance(peers, int):
            raise TypeError(f"peers must be a whole number, 1 or more, got {type(peers).__name__}")
        if peers < 1:
            raise ValueError(f"peers must be a whole number, 1 or more, got {peers}")
        self._seed = fresh_seed() if seed is None else _check_seed(seed)
        conditions = _PERFECT if conditions is None else _check_conditions(conditions)
        self._clock = Clock(clock, start=start)
        # One lock for the world and its clock: an operation's reading and moving
        # of the clock, its draws, its action and its record are one atomic step.
        self._lock = self._clock.lock
        self._acquire, self._release = self._lock.acquire, self._lock.release
        self._virtual = self._clock.mode == "virtual"
        self._now, self._spend = self._clock.now, self._clock.spend  # bound once: hot path
        self._topology = Topology()
        self._initial_conditions = conditions
        self._set_conditions(conditions)
        self._log = CallLog(record_calls)
        self._count, self._append = self._log.counts, self._log.append
        self._rng = random.Random(self._seed)
        self._peer_ids = PeerIds(self._seed)
        self._peers: dict[str, Peer] = {}
        self._names: dict[str, Peer] = {}
        self._fault_log: list[FaultEvent] = []
        self._states: dict[StateKey[Any], WorldState] = {}
        self._initial_peers = peers
        self._local = self.add_peer("local")
        self.add_peers(peers - 1)

    # -- what a test reads and sets -------------------------------------------------------

    @property
    def seed(self) -> int:
        """The seed every random draw of this world derives from."""
        return self._seed

    @property
    def clock(self) -> Clock:
        """The world clock: ``clock.now()`` seconds since the start, ``clock.advance(s)``."""
        return self._clock

    @property
    def conditions(self) -> NetworkConditions:
        """The network conditions every operation meets from now on."""
        return self._conditions

    @conditions.setter
    def conditions(self, conditions: NetworkConditions) -> None:
        _check_conditions(conditions)
        with self._lock:
            self._set_conditions(conditions)

    def _set_conditions(self, conditions: NetworkConditions) -> None:
        self._conditions = conditions
        self._network_changed()
    def _network_changed(self) -> None:
        """Recompute what the hot paths read, after the conditions or the topology changed."""
        conditions = self._conditions
        self._calm = self._topology.undivided  # every peer live and reaching every other
        self._perfect = self._virtual and conditions == _PERFECT and self._calm
        # For the virtual hot path: a uniform draw as NetworkConditions.draw_latency makes
        # it (the same arithmetic, so the same seed gives the same latencies), or None.
        uniform = conditions.jitter and conditions.distribution == "uniform"
        low = conditions.latency - conditions.jitter
        self._uniform = (low, conditions.latency + conditions.jitter - low) if uniform else None

    @property
    def local_peer(self) -> Peer:
        """The peer the test's mocks act as."""
        return self._local

    @property
    def peers(self) -> list[Peer]:
        """Every peer of the world, the local one first."""
        with self._lock:
            return list(self._peers.values())

    def add_peer(self, name: str | None = None) -> Peer:
        """Add a peer (named ``peer-N`` unless ``name`` is given) and return it."""
        with self._lock:
            if name is None:  # peer-N, N the number of peers so far or the next free after it
                number = len(self._peers)
                while f"peer-{number}" in self._names:
                    number += 1
                name = f"peer-{number}"
            if not isinstance(name, str):
                raise TypeError(f"a peer name must be a str, got {type(name).__name__} {name!r}")
            if not name:
                raise ValueError("a peer name must not be empty")
            if name in self._names:
                raise ValueError(f"a peer named {name!r} already exists")
            peer = Peer(self._peer_ids.next(), name)
            self._peers[peer.id] = peer
            self._names[name] = peer
            self._topology.add(peer.id)
            return peer

    @property
    def stats(self) -> Stats:
        """Counters over every operation so far (a snapshot)."""
        with self._lock:
            return self._log.stats()

    def calls(
        self, op: str | None = None, *, key: str | None = None, outcome: Outcome | None = None
    ) -> list[Call]:
        """Recorded calls, oldest first, filtered by operation, key and outcome."""
        if op is not None:
            OPERATIONS.check([op])
        if not self._log.limit:
            raise RuntimeError(
                "the record of calls is off in this world (record_calls=0), so there are no "
                "calls to list; keep some with @pytest.mark.bzzz(record_calls=N), "
                "--bzzz-record-calls=N or World(record_calls=N), or count them with .stats"
            )
        with self._lock:
            return self._log.calls(op, key=key, outcome=outcome)

    def real_work(self) -> RealWork:
        """A context manager (``with`` or ``async with``) around real work the plugin cannot see.

        Virtual time never jumps over real work it knows of (executor jobs,
        anyio worker threads, awaited subprocesses and sockets); for anything
        else, such as a thread of your own that wakes the loop, open this: the
        loop waits for real while it is open, and the world clock follows the
        real time waited.
        """
        return self._clock.real_work()

    @property
    def storage(self) -> DHTStorage:
        """The DHT's values and provider records, reached without the network."""
        return cast("DHTStorage", self._view("storage"))

    @property
    def content(self) -> ContentStore:
        """The UCXL version histories the connector stores, reached without the network."""
        return cast("ContentStore", self._view("content"))

    def _view(self, name: str) -> object:
        view = _VIEWS.get(name)
        if view is None:  # pragma: no cover - importing pytest_bzzz registers every view
            raise AttributeError(f"world.{name} needs pytest_bzzz's backends: import pytest_bzzz")
        return view(self)

    def state(self, key: StateKey[S]) -> S:
        """The state ``key`` names in this world, made on first use; reset and closed with it."""
        state = self._states.get(key)
        if state is None:
            with self._lock:
                state = self._states.get(key)
                if state is None:
                    state = self._states[key] = key.factory(self)
        return cast(S, state)

    def describe(self) -> str:
        """A few lines for a failure report: seed, conditions, clock, stats."""
        return "\n".join(
            [
                f"seed: {self._seed}",
                f"conditions: {self._conditions.describe()}",
                f"clock: {self._clock.mode}, at {self._clock.now():.6g}s "
                f"({self._clock.datetime().isoformat()})",
                f"stats: {self.stats.describe()}",
            ]
        )

    def reset(self) -> None:
        """Back to the world's start: no data, no calls, time 0, first conditions, same draws."""
        with self._lock:
            for state in self._states.values():
                state.reset()
            self._log.clear()
            self._clock.reset()
            self._set_conditions(self._initial_conditions)
            self._rng.seed(self._seed)
            self._peer_ids.reset()
            self._peers.clear()
            self._names.clear()
            self._topology.clear()
            self._fault_log.clear()
            self._local = self.add_peer("local")
            self.add_peers(self._initial_peers - 1)

    def close(self) -> None:
        """Release any event loop that follows this world's virtual clock, and backends' state."""
        with self._lock:
            states = list(self._states.values())
        for state in states:
            state.close()
        self._clock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<World seed={self._seed} {self._clock.mode} clock at {self._clock.now():.6g}s>"

    def __getstate__(self) -> Any:
        raise TypeError("a World cannot be pickled: it holds locks and a running clock")

    # -- the pipeline: how backends run operations (see runners()) ------------------------

    def _draw(self, op: str, timeout: float | None) -> tuple[float, bool, float | None]:
        """Draw latency, then failure (always in this order); call with the lock held."""
        conditions = self._conditions
        latency = conditions.draw_latency(self._rng) if conditions.jitter else conditions.latency
        fails = conditions.may_fail(op) and self._rng.random() < conditions.failure_rate
        return latency, fails, conditions.timeout if timeout is None else timeout

    def _timed_out(
        self, op: str, key: str, latency: float, limit: float, start: float, peer: str
    ) -> NetworkTimeout:
        self._log.add(op, key, "timeout", limit, start, peer)
        return NetworkTimeout(
            f"simulated timeout: {op}({key!r}) took longer than its timeout of "
            f"{format_seconds(limit)} (simulated latency {format_seconds(latency)}; "
            f"world seed {self._seed})",
            op=op,
            key=key,
            latency=latency,
            timeout=limit,
        )

    def _failed(self, op: str, key: str, latency: float, start: float, peer: str) -> NetworkError:
        self._log.add(op, key, "failed", latency, start, peer)
        return NetworkError(
            f"simulated network failure: {op}({key!r}) failed "
            f"(failure rate {self._conditions.failure_rate:g}; world seed {self._seed})",
            op=op,
            key=key,
        )

    def _check_caller(self, op: str, key: str, peer: str) -> None:
        """A paused or killed peer makes no calls: its operations fail at once."""
        with self._lock:
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

    def _act(self, prepared: Prepared[T], latency: float, start: float, peer: str) -> T:
        """Let the operation act and record it; call with the lock held."""
        op, key, action, args = prepared
        try:
            result = action(*args)
        except LookupError:  # NotFoundError, or TemporalRangeError: no such version
            self._log.add(op, key, "not_found", latency, start, peer)
            raise
        self._log.add(op, key, "ok", latency, start, peer)
        return result

    def _run(self, prepared: Prepared[T], timeout: float | None, peer: str) -> T:
        # The two virtual paths hold the lock through its pre-bound acquire and release:
        # half the cost of a with statement, on every operation.
        if timeout is None:
            if self._perfect:
                # A perfect network on a virtual clock: nothing to draw, no time passes.
                self._acquire()
                try:
                    start = self._now()
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
                rate, failing = conditions.failure_rate, conditions.failure_ops
                fails = rate > 0 and (failing is None or op in failing) and rng.random() < rate
                limit = conditions.timeout if timeout is None else timeout
                if limit is not None and latency > limit:
                    start = self._spend(limit)
                    raise self._timed_out(op, key, latency, limit, start, peer)
                start = self._spend(latency)
                if fails:
                    raise self._failed(op, key, latency, start, peer)
                try:
                    result = action(*args)
                except LookupError:  # NotFoundError, or TemporalRangeError
                    self._log.add(op, key, "not_found", latency, start, peer)
                    raise
                self._count[op] += 1
                self._log.seconds += latency
                self._append((op, key, "ok", latency, start, peer))
                return result
            finally:
                self._release()
        with self._lock:  # a real clock: draw, then wait without holding the lock
            latency, fails, limit = self._draw(op, timeout)
        if limit is not None and latency > limit:
            start = self._spend(limit)
            with self._lock:
                raise self._timed_out(op, key, latency, limit, start, peer)
        start = self._spend(latency)
        with self._lock:
            if fails:
                raise self._failed(op, key, latency, start, peer)
            return self._act(prepared, latency, start, peer)

    async def _arun(self, prepared: Prepared[T], timeout: float | None, peer: str) -> T:
        if timeout is not None:
            timeout = seconds("timeout", timeout)
        op, key = prepared[0], prepared[1]
        if not self._calm:
            self._check_caller(op, key, peer)
        with self._lock:
            latency, fails, limit = self._draw(op, timeout)
            start = self._clock.now()
        timed_out = limit is not None and latency > limit
        try:
            await self._clock.asleep(limit if timed_out and limit is not None else latency)
        except BaseException as error:
            if isinstance(error, cancellations()):  # asyncio's or trio's
                with self._lock:
                    self._log.add(op, key, "cancelled", self._clock.now() - start, start, peer)
            raise
        with self._lock:
            if timed_out and limit is not None:
                raise self._timed_out(op, key, latency, limit, start, peer)
            if fails:
                raise self._failed(op, key, latency, start, peer)
            return self._act(prepared, latency, start, peer)


def runners(world: World) -> tuple[Run, AsyncRun]:
    """The world's pipeline, for backends: ``run(prepared, timeout, peer_id)`` and its async twin.

    Not part of the public API: a backend inside pytest-bzzz binds these once
    and calls them on every operation.
    """
    return world._run, world._arun
