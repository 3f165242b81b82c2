"""The simulated world: one per test, shared by every mock in it.

A world holds the seed and the random generator drawn from, the clock, the
network conditions, the peers, the storage and the record of calls. Mocks
are views on a world: ``mock_dht`` and ``mock_bzzz`` in one test act on the
same data, under the same conditions, on the same clock.

Every operation goes through :meth:`World.execute` (or its async twin), which
fixes the order of events: draw the latency, then whether it fails; if the
latency exceeds the timeout, spend the timeout and raise
:class:`NetworkTimeout`; else spend the latency, raise :class:`NetworkError`
if it failed, and only then let the operation act. A failed or timed-out
operation therefore never changes the data.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from .._backends.memory.content import ContentStore
from .._backends.memory.storage import DHTStorage
from .clock import Clock, ClockMode
from .conditions import NetworkConditions, check_operations, seconds
from .errors import NetworkError, NetworkTimeout
from .peers import Peer, PeerIds
from .record import DEFAULT_RECORD_LIMIT, Call, CallLog, Outcome, Stats
from .seeds import SEED_LIMIT, fresh_seed
from .units import format_seconds

__all__ = ["World"]

T = TypeVar("T")

_PERFECT = NetworkConditions()


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < SEED_LIMIT:
        raise ValueError(f"seed must be an int from 0 to {SEED_LIMIT - 1}, got {seed!r}")
    return seed


class World:
    """A simulated BZZZ world: seed, clock, network conditions, peers, storage, calls.

    Usable on its own as a context manager; closing it releases any event loop
    that follows its virtual clock. ``seed`` defaults to a fresh one (see
    :attr:`seed`), ``clock`` is ``"virtual"`` or ``"real"``, ``start`` is the
    instant the clock starts at, and ``record_calls`` bounds the call record
    (``0`` keeps none).
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        conditions: NetworkConditions | None = None,
        clock: ClockMode = "virtual",
        start: datetime | None = None,
        record_calls: int = DEFAULT_RECORD_LIMIT,
    ) -> None:
        self._seed = fresh_seed() if seed is None else _check_seed(seed)
        if conditions is None:
            conditions = NetworkConditions()
        elif not isinstance(conditions, NetworkConditions):
            raise TypeError(
                f"conditions must be a NetworkConditions, got {type(conditions).__name__}"
            )
        self._lock = threading.RLock()
        self._clock = Clock(clock, start=start, lock=self._lock)
        self._virtual = self._clock.mode == "virtual"
        self._initial_conditions = conditions
        self._set_conditions(conditions)
        self._log = CallLog(record_calls)
        self._record = self._log.add
        self._rng = random.Random(self._seed)
        self._peer_ids = PeerIds(self._seed)
        self._peers: dict[str, Peer] = {}
        self._local = self.add_peer("local")
        self.storage = DHTStorage()
        """The world's DHT values and provider records, reached without the network."""
        self.content = ContentStore()
        """The world's UCXL version histories (what ``MockBZZZ`` stores)."""

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
        if not isinstance(conditions, NetworkConditions):
            raise TypeError(
                f"conditions must be a NetworkConditions, got {type(conditions).__name__}"
            )
        with self._lock:
            self._set_conditions(conditions)

    def _set_conditions(self, conditions: NetworkConditions) -> None:
        self._conditions = conditions
        self._perfect = self._virtual and conditions == _PERFECT

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
            if name is None:
                taken = {peer.name for peer in self._peers.values()}
                number = len(self._peers)
                while f"peer-{number}" in taken:
                    number += 1
                name = f"peer-{number}"
            if not isinstance(name, str) or not name:
                raise ValueError(f"a peer name must be a non-empty str, got {name!r}")
            if any(peer.name == name for peer in self._peers.values()):
                raise ValueError(f"a peer named {name!r} already exists")
            peer = Peer(self._peer_ids.next(), name)
            self._peers[peer.id] = peer
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
            check_operations([op])
        with self._lock:
            return self._log.calls(op, key=key, outcome=outcome)

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
            self.storage.clear()
            self.content.clear()
            self._log.clear()
            self._clock.reset()
            self._set_conditions(self._initial_conditions)
            self._rng.seed(self._seed)
            self._peer_ids.reset()
            self._peers.clear()
            self._local = self.add_peer("local")

    def close(self) -> None:
        """Release any event loop that follows this world's virtual clock."""
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

    # -- running operations ---------------------------------------------------------------

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

    def _act(
        self,
        op: str,
        key: str,
        action: Callable[..., T],
        args: tuple[Any, ...],
        latency: float,
        start: float,
        peer: str,
    ) -> T:
        """Let the operation act and record it; call with the lock held."""
        try:
            result = action(*args)
        except LookupError:  # NotFoundError, or TemporalRangeError: no such version
            self._record(op, key, "not_found", latency, start, peer)
            raise
        self._record(op, key, "ok", latency, start, peer)
        return result

    def execute(
        self,
        op: str,
        key: str,
        action: Callable[..., T],
        args: tuple[Any, ...] = (),
        timeout: float | None = None,
        peer: Peer | None = None,
    ) -> T:
        """Run ``action(*args)`` as operation ``op`` (on ``key``) through the simulated network.

        ``timeout`` (seconds) overrides the conditions' timeout; ``peer`` is the
        peer making the call (the local one by default).
        """
        peer_id = self._local.id if peer is None else peer.id
        if timeout is None:
            if self._perfect:
                # A perfect network on a virtual clock: nothing to draw, no time passes.
                with self._lock:
                    start = self._clock._offset
                    try:
                        result = action(*args)
                    except LookupError:  # NotFoundError, or TemporalRangeError
                        self._record(op, key, "not_found", 0.0, start, peer_id)
                        raise
                    self._record(op, key, "ok", 0.0, start, peer_id)
                    return result
        else:
            timeout = seconds("timeout", timeout)
        clock = self._clock
        if self._virtual:
            # Simulated time passes instantly, so the whole operation is one atomic step.
            with self._lock:
                latency, fails, limit = self._draw(op, timeout)
                start = clock._offset
                if limit is not None and latency > limit:
                    clock._offset = start + limit
                    raise self._timed_out(op, key, latency, limit, start, peer_id)
                clock._offset = start + latency
                if fails:
                    raise self._failed(op, key, latency, start, peer_id)
                return self._act(op, key, action, args, latency, start, peer_id)
        with self._lock:
            latency, fails, limit = self._draw(op, timeout)
            start = clock.now()
        if limit is not None and latency > limit:
            clock.sleep(limit)
            with self._lock:
                raise self._timed_out(op, key, latency, limit, start, peer_id)
        clock.sleep(latency)
        with self._lock:
            if fails:
                raise self._failed(op, key, latency, start, peer_id)
            return self._act(op, key, action, args, latency, start, peer_id)

    async def aexecute(
        self,
        op: str,
        key: str,
        action: Callable[..., T],
        args: tuple[Any, ...] = (),
        timeout: float | None = None,
        peer: Peer | None = None,
    ) -> T:
        """The async twin of :meth:`execute`: waits on the event loop (in virtual time)."""
        import asyncio  # here, not at the top: sync-only test runs never pay for it

        peer_id = self._local.id if peer is None else peer.id
        if timeout is not None:
            timeout = seconds("timeout", timeout)
        with self._lock:
            latency, fails, limit = self._draw(op, timeout)
            start = self._clock.now()
        timed_out = limit is not None and latency > limit
        try:
            await self._clock.asleep(limit if timed_out and limit is not None else latency)
        except asyncio.CancelledError:
            with self._lock:
                self._log.add(op, key, "cancelled", self._clock.now() - start, start, peer_id)
            raise
        with self._lock:
            if timed_out and limit is not None:
                raise self._timed_out(op, key, latency, limit, start, peer_id)
            if fails:
                raise self._failed(op, key, latency, start, peer_id)
            return self._act(op, key, action, args, latency, start, peer_id)

    def __getstate__(self) -> Any:
        raise TypeError("a World cannot be pickled: it holds locks and a running clock")
