"""Libp2pBZZZ: the BZZZ connector on the libp2p backend: real announcements, simulated content.

The connector's announcements rest on the DHT, so they run on the real
hosts: ``announce`` has the host of the connector's peer provide the
address (a provider record under the world's namespace, as the DHT's
``provide`` makes, so ``mock_dht.find_providers(address)`` lists it too),
and ``discover`` matches the pattern over the addresses announced in the
world, in address order, and lists the peers each one's real
``find_providers`` finds, in the order they first announced it, with their
offers. Both run the DHT's own path: the world's conditions around the real
call, a real timeout, the caller's cancellation, the record of calls.

The content (``store``, ``retrieve``, ``history``, ``search``, ``delete``,
their async twins, and the local reads ``peers`` and ``network_status``)
stays the simulation's: it is handed to a content connector on the same
world, which the plugin builds with the memory backend (a ``MockBZZZ``). Its
operations run on the world's clock, as they do on the memory backend.

Arguments are checked as the memory backend's connector checks them, with
the same messages (the contract suite holds both to them), before anything
reaches the network.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Self

from ..._kernel.peers import Peer
from ..._ucxl.address import UCXLAddress
from ..._ucxl.envelope import freeze_json
from ..arguments import ANNOUNCE_AN_ADDRESS, DISCOVER_ADDRESSES, check_address
from ..records import Announcement
from .dht import Libp2pDHT, runners
from .keys import KadDHT, announcing, finding, provider_key

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from ..._kernel.record import Call, Outcome, Stats
    from ..._kernel.world import World
    from ..._ucxl.envelope import Envelope
    from ..interfaces import Connector
    from ..records import NetworkStatus
    from .network import Libp2pNetwork
    from .worlds import Libp2pWorld

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["Libp2pBZZZ"]

Address = UCXLAddress | str

Found = dict[str, list[str]]
"""What a discovery found on the network: each matching address -> the peers that provide it."""


class Libp2pBZZZ:
    """The connector interface on the libp2p backend, acting as one peer of ``world``.

    Made by the backend (the ``mock_bzzz`` fixture on ``--bzzz-backend=libp2p``),
    given ``content``: the connector its content operations go to, on the
    same world and acting as the same peer. :meth:`on` makes the same on
    another peer of the world (and the content connector's ``on``).
    """

    def __init__(
        self,
        world: World,
        network: Libp2pNetwork,
        state: Libp2pWorld,
        content: Connector,
        peer: Peer | str | None = None,
    ) -> None:
        self._dht = Libp2pDHT(world, network, state, peer)  # refuses a peer without a host
        self._wait, self._await = runners(self._dht)
        self._world = world
        self._network = network
        self._state = state
        self._peer = self._dht.peer
        acting = getattr(content, "peer", None)
        if isinstance(acting, Peer) and acting.id != self._peer.id:
            raise ValueError(
                f"the content connector acts as {acting.name}, and this connector as "
                f"{self._peer.name}: both must act as the same peer"
            )
        self._content = content

    def on(self, peer: Peer | str) -> Self:
        """The connector on the same world and network, acting as ``peer`` (a Peer, name or id).

        Its content connector is the given one's ``on(peer)``.
        """
        moved = getattr(self._content, "on", None)
        if not callable(moved):
            raise TypeError(
                f"the content connector {type(self._content).__name__} has no on(peer), so "
                "this connector cannot act as another peer"
            )
        return type(self)(self._world, self._network, self._state, moved(peer), peer)

    @property
    def world(self) -> World:
        """The world this connector acts in (its conditions, record of calls, peers)."""
        return self._world

    @property
    def peer(self) -> Peer:
        """The peer this connector acts as."""
        return self._peer

    @property
    def content(self) -> Connector:
        """The connector that holds the content (the simulation's, a ``MockBZZZ``)."""
        return self._content

    @property
    def stats(self) -> Stats:
        """Counters over every operation of the world so far (a snapshot)."""
        return self._world.stats

    def calls(
        self, op: str | None = None, *, key: Address | None = None, outcome: Outcome | None = None
    ) -> list[Call]:
        """Recorded calls, oldest first: e.g. ``calls("announce", outcome="failed")``."""
        name = None if key is None else str(check_address(key, what="key", concrete=False))
        return self._world.calls(op, key=name, outcome=outcome)

    def reset(self) -> None:
        """Empty the world (a fresh key namespace, no offers) and bring it back to its start."""
        self._world.reset()

    # -- announcements, on the real hosts ---------------------------------------------------

    def announce(self, address: Address, capability: Any, *, timeout: float | None = None) -> None:
        """Have this peer's host announce that it offers ``capability`` (any JSON value).

        A provider record of the address on the real hosts, so that
        ``mock_dht``'s ``find_providers`` sees it too; the offer is kept with
        the world.
        """
        self._wait(*self._announce(address, capability), timeout)

    def discover(self, pattern: Address, *, timeout: float | None = None) -> list[Announcement]:
        """Every announcement for an address ``pattern`` matches, found on the real hosts.

        Ordered by address, and for one address in the order its peers first
        announced it.
        """
        return self._listed(self._wait(*self._discover(pattern), timeout))

    async def aannounce(
        self, address: Address, capability: Any, *, timeout: float | None = None
    ) -> None:
        """Async twin of :meth:`announce` (asyncio or trio)."""
        await self._await(*self._announce(address, capability), timeout)

    async def adiscover(
        self, pattern: Address, *, timeout: float | None = None
    ) -> list[Announcement]:
        """Async twin of :meth:`discover` (asyncio or trio)."""
        return self._listed(await self._await(*self._discover(pattern), timeout))

    def _announce(
        self, address: Address, capability: Any
    ) -> tuple[str, str, int, Callable[[KadDHT], Awaitable[None]]]:
        target = check_address(
            address, what="announced address", concrete=True, unversioned=ANNOUNCE_AN_ADDRESS
        )
        frozen = freeze_json(capability, "capability")
        key, state, peer_id = str(target), self._state, self._peer.id
        provide = announcing(self._network, provider_key(state.namespace, key))

        async def announce(dht: KadDHT) -> None:
            await provide(dht)
            state.offer(key, peer_id, frozen)  # once the hosts took it

        return "announce", key, state.host_of(peer_id), announce

    def _discover(
        self, pattern: Address
    ) -> tuple[str, str, int, Callable[[KadDHT], Awaitable[Found]]]:
        target = check_address(
            pattern, what="discovery pattern", concrete=False, unversioned=DISCOVER_ADDRESSES
        )
        state = self._state
        keys = [key for key in sorted(state.offers()) if target.matches(UCXLAddress.parse(key))]
        namespace, find = state.namespace, finding(self._network, self._world)

        async def discover(dht: KadDHT) -> Found:
            # One lookup after another: an operation opens a few streams at most (see network).
            return {key: await find(dht, provider_key(namespace, key)) for key in keys}

        return "discover", str(target), state.host_of(self._peer.id), discover

    def _listed(self, found: Found) -> list[Announcement]:
        """The announcements of the peers found, with the offers they announced."""
        offers = self._state.offers()
        listed = []
        for key, providers in found.items():
            address, offered = UCXLAddress.parse(key), offers.get(key, {})
            listed += [
                Announcement(address, peer_id, capability)
                for peer_id, capability in offered.items()
                if peer_id in providers
            ]
        return listed

    # -- the content, the simulation's: handed to the content connector ---------------------

    def store(
        self,
        address: Address,
        content: object,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Envelope:
        """Store a new version of ``address`` (in the simulation) and return its envelope."""
        return self._content.store(
            address, content, content_type=content_type, metadata=metadata, timeout=timeout
        )

    def retrieve(self, address: Address, *, timeout: float | None = None) -> Envelope:
        """The version the address's temporal segment selects (the latest if it has none)."""
        return self._content.retrieve(address, timeout=timeout)

    def history(self, address: Address, *, timeout: float | None = None) -> list[Envelope]:
        """Every version of ``address``, oldest first, tombstones included."""
        return self._content.history(address, timeout=timeout)

    def search(
        self, pattern: Address, *, limit: int | None = None, timeout: float | None = None
    ) -> list[Envelope]:
        """One envelope per stored address ``pattern`` matches, in address order."""
        return self._content.search(pattern, limit=limit, timeout=timeout)

    def delete(self, address: Address, *, timeout: float | None = None) -> Envelope:
        """Add a tombstone version of ``address``."""
        return self._content.delete(address, timeout=timeout)

    async def astore(
        self,
        address: Address,
        content: object,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Envelope:
        """Async twin of :meth:`store`."""
        return await self._content.astore(
            address, content, content_type=content_type, metadata=metadata, timeout=timeout
        )

    async def aretrieve(self, address: Address, *, timeout: float | None = None) -> Envelope:
        """Async twin of :meth:`retrieve`."""
        return await self._content.aretrieve(address, timeout=timeout)

    async def ahistory(self, address: Address, *, timeout: float | None = None) -> list[Envelope]:
        """Async twin of :meth:`history`."""
        return await self._content.ahistory(address, timeout=timeout)

    async def asearch(
        self, pattern: Address, *, limit: int | None = None, timeout: float | None = None
    ) -> list[Envelope]:
        """Async twin of :meth:`search`."""
        return await self._content.asearch(pattern, limit=limit, timeout=timeout)

    async def adelete(self, address: Address, *, timeout: float | None = None) -> Envelope:
        """Async twin of :meth:`delete`."""
        return await self._content.adelete(address, timeout=timeout)

    def peers(self) -> list[Peer]:
        """The other peers this node reaches now (a local read, the content connector's)."""
        return self._content.peers()

    def network_status(self) -> NetworkStatus:
        """Peer count, whether connected, conditions and counters (the content connector's);
        the announcements made on the real hosts."""
        status = self._content.network_status()
        announced = sum(map(len, self._state.offers().values()))
        return dataclasses.replace(status, announcements=announced)

    def __repr__(self) -> str:
        return (
            f"<Libp2pBZZZ on {self._world!r} as {self._peer.name}: announcements on libp2p "
            f"hosts, content in {self._content!r}>"
        )
