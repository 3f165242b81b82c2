"""A backend's guard on the world's topology, as the libp2p backend keeps one.

The libp2p backend refuses what real hosts cannot take (a partition, a
pause, a peer beyond its hosts) by a guard that sees each change before it is
made. These run on the memory backend's world alone (no py-libp2p needed):
a refusal leaves the world as it was, and in ``world.faults`` nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_bzzz import MockDHT, World
from pytest_bzzz._kernel.topology import Change, LinkConditions
from pytest_bzzz._kernel.world import core


class Refused(Exception):
    pass


def refusing(*kinds: str) -> Callable[[Change], None]:
    def guard(change: Change) -> None:
        if change.kind in kinds:
            raise Refused(change)

    return guard


def snapshot(world: World) -> tuple[object, ...]:
    peers = world.peers
    return (
        [(peer.id, peer.name) for peer in peers],
        [world.status(peer) for peer in peers],
        [[world.can_reach(a, b) for b in peers] for a in peers],
        world.faults,
        core(world).topology.version,
    )


FAULTS: dict[str, tuple[str, Callable[[World], object]]] = {
    "partition": ("partition", lambda world: world.partition(["local"], ["peer-1"])),
    "cut": ("cut", lambda world: world.cut("local", "peer-1")),
    "isolate": ("cut", lambda world: world.isolate("peer-2")),
    "pause": ("status", lambda world: world.pause("peer-1")),
    "kill": ("status", lambda world: world.kill("peer-1")),
    "link": ("link", lambda world: world.link("local", "peer-1", latency=0.1)),
    "add_peer": ("add", lambda world: world.add_peer("extra")),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_a_guard_refuses_is_neither_applied_nor_listed(fault: str) -> None:
    kind, make = FAULTS[fault]
    with World(seed=1, peers=3) as world:
        dht = MockDHT(world)
        world.kill("peer-2")
        world.revive("peer-2")
        core(world).topology.guards.append(refusing(kind))
        before = snapshot(world)

        with pytest.raises(Refused):
            make(world)

        assert snapshot(world) == before
        dht.put_value("k", b"v")  # the world works on as it was
        assert dht.get_value("k") == b"v"


def test_a_guard_sees_each_change_before_it_is_made() -> None:
    seen: list[tuple[object, ...]] = []
    with World(seed=1, peers=2) as world:
        names = {peer.id: peer.name for peer in world.peers}

        def watch(change: Change) -> None:
            who = None if change.peer is None else names.get(change.peer, "a new peer")
            seen.append((change.kind, who, change.status, change.link, len(world.peers)))

        core(world).topology.guards.append(watch)
        world.pause("peer-1")
        world.revive("peer-1")
        world.cut("local", "peer-1")
        world.heal()
        world.link("local", "peer-1", latency=0.1)
        world.link("local", "peer-1")
        world.add_peer("third")

    slow = LinkConditions(latency=0.1)
    assert seen == [
        ("status", "peer-1", "paused", None, 2),
        ("status", "peer-1", "live", None, 2),
        ("cut", "local", None, None, 2),
        ("heal", None, None, None, 2),
        ("link", "local", None, slow, 2),
        ("link", "local", None, None, 2),
        ("add", "a new peer", None, None, 2),  # before it joins
    ]


def test_guards_outlive_a_reset() -> None:
    with World(seed=1, peers=2) as world:
        core(world).topology.guards.append(refusing("partition"))

        world.reset()

        with pytest.raises(Refused):
            world.partition(["local"], ["peer-1"])
        assert world.faults == []


def test_a_peer_a_guard_refuses_takes_no_name_and_no_id() -> None:
    with World(seed=1, peers=2) as world, World(seed=1, peers=2) as untouched:
        guards = core(world).topology.guards
        guards.append(refusing("add"))
        with pytest.raises(Refused):
            world.add_peer()
        with pytest.raises(Refused):
            world.add_peers(2)
        guards.clear()
        assert world.add_peers(2) == untouched.add_peers(2)  # peer-2 and peer-3, same ids
