"""The leader's job table: versions, digests, replication, failover, corruption, orphaned jobs."""

from __future__ import annotations

import pickle

import pytest

from pytest_bzzz import JobState, NetworkError, NoLeaderError, Peer, World


@pytest.fixture
def world() -> World:
    world = World(seed=1, peers=5)
    world.wait_for_leader()
    return world


def leader(world: World) -> Peer:
    found = world.leader
    assert found is not None
    return found


def followers(world: World) -> list[Peer]:
    return [peer for peer in world.peers if peer != world.leader]


def test_changes_need_a_leader_and_say_why_there_is_none() -> None:
    with World(seed=2, peers=3) as world:
        with pytest.raises(NoLeaderError, match=r"^cannot assign job 'build' to peer-1: there is "
                                                r"no leader \(no leader has been elected yet; the "
                                                r"next election is due at \S+s\); wait for one "
                                                r"with world.wait_for_leader\(\)$"):  # fmt: skip
            world.jobs.assign("build", "peer-1")
        assert (world.jobs.version, dict(world.jobs)) == (0, {})
        world.wait_for_leader()
        world.jobs.assign("build", "peer-1")
        world.kill(leader(world))
        expected = r"there is no leader \(term 1's leader, \S+, was killed at \S+s; the next"
        with pytest.raises(NetworkError, match=expected):
            world.jobs.remove("build")


def test_each_change_is_a_new_version_sent_to_every_follower_it_reaches(world: World) -> None:
    first, second, *_ = followers(world)
    world.jobs.assign("build", first)
    world.jobs.assign("test", "peer-2")
    world.jobs.assign("build", second)  # reassigned
    world.jobs.remove("test")
    assert world.jobs.version == 4
    assert dict(world.jobs) == {"build": second}
    assert world.jobs["build"] == second
    assert "test" not in world.jobs
    assert len(world.jobs) == 1
    state = world.jobs.replica(first)
    assert state is not None
    assert (state.version, state.term, dict(state.jobs), state.digest, state.valid) == (
        4,
        1,
        {"build": second},
        world.jobs.digest,
        True,
    )
    assert all(world.jobs.replica(peer) is state for peer in world.peers)
    assert repr(world.jobs) == f"<JobTable version 4: {{'build': {second.name!r}}}>"


def test_a_follower_out_of_reach_misses_versions_and_catches_up(world: World) -> None:
    away = followers(world)[0]
    world.isolate(away)
    world.jobs.assign("build", leader(world))
    missed = world.jobs.replica(away)  # what the leader sent at its election: version 0
    assert missed is not None
    assert (missed.version, missed.term) == (0, 1)
    world.heal()
    copy = world.jobs.replica(away)
    assert copy is not None
    assert copy.version == 1


def test_a_new_leader_continues_from_the_newest_version_a_majority_held(world: World) -> None:
    old = leader(world)
    out = followers(world)[:2]
    world.cut(old, out[0])  # the leader still reaches 4 of 5
    world.jobs.assign("build", out[0])
    world.jobs.assign("test", out[1])
    holders = [peer for peer in world.peers if world.jobs.replica(peer).version == 2]  # type: ignore[union-attr]
    assert len(holders) == 4
    world.kill(old)  # 3 of 5 still hold version 2: a majority
    world.heal()
    new = world.wait_for_leader()
    assert dict(world.jobs) == {"build": out[0], "test": out[1]}
    assert (world.jobs.version, world.terms[-1].version) == (2, 2)
    assert world.jobs.replica(new) is not None
    assert all(world.jobs.replica(p) is not None for p in world.peers if p != old)


def test_a_corrupted_copy_is_refused_and_the_next_newest_is_taken(world: World) -> None:
    old = leader(world)
    a, b, c, d = followers(world)
    world.jobs.assign("build", a)
    world.isolate(d)  # misses the second version
    world.jobs.assign("test", b)
    for peer in (a, b, c):
        world.jobs.corrupt(peer)  # the newest version survives on no valid copy but the leader's
    corrupted = world.jobs.replica(a)
    assert corrupted is not None
    assert not corrupted.valid
    assert "corrupted" in repr(corrupted)
    assert corrupted.digest == world.jobs.digest
    world.kill(old)
    world.heal()  # d, with version 1, is back
    world.wait_for_leader()
    term = world.terms[-1]
    assert set(term.refused) == {a, b, c}
    assert world.jobs.version == 1
    assert dict(world.jobs) == {"build": a}
    world.jobs.assign("test", b)  # the leader sends the new version: the copies are mended
    assert all(world.jobs.replica(p).valid for p in world.peers if p != old)  # type: ignore[union-attr]


def test_what_a_stale_leader_writes_is_lost_after_the_failover(world: World) -> None:
    old = leader(world)
    world.jobs.assign("build", followers(world)[0])
    world.isolate(old)
    assert world.leader == old
    world.jobs.assign("lost", old)  # accepted by the stale leader: only it holds version 2
    stale = world.jobs.replica(old)
    assert stale is not None
    assert stale.version == 2
    new = world.wait_for_leader()
    assert new != old
    assert (world.jobs.version, "lost" in world.jobs) == (1, False)
    world.jobs.assign("test", new)  # version 2 of term 2: newer than the stale version 2
    world.heal()
    back = world.jobs.replica(old)
    assert back is not None
    assert (back.term, dict(back.jobs)) == (2, dict(world.jobs))


def test_jobs_of_dead_peers_are_orphaned_for_reassignment(world: World) -> None:
    a, b, c, _ = followers(world)
    world.jobs.assign("build", a)
    world.jobs.assign("test", b)
    world.jobs.assign("deploy", c)
    world.kill(a)
    world.pause(c)
    assert world.jobs.orphaned == ["build", "deploy"]
    assert world.jobs.replica(a) is None  # a killed peer loses its copy
    assert world.jobs.replica(c) is not None  # a paused one keeps it
    for job in world.jobs.orphaned:
        world.jobs.assign(job, b)
    assert world.jobs.orphaned == []
    world.revive(a)
    copy = world.jobs.replica(a)
    assert copy is not None
    assert copy.version == 5


def test_the_leaders_own_table_and_missing_copies_cannot_be_corrupted(world: World) -> None:
    away = followers(world)[0]
    world.kill(away)
    with pytest.raises(ValueError, match=r"holds no copy of the job table to corrupt"):
        world.jobs.corrupt(away)
    world.jobs.assign("build", away)
    with pytest.raises(ValueError, match=r"is the leader: its table is what world.jobs shows"):
        world.jobs.corrupt(leader(world))
    with pytest.raises(ValueError, match="no peer named 'peer-9'"):
        world.jobs.corrupt("peer-9")


def test_bad_input_changes_nothing(world: World) -> None:
    with pytest.raises(TypeError, match="a job is named by a non-empty str, got int 3"):
        world.jobs.assign(3, "peer-1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got str ''"):
        world.jobs.assign("", "peer-1")
    with pytest.raises(ValueError, match="no peer named 'peer-9'"):
        world.jobs.assign("build", "peer-9")
    with pytest.raises(KeyError, match="cannot remove job 'build': it is not in the job table"):
        world.jobs.remove("build")
    with pytest.raises(KeyError, match="no job 'build' in the job table; its jobs are none"):
        world.jobs["build"]
    assert world.jobs.version == 0


def test_digests_follow_the_content() -> None:
    peer = Peer("12D3KooWexample", "peer-1")
    one = JobState(1, 1, {"a": peer, "b": peer})
    assert one.digest == JobState(1, 7, {"b": peer, "a": peer}).digest  # not the term or order
    assert one.digest != JobState(2, 1, {"a": peer, "b": peer}).digest
    assert one == JobState(1, 1, {"b": peer, "a": peer}) != JobState(1, 2, {"a": peer, "b": peer})
    assert one != one.corrupted(peer)
    assert len({one, JobState(1, 1, {"a": peer, "b": peer})}) == 1
    assert one.stamped(3).term == 3
    assert one.stamped(3).digest == one.digest
    assert not one.corrupted(peer).valid
    assert not JobState(0, 0, {}).corrupted(peer).valid


def test_the_no_leader_error_pickles_and_is_a_network_error() -> None:
    error = NoLeaderError("no leader", op="assign", key="build")
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), copy.op, copy.key) == (NoLeaderError, "no leader", "assign",
                                                           "build")  # fmt: skip
    assert isinstance(copy, ConnectionError)


def test_reset_empties_the_table(world: World) -> None:
    world.jobs.assign("build", "peer-1")
    world.reset()
    assert (world.jobs.version, dict(world.jobs)) == (0, {})
    assert all(world.jobs.replica(peer) is None for peer in world.peers)


def test_a_version_only_a_minority_holds_is_discarded_at_the_failover(world: World) -> None:
    old = leader(world)
    a, b, c, d = followers(world)
    world.jobs.assign("build", a)  # version 1: every peer
    for peer in (b, c, d):
        world.cut(old, peer)  # the leader reaches only a: it leads on until it steps down
    world.jobs.assign("stale", a)  # version 2 reaches the leader and a: 2 of 5
    assert world.jobs.replica(a).version == 2  # type: ignore[union-attr]
    world.kill(old)  # its copy is lost: a alone holds version 2
    world.heal()
    world.wait_for_leader()
    term = world.terms[-1]
    assert (term.version, world.jobs.version, dict(world.jobs)) == (1, 1, {"build": a})
    assert term.discarded == (a,)
    assert world.jobs.replica(a).version == 1  # type: ignore[union-attr]


def test_a_paused_stale_leaders_copy_counts_but_a_minority_is_still_a_minority(
    world: World,
) -> None:
    old = leader(world)
    a, b, c, d = followers(world)
    world.jobs.assign("build", a)
    for peer in (b, c, d):
        world.cut(old, peer)
    world.jobs.assign("stale", a)  # version 2: the leader and a
    world.pause(old)  # its copy is kept: still 2 of 5 hold version 2
    world.heal()
    world.wait_for_leader()
    assert (world.jobs.version, "stale" in world.jobs) == (1, False)
    assert set(world.terms[-1].discarded) == {old, a}


def test_a_version_a_majority_holds_wins_over_newer_ones_of_a_minority(world: World) -> None:
    old = leader(world)
    a, b, c, d = followers(world)
    world.cut(old, d)
    world.jobs.assign("one", a)  # version 1: old, a, b, c
    world.cut(old, c)
    world.jobs.assign("two", a)  # version 2: old, a, b
    world.cut(old, b)
    world.jobs.assign("three", a)  # version 3: old, a
    world.kill(old)
    world.heal()
    world.wait_for_leader()
    # a, b and c hold version 1 or later (a majority of 5); a and b version 2 (2 of 5).
    assert (world.jobs.version, sorted(world.jobs)) == (1, ["one"])
    assert set(world.terms[-1].discarded) == {a, b}


def test_when_no_version_has_a_majority_the_table_starts_again_empty() -> None:
    with World(seed=3, peers=3) as world:
        first = world.wait_for_leader()
        world.jobs.assign("build", first)
        gone, kept = [peer for peer in world.peers if peer != first]
        world.kill(gone)
        world.kill(first)  # kept alone holds version 1: 1 of 3
        world.revive(gone)
        world.revive(first)  # back, with nothing
        world.wait_for_leader()
        assert world.terms[-1].discarded == (kept,)
        assert (world.jobs.version, dict(world.jobs)) == (0, {})


def test_the_history_of_copies_is_cut_below_what_every_copy_shares(world: World) -> None:
    for number in range(200):
        world.jobs.assign(f"job-{number}", leader(world))
    depth, node = 0, world.jobs.replica(leader(world))
    while node is not None:
        depth, node = depth + 1, node.parent
    assert depth <= 64 + 1


def test_a_copy_corrupted_back_to_its_content_counts_as_that_version(world: World) -> None:
    old = leader(world)
    a, b, _, _ = followers(world)
    world.jobs.corrupt(a)  # the empty table gets a made-up job...
    world.jobs.corrupt(a)  # ...and loses it again: it matches its digest once more
    copy = world.jobs.replica(a)
    assert copy is not None
    assert copy.valid
    assert copy == world.jobs.replica(b)
    assert copy is not world.jobs.replica(b)
    world.kill(old)
    world.wait_for_leader()
    term = world.terms[-1]
    assert (term.version, term.discarded, term.refused) == (0, (), ())
