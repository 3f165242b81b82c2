"""The connector's histories in a world of many peers: placed on peers, read through faults."""

from __future__ import annotations

import hashlib

import pytest

from pytest_bzzz import MockBZZZ, NetworkError, NotFoundError, Peer, World

PLAN = "ucxl://gpt4:architect@bzzz:v2/plans/rollout.md"
NOTES = "ucxl://gpt4:architect@bzzz:v2/notes/today.md"
EVERYTHING = "ucxl://any:any@any:any/**"


def distance(peer: Peer, address: str) -> int:
    def id_of(text: str) -> int:
        return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")

    return id_of(peer.id) ^ id_of(address)


@pytest.fixture
def world() -> World:
    return World(seed=3, peers=8, replication=2)


@pytest.fixture
def bzzz(world: World) -> MockBZZZ:
    return MockBZZZ(world)


def test_a_history_is_held_by_the_closest_peers_and_its_writer(
    world: World, bzzz: MockBZZZ
) -> None:
    bzzz.on("peer-5").store(PLAN, "v1")
    closest = sorted(world.peers, key=lambda peer: distance(peer, PLAN))[:2]
    holders = world.content_holders(PLAN)
    assert set(holders) == {*closest, world.peer("peer-5")}
    assert holders == sorted(holders, key=lambda peer: distance(peer, PLAN))
    assert world.holders(PLAN) == []  # a history is not a DHT value
    assert world.content_holders(NOTES) == []


def test_a_history_across_a_partition_is_out_of_reach_until_healed(
    world: World, bzzz: MockBZZZ
) -> None:
    bzzz.store(PLAN, "v1")
    holders = {peer.name for peer in world.content_holders(PLAN)}
    others = [peer.name for peer in world.peers if peer.name not in holders]
    world.partition(sorted(holders), others)
    reader = bzzz.on(others[0])
    with pytest.raises(NotFoundError) as caught:
        reader.retrieve(PLAN)
    assert str(caught.value) == (
        f"nothing stored under {PLAN!r} that {others[0]} can reach "
        f"(holders: {len(holders)} cut off from it)"
    )
    assert reader.search(EVERYTHING) == []
    with pytest.raises(NotFoundError):
        reader.history(PLAN)
    world.heal()
    assert reader.retrieve(PLAN).text() == "v1"
    assert [found.text() for found in reader.search(EVERYTHING)] == ["v1"]


def test_a_store_continues_the_newest_history_its_peer_reaches(
    world: World, bzzz: MockBZZZ
) -> None:
    bzzz.store(PLAN, "v1")
    second = bzzz.on("peer-7").store(PLAN, "v2")
    assert second.version == 2
    assert [envelope.text() for envelope in bzzz.on("peer-3").history(PLAN)] == ["v1", "v2"]


def test_the_newer_history_wins_when_two_sides_meet_and_readers_repair_the_older(
    world: World, bzzz: MockBZZZ
) -> None:
    bzzz.store(PLAN, "v1")
    names = [peer.name for peer in world.peers]
    left, right = names[:4], names[4:]
    world.partition(left, right)
    bzzz.on(left[0]).store(PLAN, "left")
    world.clock.advance(1)
    right_side = bzzz.on(right[0])
    try:  # the right side may reach no copy of v1: then its history starts anew
        right_side.retrieve(PLAN)
        right_versions = ["v1", "right"]
    except NotFoundError:
        right_versions = ["right"]
    right_side.store(PLAN, "right")
    world.heal()
    assert [envelope.text() for envelope in bzzz.history(PLAN)] == right_versions
    # The read repaired every copy it reached: all holders now agree, whatever reads them.
    world.partition(*([peer.name] for peer in world.peers))
    for holder in world.content_holders(PLAN):
        assert [e.text() for e in bzzz.on(holder).history(PLAN)] == right_versions
    assert [e.text() for e in world.content.history(PLAN).versions] == right_versions  # type: ignore[union-attr]


def test_a_search_reads_only_what_its_peer_reaches() -> None:
    world = World(seed=3, peers=8, replication=1)
    bzzz = MockBZZZ(world)
    closest = {min(world.peers, key=lambda peer: distance(peer, key)) for key in (PLAN, NOTES)}
    assert len(closest) == 2  # (so seed 3 places them)
    first, second, *_ = [peer for peer in world.peers if peer not in closest]
    bzzz.on(first).store(PLAN, "plan")
    bzzz.on(second).store(NOTES, "notes")
    plan = set(world.content_holders(PLAN))
    notes = set(world.content_holders(NOTES))
    assert len(plan) == len(notes) == 2
    assert not plan & notes
    reader = next(peer for peer in world.peers if peer not in plan | notes)
    world.partition([*plan, reader], list(notes))
    assert [found.text() for found in bzzz.on(reader).search(EVERYTHING)] == ["plan"]
    assert [found.text() for found in bzzz.on(second).search(EVERYTHING)] == ["notes"]
    assert bzzz.on(reader).search(EVERYTHING, limit=1)[0].text() == "plan"
    # The catalogue still holds both: each is the newest copy some peer holds.
    assert sorted(history.key for history in world.content.histories.values()) == [NOTES, PLAN]
    world.heal()
    assert [found.text() for found in bzzz.on(reader).search(EVERYTHING)] == ["notes", "plan"]


def test_killing_every_holder_loses_the_history(world: World, bzzz: MockBZZZ) -> None:
    bzzz.on("peer-2").store(PLAN, "v1")
    holders = world.content_holders(PLAN)
    for holder in holders:
        world.kill(holder)
    reader = next(peer for peer in world.peers if peer not in holders)
    with pytest.raises(NotFoundError) as caught:
        bzzz.on(reader).retrieve(PLAN)
    assert str(caught.value) == (
        f"nothing stored under {PLAN!r} that {reader.name} can reach "
        f"(holders: {len(holders)} killed while holding it)"
    )
    assert world.content_holders(PLAN) == []
    assert world.content.history(PLAN) is None
    assert bzzz.on(reader).search(EVERYTHING) == []
    # A new store starts a new history.
    assert bzzz.on(reader).store(PLAN, "again").version == 1


def test_a_paused_holder_keeps_its_copy_out_of_reach(world: World, bzzz: MockBZZZ) -> None:
    bzzz.on("peer-2").store(PLAN, "v1")
    holders = world.content_holders(PLAN)
    for holder in holders:
        world.pause(holder)
    reader = bzzz.on(next(peer for peer in world.peers if peer not in holders))
    with pytest.raises(NotFoundError, match=rf"\(holders: {len(holders)} paused\)$"):
        reader.retrieve(PLAN)
    for holder in holders:
        world.revive(holder)
    assert reader.retrieve(PLAN).text() == "v1"
    assert world.content_holders(PLAN) == holders


def test_a_delete_adds_a_tombstone_to_the_history_its_peer_reaches(
    world: World, bzzz: MockBZZZ
) -> None:
    bzzz.store(PLAN, "v1")
    tombstone = bzzz.on("peer-6").delete(PLAN)
    assert (tombstone.version, tombstone.deleted) == (2, True)
    with pytest.raises(NotFoundError, match="was deleted"):
        bzzz.on("peer-1").retrieve(PLAN)
    with pytest.raises(NotFoundError, match="already deleted"):
        bzzz.delete(PLAN)
    assert bzzz.search(EVERYTHING) == []
    assert bzzz.search("ucxl://any:any@any:any/*~1/**")[0].text() == "v1"
    with pytest.raises(NotFoundError, match=r"^nothing was ever stored under '.*notes/today.md'$"):
        bzzz.on("peer-1").delete(NOTES)


def test_histories_stored_alone_become_the_first_peers_copies() -> None:
    world = World(seed=3, replication=2)
    bzzz = MockBZZZ(world)
    bzzz.store(PLAN, "alone")
    assert world.content_holders(PLAN) == [world.local_peer]
    world.add_peers(5)
    assert world.content_holders(PLAN) == [world.local_peer]  # not copied by adding peers
    assert bzzz.on("peer-3").retrieve(PLAN).text() == "alone"
    world.isolate("local")
    with pytest.raises(NotFoundError, match="1 cut off from it"):
        bzzz.on("peer-3").retrieve(PLAN)


def test_the_one_peer_killed_loses_its_histories() -> None:
    world = World(seed=3)
    bzzz = MockBZZZ(world)
    bzzz.store(PLAN, "v1")
    world.kill("local")
    with pytest.raises(NetworkError):
        bzzz.retrieve(PLAN)
    world.revive("local")
    with pytest.raises(NotFoundError, match="nothing was ever stored"):
        bzzz.retrieve(PLAN)
    assert world.content_holders(PLAN) == []
    assert len(world.content) == 0


def test_content_holders_checks_its_address(world: World) -> None:
    with pytest.raises(ValueError, match="is a pattern"):
        world.content_holders(EVERYTHING)
    with pytest.raises(TypeError, match="must be a UCXLAddress or a str, got int"):
        world.content_holders(3)  # type: ignore[arg-type]
    assert world.content_holders(PLAN + "*^") == []  # a temporal segment names its history
