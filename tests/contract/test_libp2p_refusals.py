"""What the libp2p backend refuses leaves no trace: not applied, not in ``world.faults``.

Collected only where the contract runs on libp2p (see ``conftest.py``). One
backend of two hosts serves the module; each test has a world of its own.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_bzzz import NetworkError, ScheduledActionError, World
from pytest_bzzz._backends.libp2p import Libp2pBackend, UnsupportedOnLibp2p


def snapshot(world: World) -> tuple[object, ...]:
    """Everything a refused fault must leave as it was."""
    peers = world.peers
    return (
        [(peer.id, peer.name) for peer in peers],
        [world.status(peer) for peer in peers],
        [[world.can_reach(a, b) for b in peers] for a in peers],
        world.faults,
    )


REFUSED: dict[str, tuple[Callable[[World], object], str]] = {
    "partition": (lambda world: world.partition(["local"], ["peer-1"]), "a partition cannot"),
    "cut": (lambda world: world.cut("local", "peer-1"), "a cut link .* cannot"),
    "isolate": (lambda world: world.isolate("peer-1"), r"world\.isolate, which cuts every link"),
    "pause": (lambda world: world.pause("peer-1"), "pausing peer-1"),
    "link": (lambda world: world.link("local", "peer-1", latency=0.1), r"world\.link"),
    "add_peer": (lambda world: world.add_peer(), "adding a peer would make 3"),
}


@pytest.mark.parametrize("fault", REFUSED)
def test_a_refused_fault_is_not_applied_nor_listed(two_hosts: Libp2pBackend, fault: str) -> None:
    with World(peers=2) as world:
        dht = two_hosts.dht(world)
        world.kill("peer-1")
        world.revive("peer-1")
        before = snapshot(world)
        make, says = REFUSED[fault]

        with pytest.raises(UnsupportedOnLibp2p, match=says):
            make(world)

        assert snapshot(world) == before
        assert [event.action for event in world.faults] == ["kill", "revive"]
        dht.put_value("k", b"v")  # the hosts are as they were, too
        assert dht.on("peer-1").get_value("k") == b"v"


def test_a_peer_beyond_the_hosts_is_not_added(two_hosts: Libp2pBackend) -> None:
    with World(peers=2) as world:
        two_hosts.dht(world)

        with pytest.raises(UnsupportedOnLibp2p, match=r"--bzzz-libp2p-hosts=3"):
            world.add_peer("third")

        assert [peer.name for peer in world.peers] == ["local", "peer-1"]
        with pytest.raises(ValueError, match="no peer named 'third'"):
            world.peer("third")
        world.reset()  # a reset world starts from its first peers
        assert [peer.name for peer in world.peers] == ["local", "peer-1"]


def test_a_killed_peer_that_is_paused_stays_killed(two_hosts: Libp2pBackend) -> None:
    with World(peers=2) as world:
        dht = two_hosts.dht(world)
        world.kill("peer-1")

        with pytest.raises(UnsupportedOnLibp2p, match="pausing peer-1"):
            world.pause("peer-1")

        assert world.status("peer-1") == "killed"
        assert two_hosts.network.stopped(1)
        with pytest.raises(NetworkError, match="killed"):
            dht.on("peer-1").put_value("k", b"v")
        assert [event.action for event in world.faults] == ["kill"]


def test_a_scheduled_fault_that_is_refused_is_not_applied(two_hosts: Libp2pBackend) -> None:
    with World(peers=2) as world:
        dht = two_hosts.dht(world)
        world.at(5, "pause", "peer-1")

        world.clock.advance(10)

        assert world.status("peer-1") == "live"
        assert world.faults == []
        with pytest.raises(ScheduledActionError, match="pausing peer-1: a real libp2p host"):
            dht.put_value("k", b"v")  # the next operation raises what the action raised
