"""The simulated world: one per test, the kernel every backend runs its operations through.

A world holds the seed and the random draws made from it, the clock, the
network conditions, the peers and the record of calls, and a slot for the
state each backend keeps in it (its data, per peer). It knows no DHT and no
BZZZ: a backend declares its operations (see ``operations``) and runs each
one through the world's pipeline (``pipeline``, reached with :func:`runners`).
The peers and the faults among them are ``cluster``'s; who can reach whom,
``topology``'s. The network parameters the backends read (``replication``,
the TTLs) are kept here, without the world acting on them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from .._ucxl.address import UCXLAddress
from .clock import Clock, ClockMode, RealWork, control
from .cluster import Cluster, FaultEvent
from .conditions import NetworkConditions, check_operations
from .core import Core
from .defaults import (
    DEFAULT_ELECTION_TIMEOUT,
    DEFAULT_HEARTBEAT,
    DEFAULT_PROVIDER_TTL,
    DEFAULT_REPLICATION,
    DEFAULT_VALUE_TTL,
)
from .elections import Elections
from .leadership import Leadership
from .peers import Peer, PeerIds
from .pipeline import AsyncRun, Pipeline, Prepared, Run
from .record import DEFAULT_RECORD_LIMIT, Call, CallLog, Outcome, Stats
from .schedule import Schedule
from .seeds import SEED_LIMIT, fresh_seed
from .slots import _VIEWS, S, StateKey, WorldState
from .terms import check_timing
from .timeline import Failure, Timeline
from .topology import Topology
from .units import seconds_or_text

if TYPE_CHECKING:
    # Annotations only: the two views below read the memory backend's data (see _VIEWS).
    from .._backends.memory.content import ContentStore
    from .._backends.memory.storage import DHTStorage

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = [
    "AsyncRun",
    "Prepared",
    "Run",
    "World",
    "core",
    "runners",
    "unraised_failures",
]

T = TypeVar("T")

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


class World(Cluster, Schedule, Pipeline, Elections):
    """A simulated BZZZ world: seed, clock, network conditions, peers, the record of calls.

    Usable on its own as a context manager; closing it releases any event loop
    that follows its virtual clock and what backends keep in it. ``seed``
    defaults to a fresh one (see :attr:`seed`), ``clock`` is ``"virtual"`` or
    ``"real"`` (in any case), ``start`` is the instant the clock starts at,
    ``record_calls`` bounds the call record (``0`` keeps none), and ``peers``
    is how many peers it starts with, the local one included. The peers and
    the faults among them (``partition``, ``kill``, ...) are the methods of
    :class:`~pytest_bzzz._kernel.cluster.Cluster`, documented with the world's.
    ``heartbeat`` and ``election_timeout`` (seconds, or strings with a unit)
    time the election of a leader among the peers (``leader``, ``jobs``, ...:
    :class:`~pytest_bzzz._kernel.elections.Elections`).
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
        replication: int = DEFAULT_REPLICATION,
        value_ttl: float | str = DEFAULT_VALUE_TTL,
        provider_ttl: float | str = DEFAULT_PROVIDER_TTL,
        heartbeat: float | str = DEFAULT_HEARTBEAT,
        election_timeout: float | str = DEFAULT_ELECTION_TIMEOUT,
    ) -> None:
        for name, number in (("peers", peers), ("replication", replication)):
            if isinstance(number, bool) or not isinstance(number, int):
                raise TypeError(
                    f"{name} must be a whole number, 1 or more, got {type(number).__name__}"
                )
            if number < 1:
                raise ValueError(f"{name} must be a whole number, 1 or more, got {number}")
        self._replication = replication
        self._value_ttl = seconds_or_text("value_ttl", value_ttl)
        self._provider_ttl = seconds_or_text("provider_ttl", provider_ttl)
        timing = check_timing(heartbeat, election_timeout)
        self._seed = fresh_seed() if seed is None else _check_seed(seed)
        conditions = _PERFECT if conditions is None else _check_conditions(conditions)
        self._clock = Clock(clock, start=start)
        # One lock for the world and its clock: an operation's reading and moving
        # of the clock, its draws, its action and its record are one atomic step.
        self._lock = self._clock.lock
        self._acquire, self._release = self._lock.acquire, self._lock.release
        self._virtual = self._clock.mode == "virtual"
        self._now, self._spend = self._clock.now, self._clock.spend  # bound once: hot path
        self._time = control(self._clock)  # its moving parts, which the world drives
        self._spend_held = self._time.spend_held
        self._topology = Topology()
        self._peers: dict[str, Peer] = {}
        self._names: dict[str, Peer] = {}
        self._next_number = 1  # the next peer-N name to try
        self._reach_cache: dict[str, tuple[int, int]] = {}
        self._states: dict[StateKey[Any], WorldState] = {}
        self._fault_log: list[FaultEvent] = []
        self._timeline = Timeline(self._time.set_deadline)
        self._time.set_timeline(self._run_due)
        self._log = CallLog(record_calls)
        self._count, self._append = self._log.counts, self._log.append
        self._rng = random.Random(self._seed)
        self._core = Core(
            clock=self._clock,
            time=self._time,
            timeline=self._timeline,
            schedule=self._schedule,
            topology=self._topology,
            peers=self._peers,
            names=self._names,
            peer=self.peer,
            fault_log=self._fault_log,
            run=self._run,
            arun=self._arun,
            log=self._log,
            rng=self._rng,
            seed=self._seed,
            network_changed=self._network_changed,
            raise_failures=self._raise_failures,
        )
        self._election = self._core.election = Leadership(self._core, *timing)
        self._topology.before_change = self._election.before_change
        self._initial_conditions = conditions
        self._set_conditions(conditions)
        self._peer_ids = PeerIds(self._seed)
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
        # Every peer live and reaching every other, and no failed scheduled action to raise.
        self._calm = self._topology.undivided and not self._timeline.failures
        self._alone = len(self._peers) <= 1  # one peer: no lookups, nothing placed elsewhere
        # Perfect: nothing to draw and no time passes. Alone, libp2p's behaviours change
        # nothing (a timeout needs time to pass; a record size limit, another peer), so only
        # latency, jitter and failures count.
        self._perfect = (
            self._virtual
            and not (conditions.latency or conditions.jitter or conditions.failure_rate)
            and self._calm
            and self._alone
        )
        self._reach_cache.clear()
        for state in self._states.values():
            changed = getattr(state, "network_changed", None)
            if changed is not None:
                changed()
        # For the virtual hot path: a uniform draw as NetworkConditions.draw_latency makes
        # it (the same arithmetic, so the same seed gives the same latencies), or None.
        uniform = conditions.jitter and conditions.distribution == "uniform"
        low = conditions.latency - conditions.jitter
        self._uniform = (low, conditions.latency + conditions.jitter - low) if uniform else None
        self._election.network_changed()

    @property
    def replication(self) -> int:
        """How many peers, closest to a key, keep a copy of what is stored under it."""
        return self._replication

    @property
    def value_ttl(self) -> float:
        """Seconds after which a stored value expires, unless stored again (libp2p: 36 h)."""
        return self._value_ttl

    @property
    def provider_ttl(self) -> float:
        """Seconds after which a provider record expires, unless renewed (libp2p: 48 h)."""
        return self._provider_ttl

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
        """Add a peer and return it: named ``name``, or ``peer-N`` with the smallest N free.

        A name must be a non-empty str that no peer of the world has as its
        name or its id.
        """
        with self._lock:
            numbered = self._next_number  # as it was
            if name is None:  # peer-N, the smallest N free: names are never given back, so
                number = self._next_number  # the count only moves on (amortised O(1))
                while f"peer-{number}" in self._names:
                    number += 1
                self._next_number = number + 1
                name = f"peer-{number}"
            if not isinstance(name, str):
                raise TypeError(f"a peer name must be a str, got {type(name).__name__} {name!r}")
            if not name:
                raise ValueError("a peer name must not be empty")
            if name in self._names:
                raise ValueError(f"a peer named {name!r} already exists")
            if name in self._peers:
                raise ValueError(
                    f"cannot name a peer {name!r}: that is the id of {self._peers[name].name}, "
                    "and a peer is found by its name or its id"
                )
            peer = Peer(self._peer_ids.peek(), name)
            try:
                self._topology.add(peer.id)  # first: its hook sees the peers as they were
            except BaseException:  # refused (a backend's guard): its name and id are free
                self._next_number = numbered
                raise
            self._peer_ids.take()
            self._peers[peer.id] = peer
            self._names[name] = peer
            self._network_changed()
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

    @property
    def holders(self) -> Callable[[str | UCXLAddress], list[Peer]]:
        """``world.holders(key)``: the peers that hold a value under ``key`` now, closest first.

        Paused peers hold what they held; killed ones hold nothing.
        """
        return cast("Callable[[str | UCXLAddress], list[Peer]]", self._view("holders"))

    @property
    def content_holders(self) -> Callable[[str | UCXLAddress], list[Peer]]:
        """``world.content_holders(address)``: the peers that hold a copy of the connector's
        history of ``address`` now, closest first (paused peers hold theirs; killed ones
        nothing)."""
        return cast("Callable[[str | UCXLAddress], list[Peer]]", self._view("content_holders"))

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
                *self._election.describe(),
                *self._describe_cluster(),
            ]
        )

    def _describe_cluster(self) -> list[str]:
        lines = []
        if len(self._peers) > 1:
            statuses = [self._topology.status(peer) for peer in self._peers]
            down = len(statuses) - statuses.count("live")
            lines.append(
                f"peers: {len(self._peers)}" + (f" ({down} paused or killed)" if down else "")
            )
        shown = self._fault_log[-20:]
        if shown:
            skipped = len(self._fault_log) - len(shown)
            lines.append("faults:" + (f" ({skipped} earlier ones not shown)" if skipped else ""))
            lines += [f"  {event}" for event in shown]
        pending = self._timeline.pending
        if pending:
            lines.append("scheduled:")
            lines += [f"  {entry.at:.6g}s {entry.label}" for entry in pending[:20]]
        unraised = self._timeline.failures
        for failure in self._timeline.failed:
            error = failure.error
            when = (
                "not raised yet"
                if any(failure is other for other in unraised)
                else "raised by the next operation, or at teardown when none came"
            )
            lines.append(
                f"failed at {failure.at:.6g}s: {failure.label}: "
                f"{type(error).__name__}: {error} ({when})"
            )
        return lines

    def reset(self) -> None:
        """Back to the world's start: no data, no calls, time 0, first conditions, same draws."""
        with self._lock:
            for state in self._states.values():
                state.reset()
            self._log.clear()
            self._timeline.clear()
            self._clock.reset()
            self._set_conditions(self._initial_conditions)
            self._rng.seed(self._seed)
            self._peer_ids.reset()
            self._peers.clear()
            self._names.clear()
            self._next_number = 1
            self._topology.clear()
            self._fault_log.clear()
            self._election.reset()
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


def core(world: World) -> Core:
    """The world's machinery, for the kernel's other parts and the backends (not public)."""
    return world._core


def unraised_failures(world: World) -> list[Failure]:
    """Scheduled actions that failed and were not raised by an operation (for teardown)."""
    machinery = world._core
    with machinery.lock:
        machinery.time.catch_up()
        return machinery.timeline.take_failures()


def runners(world: World) -> tuple[Run, AsyncRun]:
    """The world's pipeline, for backends: ``run(prepared, timeout, peer_id)`` and its async twin.

    Not part of the public API: a backend inside pytest-bzzz binds these once
    and calls them on every operation.
    """
    machinery = world._core
    return machinery.run, machinery.arun
