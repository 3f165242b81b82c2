"""A world's peers and the faults among them: finding peers, partitions, cuts, lives, links."""

from __future__ import annotations

import pytest

from pytest_bzzz import MockDHT, NetworkConditions, NetworkError, Peer, World


@pytest.fixture
def world() -> World:
    return World(seed=1, peers=4)


def test_a_world_starts_with_its_peers_named_in_order(world: World) -> None:
    assert [peer.name for peer in world.peers] == ["local", "peer-1", "peer-2", "peer-3"]
    assert world.peers[0] == world.local_peer
    added = world.add_peers(2)
    assert [peer.name for peer in added] == ["peer-4", "peer-5"]
    assert world.add_peers(0) == []
    assert World(seed=1, peers=4).peers == World(seed=1, peers=4).peers  # from the seed


def test_added_peers_take_the_smallest_free_peer_n_name() -> None:
    world = World(seed=1)
    world.add_peer("alice")
    world.add_peer("bob")
    assert [peer.name for peer in world.add_peers(2)] == ["peer-1", "peer-2"]
    world.add_peer("peer-4")  # taken by hand: skipped when its turn comes
    assert [peer.name for peer in world.add_peers(2)] == ["peer-3", "peer-5"]
    world.reset()
    world.add_peer("carol")
    assert world.add_peer().name == "peer-1"


def test_a_peer_name_is_checked(world: World) -> None:
    taken = world.peers[2]
    expected = rf"cannot name a peer '{taken.id}': that is the id of peer-2, and a peer is found"
    with pytest.raises(ValueError, match=expected):
        world.add_peer(taken.id)
    with pytest.raises(ValueError, match="a peer named 'peer-1' already exists"):
        world.add_peer("peer-1")
    with pytest.raises(ValueError, match="must not be empty"):
        world.add_peer("")
    assert len(world.peers) == 4


def test_a_peer_is_found_by_name_by_id_or_itself(world: World) -> None:
    second = world.peers[2]
    assert world.peer("peer-2") == world.peer(second.id) == world.peer(second) == second
    with pytest.raises(ValueError, match=r"^no peer named 'peer-9' in this world; its peers are "
                                         r"local, peer-1, peer-2, peer-3$"):  # fmt: skip
        world.peer("peer-9")
    stranger = Peer("12D3KooWnotfromhere", "peer-1")
    with pytest.raises(ValueError, match="is not a peer of this world"):
        world.peer(stranger)
    with pytest.raises(TypeError, match="a Peer, its name or its id, got int 3"):
        world.peer(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("peers", "error", "message"),
    [(0, ValueError, "1 or more, got 0"), ("2", TypeError, "got str"), (True, TypeError, "bool")],
)
def test_the_number_of_peers_is_checked(peers: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        World(peers=peers)  # type: ignore[arg-type]


def test_add_peers_takes_a_whole_number(world: World) -> None:
    with pytest.raises(ValueError, match="0 or more, got -1"):
        world.add_peers(-1)
    with pytest.raises(TypeError, match="whole number, got float"):
        world.add_peers(1.5)  # type: ignore[arg-type]


def test_a_partition_splits_the_peers_into_groups(world: World) -> None:
    world.partition(["local", "peer-1"], ["peer-2"])  # peer-3, in no group, is one more
    assert world.can_reach("local", "peer-1")
    assert not world.can_reach("local", "peer-2")
    assert not world.can_reach("peer-2", "peer-3")
    assert not world.can_reach("peer-1", "peer-3")
    world.heal()
    assert world.can_reach("local", "peer-3")
    assert [fault.action for fault in world.faults] == ["partition", "heal"]
    assert world.faults[0].detail == "local, peer-1 | peer-2 | peer-3"


def test_a_bad_partition_changes_nothing(world: World) -> None:
    with pytest.raises(ValueError, match="'peer-1' is in group 1 and in group 2"):
        world.partition(["peer-1"], ["peer-2", "peer-1"])
    with pytest.raises(TypeError, match="groups of peers \\(lists\\), got 'peer-1' as group 1"):
        world.partition("peer-1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no peer named 'peer-7'"):
        world.partition(["peer-7"])
    with pytest.raises(ValueError, match="at least one group"):
        world.partition()
    with pytest.raises(ValueError, match=r"^partition's group 1 is empty: each group names at "
                                         r"least one peer"):  # fmt: skip
        world.partition([])
    with pytest.raises(ValueError, match="partition's group 2 is empty"):
        world.partition(["peer-1"], [])
    with pytest.raises(ValueError, match="partition's group 1 is empty"):
        world.at(5, "partition", [])
    assert world.can_reach("peer-1", "peer-2")
    assert world.faults == []


def test_cuts_one_way_or_both_and_isolation(world: World) -> None:
    world.cut("local", "peer-1", both_ways=False)
    assert not world.can_reach("local", "peer-1")
    assert world.can_reach("peer-1", "local")
    world.cut("peer-2", "peer-3")
    assert not world.can_reach("peer-3", "peer-2")
    world.heal()
    world.isolate("peer-3")
    assert not any(world.can_reach("peer-3", other) for other in ("local", "peer-1", "peer-2"))
    assert not world.can_reach("peer-1", "peer-3")
    assert world.can_reach("peer-1", "peer-2")
    with pytest.raises(ValueError, match="cannot cut 'peer-1' from itself"):
        world.cut("peer-1", "peer-1")
    world.heal()
    world.heal()  # nothing cut: does nothing, records nothing
    assert [str(fault) for fault in world.faults] == [
        "0s cut(local -> peer-1)",
        "0s cut(peer-2 <-> peer-3)",
        "0s heal()",
        "0s isolate(peer-3)",
        "0s heal()",
    ]


def test_paused_and_killed_peers_are_unreachable_and_make_no_calls(world: World) -> None:
    world.pause("peer-1")
    assert world.status("peer-1") == "paused"
    assert not world.can_reach("local", "peer-1")
    assert not world.can_reach("peer-1", "peer-1")
    dht = MockDHT(world, peer=world.peer("peer-1"))
    with pytest.raises(NetworkError, match=r"put_value\('k'\) from peer-1, which is paused"):
        dht.put_value("k", b"v")
    assert [(call.outcome, call.peer) for call in world.calls()] == [("failed", dht.peer.id)]
    world.revive("peer-1")
    dht.put_value("k", b"v")
    world.kill("peer-2")
    assert world.status("peer-2") == "killed"
    world.kill("peer-2")  # already: nothing more happens
    world.revive("peer-2")
    assert world.status("peer-2") == "live"
    assert [fault.action for fault in world.faults] == ["pause", "revive", "kill", "revive"]


def test_links_take_conditions_and_refuse_bad_ones(world: World) -> None:
    world.link("local", "peer-1", latency="250ms", jitter=0.05, failure_rate=0.1)
    assert world.faults[-1].detail == "local <-> peer-1: +0.25s ± 0.05s, failure rate 0.1"
    world.link("local", "peer-1")  # no conditions: back to the world's
    assert world.faults[-1].detail == "local <-> peer-1: as the world's"
    with pytest.raises(ValueError, match="a string with a unit"):
        world.link("local", "peer-1", latency="250")
    with pytest.raises(ValueError, match="between 0 and 1, got 2"):
        world.link("local", "peer-1", failure_rate=2)
    with pytest.raises(TypeError, match="failure_rate must be a number"):
        world.link("local", "peer-1", failure_rate="0.1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'peer-1' was given twice"):
        world.link("peer-1", "peer-1", latency=1)


def test_faults_are_stamped_with_the_world_time(world: World) -> None:
    world.clock.advance(5)
    world.partition(["peer-1"])
    world.clock.advance(15)
    world.heal()
    assert [(fault.at, fault.action) for fault in world.faults] == [(5, "partition"), (20, "heal")]


def test_reset_brings_back_the_first_peers_and_forgets_the_faults(world: World) -> None:
    first = world.peers
    world.add_peers(3)
    world.kill("peer-1")
    world.partition(["peer-2"])
    world.reset()
    assert world.peers == first
    assert world.faults == []
    assert world.status("peer-1") == "live"
    assert world.can_reach("peer-2", "peer-3")


def test_a_slow_link_slows_the_operations_that_reach_across_it() -> None:
    with World(seed=21, peers=3, replication=3) as world:  # every lookup ends at every peer
        dht = MockDHT(world)
        world.link("local", "peer-2", latency="2s", jitter="500ms")
        dht.put_value("k", b"v")
        (call,) = world.calls("put_value")
        assert 1.5 <= call.latency <= 2.5  # drawn within 2 s ± 0.5 s; the world adds nothing
        assert world.clock.now() == call.latency
        dht.on("peer-1").get_value("k")  # peer-1's requests cross no slow link
        assert world.calls("get_value")[-1].latency == 0.0
        world.link("local", "peer-2")  # no conditions: the link is as the world's again
        dht.get_value("k")
        assert world.calls("get_value")[-1].latency == 0.0


def test_a_failing_link_fails_the_operations_that_reach_across_it_and_says_which() -> None:
    with World(seed=22, peers=4, replication=3) as world:
        dht = MockDHT(world)
        for other in ("peer-1", "peer-2", "peer-3"):
            world.link("local", other, failure_rate=1.0)
        with pytest.raises(NetworkError, match=r"\(the link local <-> peer-\d, failure rate 1;"):
            dht.put_value("k", b"v")
        assert dht.on("peer-1").find_providers("k") == []  # other peers' operations go through
        assert world.calls(outcome="failed")[0].op == "put_value"


def test_link_conditions_draw_nothing_in_a_world_without_them() -> None:
    def latencies(linked: bool) -> list[float]:
        conditions = NetworkConditions(latency=0.1, jitter=0.05)
        with World(seed=23, peers=6, conditions=conditions) as world:
            if linked:  # a link no operation of local reaches across: peer-4 to peer-5
                world.link("peer-4", "peer-5", latency=1.0)
            dht = MockDHT(world)
            for index in range(5):
                dht.put_value(f"k{index}", b"v")
            return [call.latency for call in world.calls()]

    assert latencies(False) == latencies(True)
