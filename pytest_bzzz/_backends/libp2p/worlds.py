"""What the libp2p backend keeps in each world: its key namespace, its peers' hosts, the offers.

A world's peers map to the network's hosts in order (the local peer to host
0, the next to host 1, ...): a world may have as many peers as there are
hosts. The namespace, one per world, keeps each test's keys apart from every
other test's on the shared network; :meth:`World.reset` moves to a fresh one,
which is how the world's data is "emptied" on hosts that forget nothing.
The capabilities the connector's peers announced are kept here too (the
provider records are the hosts'), until the world is reset.

Of the simulated faults, a killed peer closes its host (and the world brings
a fresh one back when revived, and at its end, so the next test finds the
whole network); everything real hosts on loopback cannot do (a pause, a
partition, a cut, per-link conditions, a peer beyond the hosts) is refused
with an :class:`UnsupportedOnLibp2p` error from the call that asked for it,
by a guard on the world's topology that sees each change before it is made:
a refused fault leaves the world as it was, and is not in ``world.faults``.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from ..._kernel.world import core

if TYPE_CHECKING:
    from ..._kernel.topology import Change
    from ..._kernel.world import World
    from .network import Libp2pNetwork

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused fault ends at the line of the test that asked for it.
__tracebackhide__ = True

__all__ = ["Libp2pWorld", "UnsupportedOnLibp2p"]

SIMULATION_ONLY = (
    "run this test on the memory backend (@pytest.mark.bzzz(backend='memory')); "
    "see 'Fidelity' in the docs"
)


class UnsupportedOnLibp2p(NotImplementedError):
    """A simulated fault or setting the libp2p backend cannot apply to real hosts."""

    __module__ = "pytest_bzzz"


class Libp2pWorld:
    """One world's view of the network: namespace, peer -> host, the hosts it stopped."""

    def __init__(self, world: World, network: Libp2pNetwork, namespace: str) -> None:
        self._world = world
        self._network = network
        self._base = namespace
        self._generation = 0
        self.namespace = namespace
        self._killed: set[int] = set()
        # The connector's offers: address -> peer id -> capability, in the order peers first
        # announced (the provider records themselves are the hosts').
        self._offers: dict[str, dict[str, Any]] = {}
        self._offers_lock = threading.Lock()
        self._check_peers()
        self._refuse_earlier_faults()
        self.network_changed()  # peers killed before this state: their hosts stop
        # From now on, what real hosts cannot take is refused before it is made.
        core(world).topology.guards.append(self._guard)

    def host_of(self, peer_id: str) -> int:
        """The index of the host that acts as the world's peer ``peer_id``."""
        for index, peer in enumerate(self._world.peers):
            if peer.id == peer_id:
                if index >= self._network.size:
                    raise self._too_many(len(self._world.peers))
                return index
        raise ValueError(f"{peer_id!r} is not a peer of this world")  # pragma: no cover

    def offer(self, address: str, peer_id: str, capability: Any) -> None:
        """Keep what ``peer_id`` announced it offers for ``address`` (its latest offer)."""
        with self._offers_lock:
            self._offers.setdefault(address, {})[peer_id] = capability

    def offers(self) -> dict[str, dict[str, Any]]:
        """Every address announced through the connector, each with its offers (a copy)."""
        with self._offers_lock:
            return {address: dict(offers) for address, offers in self._offers.items()}

    def _too_many(self, count: int, *, adding: bool = False) -> UnsupportedOnLibp2p:
        has = f"adding a peer would make {count}" if adding else f"the world has {count} peers"
        return UnsupportedOnLibp2p(
            f"{has}, but the libp2p backend runs "
            f"{self._network.size} hosts, one per peer: raise the number of hosts "
            f"(--bzzz-libp2p-hosts={count}) or {SIMULATION_ONLY}"
        )

    def _check_peers(self) -> None:
        count = len(self._world.peers)
        if count > self._network.size:
            raise self._too_many(count)

    # -- what the world tells its states ---------------------------------------------------

    def _refuse_earlier_faults(self) -> None:
        """Refuse what real hosts cannot do among the faults made before this state.

        A marker's fault is made before the test's DHT (which makes this
        state), so before the guard could see it: it is undone, and refused
        here, failing the DHT's setup. Every later one meets the guard.
        """
        net = core(self._world).topology
        if net.groups or net.cuts:
            what = "a partition" if net.groups else "a cut link"
            net.heal()
            raise UnsupportedOnLibp2p(
                f"{what} cannot be applied to real libp2p hosts on loopback; {SIMULATION_ONLY}"
            )
        if net.linked:
            for source, target in net.links:
                net.set_link(source, target, None)
            raise self._refused_link()
        for peer in self._world.peers:
            if net.status(peer.id) == "paused":
                net.set_status(peer.id, "live")
                raise self._refused_pause(peer.name)

    def _guard(self, change: Change) -> None:
        """Refuse, before it is made, a change of the world that real hosts cannot take."""
        if change.kind == "add":
            count = len(core(self._world).topology) + 1
            if count > self._network.size:
                raise self._too_many(count, adding=True)
        elif change.kind in ("partition", "cut"):
            what = (
                "a partition"
                if change.kind == "partition"
                else "a cut link (world.cut, or world.isolate, which cuts every link of a peer)"
            )
            raise UnsupportedOnLibp2p(
                f"{what} cannot be applied to real libp2p hosts on loopback; {SIMULATION_ONLY}"
            )
        elif change.kind == "link" and change.link is not None:
            raise self._refused_link()
        elif change.kind == "status" and change.status == "paused" and change.peer is not None:
            raise self._refused_pause(self._world.peer(change.peer).name)

    @staticmethod
    def _refused_link() -> UnsupportedOnLibp2p:
        return UnsupportedOnLibp2p(
            "per-link conditions (world.link) cannot be applied to real libp2p hosts "
            f"(the world's own conditions can); {SIMULATION_ONLY}"
        )

    @staticmethod
    def _refused_pause(name: str) -> UnsupportedOnLibp2p:
        return UnsupportedOnLibp2p(
            f"pausing {name}: a real libp2p host cannot be frozen and thawed "
            f"(world.kill stops one for good); {SIMULATION_ONLY}"
        )

    def network_changed(self) -> None:
        """Stop the hosts of peers killed, bring back those of peers revived."""
        net = core(self._world).topology
        for index, peer in enumerate(self._world.peers):
            status = net.status(peer.id)
            if status == "live" and index in self._killed:
                self._killed.discard(index)
                self._network.restart_host(index)
            elif status == "killed" and index not in self._killed:  # killed before this state
                self._killed.add(index)
                self._network.stop_host(index)

    def peer_killed(self, peer_id: str) -> None:
        """Close the peer's host: it stops answering, and what it held is gone with it."""
        index = self.host_of(peer_id)
        self._killed.add(index)
        self._network.stop_host(index)

    def reset(self) -> None:
        """A fresh namespace (the old keys stay on the hosts, out of reach) and every host back."""
        self._generation += 1
        self.namespace = f"{self._base}.{self._generation}"
        with self._offers_lock:
            self._offers.clear()
        self._revive_all()

    def close(self) -> None:
        """Bring back the hosts this world stopped, for the tests that share the network."""
        self._revive_all()

    def _revive_all(self) -> None:
        killed, self._killed = self._killed, set()
        for index in sorted(killed):
            self._network.restart_host(index)
