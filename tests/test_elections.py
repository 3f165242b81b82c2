"""Leader election: terms, votes, majorities, heartbeats, timeouts, scores, callbacks, waiting."""

from __future__ import annotations

import asyncio
import pickle
import time

import pytest

from pytest_bzzz import MockDHT, NetworkConditions, Peer, ScheduledActionError, World
from pytest_bzzz._kernel.candidates import FULL_UPTIME, PeerProfile
from pytest_bzzz._kernel.reach import Reach
from pytest_bzzz._kernel.world import core, unraised_failures


def current(world: World) -> Peer | None:
    """The leader now (a call, so that type checkers do not carry an earlier reading over)."""
    return world.leader


def timeout_of(world: World, peer: Peer) -> float:
    """``peer``'s election timeout, with its jitter."""
    election = core(world).election
    return election.timeout * (1 + 0.5 * election.jitter[peer.id])


def first_timeout(world: World, peers: list[Peer] | None = None) -> tuple[float, Peer]:
    election = core(world).election
    election.sync()
    return min((timeout_of(world, peer), peer) for peer in (peers or world.peers))


# -- the first election ---------------------------------------------------------------------


def test_a_single_peer_leads_after_its_election_timeout_at_no_cost() -> None:
    with World(seed=1) as world:
        assert (world.leader, world.term, world.terms) == (None, 0, [])
        due, _ = first_timeout(world)
        assert 15 <= due < 22.5
        world.clock.advance(due - 0.001)
        assert world.leader is None
        world.clock.advance(0.001)
        assert current(world) == world.local_peer
        assert (world.term, world.terms[0].elected_at) == (1, world.clock.now())
        assert world.scheduled == []  # nothing runs per heartbeat
        world.clock.advance(48 * 3600)
        assert (current(world), world.term) == (world.local_peer, 1)


def test_the_first_election_is_the_earliest_timer_and_the_best_score_wins() -> None:
    with World(seed=2, peers=5) as world:
        due, starter = first_timeout(world)
        leader = world.wait_for_leader()
        term = world.terms[0]
        assert world.clock.now() == term.elected_at == due
        assert term.started_by == starter
        # Equal profiles: equal scores, so the lowest peer id wins, and everyone votes for it.
        assert leader == min(world.peers, key=lambda peer: peer.id)
        assert dict(term.votes) == {leader: 5}
        assert (term.electorate, term.peers, term.number) == (5, 5, 1)


def test_the_outcome_depends_on_the_seed_only() -> None:
    def run(seed: int) -> list[tuple[int, str, float]]:
        with World(seed=seed, peers=7) as world:
            world.wait_for_leader()
            world.kill(world.leader)  # type: ignore[arg-type]
            world.wait_for_leader()
            return [(t.number, t.leader.name, t.elected_at) for t in world.terms]

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_elections_draw_from_a_stream_of_their_own() -> None:
    conditions = NetworkConditions(latency=0.1, jitter=0.05)
    with World(seed=5, peers=3, conditions=conditions) as quiet:
        dht = MockDHT(quiet)
        dht.put_value("k", b"v")
        without = [call.latency for call in quiet.calls()]
    with World(seed=5, peers=3, conditions=conditions) as busy:
        leader = busy.wait_for_leader()
        busy.kill(leader)
        busy.wait_for_leader()
        busy.revive(leader)
        MockDHT(busy).put_value("k", b"v")
        assert [call.latency for call in busy.calls()] == without


# -- majorities -----------------------------------------------------------------------------


def test_the_majority_side_elects_and_the_minority_never_counts_terms_up() -> None:
    with World(seed=6, peers=5) as world:
        minority, majority = world.peers[:2], world.peers[2:]
        world.partition(minority, majority)
        leader = world.wait_for_leader()
        assert leader in majority
        assert world.term == 1
        world.clock.advance(48 * 3600)
        assert (world.term, world.leader) == (1, leader)
        assert world.scheduled == []


def test_with_no_majority_anywhere_there_is_no_leader_and_no_term() -> None:
    with World(seed=7, peers=5) as world:
        world.partition(world.peers[:2], world.peers[2:4])  # 2 | 2 | 1
        world.clock.advance(3600)
        assert (world.leader, world.term) == (None, 0)
        with pytest.raises(TimeoutError, match=r"no side of the network has a majority: 3 of the "
                                               r"5 peers must reach each other, and the largest "
                                               r"side has 2 live"):  # fmt: skip
            world.wait_for_leader(timeout="10s")
        assert world.clock.now() == 3610


def test_a_leader_cut_off_from_the_majority_steps_down_one_timeout_later() -> None:
    with World(seed=8, peers=5) as world:
        old = world.wait_for_leader()
        world.clock.advance(2)
        lost = world.clock.now()
        others = [peer for peer in world.peers if peer != old]
        world.partition([old, others[0]], others[1:])  # 2 | 3: the old leader is the minority
        assert world.leader == old  # as far as it knows, it still leads
        new = world.wait_for_leader()  # waits for a leader with a majority
        assert new in others[1:]
        assert world.term == 2
        ended = world.terms[0]
        assert ended.ended_at is not None
        assert ended.ended_at <= lost + world.election_timeout
        assert ended.end in ("lost its majority", "replaced by term 2")


def test_a_lone_leader_steps_down_exactly_one_election_timeout_after_losing_its_majority() -> None:
    with World(seed=9, peers=3) as world:
        old = world.wait_for_leader()
        world.clock.advance(1)
        others = [peer for peer in world.peers if peer != old]
        world.partition([old], [others[0]])  # 1 | 1 | 1: nobody has a majority
        lost = world.clock.now()
        world.clock.advance(world.election_timeout - 0.001)
        assert world.leader == old
        world.clock.advance(0.001)
        assert current(world) is None
        assert (world.terms[0].ended_at, world.terms[0].end) == (
            lost + world.election_timeout,
            "lost its majority",
        )
        world.heal()  # the election timers run from the last heartbeats, or the step-down
        world.wait_for_leader()
        assert world.term == 2
        assert world.clock.now() < lost + world.election_timeout * 2.5


def test_peers_cut_from_a_healthy_leader_start_no_election() -> None:
    with World(seed=10, peers=5) as world:
        leader = world.wait_for_leader()
        others = [peer for peer in world.peers if peer != leader]
        world.cut(leader, others[0])  # it still reaches 4 of 5
        world.clock.advance(3600)
        assert (world.leader, world.term) == (leader, 1)


def test_reach_counts_come_from_groups_and_cuts() -> None:
    with World(seed=11, peers=6) as world:
        a, b, c, d, e, f = world.peers
        world.partition([a, b, c, d], [e, f])
        world.cut(a, b, both_ways=False)  # one way is enough to keep a vote from passing
        world.pause(d)
        reach = Reach(core(world).topology)
        assert (reach.total, reach.majority) == (6, 4)
        assert [reach.count(p.id) for p in (a, b, c, e)] == [2, 2, 3, 2]
        assert reach.members(a.id) == {a.id, c.id}
        assert not reach.mutual(b.id, a.id)
        assert reach.mutual(a.id, c.id)
        assert reach.eligible() == []
        assert "no side of the network has a majority" in reach.why_none()
        world.revive(d)
        reach = Reach(core(world).topology)
        assert [reach.count(p.id) for p in (a, b, c, d)] == [3, 3, 4, 4]
        assert reach.eligible() == [c.id, d.id]  # a and b, cut apart, reach 3 of the 4 needed


def test_cut_links_can_leave_a_majority_side_without_a_possible_winner() -> None:
    with World(seed=12, peers=3) as world:
        a, b, c = world.peers
        world.cut(a, b)
        world.cut(b, c)
        world.cut(a, c)
        world.clock.advance(100)
        assert world.term == 0
        with pytest.raises(TimeoutError, match="cut links leave no peer reaching a majority"):
            world.wait_for_leader(timeout=1)


# -- heartbeats, timeouts and jitter --------------------------------------------------------


def test_followers_time_out_from_the_last_heartbeat_they_heard() -> None:
    with World(seed=13, peers=4, heartbeat=5, election_timeout=15) as world:
        leader = world.wait_for_leader()
        elected = world.clock.now()
        world.clock.advance(12.5)  # heartbeats at +0, +5, +10: the last one before is at +10
        world.kill(leader)
        assert world.leader is None
        followers = [peer for peer in world.peers if peer != leader]
        due, starter = first_timeout(world, followers)
        new = world.wait_for_leader()
        assert world.clock.now() == world.terms[1].elected_at == elected + 10 + due
        assert world.terms[1].started_by == starter
        assert new != leader
        assert world.terms[0].end == "killed"


def test_a_leader_paused_briefly_leads_again_in_the_same_term() -> None:
    with World(seed=14, peers=3) as world:
        leader = world.wait_for_leader()
        seen: list[Peer | None] = []
        world.on_leader_change(seen.append)
        world.pause(leader)
        assert world.leader is None
        world.clock.advance(3)
        world.revive(leader)
        assert (current(world), world.term, seen) == (leader, 1, [None, leader])


def test_a_leader_paused_for_long_is_replaced_and_follows_when_revived() -> None:
    with World(seed=15, peers=3) as world:
        old = world.wait_for_leader()
        world.pause(old)
        new = world.wait_for_leader()
        assert new != old
        world.revive(old)
        world.clock.advance(100)
        assert (world.leader, world.term) == (new, 2)
        assert world.terms[0].end in ("paused", "replaced by term 2")


def test_a_leader_killed_and_revived_at_once_has_still_lost_its_term() -> None:
    with World(seed=16, peers=3) as world:
        old = world.wait_for_leader()
        world.kill(old)
        world.revive(old)
        assert world.leader is None
        assert world.terms[0].end == "killed"
        world.wait_for_leader()
        assert world.term == 2


def test_the_timing_settings_are_checked() -> None:
    with World(seed=17, heartbeat="500ms", election_timeout="2s") as world:
        assert (world.heartbeat, world.election_timeout) == (0.5, 2.0)
        world.wait_for_leader()
        assert 2 <= world.clock.now() < 3
    with pytest.raises(ValueError, match=r"heartbeat \(15s\) must be shorter than "
                                         r"election_timeout \(15s\)"):  # fmt: skip
        World(heartbeat=15)
    with pytest.raises(ValueError, match="election_timeout must be more than 0 seconds, got 0"):
        World(election_timeout=0)
    with pytest.raises(ValueError, match="heartbeat must be a finite number of seconds, 0 or "
                                         "more, got -1"):  # fmt: skip
        World(heartbeat=-1)
    with pytest.raises(ValueError, match="string with a unit"):
        World(heartbeat="5")
    with pytest.raises(TypeError, match="election_timeout must be seconds"):
        World(election_timeout=None)  # type: ignore[arg-type]


# -- scores and votes -----------------------------------------------------------------------


def test_the_best_scored_candidate_wins() -> None:
    with World(seed=18, peers=4) as world:
        favourite = world.peers[3]
        profile = world.set_profile(favourite, capabilities={"admin_election", "project_manager"})
        assert profile == PeerProfile(capabilities=frozenset({"admin_election", "project_manager"}))
        assert world.profile(favourite) == profile
        assert world.profile("peer-1") == PeerProfile()
        assert world.score(favourite) == pytest.approx(0.2 * 0.6 + 0.2 + 0.15)
        assert world.wait_for_leader() == favourite
        busy = world.set_profile(favourite, cpu_usage=1, memory_usage=1)
        assert busy.cpu_usage == 1.0
        assert world.score(favourite) < world.score("peer-1") + 0.2 * 0.6


def test_uptime_counts_from_joining_and_from_revival_after_a_kill() -> None:
    with World(seed=19, peers=3) as world:
        world.clock.advance(3600)
        late = world.add_peer()
        assert world.score("local") - world.score(late) == pytest.approx(0.3 * 3600 / FULL_UPTIME)
        world.set_profile(late, uptime="2h")
        assert world.score(late) - world.score("local") == pytest.approx(0.3 * 3600 / FULL_UPTIME)
        world.kill(late)
        world.revive(late)
        assert world.score(late) == pytest.approx(PeerProfile().score(0))
        world.pause("peer-1")
        world.revive("peer-1")
        assert world.score("peer-1") == world.score("local")  # a pause keeps the uptime


def test_a_voter_cut_from_the_favourite_votes_for_the_best_it_reaches() -> None:
    with World(seed=20, peers=5) as world:
        a, b, _, _, e = world.peers
        world.set_profile(a, capabilities={"context_curation"})
        world.set_profile(b, capabilities={"admin_election"})
        world.cut(a, e)
        world.wait_for_leader()
        assert dict(world.terms[0].votes) == {a: 4, b: 1}
        assert world.leader == a


def test_split_votes_start_no_term() -> None:
    with World(seed=21, peers=5) as world:
        a, b, c, d, e = world.peers
        world.set_profile(a, capabilities={"project_manager"})  # the best
        world.set_profile(d, capabilities={"admin_election"})  # the second best
        for x, y in [(b, c), (b, d), (b, e), (a, d), (a, e)]:
            world.cut(x, y)
        # b reaches 2 of the 3 needed: it does not vote. a and c vote for a; d and e, which do
        # not reach a, for d: 2 and 2 of 5.
        world.clock.advance(100)
        assert world.term == 0
        with pytest.raises(TimeoutError, match="the votes split: no candidate has a majority"):
            world.wait_for_leader(timeout=0)
        world.heal()
        assert world.wait_for_leader() == a


def test_profiles_are_checked_and_a_bad_one_changes_nothing() -> None:
    with World(seed=22, peers=2) as world:
        with pytest.raises(TypeError, match=r"got cpu=0.5: a profile has no field 'cpu'; "
                                            r"its fields are uptime, experience"):  # fmt: skip
            world.set_profile("peer-1", cpu=0.5, disk_usage=0.5)
        with pytest.raises(ValueError, match=r"the cpu_usage of 'peer-1' is a number from 0 to "
                                             r"1, got 1.5"):  # fmt: skip
            world.set_profile("peer-1", disk_usage=0.5, cpu_usage=1.5)
        with pytest.raises(TypeError, match="collection of names"):
            world.set_profile("peer-1", capabilities="admin_election")
        with pytest.raises(TypeError, match="non-empty strings, got int 3"):
            world.set_profile("peer-1", capabilities=[3])
        with pytest.raises(TypeError, match="number from 0 to 1, got bool True"):
            world.set_profile("peer-1", network_quality=True)
        with pytest.raises(ValueError, match="the uptime of 'peer-1' must be a finite number"):
            world.set_profile("peer-1", uptime=-5)
        with pytest.raises(ValueError, match="no peer named 'peer-9'"):
            world.set_profile("peer-9", cpu_usage=0.5)
        assert world.profile("peer-1") == PeerProfile()


# -- what tests see: callbacks, waiting, history, the report ---------------------------------


def test_callbacks_run_at_the_exact_time_of_each_change() -> None:
    with World(seed=23, peers=3) as world:
        seen: list[tuple[float, str | None]] = []
        subscription = world.on_leader_change(
            lambda leader: seen.append((world.clock.now(), leader.name if leader else None))
        )
        assert [entry.label for entry in world.scheduled] == ["elections: election of term 1"]
        world.clock.advance(1000)  # passes the election: the callback runs at its instant
        leader = world.leader
        assert leader is not None
        first = (world.terms[0].elected_at, leader.name)
        assert seen == [first]
        world.kill(leader)
        assert seen == [first, (1000.0, None)]
        world.clock.advance(1000)
        second = (world.terms[1].elected_at, world.terms[1].leader.name)
        assert seen == [first, (1000.0, None), second]
        assert subscription.cancel() is True
        assert subscription.cancel() is False
        world.kill(world.terms[1].leader)
        assert len(seen) == 3
        assert world.scheduled == []


def test_a_failing_callback_surfaces_at_the_next_operation() -> None:
    def explode(leader: Peer | None) -> None:
        raise RuntimeError(f"cannot follow {leader}")

    with World(seed=24, peers=3) as world:
        dht = MockDHT(world)
        world.on_leader_change(explode)
        world.clock.advance(100)
        with pytest.raises(ScheduledActionError, match=r"on_leader_change\(.*explode\) with "
                                                       r"\S+, failed: RuntimeError"):  # fmt: skip
            dht.put_value("k", b"v")
        dht.put_value("k", b"v")
        world.kill(world.leader)  # type: ignore[arg-type]
        (failure,) = unraised_failures(world)
        assert failure.label.endswith("with None")
        with pytest.raises(TypeError, match=r"on_leader_change takes a callable .* got int 3"):
            world.on_leader_change(3)  # type: ignore[arg-type]


def test_wait_for_leader_stops_at_the_election_and_runs_what_is_due_on_the_way() -> None:
    with World(seed=25, peers=5) as world:
        world.partition(world.peers[:2], world.peers[2:4])  # no majority anywhere
        world.at(40, "heal")
        leader = world.wait_for_leader(timeout="1min")
        assert world.clock.now() == world.terms[0].elected_at > 40
        assert world.wait_for_leader() == leader  # there is one: at once
        assert world.clock.now() == world.terms[0].elected_at
        with pytest.raises(ValueError, match="wait_for_leader's timeout must be a finite number"):
            world.wait_for_leader(timeout=-1)


def test_await_for_leader_sleeps_on_the_loop() -> None:
    async def scenario(world: World) -> tuple[Peer, float, list[float]]:
        world.clock.follow_running_loop()
        ticks: list[float] = []

        async def tick() -> None:
            for _ in range(4):
                await asyncio.sleep(5)
                ticks.append(world.clock.now())

        ticker = asyncio.create_task(tick())
        leader = await world.await_for_leader()
        returned_at = world.clock.now()
        await ticker
        return leader, returned_at, ticks

    with World(seed=26, peers=3) as world:
        leader, returned_at, ticks = asyncio.run(scenario(world))
        assert leader == world.leader
        assert ticks == [5, 10, 15, 20]  # the other task ran on time while it waited
        elected_at = world.terms[0].elected_at
        assert returned_at == elected_at  # it returned at the election, not a tick later
        assert 15 <= elected_at < 15 * 1.5  # the first timer: the timeout and its jitter


def test_a_real_clock_elects_in_real_time() -> None:
    started = time.monotonic()  # before the world: its time starts when it is made
    with World(seed=27, peers=3, clock="real", heartbeat="10ms", election_timeout="40ms") as world:
        leader = world.wait_for_leader(timeout=1)
        assert time.monotonic() - started >= 0.04  # the election timeout, in real time
        assert world.leader == leader


def test_terms_read_well_and_the_report_names_the_leader() -> None:
    with World(seed=28, peers=3) as world:
        assert "leader:" not in world.describe()
        leader = world.wait_for_leader()
        text = world.describe()
        assert f"leader: {leader.name} (term 1, elected at" in text
        assert "by 3 of 3 peers; job table version 0)" in text
        world.kill(leader)
        assert f"leader: none (term 1's leader, {leader.name}, was killed at" in world.describe()
        assert "the next election is due at" in world.describe()
        assert str(world.terms[0]).startswith(f"term 1: {leader.name}, elected at")
        assert repr(world.terms[0]).endswith(": killed>")
        assert world.terms == pickle.loads(pickle.dumps(world.terms))


def test_reset_starts_the_elections_again_with_the_same_draws() -> None:
    with World(seed=29, peers=4) as world:
        seen: list[Peer | None] = []
        world.on_leader_change(seen.append)
        world.wait_for_leader()
        world.kill(world.leader)  # type: ignore[arg-type]
        world.wait_for_leader()
        first = [(t.leader, t.elected_at) for t in world.terms]
        world.reset()
        assert (world.leader, world.term, world.terms) == (None, 0, [])
        world.wait_for_leader()
        world.kill(world.leader)  # type: ignore[arg-type]
        world.wait_for_leader()
        assert [(t.leader, t.elected_at) for t in world.terms] == first
        assert len(seen) == 3  # the subscription went with the reset


def test_peers_that_join_later_raise_the_majority() -> None:
    with World(seed=30, peers=3) as world:
        leader = world.wait_for_leader()
        world.partition([leader, *[p for p in world.peers if p != leader][:1]])
        assert world.leader == leader  # 2 of 3 is a majority
        world.add_peers(2)  # in no group of the partition: 2 of 5 is not
        assert world.leader == leader  # until it steps down
        world.clock.advance(world.election_timeout)
        assert world.leader is None


# -- cost -----------------------------------------------------------------------------------


def test_an_election_among_ten_thousand_peers_and_48_quiet_hours() -> None:
    """Behaviour only: benchmarks/bench_cluster.py measures what it costs (docs/performance.md)."""
    world = World(seed=31, peers=10_000)
    first = world.wait_for_leader()
    world.kill(first)
    second = world.wait_for_leader()
    world.clock.advance(48 * 3600)
    assert world.term == 2
    assert world.leader == second != first
    assert [term.number for term in world.terms] == [1, 2]
    assert world.terms[1].votes[second] > 5_000
