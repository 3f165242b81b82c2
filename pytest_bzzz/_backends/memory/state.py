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
reach. The connector's version histories are placed likewise, each address's
history one record (``copies``); its announcements are provider records,
placed as any other. In a world of one peer, ``content`` is that peer's
histories, read and written directly.

With a **record size limit** (``NetworkConditions.max_record_size``, off by
default), a value over the limit, or an empty one, is refused by every peer
but its writer, as libp2p's peers refuse it: a put keeps it on the writer
alone (and ``put_value`` reports success), and nobody repairs it onto the
others. A get from another peer finds an oversized copy only if the writer
is among the closest peers its lookup asks (``targets``), and an empty one
never (an empty answer reads as none), as on py-libp2p. The limit is the one
in force when the value is put. In a world of one peer nothing changes: the
writer is the only peer there is.

Records expire as ``sweeps`` says; a copy made by read repair is the same
record, as old as the write it copies. Records put straight into a store's
dicts (not through a mock or ``world.storage``) have no age and never expire.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..._kernel.clock import control
from ..._kernel.slots import StateKey
from ..._kernel.timeline import Scheduled
from ..._kernel.world import World, core
from ..._ucxl.errors import NotFoundError
from .content import ContentStore
from .copies import ContentCopies
from .expiry import Births
from .missing import missing, refused
from .placement import Ring, id_of
from .stamps import OLDEST, Stamp
from .storage import DHTStorage
from .sweeps import Sweeps

if TYPE_CHECKING:
    from collections.abc import Collection

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["NETWORK", "MemoryNetwork"]


class MemoryNetwork(Sweeps):
    """The memory backend's state in one world: a DHT store per peer, and where keys are."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._topology = core(world).topology
        self.content = ContentStore()
        """The connector's version histories: the one peer's; among many, the catalogue of
        the newest copy of each (see ``copies``)."""
        self.copies = ContentCopies(world, self.content, place=self.targets, stamp=self._stamp)
        """Where the histories' copies are among many peers."""
        self._stores: dict[str, DHTStorage] = {}
        self._ring = Ring()
        self._stamps: dict[str, dict[str, Stamp]] = {}  # peer -> key -> stamp
        self._holders: dict[str, set[str]] = {}  # key -> peers that hold a value for it
        self._provider_holders: dict[str, set[str]] = {}  # key -> peers with its providers
        self._first_provided: dict[tuple[str, str], int] = {}  # (key, provider) -> order
        self._lost: dict[str, int] = {}  # key -> its holders killed while holding it
        # (peer, key) -> the stamp of a write only that peer keeps (the others refused it: the
        # record size limit); a copy serves its own peer only while it holds that stamp.
        self._unshared: dict[tuple[str, str], Stamp] = {}
        self._sequence = 0
        self._indexed = False
        self.alone = len(self._topology) <= 1
        """One peer in the world: it holds everything, and nothing needs placing (plain
        attribute, kept up to date by :meth:`network_changed`: the mocks read it on every
        operation)."""
        self._sole = DHTStorage()  # the store of the one peer, while there is one
        self._sole_id: str | None = None  # and its id
        self._now = world.clock.now
        self._clock = world.clock
        self._virtual = world.clock.mode == "virtual"
        # When records expire. Alone: by key (values) and (key, provider). Among many: by
        # write, (key, stamp) and (key, provider, stamp); each holder of that write drops it.
        self._value_births: Births[str] = Births(world.value_ttl)
        self._provider_births: Births[tuple[str, str]] = Births(world.provider_ttl)
        self._write_births: Births[tuple[str, Stamp]] = Births(world.value_ttl)
        self._provide_births: Births[tuple[str, str, Stamp]] = Births(world.provider_ttl)
        self._provider_stamps: dict[str, dict[tuple[str, str], Stamp]] = {}
        self._sweep: Scheduled | None = None  # when values next expire
        self._provider_sweep: Scheduled | None = None  # when provider records next expire
        # Bound once for put_alone, the fast path (Births clears and rebuilds it in place).
        self._value_born = self._value_births.born
        self._sole_values = self._sole.values
        self.put_alone = self._make_put_alone()
        """A put in a world of one peer (see :meth:`_make_put_alone`)."""
        self.network_changed()

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
        if self.alone and len(self._topology) == 1:
            self._sole_id = next(iter(self._topology))
            self._sole = self.store_of(self._sole_id)
            self._sole_values = self._sole.values
            self.put_alone = self._make_put_alone()

    # -- a world of one peer: its store, and when its records expire ------------------------

    def is_sole(self, peer_id: str) -> bool:
        """Whether ``peer_id`` is the world's one peer (which holds everything there is)."""
        return peer_id == self._sole_id

    @property
    def sole(self) -> DHTStorage:
        """The store of the world's one peer (of the first, once there are more)."""
        return self._sole

    def _make_put_alone(self) -> Callable[[str, bytes], None]:
        """``put_alone`` for this network: a put in a world of one peer, the fast path (no
        placement; its birth noted inline, as ``Births.stored`` notes it).

        What it reads is bound as the closure's own names, not looked up on each put.

        The store's values and the births map are replaced in place only (a
        new sole store comes with a new closure: ``network_changed``).
        """
        values, born, births = self._sole_values, self._value_born, self._value_births
        clock = control(self._clock)  # its moving parts: the time read as a plain attribute
        moved, now_of = births.moved, clock.now
        virtual = self._virtual

        def put_alone(key: str, value: bytes) -> None:
            values[key] = value
            now = clock.offset if virtual else now_of()  # virtual: the time itself, no call
            if born.setdefault(key, now) != now:  # stored before, at an earlier time
                moved(key, now)
            elif self._sweep is None:  # the first record: be swept when it expires
                self._schedule_sweep()

        return put_alone

    def provide_alone(self, key: str, provider: str) -> None:
        """A provide in a world of one peer."""
        self._sole.providers_by_key.setdefault(key, {})[provider] = None
        self._provider_births.stored((key, provider), self._now())
        if self._provider_sweep is None:
            self._schedule_sweep()

    # -- placement --------------------------------------------------------------------------

    def targets(self, writer: str, key: str) -> list[str]:
        """Where a write from ``writer`` goes: the closest peers it reaches, and itself.

        Chosen on the network as it is when the write is made (an operation's
        action runs once its latency is spent). A ``writer`` that is not live
        (only ``world.storage`` writes for one: the mocks' operations from it
        fail first) stores nothing on itself, and the write goes to the
        closest live peers.
        """
        topology = self._topology
        if len(self._ring) != len(topology):
            self._ring.rebuild(topology)
        accept: Callable[[str], bool] | None = None
        live = topology.undivided or topology.status(writer) == "live"
        if not topology.undivided:
            if live:
                accept = functools.partial(topology.can_reach, writer)
            else:

                def accept(peer: str) -> bool:
                    return topology.status(peer) == "live"

        chosen = self._ring.closest(id_of(key), self._world.replication, accept)
        if live and writer not in chosen:
            chosen.append(writer)
        return chosen

    def contacted(self, peer: str, key: str) -> list[str]:
        """The peers an operation of ``peer`` on ``key`` reaches across a link (for the world's
        link conditions): where its lookup ends, the closest peers it can reach."""
        return [other for other in self.targets(peer, key) if other != peer]

    def _index(self) -> None:
        """Take in what was stored while the world had one peer (or without the network)."""
        if self._indexed:
            return
        self._indexed = True
        sole, born, provided = self._sole, self._value_births.born, self._provider_births.born
        for peer, store in self._stores.items():
            stamps = self._stamps.setdefault(peer, {})
            provider_stamps = self._provider_stamps.setdefault(peer, {})
            for key in store.values:
                self._holders.setdefault(key, set()).add(peer)
                stamps.setdefault(key, (born[key], 0) if store is sole and key in born else OLDEST)
            for key, providers in store.providers_by_key.items():
                self._provider_holders.setdefault(key, set()).add(peer)
                for provider in providers:
                    self._first_provided.setdefault((key, provider), 0)
                    at = provided.get((key, provider)) if store is sole else None
                    if at is not None:
                        provider_stamps[key, provider] = (at, 0)
        # What the one peer stored ages on, now as writes placed among many.
        for key, at in born.items():  # oldest first, as the births of writes are kept
            self._write_births.stored((key, (at, 0)), at)
        for (key, provider), at in provided.items():
            self._provide_births.stored((key, provider, (at, 0)), at)
        self._value_births.clear()
        self._provider_births.clear()
        self._schedule_sweep()
        if self._sole_id is not None:  # the one peer's histories are its copies now
            self.copies.adopt(self._sole_id)

    def undivided(self) -> bool:
        """Every peer live, and reaching every other."""
        return self._topology.undivided

    def index(self) -> None:
        """Be ready for an operation among many peers (what one peer stored taken in)."""
        if not self._indexed:
            self._index()

    def _stamp(self) -> Stamp:
        self._sequence += 1
        return (self._now(), self._sequence)

    # -- values -------------------------------------------------------------------------------

    def put(self, writer: str, key: str, value: bytes) -> None:
        """Store ``value`` under ``key`` on the peers a put from ``writer`` reaches."""
        if not self._indexed:
            self._index()
        stamp = self._stamp()
        chosen = self.targets(writer, key)
        if self._world.conditions.refuses(value):  # kept by the writer alone
            chosen = [writer] if writer in chosen else []
            self._unshared[writer, key] = stamp
        stores, stamps = self._stores, self._stamps
        for peer in chosen:
            store = stores.get(peer)
            if store is None:
                store = self.store_of(peer)
            store.values[key] = value
            held = stamps.get(peer)
            if held is None:
                held = stamps[peer] = {}
            held[key] = stamp
        holders = self._holders.get(key)
        if holders is None:
            self._holders[key] = set(chosen)
        else:
            holders.update(chosen)
        if self._lost:
            self._lost.pop(key, None)
        self._write_births.stored((key, stamp), stamp[0])
        if self._sweep is None:
            self._schedule_sweep()

    def get(self, reader: str, key: str) -> bytes:
        """The newest value under ``key`` that ``reader`` reaches, repairing older copies."""
        if not self._indexed:
            self._index()
        holders = self._holders.get(key, ())
        if self._topology.undivided:  # every peer live and reaching every other
            reachable: Collection[str] = holders
        else:
            can_reach = self._topology.can_reach
            reachable = [peer for peer in holders if can_reach(reader, peer)]
        stamps = self._stamps
        unshared = self._unshared
        if unshared:  # copies only their writers keep: found by others only as libp2p finds them
            hidden = self._hidden(reader, key, reachable)
            if hidden:
                reachable = [peer for peer in reachable if peer not in hidden]
                if not reachable:
                    raise NotFoundError(refused(self._world, self._stores, reader, key, hidden))
        if not reachable:
            raise NotFoundError(missing(self._world, self._lost.get(key, 0), reader, key, holders))
        newest = max(reachable, key=lambda peer: (stamps[peer].get(key, OLDEST), peer))
        stamp = stamps[newest].get(key, OLDEST)
        value = self._stores[newest].values[key]
        if unshared and unshared.get((newest, key)) == stamp:
            return value  # a copy the others refused: not repaired onto them
        for peer in reachable:
            held = stamps[peer]
            if held.get(key, OLDEST) != stamp:  # read repair: an older version
                self._stores[peer].values[key] = value
                held[key] = stamp
        return value

    def _hidden(self, reader: str, key: str, reachable: Collection[str]) -> list[str]:
        """The peers among ``reachable`` whose copy of ``key`` only they keep and ``reader``
        (another peer) does not find: an empty one, or one whose writer is not among the
        closest peers the reader's lookup asks."""
        unshared, stamps = self._unshared, self._stamps
        asked: list[str] | None = None
        hidden = []
        for peer in reachable:
            stamp = unshared.get((peer, key))
            if peer == reader or stamp is None or stamps.get(peer, {}).get(key) != stamp:
                continue
            if self._stores[peer].values[key]:  # over the limit: served by its writer
                if asked is None:
                    asked = self.targets(reader, key)
                if peer in asked:
                    continue
            hidden.append(peer)
        return hidden

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
        stamp = self._stamp()
        self._first_provided.setdefault((key, provider), stamp[1])
        chosen = self.targets(writer, key)
        for peer in chosen:
            self.store_of(peer).providers_by_key.setdefault(key, {})[provider] = None
            self._provider_stamps.setdefault(peer, {})[key, provider] = stamp
        self._provider_holders.setdefault(key, set()).update(chosen)
        self._provide_births.stored((key, provider, stamp), stamp[0])
        if self._provider_sweep is None:
            self._schedule_sweep()

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
        newest: dict[str, tuple[Stamp, bytes]] = {}
        for peer, store in self._stores.items():
            stamps = self._stamps.get(peer, {})
            for key, value in store.values.items():
                stamp = stamps.get(key, OLDEST)
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
        self._forget_indexes()

    def _forget_indexes(self) -> None:
        for index in (
            self._stamps,
            self._holders,
            self._provider_holders,
            self._first_provided,
            self._provider_stamps,
            self._lost,
            self._unshared,
        ):
            index.clear()
        for births in (
            self._value_births,
            self._provider_births,
            self._write_births,
            self._provide_births,
        ):
            births.clear()
        for sweep in (self._sweep, self._provider_sweep):
            if sweep is not None:
                sweep.cancel()
        self._sweep = self._provider_sweep = None

    # -- the world's life -------------------------------------------------------------------

    def peer_killed(self, peer_id: str) -> None:
        """A killed peer loses what it holds."""
        if self.alone:  # the one peer's histories and announcements are gone with it
            self.content.clear()
        else:
            self.index()
            self.copies.peer_killed(peer_id)
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
        self._provider_stamps.pop(peer_id, None)
        if store is self._sole:  # what the one peer held has no age any more
            self._value_births.clear()
            self._provider_births.clear()

    def reset(self) -> None:
        for store in self._stores.values():
            store.clear()  # in place: the mocks keep their references
        self.content.clear()
        self.copies.reset()
        self._forget_indexes()
        self._sequence = 0
        self._indexed = False

    def close(self) -> None:
        """Nothing to release: the data is garbage once the world is."""


NETWORK: StateKey[MemoryNetwork] = StateKey("memory", MemoryNetwork)
"""The slot of the memory backend's state in every world."""
