"""MockBZZZ: the BZZZ connector a UCXL browser or an agent talks to, over a simulated world.

It shares the world (network conditions, clock, seed, peers) and its peer's
data with every other mock in the test, so a ``mock_dht`` sees the provider
records a ``mock_bzzz`` announces. Every operation but the two local reads
(:meth:`MockBZZZ.peers` and :meth:`MockBZZZ.network_status`) goes through the
simulated network exactly as the DHT's do. Arguments are checked before
anything reaches the network: bad input costs no simulated time, is not
recorded, and never stores part of anything.

Deleting adds a tombstone version, so the history survives a delete; reading
the address afterwards raises :class:`NotFoundError` until a new version is
stored.

In a world of one peer, the histories are that peer's content store itself;
among many, each address's history is placed on peers as a DHT value is, and
each operation reads the copies its peer reaches (``copies``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..._kernel.peers import Peer
from ..._kernel.pipeline import Prepared, declare_writes
from ..._kernel.record import Call, Outcome
from ..._ucxl.address import UCXLAddress
from ..._ucxl.envelope import (
    _EMPTY,
    TOMBSTONE,
    Envelope,
    check_room,
    encode_content,
    freeze_json,
    make_envelope,
    without_tombstones,
)
from ..._ucxl.errors import NotFoundError
from ..._ucxl.temporal import Temporal
from ..arguments import (
    ANNOUNCE_AN_ADDRESS,
    DELETE_ADDS_A_TOMBSTONE,
    DISCOVER_ADDRESSES,
    STORE_NUMBERS_VERSIONS,
    check_address,
)
from ..records import Announcement, NetworkStatus
from .content import ContentStore
from .mock import Mock

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["MockBZZZ"]

Address = UCXLAddress | str

# A store, delete or announce that times out may have been applied, under ambiguous timeouts.
declare_writes("store", "delete", "announce")


class MockBZZZ(Mock):
    """A mock BZZZ connector on a simulated :class:`World`.

    Give ``world`` to share it with other mocks (the pytest fixtures do);
    without it the mock makes a world of its own from the keyword arguments,
    as :class:`MockDHT` does. ``peer`` is the peer it acts as (the world's
    local peer by default).
    """

    def _bind(self) -> None:
        self._content: ContentStore = self._network.content
        self._copies = self._network.copies
        self._providers_by_key = self._held.providers_by_key

    # -- preparations: arguments checked before anything reaches the network ---------------

    def _prepare_store(
        self, address: Address, content: object, content_type: str | None, metadata: object
    ) -> Prepared[Envelope]:
        base = check_address(
            address, what="store address", concrete=True, unversioned=STORE_NUMBERS_VERSIONS
        )
        check_room(base)
        data, kind = encode_content(content, content_type)
        if metadata is None:
            frozen: Mapping[str, Any] = _EMPTY
        elif isinstance(metadata, Mapping):
            frozen = freeze_json(metadata)
        else:
            raise TypeError(f"metadata must be a mapping, got {type(metadata).__name__}")
        return ("store", str(base), self._store, (base, data, kind, frozen))

    def _prepare_retrieve(self, address: Address) -> Prepared[Envelope]:
        target = check_address(address, what="address", concrete=True)
        return ("retrieve", str(target), self._retrieve, (target,))

    def _prepare_history(self, address: Address) -> Prepared[list[Envelope]]:
        target = check_address(address, what="address", concrete=True)
        return ("history", str(target), self._history, (target,))

    def _prepare_search(self, pattern: Address, limit: int | None) -> Prepared[list[Envelope]]:
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 1
        ):
            raise ValueError(f"limit must be a whole number, 1 or more, or None; got {limit!r}")
        target = check_address(pattern, what="search pattern", concrete=False)
        return ("search", str(target), self._search, (target, limit))

    def _prepare_delete(self, address: Address) -> Prepared[Envelope]:
        target = check_address(
            address, what="address to delete", concrete=True, unversioned=DELETE_ADDS_A_TOMBSTONE
        )
        return ("delete", str(target), self._delete, (target,))

    def _prepare_announce(self, address: Address, capability: Any) -> Prepared[None]:
        target = check_address(
            address, what="announced address", concrete=True, unversioned=ANNOUNCE_AN_ADDRESS
        )
        frozen = freeze_json(capability, "capability")
        return ("announce", str(target), self._announce, (target, frozen))

    def _prepare_discover(self, pattern: Address) -> Prepared[list[Announcement]]:
        target = check_address(
            pattern, what="discovery pattern", concrete=False, unversioned=DISCOVER_ADDRESSES
        )
        return ("discover", str(target), self._discover, (target,))

    # -- what happens once the network let an operation through ----------------------------

    def _store(
        self, base: UCXLAddress, data: bytes, kind: str, metadata: Mapping[str, Any]
    ) -> Envelope:
        network = self._network
        if network.alone:  # the one peer's store, written in place
            history = self._content.add(base)
            version = len(history.versions) + 1
            now = self._world.clock.datetime()
            envelope = make_envelope(history.address, data, kind, metadata, version, now)
            self._content.append(history, envelope)
            return envelope
        network.index()
        versions = self._copies.read(self._peer_id, str(base))  # None: a new history
        return self._place(base, versions or (), data, kind, metadata)

    def _place(
        self,
        base: UCXLAddress,
        versions: Sequence[Envelope],
        data: bytes,
        kind: str,
        metadata: Mapping[str, Any],
    ) -> Envelope:
        """Write ``versions`` and one more as the history of ``base`` (among many peers)."""
        now = self._world.clock.datetime()
        envelope = make_envelope(base, data, kind, metadata, len(versions) + 1, now)
        self._copies.write(self._peer_id, base, (*versions, envelope))
        return envelope

    def _versions_of(self, address: UCXLAddress) -> tuple[str, Sequence[Envelope]]:
        """The canonical text of ``address`` (unversioned) and the versions this peer reads."""
        key = str(address.with_temporal(None)) if address.temporal is not None else str(address)
        if self._network.alone:
            history = self._content.history(key)
            if history is None:
                raise NotFoundError(f"nothing was ever stored under {key!r}")
            return key, history.versions
        self._network.index()
        versions = self._copies.read(self._peer_id, key)
        if versions is None:
            raise NotFoundError(self._copies.missing(self._peer_id, key))
        return key, versions

    def _retrieve(self, address: UCXLAddress) -> Envelope:
        key, versions = self._versions_of(address)
        envelope = _select(versions, address.temporal)
        if envelope.deleted:
            raise NotFoundError(f"{key!r} was deleted (version {envelope.version} is a tombstone)")
        return envelope

    def _history(self, address: UCXLAddress) -> list[Envelope]:
        return list(self._versions_of(address)[1])

    def _search(self, pattern: UCXLAddress, limit: int | None) -> list[Envelope]:
        network = self._network
        # Alone, or every peer reaching every other: the catalogue is what this peer reads.
        whole = network.alone or network.undivided()
        temporal = pattern.temporal
        if whole and temporal is None and limit is None:  # the latest of every match: in bulk
            content = self._content
            latest = [history.versions[-1] for history in content.matching(pattern)]
            if content.tombstoned:  # deleted addresses are skipped
                return without_tombstones(latest)
            return latest
        if not whole:
            network.index()
        newest, reader = self._copies.newest, self._peer_id
        found: list[Envelope] = []
        for history in self._content.candidates(pattern):
            versions = history.versions if whole else newest(reader, history.key)
            if not versions:  # no copy this peer reaches
                continue
            if temporal is None:
                envelope = versions[-1]
            else:
                try:
                    envelope = _select(versions, temporal)
                except LookupError:  # out of range for this history: skipped
                    continue
            if not envelope.deleted:
                found.append(envelope)
                if limit is not None and len(found) >= limit:
                    break
        return found

    def _delete(self, address: UCXLAddress) -> Envelope:
        key, versions = self._versions_of(address)
        latest = versions[-1]
        if latest.deleted:
            raise NotFoundError(f"{key!r} is already deleted")
        if self._network.alone:  # (an address to delete has no temporal segment)
            return self._store(address, b"", TOMBSTONE, _EMPTY)
        return self._place(address, versions, b"", TOMBSTONE, _EMPTY)

    def _announce(self, address: UCXLAddress, capability: Any) -> None:
        key = str(address)
        peer_id = self.peer.id
        self._content.capabilities.setdefault(key, {})[peer_id] = capability
        if self._network.alone:
            self._network.provide_alone(key, peer_id)
        else:  # a provider record, placed as any other
            self._network.provide(peer_id, key, peer_id)

    def _discover(self, pattern: UCXLAddress) -> list[Announcement]:
        found = []
        alone, network = self._network.alone, self._network
        for key in sorted(self._content.capabilities):
            address = UCXLAddress.parse(key)
            if pattern.matches(address):
                offers = self._content.capabilities[key]
                providers = (
                    self._providers_by_key.get(key, ())
                    if alone
                    else network.providers(self._peer_id, key)  # those this peer can reach
                )
                found += [
                    Announcement(address, peer_id, offers[peer_id])
                    for peer_id in providers
                    if peer_id in offers
                ]
        return found

    # -- the connector's interface: each twin runs the operation its preparation names ----

    def store(
        self,
        address: Address,
        content: object,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Envelope:
        """Store a new version of ``address`` and return its envelope.

        ``content`` is bytes, a str (stored as UTF-8, ``text/plain``) or any
        JSON-serialisable value (``application/json``); ``content_type``
        overrides the type. ``metadata`` is a mapping of JSON values.
        """
        prepared = self._prepare_store(address, content, content_type, metadata)
        return self._run(prepared, timeout, self._peer_id)

    def retrieve(self, address: Address, *, timeout: float | None = None) -> Envelope:
        """The version the address's temporal segment selects (the latest if it has none)."""
        return self._run(self._prepare_retrieve(address), timeout, self._peer_id)

    def history(self, address: Address, *, timeout: float | None = None) -> list[Envelope]:
        """Every version of ``address``, oldest first, tombstones included."""
        return self._run(self._prepare_history(address), timeout, self._peer_id)

    def search(
        self, pattern: Address, *, limit: int | None = None, timeout: float | None = None
    ) -> list[Envelope]:
        """One envelope per stored address ``pattern`` matches, in address order.

        The pattern's temporal segment selects each address's version (latest
        by default); an address for which it is out of range, or whose selected
        version is a tombstone, is skipped. ``limit`` keeps the first results.
        """
        return self._run(self._prepare_search(pattern, limit), timeout, self._peer_id)

    def delete(self, address: Address, *, timeout: float | None = None) -> Envelope:
        """Add a tombstone version; :meth:`retrieve` then raises :class:`NotFoundError`."""
        return self._run(self._prepare_delete(address), timeout, self._peer_id)

    def announce(self, address: Address, capability: Any, *, timeout: float | None = None) -> None:
        """Announce that this peer offers ``capability`` (any JSON value) for ``address``.

        Recorded as a DHT provider record for the address, so ``mock_dht``'s
        ``find_providers`` sees it too.
        """
        self._run(self._prepare_announce(address, capability), timeout, self._peer_id)

    def discover(self, pattern: Address, *, timeout: float | None = None) -> list[Announcement]:
        """Every announcement for an address ``pattern`` matches.

        Ordered by address, and for one address in the order its peers first
        announced it.
        """
        return self._run(self._prepare_discover(pattern), timeout, self._peer_id)

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
        prepared = self._prepare_store(address, content, content_type, metadata)
        return await self._arun(prepared, timeout, self._peer_id)

    async def aretrieve(self, address: Address, *, timeout: float | None = None) -> Envelope:
        """Async twin of :meth:`retrieve`."""
        return await self._arun(self._prepare_retrieve(address), timeout, self._peer_id)

    async def ahistory(self, address: Address, *, timeout: float | None = None) -> list[Envelope]:
        """Async twin of :meth:`history`."""
        return await self._arun(self._prepare_history(address), timeout, self._peer_id)

    async def asearch(
        self, pattern: Address, *, limit: int | None = None, timeout: float | None = None
    ) -> list[Envelope]:
        """Async twin of :meth:`search`."""
        return await self._arun(self._prepare_search(pattern, limit), timeout, self._peer_id)

    async def adelete(self, address: Address, *, timeout: float | None = None) -> Envelope:
        """Async twin of :meth:`delete`."""
        return await self._arun(self._prepare_delete(address), timeout, self._peer_id)

    async def aannounce(
        self, address: Address, capability: Any, *, timeout: float | None = None
    ) -> None:
        """Async twin of :meth:`announce`."""
        await self._arun(self._prepare_announce(address, capability), timeout, self._peer_id)

    async def adiscover(
        self, pattern: Address, *, timeout: float | None = None
    ) -> list[Announcement]:
        """Async twin of :meth:`discover`."""
        return await self._arun(self._prepare_discover(pattern), timeout, self._peer_id)

    # -- local reads, and what tests inspect ---------------------------------------------

    def peers(self) -> list[Peer]:
        """The other peers this node reaches now (a local read: no latency, never fails).

        Paused and killed peers, and peers across a partition or a cut link,
        are not listed; a paused or killed node reaches none.
        """
        me, world = self.peer, self._world
        return [peer for peer in world.peers if peer != me and world.can_reach(me, peer)]

    def network_status(self) -> NetworkStatus:
        """Peer count, whether connected, current conditions and counters (a local read)."""
        world = self._world
        seen = self.peers()
        with world.clock.lock:
            announcements = sum(map(len, self._content.capabilities.values()))
        return NetworkStatus(
            local_peer=self.peer,
            peer_count=len(seen),
            # On the network: live, and reaching another peer; a node alone in its world is
            # on the network too (there is no one to reach).
            connected=world.status(self.peer) == "live" and (bool(seen) or len(world.peers) == 1),
            conditions=world.conditions,
            stats=world.stats,
            time=world.clock.datetime(),
            announcements=announcements,
        )

    def calls(
        self, op: str | None = None, *, key: Address | None = None, outcome: Outcome | None = None
    ) -> list[Call]:
        """Recorded calls, oldest first: e.g. ``calls("store", outcome="failed")``."""
        name = None if key is None else str(check_address(key, what="key", concrete=False))
        return self._world.calls(op, key=name, outcome=outcome)

    def __repr__(self) -> str:
        return f"<MockBZZZ on {self._world!r}, {len(self._content)} addresses>"


def _select(versions: Sequence[Envelope], temporal: Temporal | None) -> Envelope:
    """The version ``temporal`` selects (raises NotFoundError / TemporalRangeError)."""
    if temporal is None:
        return versions[-1]
    timestamps = [envelope.timestamp for envelope in versions] if temporal.kind == "at" else None
    return versions[temporal.resolve(len(versions), timestamps) - 1]
