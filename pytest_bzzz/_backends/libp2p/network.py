"""A network of py-libp2p hosts on 127.0.0.1, run by trio in a daemon thread.

py-libp2p runs on trio, and tests call the DHT from plain threads, asyncio
or trio of their own; so the hosts live in one ``trio.run`` in a thread of
their own, and every operation crosses into it as a task started through the
run's token (``run_sync_soon``), answering through an
:class:`~.operation.Operation`: a sync caller waits on its future, an async
one awaits it (see ``dht``), and a caller that is cancelled cancels the call
where it runs (each runs in a trio cancel scope of its own).

What this module learnt from py-libp2p 0.8.1, and why each choice:

- each host's ``KadDHT`` is made before the hosts connect (connected first,
  they never learn of each other), and the hosts connect in parallel (each
  connection is a quarter of a second of handshakes, mostly waiting);
- a host that stops closes itself: one that merely stops answering costs
  its neighbours a 20 s timeout per lookup;
- a KadDHT refuses more than 10 provider announcements per 10 s from one
  sender, which on a shared test network is every test's allowance at once:
  the limit is lifted on these hosts (all traffic on them is the tests');
- a host resets inbound streams beyond 12 at a time, silently (a put then
  reports success having stored nothing): operations are admitted a few at
  a time (``MAX_CONCURRENT``), each opening at most ``ALPHA`` streams;
- libp2p logs hundreds of lines per few dozen operations: its loggers are
  silenced (``quiet``) when this module is imported.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import gc
import logging
import os
import threading
import warnings
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import trio
from libp2p import new_host
from libp2p.crypto.ed25519 import create_new_key_pair
from libp2p.kad_dht.kad_dht import DHTMode, KadDHT
from libp2p.network.config import ConnectionConfig
from libp2p.peer.peerinfo import PeerInfo
from libp2p.tools.anyio_service import background_trio_service
from multiaddr import Multiaddr

from .operation import (
    HostStopped,
    NetworkClosed,
    Operation,
    OperationCancelled,
    RealTimeout,
)

__all__ = [
    "MAX_CONCURRENT",
    "HostStopped",
    "Libp2pNetwork",
    "NetworkClosed",
    "Operation",
    "OperationCancelled",
    "RealTimeout",
    "collect_closed_sockets",
    "quiet",
]

T = TypeVar("T")

MAX_CONCURRENT = 4
"""Operations in flight at once: each opens up to 3 streams, and a host takes 12 at a time."""

LOOPBACK = "/ip4/127.0.0.1/tcp/0"
_UNLIMITED_PROVIDERS = 1_000_000_000
"""Provider announcements a host takes per sender and window: no limit on a test network."""


def quiet() -> None:
    """Silence libp2p's loggers, unless ``LIBP2P_DEBUG`` asks for them (libp2p then logs).

    A level on ``libp2p`` is not enough: some of its modules set their own
    level (INFO) when imported, and pytest attaches its capture handler to
    every logger that does not propagate, as ``libp2p`` does not. So every
    libp2p logger gets a level above CRITICAL; called again once the hosts
    run, for the modules they imported.
    """
    if os.environ.get("LIBP2P_DEBUG"):
        return
    silent = logging.CRITICAL + 1
    names = [*logging.root.manager.loggerDict, "libp2p", "multiaddr"]
    for name in names:
        if name.split(".", 1)[0] in ("libp2p", "multiaddr", "async_service"):
            logging.getLogger(name).setLevel(silent)


quiet()


def collect_closed_sockets() -> None:
    """Collect the sockets of closed hosts now, without the ``ResourceWarning`` they raise.

    py-libp2p 0.8.1 leaves some sockets of a closed host to the garbage
    collector; collected at a random later moment, each would warn in
    whichever test runs then. Called when the hosts' thread is not running
    tasks of ours (after a host stopped, or the network closed).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@dataclasses.dataclass
class _Host:
    index: int
    host: Any  # libp2p's IHost; None once stopped (its sockets go with it)
    dht: Any  # KadDHT; None once stopped
    peer_id: str
    stop: trio.Event
    stopped: trio.Event


class Libp2pNetwork:
    """``hosts`` py-libp2p hosts, each with a Kademlia DHT in server mode, all connected.

    :meth:`start` blocks until every host listens and is connected to every
    other (or raises); :meth:`close` stops them all and ends the thread.
    Hosts are numbered from 0; :meth:`stop_host` closes one (a peer that
    stops), :meth:`restart_host` replaces it with a fresh, empty host (a new
    identity) connected to the others.
    """

    def __init__(self, hosts: int = 3) -> None:
        if isinstance(hosts, bool) or not isinstance(hosts, int) or hosts < 1:
            raise ValueError(f"hosts must be a whole number, 1 or more, got {hosts!r}")
        self.size = hosts
        self._hosts: dict[int, _Host] = {}
        self._retired: dict[str, int] = {}  # peer ids of replaced hosts -> their index
        self._thread: threading.Thread | None = None
        self._token: trio.lowlevel.TrioToken | None = None
        self._closing: trio.Event | None = None
        self._ops: trio.Nursery | None = None
        self._admit: trio.Semaphore | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._crash: BaseException | None = None  # what ended the network, if not close()
        self._in_flight = 0  # operations begun and not finished (the network thread's count)

    # -- the thread ------------------------------------------------------------------------

    def start(self, timeout: float = 60.0) -> None:
        """Start the hosts and connect them; raises what went wrong if they do not come up."""
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(
            target=trio.run, args=(self._main, ready), name="pytest-bzzz libp2p", daemon=True
        )
        self._thread.start()
        try:
            ready.result(timeout)
        except concurrent.futures.TimeoutError:
            self.close()
            raise RuntimeError(
                f"the libp2p backend's {self.size} hosts did not start within {timeout:g} s"
            ) from None
        except BaseException:
            self.close()  # what did start stops with the thread
            raise

    async def _main(self, ready: concurrent.futures.Future[None]) -> None:
        self._token = trio.lowlevel.current_trio_token()
        self._closing = trio.Event()
        self._admit = trio.Semaphore(MAX_CONCURRENT)
        try:
            async with trio.open_nursery() as hosts:
                self._host_nursery = hosts
                async with trio.open_nursery() as starting:
                    for index in range(self.size):
                        starting.start_soon(self._start_host, index)
                await self._connect(list(self._hosts.values()))
                quiet()  # the loggers of the modules the hosts imported
                async with trio.open_nursery() as ops:
                    self._ops = ops
                    ready.set_result(None)
                    await self._closing.wait()
                    ops.cancel_scope.cancel()
                for slot in self._hosts.values():
                    slot.stop.set()
        except BaseException as error:
            self._crash = error
            if not ready.done():
                ready.set_exception(error)
            if not isinstance(error, Exception):
                raise

    async def _start_host(self, index: int) -> None:
        slot: _Host = await self._host_nursery.start(self._serve, index)
        self._hosts[index] = slot

    async def _serve(self, index: int, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        # Dialling more peers by itself is of no use among hosts that all know each other.
        config = ConnectionConfig(auto_connect_interval=3600.0)
        host = new_host(key_pair=create_new_key_pair(), connection_config=config)
        stopped = trio.Event()
        try:
            async with host.run(listen_addrs=[Multiaddr(LOOPBACK)]):
                dht = KadDHT(host, DHTMode.SERVER)
                dht._provider_rate_max = _UNLIMITED_PROVIDERS
                async with background_trio_service(dht):
                    slot = _Host(index, host, dht, str(host.get_id()), trio.Event(), stopped)
                    task_status.started(slot)
                    await slot.stop.wait()
        finally:
            stopped.set()

    @staticmethod
    async def _connect(slots: list[_Host], to: list[_Host] | None = None) -> None:
        """Connect each of ``slots`` to each of ``to`` (to one another if not given), at once."""
        pairs = [
            (first, second)
            for position, first in enumerate(slots)
            for second in (slots[position + 1 :] if to is None else to)
            if first is not second
        ]

        async def connect(first: _Host, second: _Host) -> None:
            await first.host.connect(PeerInfo(second.host.get_id(), second.host.get_addrs()))

        async with trio.open_nursery() as nursery:
            for first, second in pairs:
                nursery.start_soon(connect, first, second)

    # -- what the DHT asks -----------------------------------------------------------------

    @property
    def peer_ids(self) -> list[str]:
        """The hosts' peer ids (``12D3KooW...``), by index."""
        return [self._hosts[index].peer_id for index in range(self.size)]

    def index_of(self, peer_id: str) -> int | None:
        """The index of the host with ``peer_id`` (also of a host since replaced), or None."""
        for index, slot in self._hosts.items():
            if slot.peer_id == peer_id:
                return index
        return self._retired.get(peer_id)

    @property
    def in_flight(self) -> int:
        """Operations that have begun in the network's thread and not finished yet."""
        return self._in_flight

    def live_hosts(self) -> int:
        """How many hosts run now (not stopped)."""
        return sum(not slot.stop.is_set() for slot in list(self._hosts.values()))

    def submit(
        self,
        index: int,
        action: Callable[[KadDHT], Awaitable[T]],
        *,
        delay: float = 0.0,
        timeout: float | None = None,
    ) -> concurrent.futures.Future[T]:
        """Run ``action(dht)`` on host ``index`` after ``delay`` s; its future, at once.

        The timeout (real seconds, the delay included) ends the action and
        sets :class:`RealTimeout`; the action may have had effects by then. A
        stopped host sets :class:`HostStopped`. :meth:`begin` does the same
        and hands back the operation, which its caller can cancel.
        """
        return self.begin(index, action, delay=delay, timeout=timeout).future

    def begin(
        self,
        index: int,
        action: Callable[[KadDHT], Awaitable[T]],
        *,
        delay: float = 0.0,
        timeout: float | None = None,
    ) -> Operation[T]:
        """As :meth:`submit`, but the operation: its future, and :meth:`Operation.cancel`."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        token, ops = self._token, self._ops
        if self._closed or token is None or ops is None:
            raise NetworkClosed("the libp2p backend's network is closed")
        if self._crash is not None:
            raise NetworkClosed(
                f"the libp2p backend's network stopped on an error: {self._crash!r}"
            ) from self._crash
        if threading.current_thread() is self._thread:
            raise RuntimeError("the libp2p network's own thread cannot wait for its operations")
        operation = Operation(future, token)

        def begin() -> None:
            try:
                ops.start_soon(self._perform, operation, index, action, delay, timeout)
            except RuntimeError:  # the operations' nursery closed meanwhile
                if not future.done():
                    future.set_exception(NetworkClosed("the libp2p backend's network closed"))

        try:
            token.run_sync_soon(begin)
        except trio.RunFinishedError:
            raise NetworkClosed("the libp2p backend's network is closed") from None
        return operation

    async def _perform(
        self,
        operation: Operation[T],
        index: int,
        action: Callable[[KadDHT], Awaitable[T]],
        delay: float,
        timeout: float | None,
    ) -> None:
        future = operation.future
        if not future.set_running_or_notify_cancel():
            return
        assert self._admit is not None
        self._in_flight += 1
        try:
            # The caller's cancellation reaches the call through this scope (Operation.cancel).
            with trio.CancelScope() as scope:
                operation.enter_scope(scope)
                with trio.fail_after(float("inf") if timeout is None else timeout):
                    if delay:
                        await trio.sleep(delay)
                    async with self._admit:
                        slot = self._hosts.get(index)
                        if slot is None or slot.stop.is_set():
                            raise HostStopped(index)
                        result = await action(slot.dht)
        except trio.TooSlowError:
            future.set_exception(RealTimeout())
        except Exception as error:
            future.set_exception(error)
        else:
            if scope.cancelled_caught:
                future.set_exception(OperationCancelled())
            else:
                future.set_result(result)
        finally:  # cancelled (the network closing), or a group of errors from py-libp2p's
            # nurseries: the caller waiting on the future is told, never left waiting
            self._in_flight -= 1
            if not future.done():
                future.set_exception(NetworkClosed("the libp2p backend's network closed"))

    def _call_in_trio(self, function: Callable[[], Awaitable[T]], timeout: float = 60.0) -> T:
        """Run ``function()`` in the network's thread (not as an operation) and wait for it."""
        token = self._token
        if token is None:
            raise NetworkClosed("the libp2p backend's network is not running")

        async def bounded() -> T:
            with trio.fail_after(timeout):
                return await function()

        try:
            return trio.from_thread.run(bounded, trio_token=token)
        except trio.TooSlowError:
            raise NetworkClosed(
                f"the libp2p backend's network did not answer within {timeout:g} s"
            ) from None

    async def _stop(self, index: int) -> _Host:
        """Close host ``index``, and make the others forget it at once.

        Left to themselves, they keep its connection and its routing entry, and
        every lookup waits for it until its own timeout.
        """
        slot = self._hosts[index]
        if not slot.stop.is_set():
            slot.stop.set()
            await slot.stopped.wait()
            gone = slot.host.get_id()
            slot.host = slot.dht = None  # so that the collector can close its sockets
            for other in self._hosts.values():
                if other is slot or other.stop.is_set():
                    continue
                with contextlib.suppress(Exception):
                    await other.host.disconnect(gone)
                other.dht.routing_table.remove_peer(gone)
                other.host.get_peerstore().clear_addrs(gone)
        return slot

    def stop_host(self, index: int) -> None:
        """Close host ``index``: it stops answering, and its neighbours notice at once."""

        async def stop() -> None:
            await self._stop(index)

        with self._lock:
            self._call_in_trio(stop)
        collect_closed_sockets()

    def restart_host(self, index: int) -> None:
        """Replace host ``index`` (stopped or not) with a fresh one, connected to the others."""

        async def restart() -> None:
            old = await self._stop(index)
            self._retired[old.peer_id] = index
            await self._start_host(index)
            # Only to the hosts that run: a stopped one has no host to connect to.
            others = [
                slot for i, slot in self._hosts.items() if i != index and not slot.stop.is_set()
            ]
            await self._connect([self._hosts[index]], others)
            quiet()

        with self._lock:
            self._call_in_trio(restart)
        collect_closed_sockets()

    def stopped(self, index: int) -> bool:
        return self._hosts[index].stop.is_set()

    def close(self) -> None:
        """Stop every host and end the network's thread (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        token, closing = self._token, self._closing
        if token is not None and closing is not None:
            with contextlib.suppress(trio.RunFinishedError):
                token.run_sync_soon(closing.set)
        if self._thread is not None:
            self._thread.join(30)
        self._hosts.clear()
        collect_closed_sockets()

    @contextlib.contextmanager
    def running(self) -> Iterator[Libp2pNetwork]:
        """Start, yield the network, close it."""
        self.start()
        try:
            yield self
        finally:
            self.close()
