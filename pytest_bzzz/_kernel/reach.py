"""Who reaches whom, counted: what elections need of the topology, never pair by pair.

A live peer reaches the live peers of its partition group, less those it has
a cut link with; a link cut either way counts, as a vote needs the round
trip. So how many peers each one reaches comes from the group sizes and the
cut links, in time proportional to the peers plus the cuts, which a world of
10,000 peers affords at every change; comparing every pair would not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from .topology import Topology

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them).
__tracebackhide__ = True

__all__ = ["Reach"]


class Reach:
    """Who reaches whom, counted: live peers by partition group, and the cut pairs."""

    def __init__(self, topology: Topology) -> None:
        self.total = len(topology)
        self.majority = self.total // 2 + 1
        self.status = status = topology.status
        self.groups = groups = topology.groups
        live = [peer for peer in topology if status(peer) == "live"]
        by_group: dict[int, list[str]] = {-1: live}
        if groups:
            by_group = {}
            for peer in live:
                by_group.setdefault(groups.get(peer, -1), []).append(peer)
        self.by_group = by_group
        cut: defaultdict[str, set[str]] = defaultdict(set)
        pairs = topology.cuts
        if pairs:
            alive = set(live)
            for a, b in pairs:  # a link cut one way keeps both apart: a vote needs both ways
                if a in alive and b in alive and (not groups or groups.get(a) == groups.get(b)):
                    cut[a].add(b)
                    cut[b].add(a)
        self.cut: dict[str, set[str]] = dict(cut)
        self._eligible: list[str] | None = None

    def live(self, peer: str) -> bool:
        return self.status(peer) == "live"

    def count(self, peer: str) -> int:
        """How many peers a live ``peer`` reaches both ways, itself included."""
        group = self.by_group.get(self.groups.get(peer, -1), ())
        return len(group) - len(self.cut.get(peer, ()))

    def members(self, peer: str) -> set[str]:
        """The peers a live ``peer`` reaches both ways, itself included."""
        members = set(self.by_group.get(self.groups.get(peer, -1), ()))
        members.difference_update(self.cut.get(peer, ()))
        return members

    def mutual(self, a: str, b: str) -> bool:
        """Whether live ``a`` and ``b`` reach each other (what a vote checks)."""
        if a == b:
            return self.live(a)
        groups = self.groups
        return (
            self.live(a)
            and self.live(b)
            and (not groups or groups.get(a, -1) == groups.get(b, -1))
            and b not in self.cut.get(a, ())
        )

    def eligible(self) -> list[str]:
        """The live peers that reach a majority of all peers: the candidates and the voters."""
        if self._eligible is None:
            majority, found = self.majority, []
            for members in self.by_group.values():
                if len(members) >= majority:  # a majority: at most one group has one
                    found = members
                    if self.cut:
                        most, cut = len(members), self.cut
                        found = [p for p in members if most - len(cut.get(p, ())) >= majority]
            self._eligible = found
        return self._eligible

    def why_none(self) -> str:
        """Why no peer can win an election (when :meth:`eligible` is empty)."""
        largest = max((len(members) for members in self.by_group.values()), default=0)
        if largest >= self.majority:
            return (
                f"cut links leave no peer reaching a majority ({self.majority} of the "
                f"{self.total} peers)"
            )
        return (
            f"no side of the network has a majority: {self.majority} of the {self.total} peers "
            f"must reach each other, and the largest side has {largest} live"
        )

    def vote(self, rank: Callable[[str], tuple[float, str]]) -> dict[str, list[str]]:
        """The valid votes, by candidate: each eligible peer votes for the best it reaches.

        ``rank`` orders the candidates, the best first. Each vote is checked:
        one per peer, by a peer that may vote, for a live candidate that
        stands and that the voter reaches.
        """
        eligible = self.eligible()
        best = min(eligible, key=rank)
        cut = self.cut
        if not cut:  # every peer reaches every other: all vote for the best, checked at once
            return {best: list(dict.fromkeys(eligible))}  # one vote per peer
        ballots = [(voter, best) for voter in eligible]
        ranking: list[str] = []
        for index, (voter, _) in enumerate(ballots):
            blocked = cut.get(voter)
            if blocked and best in blocked:  # it votes for the best it reaches
                ranking = ranking or sorted(eligible, key=rank)
                choice = next(c for c in ranking if c == voter or c not in blocked)
                ballots[index] = (voter, choice)
        standing = set(eligible)
        voted: set[str] = set()
        votes: dict[str, list[str]] = {}
        empty = frozenset[str]()
        for voter, candidate in ballots:
            # Voters and candidates are all live peers of the one group with a majority, so
            # only a cut link keeps them apart.
            if voter in voted or voter not in standing or candidate not in standing:
                continue
            if voter != candidate and candidate in cut.get(voter, empty):
                continue
            voted.add(voter)
            votes.setdefault(candidate, []).append(voter)
        return votes
