"""The connector's announcements: who announces an address, who discovers it, and in what order.

``announce`` and ``discover`` rest on the DHT's provider records: on the
libp2p backend they run on the real hosts, while the connector's content
(``store``, ``retrieve``, ...) stays the simulation's on both backends.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from pytest_bzzz import (
    DHT,
    Announcement,
    Connector,
    NetworkConditions,
    NetworkError,
    NetworkTimeout,
    UCXLAddress,
    World,
)

pytestmark = pytest.mark.bzzz(peers=3)

PLAN = "ucxl://gpt4:architect@bzzz:v2/plan.md"
NOTES = "ucxl://gpt4:architect@bzzz:v2/notes.md"
REVIEW = "ucxl://claude:reviewer@bzzz:v2/review.md"
ARCHITECTS = "ucxl://any:architect@bzzz:v2/**"
EVERYTHING = "ucxl://any:any@bzzz:any/**"


def eventually(
    discover: Callable[[], list[Announcement]], expected: int
) -> list[tuple[str, str, object]]:
    """``discover()`` until it lists ``expected`` announcements (at once on the mock; within 5 s
    on libp2p, where a provider record reaches the other peers a few milliseconds after the
    announcement returns); each as (address, peer id, capability)."""
    deadline = time.monotonic() + 5.0
    while True:
        found = discover()
        if len(found) >= expected or time.monotonic() > deadline:
            return [(str(a.address), a.peer, a.capability) for a in found]
        time.sleep(0.02)


def test_nothing_announced_is_nothing_discovered(connector: Connector) -> None:
    assert connector.discover(EVERYTHING) == []


def test_an_announcement_is_discovered_with_its_capability(
    connector: Connector, bzzz_network: World
) -> None:
    connector.announce(PLAN, {"role": "architect", "reviews_per_hour": 12})

    [found] = connector.discover(ARCHITECTS)

    assert found.address == UCXLAddress.parse(PLAN)
    assert found.peer == bzzz_network.local_peer.id
    assert found.capability == {"role": "architect", "reviews_per_hour": 12}


def test_an_announcement_is_discovered_by_the_other_peers(
    connectors: list[Connector], bzzz_network: World
) -> None:
    connectors[1].announce(PLAN, "gpu")

    for reader in (connectors[0], connectors[2]):
        assert eventually(lambda r=reader: r.discover(ARCHITECTS), 1) == [
            (PLAN, bzzz_network.peers[1].id, "gpu")
        ]


@pytest.mark.libp2p_differs(
    reason="an announcement is a provider record, which reaches the other peers by a message "
    "libp2p does not acknowledge: for a few milliseconds after announce() returns, they may "
    "not discover it"
)
def test_an_announcement_is_discovered_as_soon_as_announce_returns(
    connectors: list[Connector], bzzz_network: World, differs: bool
) -> None:
    connectors[1].announce(PLAN, "gpu")
    found = [(str(a.address), a.peer, a.capability) for a in connectors[0].discover(ARCHITECTS)]

    expected = [(PLAN, bzzz_network.peers[1].id, "gpu")]
    if differs:
        assert found in ([], expected)  # either, by the time the message arrives
        assert eventually(lambda: connectors[0].discover(ARCHITECTS), 1) == expected
    else:
        assert found == expected


def test_discovery_lists_addresses_in_order_and_peers_in_the_order_they_first_announced(
    connectors: list[Connector], bzzz_network: World
) -> None:
    ids = [peer.id for peer in bzzz_network.peers]
    connectors[2].announce(PLAN, "third")
    connectors[0].announce(PLAN, "first")
    connectors[1].announce(NOTES, "notes")
    connectors[1].announce(PLAN, "second")
    connectors[2].announce(PLAN, "third, again")  # a new offer keeps its place

    assert eventually(lambda: connectors[0].discover(ARCHITECTS), 4) == [
        (NOTES, ids[1], "notes"),
        (PLAN, ids[2], "third, again"),
        (PLAN, ids[0], "first"),
        (PLAN, ids[1], "second"),
    ]


def test_the_network_status_counts_each_peers_latest_offer_for_an_address(
    connectors: list[Connector], bzzz_network: World
) -> None:
    assert connectors[0].network_status().announcements == 0
    connectors[0].announce(PLAN, "first")
    connectors[1].announce(PLAN, "second")
    connectors[1].announce(NOTES, "notes")
    connectors[1].announce(PLAN, "second, again")  # replaces the peer's offer for the address

    assert connectors[0].network_status().announcements == 3
    bzzz_network.reset()
    assert connectors[0].network_status().announcements == 0


def test_discovery_lists_only_the_addresses_its_pattern_matches(
    connectors: list[Connector], bzzz_network: World
) -> None:
    connectors[0].announce(PLAN, "architect")
    connectors[1].announce(REVIEW, "reviewer")

    assert eventually(lambda: connectors[2].discover(ARCHITECTS), 1) == [
        (PLAN, bzzz_network.peers[0].id, "architect")
    ]
    assert connectors[2].discover("ucxl://any:tester@bzzz:any/**") == []


def test_an_announcement_is_a_provider_record_of_the_dht(
    connector: Connector, dht: DHT, bzzz_network: World
) -> None:
    connector.announce(PLAN, "architect")

    assert dht.find_providers(PLAN) == [bzzz_network.local_peer.id]


def test_a_provider_record_without_an_announcement_is_not_discovered(
    connector: Connector, dht: DHT, bzzz_network: World
) -> None:
    dht.provide(PLAN, bzzz_network.local_peer.id)

    assert connector.discover(ARCHITECTS) == []


def test_a_reset_world_forgets_its_announcements(connector: Connector, bzzz_network: World) -> None:
    connector.announce(PLAN, "architect")

    bzzz_network.reset()

    assert connector.discover(ARCHITECTS) == []


def test_the_async_twins_announce_and_discover(
    connectors: list[Connector], bzzz_network: World
) -> None:
    async def scenario() -> list[Announcement]:
        await asyncio.gather(
            connectors[0].aannounce(PLAN, "first"), connectors[1].aannounce(NOTES, "second")
        )
        return await connectors[0].adiscover(ARCHITECTS)

    found = asyncio.run(scenario())
    assert [(str(a.address), a.capability) for a in found if a.capability == "first"] == [
        (PLAN, "first")
    ]
    assert eventually(lambda: connectors[0].discover(ARCHITECTS), 2) == [
        (NOTES, bzzz_network.peers[1].id, "second"),
        (PLAN, bzzz_network.peers[0].id, "first"),
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c: c.announce(PLAN + "*^", "x"),
            "announced address .* has a temporal segment .*; a capability is announced for "
            "an address, not for one of its versions: give it without one",
        ),
        (
            lambda c: c.announce(ARCHITECTS, "x"),
            "announced address .* is a pattern .*; a concrete address is needed here",
        ),
        (
            lambda c: c.discover(ARCHITECTS.replace("/**", "/*^")),
            "discovery pattern .* has a temporal segment .*; discovery matches announced "
            "addresses, which have no versions: give it without one",
        ),
    ],
    ids=["announce-a-version", "announce-a-pattern", "discover-versions"],
)
def test_an_address_the_operation_cannot_take_is_refused_before_the_network(
    connector: Connector, bzzz_network: World, call: Callable[[Connector], object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        call(connector)

    assert bzzz_network.calls() == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.announce(PLAN, {1: "x"}), "capability keys must be str"),
        (lambda c: c.announce(PLAN, float("nan")), "capability holds nan"),
        (lambda c: c.announce(42, "x"), "announced address must be a UCXLAddress or a str"),
        (lambda c: c.discover(None), "discovery pattern must be a UCXLAddress or a str"),
    ],
    ids=["key-not-str", "not-json", "address-not-text", "pattern-not-text"],
)
def test_an_argument_of_the_wrong_type_is_refused_before_the_network(
    connector: Connector, bzzz_network: World, call: Callable[[Connector], object], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        call(connector)

    assert bzzz_network.calls() == []


def test_the_record_of_calls_lists_announce_and_discover(
    connector: Connector, bzzz_network: World
) -> None:
    connector.announce(PLAN, "architect")
    connector.discover(ARCHITECTS)

    calls = [(call.op, call.key, call.outcome) for call in bzzz_network.calls()]
    assert calls == [("announce", PLAN, "ok"), ("discover", ARCHITECTS, "ok")]
    assert [call.op for call in connector.calls(key=PLAN)] == ["announce"]  # type: ignore[attr-defined]


def test_a_failed_announcement_raises_and_is_not_discovered(
    connector: Connector, bzzz_network: World
) -> None:
    bzzz_network.conditions = NetworkConditions(failure_rate=1.0, failure_ops=["announce"])

    with pytest.raises(NetworkError, match="failure rate 1"):
        connector.announce(PLAN, "never")

    assert connector.discover(ARCHITECTS) == []
    assert [call.outcome for call in bzzz_network.calls("announce")] == ["failed"]


def test_an_announcement_slower_than_its_timeout_times_out_and_is_not_discovered(
    connector: Connector, bzzz_network: World
) -> None:
    bzzz_network.conditions = NetworkConditions(latency=0.5)

    with pytest.raises(NetworkTimeout, match="timeout"):
        connector.announce(PLAN, "late", timeout=0.05)

    bzzz_network.conditions = NetworkConditions()
    assert connector.discover(ARCHITECTS) == []
    assert [call.outcome for call in bzzz_network.calls("announce")] == ["timeout"]


def test_a_stopped_peer_announces_nothing(connectors: list[Connector], bzzz_network: World) -> None:
    bzzz_network.kill(bzzz_network.peers[2])

    with pytest.raises(NetworkError, match="killed"):
        connectors[2].announce(PLAN, "from beyond")

    assert connectors[0].discover(ARCHITECTS) == []


def test_the_content_is_stored_and_read_back_beside_the_announcements(
    connectors: list[Connector],
) -> None:
    stored = connectors[0].store(PLAN, {"protocol": "libp2p"})
    connectors[0].announce(PLAN, "architect")

    assert connectors[1].retrieve(PLAN) == stored
    assert [envelope.version for envelope in connectors[1].history(PLAN)] == [1]
    assert connectors[1].search(ARCHITECTS) == [stored]
