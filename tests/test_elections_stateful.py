"""Random faults against the documented invariants of elections and failover (docs/elections.md).

Hypothesis drives a world of a few peers through partitions, cuts, heals,
kills, pauses, revivals, clock advances, job assignments and corrupted copies,
and checks after every step:

- terms are numbered 1, 2, 3, ... with one leader each, elected in time order,
  and the term never goes down;
- once an election timeout has passed since the last change of the network,
  the leader is None or a live peer that reaches a majority;
- while no side of the network has a majority, the term does not move;
- a new leader's job table is at least as new as the newest version a
  majority of the peers held (valid copies);
- a healed cluster of live peers has one leader, reaching every peer, within
  two election timeouts.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from pytest_bzzz import JobState, World

PEERS = 5
NAMES = ["local", *(f"peer-{n}" for n in range(1, PEERS))]
MAJORITY = PEERS // 2 + 1
names = st.sampled_from(NAMES)


class ElectionMachine(RuleBasedStateMachine):
    world: World

    @initialize(seed=st.integers(0, 2**32 - 1))
    def start(self, seed: int) -> None:
        self.world = World(seed=seed, peers=PEERS)
        self.timeout = self.world.election_timeout
        self.last_change = 0.0
        self.highest_term = 0
        self.jobs = 0

    def teardown(self) -> None:
        if hasattr(self, "world"):
            self.world.close()

    # -- what the checks need -------------------------------------------------------------

    def reaches_majority(self, name: str) -> bool:
        world = self.world
        reached = sum(
            1 for other in NAMES if world.can_reach(name, other) and world.can_reach(other, name)
        )
        return reached >= MAJORITY

    def copies(self) -> dict[str, JobState]:
        found = {}
        for name in NAMES:
            state = self.world.jobs.replica(name)
            if state is not None and state.valid:
                found[name] = state
        return found

    def changed(self, action: str, *args: object, **kwargs: object) -> None:
        """Apply a fault; check a new leader's table against what a majority held before."""
        world = self.world
        before_terms, before = len(world.terms), self.copies()
        getattr(world, action)(*args, **kwargs)
        self.last_change = world.clock.now()
        self.check_failover(before_terms, before)

    def check_failover(self, before_terms: int, before: dict[str, JobState]) -> None:
        world = self.world
        if len(world.terms) != before_terms + 1 or world.leader is None:
            return
        alive = {name: s for name, s in before.items() if world.status(name) != "killed"}
        held = Counter((s.term, s.version, s.digest) for s in alive.values())
        majority = [key for key, count in held.items() if count >= MAJORITY]
        if not majority:
            return
        newest = max(majority)
        table = (world.jobs.version, world.jobs.digest)
        sources = [(s.term, s.version) for s in alive.values() if (s.version, s.digest) == table]
        assert sources, f"the new leader's table {table} is no copy a peer held"
        assert max(sources) >= newest[:2], (max(sources), newest)

    # -- faults ---------------------------------------------------------------------------

    @rule(groups=st.lists(st.integers(0, 2), min_size=PEERS, max_size=PEERS))
    def partition(self, groups: list[int]) -> None:
        split = [[name for name, g in zip(NAMES, groups, strict=True) if g == n] for n in range(3)]
        self.changed("partition", *[group for group in split if group])

    @rule()
    def heal(self) -> None:
        self.changed("heal")

    @rule(a=names, b=names, both_ways=st.booleans())
    def cut(self, a: str, b: str, both_ways: bool) -> None:
        if a != b:
            self.changed("cut", a, b, both_ways=both_ways)

    @rule(name=names)
    def kill(self, name: str) -> None:
        self.changed("kill", name)

    @rule(name=names)
    def pause(self, name: str) -> None:
        self.changed("pause", name)

    @rule(name=names)
    def revive(self, name: str) -> None:
        self.changed("revive", name)

    @rule()
    def kill_the_leader(self) -> None:
        leader = self.world.leader
        if leader is not None:
            self.changed("kill", leader)

    @rule()
    def isolate_the_leader(self) -> None:
        leader = self.world.leader
        if leader is not None:
            self.changed("isolate", leader)

    @rule(seconds=st.sampled_from([0.5, 2.0, 4.9, 7.5]))
    def advance_a_little(self, seconds: float) -> None:
        self.advance(seconds)

    @rule(seconds=st.sampled_from([15.0, 16.0, 23.0, 40.0, 3600.0]))
    def advance(self, seconds: float) -> None:
        world = self.world
        term, before = world.terms, self.copies()
        stuck = not any(self.reaches_majority(name) for name in NAMES)
        world.clock.advance(seconds)
        if stuck:  # no side with a majority: no term, whatever the time
            assert world.term == len(term)
        self.check_failover(len(term), before)

    @rule(name=names, count=st.integers(1, 3))
    def assign(self, name: str, count: int) -> None:
        world = self.world
        if world.leader is not None:
            for _ in range(count):
                self.jobs += 1
                world.jobs.assign(f"job-{self.jobs}", name)

    @rule(name=names)
    def cut_from_the_leader(self, name: str) -> None:
        leader = self.world.leader
        if leader is not None and leader.name != name:
            self.changed("cut", leader, name)

    @rule(name=names)
    def corrupt(self, name: str) -> None:
        world = self.world
        if world.jobs.replica(name) is not None and world._election.leader != world.peer(name).id:
            world.jobs.corrupt(name)

    @rule(away=st.lists(names, max_size=2, unique=True), count=st.integers(1, 3))
    def failover(self, away: list[str], count: int) -> None:
        """A leader out of reach of some followers writes, and dies: who keeps its writes?"""
        world = self.world
        leader = world.leader
        if leader is None:
            return
        for name in away:
            if name != leader.name:
                self.changed("cut", leader, name)
        if world.leader == leader:
            self.assign(leader.name, count)
            self.changed("kill", leader)
            self.advance(40.0)

    @rule()
    def converge(self) -> None:
        """Heal and revive everyone: one leader, reaching all, within two election timeouts."""
        world = self.world
        for name in NAMES:
            world.revive(name)
        world.heal()
        self.last_change = start = world.clock.now()
        leader = world.wait_for_leader(timeout=2 * self.timeout)
        assert world.clock.now() - start <= 2 * self.timeout
        assert all(world.can_reach(leader, name) for name in NAMES)

    # -- invariants -----------------------------------------------------------------------

    @invariant()
    def terms_count_up_with_one_leader_each(self) -> None:
        if not hasattr(self, "world"):
            return
        world = self.world
        terms = world.terms
        assert [term.number for term in terms] == list(range(1, len(terms) + 1))
        assert world.term == len(terms) >= self.highest_term
        self.highest_term = world.term
        times = [term.elected_at for term in terms]
        assert times == sorted(times)
        for term in terms:
            assert term.votes.get(term.leader, 0) >= term.peers // 2 + 1
            assert term.electorate <= term.peers

    @invariant()
    def settled_leaders_are_live_and_reach_a_majority(self) -> None:
        if not hasattr(self, "world"):
            return
        world = self.world
        leader = world.leader
        if leader is not None:
            assert world.status(leader) == "live"
        if world.clock.now() - self.last_change >= self.timeout and leader is not None:
            assert self.reaches_majority(leader.name)


ElectionMachine.TestCase.settings = settings(
    derandomize=True, max_examples=300, stateful_step_count=80, deadline=None
)
TestElections = ElectionMachine.TestCase
