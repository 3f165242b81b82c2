"""A world's peers and the faults among them: the methods tests call on ``bzzz_network``.

Mixed into :class:`~pytest_bzzz.World` (the state lives there: its lock, its
peers, its :class:`~pytest_bzzz._kernel.topology.Topology`, its record of
faults). Every method takes a peer as a :class:`Peer`, its name or its id,
checks every argument before changing anything, and records what it did in
:attr:`Cluster.faults`, with the world time. Each fault is undone by another
(``heal``, ``revive``, ``link`` with no conditions); one that changes nothing
(``heal`` with nothing cut, ``revive`` of a live peer, ``kill`` of a killed
one, ``pause`` of a killed one, which stays killed) is not recorded. A fault
that a backend refuses (its guard on the topology raises before the change is
made) leaves the world as it was: not applied, not recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from .clock import Clock
from .peers import Peer
from .slots import WorldState
from .topology import LinkConditions, Status, Topology
from .units import seconds_or_text

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = ["Cluster", "FaultEvent", "PeerLike"]

PeerLike = Peer | str
"""A peer, or its name or id."""


class FaultEvent(NamedTuple):
    """One change to the network: ``at`` (world seconds), ``action`` and a readable ``detail``."""

    at: float
    action: str
    detail: str

    def __str__(self) -> str:
        return f"{self.at:.6g}s {self.action}({self.detail})"


class Cluster:
    """The peers of a world and the faults among them."""

    # What the world provides.
    _lock: threading.RLock
    _clock: Clock
    _peers: dict[str, Peer]
    _names: dict[str, Peer]
    _topology: Topology
    _fault_log: list[FaultEvent]
    _states: dict[Any, WorldState]

    def add_peer(self, name: str | None = None) -> Peer:  # defined by World
        raise NotImplementedError

    # -- finding peers ----------------------------------------------------------------------

    def peer(self, name_or_id: PeerLike) -> Peer:
        """The peer of this world with that name or id (or that peer, checked to be one)."""
        if isinstance(name_or_id, Peer):
            if self._peers.get(name_or_id.id) != name_or_id:
                raise ValueError(f"{name_or_id} is not a peer of this world; {self._known()}")
            return name_or_id
        if not isinstance(name_or_id, str):
            raise TypeError(
                f"a peer is given as a Peer, its name or its id, got {type(name_or_id).__name__} "
                f"{name_or_id!r}"
            )
        found = self._names.get(name_or_id) or self._peers.get(name_or_id)
        if found is None:
            raise ValueError(f"no peer named {name_or_id!r} in this world; {self._known()}")
        return found

    def _known(self) -> str:
        names = list(self._names)
        shown = ", ".join(names[:10]) + (f", ... ({len(names)} in all)" if len(names) > 10 else "")
        return f"its peers are {shown}"

    def add_peers(self, count: int) -> list[Peer]:
        """Add ``count`` peers, named ``peer-N`` with the next free numbers; return them."""
        if isinstance(count, bool) or not isinstance(count, int):
            raise TypeError(f"add_peers takes a whole number, got {type(count).__name__} {count!r}")
        if count < 0:
            raise ValueError(f"add_peers takes a whole number, 0 or more, got {count}")
        with self._lock:
            return [self.add_peer() for _ in range(count)]

    def status(self, peer: PeerLike) -> Status:
        """``"live"``, ``"paused"`` or ``"killed"``."""
        with self._lock:
            return self._topology.status(self.peer(peer).id)

    def can_reach(self, source: PeerLike, target: PeerLike) -> bool:
        """Whether ``source`` can reach ``target`` now (both live, not cut apart)."""
        with self._lock:
            return self._topology.can_reach(self.peer(source).id, self.peer(target).id)

    @property
    def faults(self) -> list[FaultEvent]:
        """Every change to the network so far, oldest first."""
        with self._lock:
            return list(self._fault_log)

    def _network_changed(self) -> None:  # defined by World
        raise NotImplementedError

    def _note(self, action: str, detail: str) -> None:
        """Record a change to the network, and let the world see it on its next operation."""
        self._fault_log.append(FaultEvent(self._clock.now(), action, detail))
        self._network_changed()

    # -- partitions and cuts ----------------------------------------------------------------
    # Each fault is a plan (its arguments checked, nothing changed) and its application:
    # ``at()`` checks a scheduled fault's arguments when it is scheduled, the same way.

    def partition(self, *groups: Iterable[PeerLike]) -> None:
        """Split the peers into groups that cannot reach each other.

        Peers named in no group form one more group. A peer may be in one
        group only. Replaces any earlier partition (cut links stay cut).
        """
        with self._lock:
            self._plan_partition(*groups)()

    def _plan_partition(self, *groups: Iterable[PeerLike]) -> Callable[[], None]:
        if not groups:
            raise ValueError("partition takes at least one group of peers")
        resolved: list[list[Peer]] = []
        seen: dict[str, int] = {}
        for index, group in enumerate(groups):
            if isinstance(group, (str, Peer)) or not isinstance(group, Iterable):
                raise TypeError(
                    f"partition takes groups of peers (lists), got {group!r} as group {index + 1}"
                )
            members = [self.peer(member) for member in group]
            if not members:
                raise ValueError(
                    f"partition's group {index + 1} is empty: each group names at least one peer "
                    "(the peers named in no group form one more group by themselves)"
                )
            for member in members:
                if seen.get(member.id) == index:
                    raise ValueError(
                        f"peer {member.name!r} is named twice in group {index + 1}: "
                        "name each peer once"
                    )
                if member.id in seen:
                    raise ValueError(
                        f"peer {member.name!r} is in group {seen[member.id] + 1} and in group "
                        f"{index + 1}: a peer may be in one group only"
                    )
                seen[member.id] = index
            resolved.append(members)

        def apply() -> None:
            rest = [peer for peer in self._peers.values() if peer.id not in seen]
            groups = [*resolved, rest] if rest else resolved
            self._topology.partition([[peer.id for peer in group] for group in groups])
            self._note("partition", " | ".join(", ".join(p.name for p in g) for g in groups))

        return apply

    def cut(self, source: PeerLike, target: PeerLike, *, both_ways: bool = True) -> None:
        """Cut the link from ``source`` to ``target`` (and back, unless ``both_ways=False``)."""
        with self._lock:
            self._plan_cut(source, target, both_ways=both_ways)()

    def _plan_cut(
        self, source: PeerLike, target: PeerLike, *, both_ways: bool = True
    ) -> Callable[[], None]:
        first, second = self.peer(source), self.peer(target)
        if first == second:
            raise ValueError(f"cannot cut {first.name!r} from itself")
        if not isinstance(both_ways, bool):
            raise TypeError(f"both_ways must be True or False, got {both_ways!r}")

        def apply() -> None:
            self._topology.cut(first.id, second.id, both_ways)
            arrow = "<->" if both_ways else "->"
            self._note("cut", f"{first.name} {arrow} {second.name}")

        return apply

    def isolate(self, peer: PeerLike) -> None:
        """Cut ``peer`` from every other peer (both ways)."""
        with self._lock:
            self._plan_isolate(peer)()

    def _plan_isolate(self, peer: PeerLike) -> Callable[[], None]:
        alone = self.peer(peer)

        def apply() -> None:
            for other in self._peers.values():
                if other != alone:
                    self._topology.cut(alone.id, other.id, True)
            self._note("isolate", alone.name)

        return apply

    def heal(self) -> None:
        """End every partition and cut (a no-op when there is none)."""
        with self._lock:
            self._plan_heal()()

    def _plan_heal(self) -> Callable[[], None]:
        def apply() -> None:
            if self._topology.heal():
                self._note("heal", "")

        return apply

    # -- peers' lives -----------------------------------------------------------------------

    def pause(self, peer: PeerLike) -> None:
        """Make ``peer`` unreachable and silent; it keeps what it holds (``revive`` undoes it).

        A killed peer stays killed: nothing happens, and nothing is recorded
        (a killed peer comes back only with ``revive``, empty).
        """
        with self._lock:
            self._plan_pause(peer)()

    def kill(self, peer: PeerLike) -> None:
        """Stop ``peer`` and lose what it holds (``revive`` brings it back, empty)."""
        with self._lock:
            self._plan_kill(peer)()

    def revive(self, peer: PeerLike) -> None:
        """Bring a paused or killed peer back (a no-op for a live one)."""
        with self._lock:
            self._plan_revive(peer)()

    def _plan_pause(self, peer: PeerLike) -> Callable[[], None]:
        return self._plan_status(peer, "paused")

    def _plan_kill(self, peer: PeerLike) -> Callable[[], None]:
        return self._plan_status(peer, "killed")

    def _plan_revive(self, peer: PeerLike) -> Callable[[], None]:
        return self._plan_status(peer, "live")

    def _plan_status(self, peer: PeerLike, status: Status) -> Callable[[], None]:
        target = self.peer(peer)

        def apply() -> None:
            before = self._topology.status(target.id)
            if before == status:
                return
            if not self._topology.set_status(target.id, status):
                return  # a killed peer paused: it stays killed
            if status == "killed":
                for state in list(self._states.values()):
                    forget = getattr(state, "peer_killed", None)
                    if forget is not None:
                        forget(target.id)
            self._note({"paused": "pause", "killed": "kill", "live": "revive"}[status], target.name)

        return apply

    # -- per-link conditions ----------------------------------------------------------------

    def link(
        self,
        source: PeerLike,
        target: PeerLike,
        *,
        latency: float | str | None = None,
        jitter: float | str | None = None,
        failure_rate: float | None = None,
    ) -> None:
        """Conditions on the link between two peers (both ways), on top of the world's.

        ``latency`` and ``jitter`` are seconds, or strings with a unit
        (``"250ms"``); ``failure_rate`` a probability. With none given, the
        link's own conditions are removed.
        """
        with self._lock:
            self._plan_link(
                source, target, latency=latency, jitter=jitter, failure_rate=failure_rate
            )()

    def _plan_link(
        self,
        source: PeerLike,
        target: PeerLike,
        *,
        latency: float | str | None = None,
        jitter: float | str | None = None,
        failure_rate: float | None = None,
    ) -> Callable[[], None]:
        first, second = self.peer(source), self.peer(target)
        if first == second:
            raise ValueError(f"a link joins two peers; {first.name!r} was given twice")
        pair = f"{first.name} <-> {second.name}"
        if latency is None and jitter is None and failure_rate is None:

            def remove() -> None:
                self._topology.set_link(first.id, second.id, None)
                self._note("link", f"{pair}: as the world's")

            return remove
        rate = 0.0 if failure_rate is None else failure_rate
        if isinstance(rate, bool) or not isinstance(rate, (int, float)):
            raise TypeError(f"failure_rate must be a number, got {type(rate).__name__} {rate!r}")
        if not 0 <= rate <= 1:
            raise ValueError(f"failure_rate must be between 0 and 1, got {rate!r}")
        conditions = LinkConditions(
            latency=seconds_or_text("latency", 0.0 if latency is None else latency),
            jitter=seconds_or_text("jitter", 0.0 if jitter is None else jitter),
            failure_rate=float(rate),
        )

        def apply() -> None:
            self._topology.set_link(first.id, second.id, conditions)
            self._note(
                "link",
                f"{pair}: +{conditions.latency:g}s ± {conditions.jitter:g}s, "
                f"failure rate {conditions.failure_rate:g}",
            )

        return apply
