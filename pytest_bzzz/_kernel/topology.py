"""Who can reach whom: each peer's status, partitions, cut links and per-link conditions.

The kernel knows peers as ids and nothing of what they hold: a backend asks
:meth:`Topology.can_reach` (and :meth:`Topology.status`) to decide where an
operation may go. Every change bumps :attr:`Topology.version`, so that a
backend can keep answers it derived from the topology until the next change.

- A **paused** peer is unreachable and makes no calls, and keeps what it
  holds; a **killed** one loses it too (the world tells the backends); both
  come back with ``revive``, and only with it: a killed peer paused stays
  killed (there is no process left to freeze).
- A **partition** splits the peers into groups that cannot reach each other.
- A **cut** blocks one link, one way or both.
- A **link**'s conditions add to the world's for calls on it.

A backend that cannot take some change (real hosts cannot be partitioned)
adds a guard (:attr:`Topology.guards`): it sees each change before anything
of it is made, and refuses it by raising, which leaves the topology, and the
world around it, as they were.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Literal, TypeAlias

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them).
__tracebackhide__ = True

__all__ = ["Change", "LinkConditions", "Status", "Topology"]

Status: TypeAlias = Literal["live", "paused", "killed"]
ChangeKind: TypeAlias = Literal["add", "status", "partition", "cut", "heal", "link"]


@dataclasses.dataclass(frozen=True, slots=True)
class LinkConditions:
    """What a link adds to the world's conditions: seconds of latency and jitter, a failure rate."""

    latency: float = 0.0
    jitter: float = 0.0
    failure_rate: float = 0.0


_NONE = LinkConditions()


@dataclasses.dataclass(frozen=True, slots=True)
class Change:
    """A change of the topology, as a guard sees it before it is made.

    ``peer`` is the peer added, or whose status changes (to ``status``);
    ``link`` the conditions a link is given (None when they are removed).
    """

    kind: ChangeKind
    peer: str | None = None
    status: Status | None = None
    link: LinkConditions | None = None


class Topology:
    """The reachability of a world's peers. Not locked by itself: the world locks."""

    def __init__(self) -> None:
        self._status: dict[str, Status] = {}
        self._group: dict[str, int] = {}  # empty: no partition
        self._cuts: set[tuple[str, str]] = set()  # (from, to), one way each
        self._links: dict[tuple[str, str], LinkConditions] = {}
        self._down = 0  # peers paused or killed: counted, so that undivided costs nothing
        self.version = 0
        """Bumped by every change: what is derived from the topology may be kept until then."""
        self.before_change: Callable[[bool], None] | None = None
        """Called before a change of who reaches whom (a new peer, a status, a partition, a
        cut, a heal), while the topology is still as it was; with ``True`` for a new peer."""
        self.guards: list[Callable[[Change], None]] = []
        """Each is called with every change before any of it is made; one that raises refuses
        it. Kept by :meth:`clear`: they are the backends', which outlive a reset."""

    def add(self, peer_id: str) -> None:
        """A new peer: live, and in no partition's group but the rest's."""
        self._guard(Change("add", peer_id))
        self._changing(joining=True)
        self._status[peer_id] = "live"
        self.version += 1

    def clear(self) -> None:
        self._status.clear()
        self._group.clear()
        self._cuts.clear()
        self._links.clear()
        self._down = 0
        self.version += 1

    # -- reading ----------------------------------------------------------------------------

    def __len__(self) -> int:
        """How many peers there are, whatever their status."""
        return len(self._status)

    def __iter__(self) -> Iterator[str]:
        return iter(self._status)

    @property
    def undivided(self) -> bool:
        """Every peer live, no partition, no cut: everyone reaches everyone."""
        return not self._group and not self._cuts and not self._down

    def status(self, peer_id: str) -> Status:
        return self._status[peer_id]

    def can_reach(self, source: str, target: str) -> bool:
        """Whether ``source`` (live) can reach ``target`` (live): same group, link not cut."""
        status = self._status
        if status.get(source) != "live" or status.get(target) != "live":
            return False
        if source == target:
            return True
        group = self._group
        if group and group.get(source, -1) != group.get(target, -1):
            return False
        return (source, target) not in self._cuts

    @property
    def linked(self) -> bool:
        """Whether any link has conditions of its own."""
        return bool(self._links)

    @property
    def links(self) -> list[tuple[str, str]]:
        """The links (source, target) that have conditions of their own."""
        return list(self._links)

    def link(self, source: str, target: str) -> LinkConditions:
        """What the link from ``source`` to ``target`` adds to the world's conditions."""
        return self._links.get((source, target), _NONE) if self._links else _NONE

    @property
    def groups(self) -> Mapping[str, int]:
        return dict(self._group)

    @property
    def cuts(self) -> frozenset[tuple[str, str]]:
        return frozenset(self._cuts)

    # -- changing (the world checks the arguments first) ------------------------------------

    def _guard(self, change: Change) -> None:
        for guard in self.guards:
            guard(change)

    def _changing(self, joining: bool = False) -> None:
        if self.before_change is not None:
            self.before_change(joining)

    def set_status(self, peer_id: str, status: Status) -> bool:
        """Whether the status changed: a killed peer paused stays killed (guards see it all
        the same, so a backend that refuses every pause refuses this one too)."""
        self._guard(Change("status", peer_id, status))
        before = self._status[peer_id]
        if status == "paused" and before == "killed":
            return False
        self._changing()
        self._status[peer_id] = status
        self._down += (status != "live") - (before != "live")
        self.version += 1
        return True

    def partition(self, groups: Iterable[Iterable[str]]) -> None:
        self._guard(Change("partition"))
        self._changing()
        self._group = {peer: index for index, members in enumerate(groups) for peer in members}
        self.version += 1

    def cut(self, source: str, target: str, both_ways: bool) -> None:
        self._guard(Change("cut", source))
        self._changing()
        self._cuts.add((source, target))
        if both_ways:
            self._cuts.add((target, source))
        self.version += 1

    def heal(self) -> bool:
        """End every partition and cut; whether there was any."""
        self._guard(Change("heal"))
        self._changing()
        had = bool(self._group or self._cuts)
        self._group.clear()
        self._cuts.clear()
        self.version += 1
        return had

    def set_link(self, source: str, target: str, conditions: LinkConditions | None) -> None:
        self._guard(Change("link", source, link=conditions))
        for pair in ((source, target), (target, source)):
            if conditions is None:
                self._links.pop(pair, None)
            else:
                self._links[pair] = conditions
        self.version += 1
