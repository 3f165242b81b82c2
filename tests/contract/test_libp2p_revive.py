"""Peers killed and revived on real hosts, several at a time.

Collected only where the contract runs on libp2p (see ``conftest.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pytest_bzzz import NotFoundError, World
from pytest_bzzz._backends.libp2p import Libp2pBackend


@pytest.fixture(scope="module")
def three_hosts() -> Iterator[Libp2pBackend]:
    backend = Libp2pBackend(hosts=3)
    try:
        yield backend
    finally:
        backend.close()


def test_a_peer_revived_while_another_is_down_joins_the_live_ones(
    three_hosts: Libp2pBackend,
) -> None:
    with World(peers=3) as world:
        dht = three_hosts.dht(world)
        world.kill("peer-1")
        world.kill("peer-2")

        world.revive("peer-1")  # a fresh host, connected to the hosts that run
        dht.on("peer-1").put_value("k", b"v")

        assert dht.get_value("k") == b"v"
        with pytest.raises(NotFoundError):
            dht.on("peer-1").get_value("other")
    # the world's end brings peer-2's host back too: the next world finds every host
    with World(peers=3) as world:
        dht = three_hosts.dht(world)
        dht.on("peer-2").put_value("k", b"w")
        assert dht.on("local").get_value("k") == b"w"
