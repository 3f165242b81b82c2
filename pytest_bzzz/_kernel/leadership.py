"""The election state machine of one world: terms, votes, heartbeats and timeouts, event-driven.

Nothing here runs per heartbeat or per peer per second. Between two changes
of the network the election's future is fixed, so each change (a fault, new
peers, a profile) computes it at once, as a short *plan*: at most a step-down
of a leader that lost its majority and one election, with their outcomes
(who wins, with which votes, who then hears the leader). The plan is applied
lazily: when something reads the state, when the next change comes (first
the steps due by then, computed on the network as it was), or, while a test
listens with ``on_leader_change``, by a timeline entry at each step's exact
time. A quiet hour, or 48, costs nothing.

The plan is made in :mod:`.planning` (mixed into :class:`Leadership`); who
reaches a majority, and the votes, are counted in :mod:`.reach`; the records
(terms, planned steps) are :mod:`.terms`'.

Peers that join are registered in one go (a world of 10,000 peers calls the
world's change hook 10,000 times as it is made): the first join marks the
state out of date, as of that instant, and the plan is made on that network
when it is next needed: when something reads the state, or just before the
topology changes (its ``before_change`` hook), or, while a test listens, by
an entry on the timeline at the same instant, which the clock runs before it
passes it. A world whose elections nobody reads computes none.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable
from itertools import islice
from typing import TYPE_CHECKING

from .candidates import PeerProfile
from .jobs import JobData, JobState, JobTable
from .peers import Peer
from .planning import Planning
from .reach import Reach
from .seeds import derive_seed
from .terms import Election, Step, StepDown, Term
from .timeline import Failure, Scheduled
from .units import format_seconds

if TYPE_CHECKING:
    from .cluster import FaultEvent
    from .core import Core

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them).
__tracebackhide__ = True

__all__ = ["Leadership"]


class Leadership(Planning):
    """The election state of one world. Its methods are called with the world's lock held."""

    def __init__(self, core: Core, heartbeat: float, timeout: float) -> None:
        self.core = core
        self.heartbeat = heartbeat
        self.timeout = timeout
        self.jobs = JobData()
        self.table = JobTable(core)
        self.callbacks: list[Callable[[Peer | None], object]] = []
        self.reset()

    def reset(self) -> None:
        """Back to the world's start: no term, no peers known, the same draws again."""
        self.rng: random.Random | None = None  # made when the first peers are registered
        self.term = 0
        self.terms: list[Term] = []
        self.leader: str | None = None  # the leader of the newest term, until it steps down
        self.elected_at = 0.0
        self.lost_at: float | None = None  # since when the leader lacks a majority
        self.hearing: set[str] = set()  # who hears the leader's heartbeats
        self.last_heard: dict[str, float] = {}  # when a peer last heard one (else: its joining)
        self.joined: dict[str, float] = {}  # peers that joined after time 0
        self.restarted: dict[str, float] = {}  # peers revived after a kill: uptime from then
        self.killed: set[str] = set()
        self.jitter: dict[str, float] = {}  # from 0 to 1, drawn once per peer
        self.known = 0  # peers registered, in the order they joined
        self.profiles: dict[str, PeerProfile] = {}
        self.plan: list[Step] = []
        self.outlook = ""  # why no election is planned
        self.version = -1  # the topology version and fault count the state follows
        self.events = 0
        self.dirty_at: float | None = None  # peers joined since then, not registered yet
        self.flush_entry: Scheduled | None = None
        self.notify_entry: Scheduled | None = None
        self.callbacks.clear()
        self.observed: str | None = None
        self.notes: list[tuple[float, str | None]] = []
        self.delivering = False
        self.jobs.reset()

    # -- following the world --------------------------------------------------------------

    def network_changed(self) -> None:
        """The world's hook: peers, statuses or links may have changed."""
        core = self.core
        topology, log = core.topology, core.fault_log
        if topology.version == self.version and len(log) == self.events:
            return
        now = core.clock.now()
        events = log[self.events :]
        self.version, self.events = topology.version, len(log)
        if self.dirty_at is None:
            self._apply_due(now)  # computed on the network as it was before this change
        if not events:  # peers joined: registered together, when next needed
            if self.dirty_at is None:
                self.dirty_at = now
                self.plan = []
                if self.callbacks:  # a test listens: before the clock moves on
                    self.flush_entry = core.timeline.add(
                        now, "elections: peers joined", self._flush
                    )
            return
        self._register()
        for event in events:
            self._apply_event(event)
        self.refresh(now)
        self.deliver()

    def before_change(self, joining: bool) -> None:
        """The topology's hook, before peers' reach changes: what joined before is planned
        on the network it joined (nothing is computed for elections nobody reads).

        Peers joining at the instant others joined wait to be registered together.
        """
        at = self.dirty_at
        if at is not None and not (joining and at == self.core.clock.now()):
            self.sync()

    def _flush(self) -> None:
        self.flush_entry = None
        self.sync()

    def sync(self) -> None:
        """Bring the state to the clock's time: register new peers, apply the steps due."""
        if self.dirty_at is not None:
            at = self.dirty_at
            self._register()
            self.refresh(at)
        self._apply_due(self.core.clock.now())
        self.deliver()

    def _register(self) -> None:
        at = self.dirty_at
        if at is None:
            return
        self.dirty_at = None
        if self.flush_entry is not None:
            self.flush_entry.cancel()
            self.flush_entry = None
        peers = self.core.peers
        if self.rng is None:
            self.rng = random.Random(derive_seed(self.core.seed, "elections"))
        draw, jitter = self.rng.random, self.jitter
        for peer in islice(peers, self.known, None):
            jitter[peer] = draw()
            if at:
                self.joined[peer] = at
        self.known = len(peers)

    def _apply_event(self, event: FaultEvent) -> None:
        if event.action not in ("kill", "pause", "revive"):
            return  # partitions, cuts, links: the refresh reads the topology
        found = self.core.names.get(event.detail)
        if found is None:  # pragma: no cover - the detail of these three is a peer's name
            return
        peer = found.id
        if event.action == "kill":
            self.killed.add(peer)
            self.jobs.lose(peer)
            if peer == self.leader:
                self._end_term(event.at, "killed")
        elif event.action == "revive":
            self.last_heard[peer] = event.at  # its election timer starts again
            if peer in self.killed:
                self.killed.discard(peer)
                self.restarted[peer] = event.at
        self.hearing.discard(peer)  # the refresh adds a revived peer back if it is reached

    def refresh(self, now: float) -> None:
        """After a change at ``now``: who hears the leader, its health, and the new plan."""
        reach = Reach(self.core.topology)
        leader = self.leader
        if leader is not None:
            live = reach.live(leader)
            hearing = reach.members(leader) if live else set()
            hearing.discard(leader)
            old = self.hearing
            if hearing != old:
                silent = old - hearing
                if silent:
                    self.last_heard.update(dict.fromkeys(silent, self.last_tick(now)))
                back = hearing - old
                for peer in back:
                    self.last_heard.pop(peer, None)
                self.jobs.replicate(self.jobs.current, back)  # they catch up at once
                self.hearing = hearing
            if live and reach.count(leader) >= reach.majority:
                self.lost_at = None
            elif self.lost_at is None:
                self.lost_at = now
        self.plan = self._plan(now, reach)
        self._note(now, self.observed_id())
        self.reschedule()

    def last_tick(self, at: float) -> float:
        """The leader's last heartbeat at or before ``at`` (at its election, then each period)."""
        beats = math.floor((at - self.elected_at) / self.heartbeat)
        return self.elected_at + max(0, beats) * self.heartbeat

    # -- applying the plan ----------------------------------------------------------------

    def _apply_due(self, now: float) -> None:
        plan = self.plan
        if not plan or plan[0].at > now:
            return
        while plan and plan[0].at <= now:
            step = plan.pop(0)
            if isinstance(step, StepDown):
                self._end_term(step.at, step.why)
                self._note(step.at, None)
            else:
                self._elect(step)
                self._note(step.at, step.winner)
        self.reschedule()

    def _elect(self, election: Election) -> None:
        if self.leader is not None:
            self._end_term(election.at, f"replaced by term {self.term + 1}")
        self.term += 1
        winner = election.winner
        self.leader, self.elected_at, self.lost_at = winner, election.at, None
        self.hearing = set(election.hearing)
        for peer in election.hearing:
            self.last_heard.pop(peer, None)
        state, refused, discarded = self.jobs.adopt(self.term, len(self.core.peers))
        self.jobs.replicate(state, [winner, *election.hearing])
        peers = self.core.peers
        self.terms.append(
            Term(
                number=self.term,
                leader=peers[winner],
                elected_at=election.at,
                started_by=peers[election.starter],
                votes={peers[c]: n for c, n in election.votes.items()},
                electorate=election.electorate,
                peers=election.peers,
                version=state.version,
                refused=tuple(peers[p] for p in refused),
                discarded=tuple(peers[p] for p in discarded),
            )
        )

    def _end_term(self, at: float, why: str) -> None:
        leader = self.leader
        if leader is None:  # pragma: no cover - callers check
            return
        if self.hearing:
            self.last_heard.update(dict.fromkeys(self.hearing, self.last_tick(at)))
        self.last_heard[leader] = at
        self.hearing = set()
        self.leader, self.lost_at = None, None
        self.terms[-1] = dataclasses.replace(self.terms[-1], ended_at=at, end=why)

    def write(self, jobs: dict[str, Peer]) -> JobState:
        """The leader changes the job table: a new version, sent to every peer it reaches."""
        leader = self.leader
        assert leader is not None
        state = self.jobs.write(jobs, self.term)
        self.jobs.replicate(state, [leader, *self.hearing])
        return state

    # -- what tests see -------------------------------------------------------------------

    def observed_id(self) -> str | None:
        """The leader tests see: the newest term's, while it is live and has not stepped down."""
        leader = self.leader
        if leader is not None and self.core.topology.status(leader) == "live":
            return leader
        return None

    def next_election_at(self) -> float:
        for step in self.plan:
            if isinstance(step, Election):
                return step.at
        return math.inf

    def next_step_at(self) -> float:
        return self.plan[0].at if self.plan else math.inf

    def why_no_leader(self) -> str:
        """Why there is no leader now, and what comes next."""
        peers = self.core.peers
        if self.leader is not None:  # paused, or (for wait_for_leader) without a majority
            lost = self.lost_at
            step_at = format_seconds(math.inf if lost is None else lost + self.timeout)
            name = peers[self.leader].name
            reason = (
                f"the leader of term {self.term}, {name}, is paused; it steps down at "
                f"{step_at} unless revived"
                if self.core.topology.status(self.leader) == "paused"
                else f"the leader of term {self.term}, {name}, has lost its majority; it steps "
                f"down at {step_at} unless it regains one"
            )
        elif self.terms:
            last = self.terms[-1]
            when = format_seconds(last.ended_at or 0.0)
            reason = (
                f"term {last.number}'s leader, {last.leader.name}, was killed at {when}"
                if last.end == "killed"
                else f"term {last.number}'s leader, {last.leader.name}, stepped down at "
                f"{when}: it {last.end}"
            )
        else:
            reason = "no leader has been elected yet"
        due = self.next_election_at()
        if due < math.inf:
            return f"{reason}; the next election is due at {format_seconds(due)}"
        return f"{reason}; no election can happen now: {self.outlook}"

    def describe(self) -> list[str]:
        """A line for the failure report, once there has been an election."""
        with self.core.lock:
            self.sync()
            return self._describe()

    def _describe(self) -> list[str]:
        if not self.terms:
            return []
        term = self.terms[-1]
        leader = self.observed_id()
        if leader is None:
            return [f"leader: none ({self.why_no_leader()})"]
        votes = term.votes.get(term.leader, 0)
        return [
            f"leader: {term.leader.name} (term {term.number}, elected at "
            f"{format_seconds(term.elected_at)} by {votes} of {term.peers} peers; "
            f"job table version {self.jobs.current.version})"
        ]

    # -- telling tests --------------------------------------------------------------------

    def _note(self, at: float, leader: str | None) -> None:
        if leader != self.observed:
            self.observed = leader
            if self.callbacks:
                self.notes.append((at, leader))

    def reschedule(self) -> None:
        """While a test listens, put the next step on the timeline, to run at its exact time."""
        entry = self.notify_entry
        step = self.plan[0] if self.plan and self.callbacks else None
        if entry is not None and entry.state == "pending":
            if step is not None and entry.at == step.at:
                return
            entry.cancel()
        self.notify_entry = None
        if step is not None:
            if isinstance(step, Election):
                label = f"elections: election of term {self.term + 1}"
            else:
                name = self.core.peers[self.leader].name if self.leader else "the leader"
                label = f"elections: {name} steps down ({step.why})"
            self.notify_entry = self.core.timeline.add(step.at, label, self._notified)

    def _notified(self) -> None:
        self.notify_entry = None
        self.sync()
        self.reschedule()

    def listen(self, callback: Callable[[Peer | None], object]) -> None:
        self.observed = self.observed_id()  # changes from now on
        self.callbacks.append(callback)
        self.reschedule()

    def deliver(self) -> None:
        """Call the callbacks with each change; an exception is kept for the next operation."""
        if self.delivering or not self.notes:
            return
        self.delivering = True
        failed = False
        core = self.core
        try:
            while self.notes:
                at, leader = self.notes.pop(0)
                peer = None if leader is None else core.peers[leader]
                for callback in list(self.callbacks):
                    try:
                        callback(peer)
                    except Exception as error:  # as Timeline.run_due keeps an action's
                        name = getattr(callback, "__qualname__", None) or repr(callback)
                        label = f"on_leader_change({name}) with {peer.name if peer else None}"
                        core.timeline.failures.append(Failure(at, label, error))
                        failed = True
        finally:
            self.delivering = False
        if failed:
            core.network_changed()  # the next operation takes the path that raises it
