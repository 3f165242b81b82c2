"""What the pipeline draws for an operation: its latency and whether it fails.

Mixed into :class:`~pytest_bzzz._kernel.pipeline.Pipeline` (and so into the
world). The order of the draws is fixed: the latency (one per round of a
lookup, in a world of many peers), then whether it fails, then the links'.

**Lookups.** In a world of many peers an operation is a lookup: ⌈log16 n⌉
rounds among the n peers its caller reaches, each with a latency of its own,
asking :data:`LOOKUP_ALPHA` peers a round (:meth:`Draws._reach`, cached per
peer until the network changes).

**Links.** A link with conditions of its own (``world.link(a, b, ...)``)
applies to the operations that reach across it: an operation from ``a`` whose
lookup ends at ``b`` (``b`` among the peers it writes to or reads from, as the
backend says through its state's ``contacted(peer, key)``). Those requests go
out in parallel, so the slowest link's extra latency is added (each drawn
uniformly within its latency ± jitter), and each such link may fail the
operation with its own failure rate. These draws come after the operation's
own, and only in a world with link conditions, so other worlds' draws do not
move.

The virtual hot path of :meth:`Pipeline._run` writes :meth:`Draws._draw` out
inline, with the same arithmetic, so that a seed gives the same latencies on
every path; a change here is a change there.
"""

from __future__ import annotations

import math
import random
from typing import Any

from .conditions import NetworkConditions
from .peers import Peer
from .topology import Topology

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["LOOKUP_ALPHA", "LOOKUP_FANOUT", "Draws"]

LOOKUP_FANOUT = 16
"""Each round of a lookup narrows the peers to ask by this much: ⌈log16 n⌉ rounds among n."""
LOOKUP_ALPHA = 3
"""Peers asked in each round of a lookup (Kademlia's alpha)."""


class Draws:
    """An operation's cost, drawn from the world's seed; its state is the world's."""

    _rng: random.Random
    _conditions: NetworkConditions
    _calm: bool
    _alone: bool
    _peers: dict[str, Peer]
    _topology: Topology
    _reach_cache: dict[str, tuple[int, int]]
    _states: dict[Any, Any]

    def _reach(self, peer: str) -> tuple[int, int]:
        """The cost of a lookup from ``peer``: (rounds, peers contacted); see ``LOOKUP``."""
        cost = self._reach_cache.get(peer)
        if cost is None:
            if self._calm:
                reached = len(self._peers)
            else:
                can_reach = self._topology.can_reach
                reached = sum(1 for other in self._peers if can_reach(peer, other))
            rounds = 0 if reached <= 1 else math.ceil(math.log(reached, LOOKUP_FANOUT) - 1e-9)
            cost = self._reach_cache[peer] = (rounds, min(reached - 1, rounds * LOOKUP_ALPHA))
        return cost

    def _links_of(self, peer: str, key: str) -> tuple[float, str | None]:
        """What the links an operation reaches across add: latency, and the one that failed it.

        Drawn in the order the backend lists the peers contacted; lock held.
        """
        link, rng = self._topology.link, self._rng
        extra, failed = 0.0, None
        for state in self._states.values():
            contacted = getattr(state, "contacted", None)
            if contacted is None:
                continue
            for other in contacted(peer, key):
                conditions = link(peer, other)
                if not (conditions.latency or conditions.jitter or conditions.failure_rate):
                    continue
                delay = conditions.latency
                if conditions.jitter:
                    delay += conditions.jitter * (2 * rng.random() - 1)
                extra = max(extra, delay, 0.0)
                rate = conditions.failure_rate
                if rate and rng.random() < rate and failed is None:  # the first to fail says
                    names = self._peers[peer].name, self._peers[other].name
                    failed = f"the link {names[0]} <-> {names[1]}, failure rate {rate:g}"
        return extra, failed

    def _draw(
        self, op: str, key: str, timeout: float | None, peer: str
    ) -> tuple[float, bool | str, float | None, tuple[int, ...]]:
        """Draw latency (a round's each), then failure (always in this order); lock held.

        The failure is ``True`` (the world's failure rate), a link's description, or ``False``.
        """
        conditions, rng = self._conditions, self._rng
        latency = conditions.draw_latency(rng) if conditions.jitter else conditions.latency
        cost: tuple[int, ...] = ()
        fails: bool | str = False
        if not self._alone:
            cost = self._reach(peer)
            for _ in range(1, cost[0]):
                latency += conditions.draw_latency(rng) if conditions.jitter else conditions.latency
        fails = conditions.may_fail(op) and rng.random() < conditions.failure_rate
        if not self._alone and self._topology.linked:
            extra, failed = self._links_of(peer, key)
            latency += extra
            if failed is not None and not fails:
                fails = failed
        return latency, fails, conditions.timeout if timeout is None else timeout, cost
