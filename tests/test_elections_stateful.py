"""Random faults against the documented invariants of elections and failover (docs/elections.md).

Hypothesis drives a world of a few peers through partitions, cuts, heals,
kills, pauses, revivals, clock advances, job assignments and corrupted copies,
and checks after every step:

- terms are numbered 1, 2, 3, ... with one leader each, elected in time order,
  and the term never goes down;
- once an election timeout has passed since the last change of the network,
  the leader is None or a live peer that reaches a majority;
- while no side of the network has a majority, the term does not move;
- a new leader's job table is the newest version a majority of all peers
  held (a copy holds its version, if valid, and the versions before it; a
  killed peer holds nothing), and nothing newer;
- a healed cluster of live peers has one leader, reaching every peer, within
  two election timeouts.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from pytest_bzzz import JobState, World
from pytest_bzzz._kernel.world import core

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
            if state is not None:
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
        """The new leader continues from the newest version a majority of all peers held.

        A copy holds its version (if its digest matches) and every version
        before it in its history; a killed peer holds nothing. The valid
        copies newer than that version, or on another branch, are discarded.
        """
        world = self.world
        if len(world.terms) != before_terms + 1 or world.leader is None:
            return

        def key(state: JobState) -> tuple[int, int, str]:  # one version: a term writes a line
            return (state.term, state.version, state.digest)

        support: Counter[tuple[int, int, str]] = Counter()
        versions: dict[tuple[int, int, str], JobState] = {}
        for name, state in before.items():
            if world.status(name) == "killed":
                continue
            node = state if state.valid else state.parent
            while node is not None:
                support[key(node)] += 1
                versions[key(node)] = node
                node = node.parent
        held = [name for name, count in support.items() if count >= MAJORITY]
        # No version with a majority: the table starts again, empty.
        newest = versions[max(held)] if held else JobState(0, 0, {})
        expected = (newest.version, newest.digest)
        assert (world.jobs.version, world.jobs.digest) == expected
        assert world.terms[-1].version == expected[0]
        history = set()
        node: JobState | None = newest
        while node is not None:
            history.add(key(node))
            node = node.parent
        discarded = {
            name
            for name, state in before.items()
            if world.status(name) != "killed" and state.valid and key(state) not in history
        }
        assert {peer.name for peer in world.terms[-1].discarded} == discarded

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
        leader = core(world).election.leader
        if world.jobs.replica(name) is not None and leader != world.peer(name).id:
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
