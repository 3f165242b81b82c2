"""Libp2pDHT: the BZZZ DHT interface, over real py-libp2p hosts.

Each operation is checked as the mock checks it (on a real clock, after what
the world has due by then has run, as on the memory backend), meets the
world's conditions (a failure is drawn and raised before anything reaches the
network; latency is waited for real before the call; the timeout bounds the
whole call in real time), runs on the host of the peer the DHT acts as, and
is recorded in the world's record of calls with the real seconds it took.

Keys go on the network under the world's namespace (see ``keys``): a value under
``/<namespace>/=<key>`` (``%<hex>`` for a key UTF-8 cannot encode), a
provider record under the SHA-256 of the namespaced key, so that any key,
however long or hex-looking, keeps its provider records (py-libp2p reads a
hex-looking provider key as bytes, and loses records of keys over about
100 bytes). A provider is a host: ``provide(key, peer_id)`` has the host of
that world peer announce itself, and ``find_providers`` names the world peers
whose hosts announced (each once).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from types import EllipsisType
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar

from ..._kernel.conditions import seconds, with_failure_rate
from ..._kernel.errors import NetworkError, NetworkTimeout
from ..._kernel.peers import Peer
from ..._kernel.record import Call, Outcome, Stats
from ..._kernel.units import format_seconds
from ..._kernel.world import World, core
from ..._ucxl.address import UCXLAddress
from ..._ucxl.errors import NotFoundError
from ..arguments import check_key, check_peer_id, check_value
from .keys import KadDHT, announcing, finding, provider_key, value_key
from .operation import (
    HostStopped,
    NetworkClosed,
    OperationCancelled,
    RealTimeout,
    Unannounced,
    done,
    wait,
)

if TYPE_CHECKING:
    import concurrent.futures

    from .network import Libp2pNetwork
    from .operation import Operation
    from .worlds import Libp2pWorld

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["KadDHT", "Libp2pDHT", "provider_key", "runners", "value_key"]

T = TypeVar("T")


class Wait(Protocol):
    """How ``Libp2pDHT`` runs an operation on a host and waits for it (see :func:`runners`)."""

    def __call__(
        self,
        op: str,
        key: str,
        host: int,
        action: Callable[[KadDHT], Awaitable[T]],
        timeout: float | None,
        /,
    ) -> T: ...


class AsyncWait(Protocol):
    """The async twin of :class:`Wait`."""

    def __call__(
        self,
        op: str,
        key: str,
        host: int,
        action: Callable[[KadDHT], Awaitable[T]],
        timeout: float | None,
        /,
    ) -> Coroutine[Any, Any, T]: ...


Key = str | UCXLAddress
BACKSTOP = 120.0
"""Real seconds after which an operation given no timeout gives up: a real network can hang."""
Prepared = tuple[str, str, int, Callable[[KadDHT], Awaitable[T]]]
"""An operation ready to run: its name, its key, the host that acts, and what the host does."""


class Libp2pDHT:
    """The DHT interface on the libp2p backend's network, acting as one peer of ``world``.

    Made by the backend (the ``mock_dht`` fixture on ``--bzzz-backend=libp2p``);
    :meth:`on` makes the same on another peer of the world.
    """

    def __init__(
        self,
        world: World,
        network: Libp2pNetwork,
        state: Libp2pWorld,
        peer: Peer | str | None = None,
    ) -> None:
        self._world = world
        self._core = core(world)  # the world's machinery: its lock, record, draws, timeline
        self._network = network
        self._state = state
        self._peer = world.local_peer if peer is None else world.peer(peer)
        self._peer_id = self._peer.id
        state.host_of(self._peer_id)  # refuses a peer without a host now, not at the first call

    def on(self, peer: Peer | str) -> Self:
        """The DHT on the same world and network, acting as ``peer`` (a Peer, name or id)."""
        return type(self)(self._world, self._network, self._state, peer)

    @property
    def world(self) -> World:
        """The world this DHT acts in (its conditions, record of calls, peers)."""
        return self._world

    @property
    def peer(self) -> Peer:
        """The peer this DHT acts as."""
        return self._peer

    @property
    def stats(self) -> Stats:
        """Counters over every operation of the world so far (a snapshot)."""
        return self._world.stats

    def calls(
        self, op: str | None = None, *, key: Key | None = None, outcome: Outcome | None = None
    ) -> list[Call]:
        """Recorded calls, oldest first: e.g. ``calls("put_value", outcome="failed")``."""
        return self._world.calls(op, key=None if key is None else check_key(key), outcome=outcome)

    def reset(self) -> None:
        """Empty the world (a fresh key namespace on the network) and bring it back to its start."""
        self._world.reset()

    # -- the DHT interface -----------------------------------------------------------------

    def put_value(self, key: Key, value: bytes, *, timeout: float | None = None) -> None:
        """Store ``value`` under ``key``."""
        self._wait(*self._put(key, value), timeout)

    def get_value(self, key: Key, *, timeout: float | None = None) -> bytes:
        """The value under ``key``; raises :class:`NotFoundError` if there is none."""
        return self._wait(*self._get(key), timeout)

    def provide(self, key: Key, provider_id: str, *, timeout: float | None = None) -> None:
        """Have the host of the world peer ``provider_id`` announce itself as a provider."""
        self._wait(*self._provide(key, provider_id), timeout)

    def find_providers(self, key: Key, *, timeout: float | None = None) -> list[str]:
        """The world peers whose hosts announced ``key``, each once (maybe none)."""
        return self._wait(*self._find(key), timeout)

    async def aput_value(self, key: Key, value: bytes, *, timeout: float | None = None) -> None:
        """Async twin of :meth:`put_value` (asyncio or trio)."""
        await self._await(*self._put(key, value), timeout)

    async def aget_value(self, key: Key, *, timeout: float | None = None) -> bytes:
        """Async twin of :meth:`get_value` (asyncio or trio)."""
        return await self._await(*self._get(key), timeout)

    async def aprovide(self, key: Key, provider_id: str, *, timeout: float | None = None) -> None:
        """Async twin of :meth:`provide` (asyncio or trio)."""
        await self._await(*self._provide(key, provider_id), timeout)

    async def afind_providers(self, key: Key, *, timeout: float | None = None) -> list[str]:
        """Async twin of :meth:`find_providers` (asyncio or trio)."""
        return await self._await(*self._find(key), timeout)

    # -- preparations: the checked key, the host that acts, and what it does ----------------

    def _put(self, key: Key, value: bytes) -> Prepared[None]:
        name, data = check_key(key), check_value(value)
        where = value_key(self._state.namespace, name)

        async def put(dht: KadDHT) -> None:
            await dht.put_value(where, data)

        return "put_value", name, self._state.host_of(self._peer_id), put

    def _get(self, key: Key) -> Prepared[bytes]:
        name = check_key(key)
        where = value_key(self._state.namespace, name)

        async def get(dht: KadDHT) -> bytes:
            found: bytes | None = await dht.get_value(where)
            if found is None:
                raise NotFoundError(f"no value under {name!r}")
            return found

        return "get_value", name, self._state.host_of(self._peer_id), get

    def _provide(self, key: Key, provider_id: str) -> tuple[str, str, int, Callable[[KadDHT], Any]]:
        name, provider = check_key(key), check_peer_id(provider_id)
        ids = {peer.id: peer for peer in self._world.peers}
        if provider not in ids:
            raise ValueError(
                f"provider_id must be the id of a peer of the world on the libp2p backend "
                f"(a libp2p host announces only itself, and each peer is a host); got "
                f"{provider!r}, peers: {', '.join(f'{p.name}={p.id}' for p in ids.values())}"
            )
        provide = announcing(self._network, provider_key(self._state.namespace, name))
        # The provider's own host announces, whichever peer asked: both must be live.
        self._check_status(self._peer_id, "provide", name)
        self._check_provider(provider, name)
        return "provide", name, self._state.host_of(provider), provide

    def _find(self, key: Key) -> Prepared[list[str]]:
        name = check_key(key)
        where = provider_key(self._state.namespace, name)
        find_in = finding(self._network, self._world)

        async def find(dht: KadDHT) -> list[str]:
            return await find_in(dht, where)

        return "find_providers", name, self._state.host_of(self._peer_id), find

    # -- running an operation: conditions, the real call, the record ------------------------

    def _check_status(self, peer: str, op: str, key: str) -> None:
        """A peer that is not live makes no calls. First, on a real clock, what the world has
        due by now runs (an ``at`` marker's fault, say), and a scheduled action's failure is
        raised (a fault the backend refused), as the memory backend's operations do both."""
        machinery = self._core
        machinery.time.catch_up()  # a real clock's time passes without telling the timeline
        with machinery.lock:
            if machinery.timeline.failures:
                machinery.raise_failures()
        status = machinery.topology.status(peer)
        if status != "live":
            self._record(op, key, "failed", 0.0, self._world.clock.now())
            raise NetworkError(
                f"simulated network failure: {op}({key!r}) from {self._world.peer(peer).name}, "
                f"which is {status} (world seed {self._world.seed})",
                op=op,
                key=key,
            )

    def _check_provider(self, provider: str, key: str) -> None:
        status = self._core.topology.status(provider)
        if status != "live":
            self._record("provide", key, "failed", 0.0, self._world.clock.now())
            raise NetworkError(
                f"network failure: provide({key!r}) naming {self._world.peer(provider).name} as "
                f"the provider, which is {status}: on the libp2p backend a provider's own host "
                "announces it, and a killed peer's host is closed (the call was not made)",
                op="provide",
                key=key,
            )

    def _record(self, op: str, key: str, outcome: Outcome, latency: float, at: float) -> None:
        machinery = self._core
        with machinery.lock:
            machinery.log.add(op, key, outcome, latency, at, self._peer_id, real=True)

    def _begin(
        self, op: str, key: str, host: int, action: Callable[[KadDHT], Awaitable[T]], timeout: Any
    ) -> tuple[Operation[T], float | None, float, float, float]:
        """Draw the conditions, then submit the call unless it fails; the operation, timings."""
        limit = None if timeout is None else seconds("timeout", timeout)
        self._check_status(self._peer_id, op, key)
        world = self._world
        machinery = self._core
        with machinery.lock:
            conditions, rng = world.conditions, machinery.rng
            latency = conditions.draw_latency(rng) if conditions.jitter else conditions.latency
            fails = conditions.may_fail(op) and rng.random() < conditions.failure_rate
            at = world.clock.now()
        if limit is None:
            limit = conditions.timeout
        if fails:
            self._record(op, key, "failed", 0.0, at)
            raise NetworkError(
                f"simulated network failure: {op}({key!r}) failed (failure rate "
                f"{conditions.failure_rate:g}, drawn before the real call, which was not made; "
                f"world seed {world.seed})",
                op=op,
                key=key,
            )
        backstop = BACKSTOP if limit is None else limit
        operation = self._network.begin(host, action, delay=latency, timeout=backstop)
        return operation, limit, latency, at, time.perf_counter()

    def _finish(
        self,
        op: str,
        key: str,
        future: concurrent.futures.Future[T],
        limit: float | None,
        latency: float,
        at: float,
        began: float,
    ) -> T:
        elapsed = time.perf_counter() - began
        try:
            result = future.result(0)
        except RealTimeout:
            self._record(op, key, "timeout", elapsed, at)
            given = (
                "its timeout" if limit is not None else "the backend's backstop (no timeout set)"
            )
            limit = BACKSTOP if limit is None else limit
            raise NetworkTimeout(
                f"timeout: {op}({key!r}) took longer than {given} of {format_seconds(limit)} "
                f"on the libp2p backend (real time"
                + (f", with {format_seconds(latency)} of added latency" if latency else "")
                + "); it may still have been applied",
                op=op,
                key=key,
                latency=elapsed,
                timeout=limit,
            ) from None
        except NotFoundError:
            self._record(op, key, "not_found", elapsed, at)
            raise
        except OperationCancelled:
            self._record(op, key, "cancelled", elapsed, at)
            raise
        except NetworkClosed:
            self._record(op, key, "failed", elapsed, at)
            raise
        except HostStopped as error:  # its peer was killed while the call waited
            self._record(op, key, "failed", elapsed, at)
            peer = self._world.peers[error.index].name
            raise NetworkError(
                f"network failure: {op}({key!r}) failed on the libp2p backend: the host of "
                f"{peer} stopped (the peer was killed) before the call was made",
                op=op,
                key=key,
            ) from None
        except Unannounced as error:
            self._record(op, key, "failed", elapsed, at)
            raise NetworkError(
                f"network failure: {op}({key!r}) failed on the libp2p backend: the provider "
                f"announcement reached none of the {error.others} other live hosts (py-libp2p's "
                "KadDHT.provide returned False); only the provider's own host keeps the record",
                op=op,
                key=key,
            ) from None
        except Exception as error:  # py-libp2p's own, as the network error callers catch
            self._record(op, key, "failed", elapsed, at)
            raise NetworkError(
                f"network failure: {op}({key!r}) failed on the libp2p backend: "
                f"{type(error).__name__}: {error}",
                op=op,
                key=key,
            ) from error
        self._record(op, key, "ok", elapsed, at)
        return result

    def _wait(
        self,
        op: str,
        key: str,
        host: int,
        action: Callable[[KadDHT], Awaitable[T]],
        timeout: float | None,
    ) -> T:
        """Run ``action`` on ``host`` as the operation ``op`` of ``key``, and wait for it.

        The path of every operation of the DHT, and of the connector's
        ``announce`` and ``discover`` (``connector``), with :meth:`_await`.
        """
        operation, limit, latency, at, began = self._begin(op, key, host, action, timeout)
        try:
            wait(operation.future)
        except BaseException:  # KeyboardInterrupt, say: the call stops too
            self._abandon(op, key, operation, limit, latency, at, began)
            raise
        return self._finish(op, key, operation.future, limit, latency, at, began)

    async def _await(
        self,
        op: str,
        key: str,
        host: int,
        action: Callable[[KadDHT], Awaitable[T]],
        timeout: float | None,
    ) -> T:
        operation, limit, latency, at, began = self._begin(op, key, host, action, timeout)
        try:
            with self._world.real_work():  # a virtual clock must not jump while it runs
                await done(operation.future)
        except BaseException:  # cancelled (asyncio, trio, anyio): the call stops too
            self._abandon(op, key, operation, limit, latency, at, began)
            raise
        return self._finish(op, key, operation.future, limit, latency, at, began)

    def _abandon(
        self,
        op: str,
        key: str,
        operation: Operation[Any],
        limit: float | None,
        latency: float,
        at: float,
        began: float,
    ) -> None:
        """The caller stopped waiting: cancel the call where it runs, and record it cancelled.

        A call that had finished by then is recorded as it ended.
        """
        if operation.future.done():
            with contextlib.suppress(Exception):
                self._finish(op, key, operation.future, limit, latency, at, began)
            return
        operation.cancel()
        self._record(op, key, "cancelled", time.perf_counter() - began, at)

    # -- the Go mock's knobs ---------------------------------------------------------------

    def set_network_latency(self, latency: float, *, jitter: float = 0.0) -> None:
        """Every operation from now on waits ``latency`` seconds (± ``jitter``) before its call."""
        self._world.conditions = self._world.conditions.replace(
            latency=seconds("latency", latency), jitter=seconds("jitter", jitter)
        )

    def set_failure_rate(
        self, rate: float, *, ops: Iterable[str] | EllipsisType | None = ...
    ) -> None:
        """Every operation from now on fails, before its call, with probability ``rate``."""
        self._world.conditions = with_failure_rate(self._world.conditions, rate, ops)

    def __repr__(self) -> str:
        return f"<Libp2pDHT on {self._world!r} as {self._peer.name}, libp2p host>"


def runners(dht: Libp2pDHT) -> tuple[Wait, AsyncWait]:
    """The path of ``dht``'s operations, for the connector's ``announce`` and ``discover``.

    ``wait(op, key, host, action, timeout)`` runs ``action`` on host ``host``
    as ``dht``'s operation ``op`` and waits for it; the async twin awaits it.
    """
    return dht._wait, dht._await
