"""What the memory backend keeps in a world: each peer's DHT records, placed as libp2p places them.

The state lives with the backend, keyed by peer, in the world's slot for it
(``world.state(NETWORK)``); the world knows nothing of it beyond resetting and
closing it, and telling it when a peer is killed.

In a world of **one peer**, that peer holds everything, and the mocks write
and read its store directly: the fast path the benchmarks measure.

In a world of **many peers**, a put from peer P stores the value on the
``replication`` peers closest to the key (by XOR distance, see ``placement``)
among the live peers P can reach, and on P itself; provider records likewise.
A get from P succeeds when some live peer P can reach holds the key; when
several do and disagree (writes made on two sides of a partition), the newest
write wins (the later in world time; at the same instant, the one made last),
and the reachable holders of an older version are brought up to date (read
repair); a get stores nothing on the reader or on any peer that did not hold
the key. A killed peer loses what it holds; a paused one keeps it, out of
reach. The connector's version histories (``content``) are the world's as a
whole, not placed on peers; its announcements are provider records, placed as
any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._kernel.slots import StateKey
from ..._kernel.world import World, topology
from ..._ucxl.errors import NotFoundError
from .content import ContentStore
from .placement import Ring, id_of
from .storage import DHTStorage

if TYPE_CHECKING:
    from collections.abc import Collection

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["NETWORK", "MemoryNetwork"]

_OLDEST = (float("-inf"), 0)  # the stamp of a value written before anything was placed


class MemoryNetwork:
    """The memory backend's state in one world: a DHT store per peer, and where keys are."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._topology = topology(world)
        self.content = ContentStore()
        """The connector's version histories: the world's as a whole."""
        self._stores: dict[str, DHTStorage] = {}
        self._ring = Ring()
        self._stamps: dict[str, dict[str, tuple[float, int]]] = {}  # peer -> key -> stamp
        self._holders: dict[str, set[str]] = {}  # key -> peers that hold a value for it
        self._provider_holders: dict[str, set[str]] = {}  # key -> peers with its providers
        self._first_provided: dict[tuple[str, str], int] = {}  # (key, provider) -> order
        self._lost: dict[str, int] = {}  # key -> its holders killed while holding it
        self._sequence = 0
        self._indexed = False
        self.alone = len(self._topology) <= 1
        """One peer in the world: it holds everything, and nothing needs placing (plain
        attribute, kept up to date by :meth:`network_changed`: the mocks read it on every
        operation)."""

    # -- each peer's store ----------------------------------------------------------------

    def store_of(self, peer_id: str) -> DHTStorage:
        """What peer ``peer_id`` holds (made empty the first time)."""
        store = self._stores.get(peer_id)
        if store is None:
            store = self._stores[peer_id] = DHTStorage()
        return store

    def network_changed(self) -> None:
        """Peers were added, or faults changed who reaches whom (the world says so)."""
        self.alone = len(self._topology) <= 1

    # -- placement --------------------------------------------------------------------------

    def targets(self, writer: str, key: str) -> list[str]:
        """Where a write from ``writer`` goes: the closest peers it reaches, and itself."""
        topology = self._topology
        if len(self._ring) != len(topology):
            self._ring.rebuild(topology)
        accept = None if topology.undivided else (lambda peer: topology.can_reach(writer, peer))
        chosen = self._ring.closest(id_of(key), self._world.replication, accept)
        if writer not in chosen:
            chosen.append(writer)
        return chosen

    def _index(self) -> None:
        """Take in what was stored while the world had one peer (or without the network)."""
        if self._indexed:
            return
        self._indexed = True
        for peer, store in self._stores.items():
            stamps = self._stamps.setdefault(peer, {})
            for key in store.values:
                self._holders.setdefault(key, set()).add(peer)
                stamps.setdefault(key, _OLDEST)
            for key, providers in store.providers_by_key.items():
                self._provider_holders.setdefault(key, set()).add(peer)
                for provider in providers:
                    self._first_provided.setdefault((key, provider), 0)

    def _stamp(self) -> tuple[float, int]:
        self._sequence += 1
        return (self._world.clock.now(), self._sequence)

    # -- values -------------------------------------------------------------------------------

    def put(self, writer: str, key: str, value: bytes) -> None:
        """Store ``value`` under ``key`` on the peers a put from ``writer`` reaches."""
        self._index()
        stamp = self._stamp()
        chosen = self.targets(writer, key)
        for peer in chosen:
            self.store_of(peer).values[key] = value
            self._stamps.setdefault(peer, {})[key] = stamp
        self._holders.setdefault(key, set()).update(chosen)
        self._lost.pop(key, None)

    def get(self, reader: str, key: str) -> bytes:
        """The newest value under ``key`` that ``reader`` reaches, repairing older copies."""
        self._index()
        holders = self._holders.get(key, ())
        can_reach = self._topology.can_reach
        reachable = [peer for peer in holders if can_reach(reader, peer)]
        if not reachable:
            raise NotFoundError(self._missing(reader, key, holders))
        stamps = self._stamps
        newest = max(reachable, key=lambda peer: (stamps[peer].get(key, _OLDEST), peer))
        stamp = stamps[newest].get(key, _OLDEST)
        value = self._stores[newest].values[key]
        for peer in reachable:
            if stamps[peer].get(key, _OLDEST) != stamp:  # read repair: an older version
                self._stores[peer].values[key] = value
                stamps[peer][key] = stamp
        return value

    def _missing(self, reader: str, key: str, holders: Collection[str]) -> str:
        status = self._topology.status
        paused = sum(1 for peer in holders if status(peer) == "paused")
        cut_off = len(holders) - paused
        lost = self._lost.get(key, 0)
        if not (paused or cut_off or lost):
            return f"no value under {key!r}"
        reasons = [
            f"{count} {what}"
            for count, what in (
                (cut_off, "cut off from it"),
                (paused, "paused"),
                (lost, "killed while holding it"),
            )
            if count
        ]
        name = self._world.peer(reader).name
        return f"no value under {key!r} that {name} can reach (holders: {', '.join(reasons)})"

    def holders(self, key: str) -> list[str]:
        """The peers that hold a value under ``key`` now (paused ones too), closest first."""
        if self.alone:
            return [peer for peer, store in self._stores.items() if key in store.values]
        self._index()
        held = self._holders.get(key, set())
        target = id_of(key)
        return sorted(held, key=lambda peer: id_of(peer) ^ target)

    # -- provider records -------------------------------------------------------------------

    def provide(self, writer: str, key: str, provider: str) -> None:
        """Record ``provider`` for ``key`` on the peers a provide from ``writer`` reaches."""
        self._index()
        self._sequence += 1
        self._first_provided.setdefault((key, provider), self._sequence)
        chosen = self.targets(writer, key)
        for peer in chosen:
            self.store_of(peer).providers_by_key.setdefault(key, {})[provider] = None
        self._provider_holders.setdefault(key, set()).update(chosen)

    def providers(self, reader: str, key: str) -> list[str]:
        """The providers of ``key`` that ``reader`` learns of, in the order they first provided."""
        self._index()
        can_reach = self._topology.can_reach
        found: set[str] = set()
        for peer in self._provider_holders.get(key, ()):
            if can_reach(reader, peer):
                found.update(self._stores[peer].providers_by_key.get(key, ()))
        first = self._first_provided
        return sorted(found, key=lambda provider: first.get((key, provider), 0))

    # -- the whole network's data, for the world's views ------------------------------------

    def all_values(self) -> dict[str, bytes]:
        """The newest value of each key that any peer holds (a snapshot)."""
        self._index()
        newest: dict[str, tuple[tuple[float, int], bytes]] = {}
        for peer, store in self._stores.items():
            stamps = self._stamps.get(peer, {})
            for key, value in store.values.items():
                stamp = stamps.get(key, _OLDEST)
                if key not in newest or stamp > newest[key][0]:
                    newest[key] = (stamp, value)
        return {key: value for key, (_, value) in newest.items()}

    def all_providers(self) -> dict[str, dict[str, None]]:
        """Every provider of each key that any peer records, in the order first provided."""
        self._index()
        found: dict[str, set[str]] = {}
        for store in self._stores.values():
            for key, providers in store.providers_by_key.items():
                found.setdefault(key, set()).update(providers)
        first = self._first_provided

        def in_order(key: str) -> dict[str, None]:
            return dict.fromkeys(sorted(found[key], key=lambda p: first.get((key, p), 0)))

        return {key: in_order(key) for key in sorted(found)}

    def clear_records(self) -> None:
        """Forget every peer's values and provider records (not the connector's histories)."""
        for store in self._stores.values():
            store.clear()
        for index in (self._stamps, self._holders, self._provider_holders, self._first_provided):
            index.clear()
        self._lost.clear()

    # -- the world's life -------------------------------------------------------------------

    def peer_killed(self, peer_id: str) -> None:
        """A killed peer loses what it holds."""
        store = self._stores.get(peer_id)
        if store is None:
            return
        for key in store.values:
            self._holders.get(key, set()).discard(peer_id)
            self._lost[key] = self._lost.get(key, 0) + 1
        for key in store.providers_by_key:
            self._provider_holders.get(key, set()).discard(peer_id)
        store.clear()
        self._stamps.pop(peer_id, None)

    def reset(self) -> None:
        for store in self._stores.values():
            store.clear()  # in place: the mocks keep their references
        self.content.clear()
        for index in (self._stamps, self._holders, self._provider_holders, self._first_provided):
            index.clear()
        self._lost.clear()
        self._sequence = 0
        self._indexed = False

    def close(self) -> None:
        """Nothing to release: the data is garbage once the world is."""


NETWORK: StateKey[MemoryNetwork] = StateKey("memory", MemoryNetwork)
"""The slot of the memory backend's state in every world."""
