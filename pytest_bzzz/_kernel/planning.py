"""How an election's plan is made: who starts the next election, when, and who wins it.

Mixed into :class:`~pytest_bzzz._kernel.leadership.Leadership`, which holds
the state this reads and calls :meth:`Planning._plan` after each change of
the network. A plan is at most a step-down of a leader that lost its
majority (one election timeout after it lost it) and one election: the
first election timer to run out among the peers that could win and do not
hear the leader starts it, every eligible peer votes for the best-ranked
candidate it reaches (:mod:`.candidates` scores them, :mod:`.reach` counts
the votes), and it is planned only if someone wins a majority. When nothing
can be planned, ``outlook`` says why.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .candidates import DEFAULT_PROFILE, PeerProfile
from .reach import Reach
from .terms import ELECTION_JITTER, Election, Step, StepDown

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them).
__tracebackhide__ = True

__all__ = ["Planning"]


class Planning:
    """The planning of a world's elections; the state is :class:`Leadership`'s."""

    # What Leadership holds.
    timeout: float
    leader: str | None
    lost_at: float | None
    hearing: set[str]
    last_heard: dict[str, float]
    joined: dict[str, float]
    restarted: dict[str, float]
    jitter: dict[str, float]
    profiles: dict[str, PeerProfile]
    outlook: str

    def last_tick(self, at: float) -> float:  # defined by Leadership
        raise NotImplementedError

    def _plan(self, now: float, reach: Reach) -> list[Step]:
        """The steps due from ``now`` on the network ``reach`` sees, until the next change."""
        leader = self.leader
        if leader is not None and reach.live(leader) and reach.count(leader) >= reach.majority:
            self.outlook = ""
            return []
        step_at = math.inf if self.lost_at is None else self.lost_at + self.timeout
        timer = self._first_timer(now, reach, self.hearing, {})
        if timer is not None and timer[0] <= step_at:
            election = self._vote(*timer, reach)
            if election is not None:
                return [election]
        if leader is None:
            return []
        why = "paused" if reach.status(leader) == "paused" else "lost its majority"
        plan: list[Step] = [StepDown(step_at, why)]
        heard = dict.fromkeys(self.hearing, self.last_tick(step_at))
        heard[leader] = step_at  # its own election timer starts as it steps down
        timer = self._first_timer(step_at, reach, (), heard)
        election = None if timer is None else self._vote(*timer, reach)
        if election is not None:
            plan.append(election)
        return plan

    def _first_timer(
        self, start: float, reach: Reach, hearing: set[str] | tuple[()], heard: dict[str, float]
    ) -> tuple[float, str] | None:
        """When the first election from ``start`` begins, and who begins it.

        That is the earliest election timer to run out among the peers that
        could win, and do not hear the leader.
        """
        eligible = reach.eligible()
        if not eligible:
            self.outlook = reach.why_none()
            return None
        timeout, jitter, last, joined = self.timeout, self.jitter, self.last_heard, self.joined
        best, starter = math.inf, ""
        for peer in eligible:
            if peer in hearing:
                continue  # a leader's heartbeats keep its timer from running
            since = heard.get(peer)
            if since is None:
                since = last.get(peer)
                if since is None:
                    since = joined.get(peer, 0.0)
            span = timeout * (1 + ELECTION_JITTER * jitter[peer])
            due = since + span
            if due < start:  # it stood and could not win: it tries again each period
                due = max(start, since + span * math.ceil((start - since) / span))
            if due < best or (due == best and peer < starter):
                best, starter = due, peer
        if not starter:
            self.outlook = "every peer that could win still hears the leader"
            return None
        return best, starter

    def score(self, peer: str, at: float) -> float:
        """``peer``'s score as a candidate at world time ``at``."""
        profile = self.profiles.get(peer, DEFAULT_PROFILE)
        restarted = self.restarted.get(peer)
        if restarted is not None:
            return profile.score(at - restarted)
        return profile.score(profile.uptime + at - self.joined.get(peer, 0.0))

    def _ranker(self, at: float) -> Callable[[str], tuple[float, str]]:
        """Candidates' order at ``at``: the best score first, then the lowest peer id."""
        profiles, restarted, joined = self.profiles, self.restarted, self.joined
        if not (profiles or restarted or joined):  # every peer alike: the seed decides
            score = -DEFAULT_PROFILE.score(at)
            return lambda peer: (score, peer)
        scores: dict[tuple[object, ...], float] = {}  # peers of one profile and start share one

        def rank(peer: str) -> tuple[float, str]:
            again = restarted.get(peer)
            group = (profiles.get(peer), again, joined.get(peer, 0.0) if again is None else None)
            score = scores.get(group)
            if score is None:
                score = scores[group] = -self.score(peer, at)
            return (score, peer)

        return rank

    def _vote(self, at: float, starter: str, reach: Reach) -> Election | None:
        """Every eligible peer votes for the best candidate it reaches; the votes are checked."""
        rank = self._ranker(at)
        votes = reach.vote(rank)
        winner = min(votes, key=lambda c: (-len(votes[c]), *rank(c)))
        if len(votes[winner]) < reach.majority:
            self.outlook = (
                f"the votes split: no candidate has a majority ({reach.majority} of "
                f"{reach.total}); an election follows the next change of the network"
            )
            return None
        tally = {c: len(v) for c, v in sorted(votes.items(), key=lambda i: -len(i[1]))}
        hearing = reach.members(winner)
        hearing.discard(winner)
        voted = sum(len(voters) for voters in votes.values())
        return Election(at, starter, winner, tally, votes[winner], voted, reach.total, hearing)
