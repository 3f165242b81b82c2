"""Provider records: who announces a key, who finds it, and how often each is listed."""

from __future__ import annotations

import time

import pytest

from pytest_bzzz import DHT, NetworkError, World

pytestmark = pytest.mark.bzzz(peers=3)

KEY = "contract/model"


def eventually_providers(dht: DHT, key: str, expected: set[str]) -> list[str]:
    """find_providers until it lists ``expected`` (at once on the mock; within 5 s on libp2p)."""
    deadline = time.monotonic() + 5.0
    while True:
        found = dht.find_providers(key)
        if set(found) >= expected or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def test_a_key_nobody_provides_has_no_providers(dht: DHT) -> None:
    assert dht.find_providers("contract/unprovided") == []


def test_a_provider_is_found_by_the_other_peers(peers: list[DHT], bzzz_network: World) -> None:
    provider = bzzz_network.peers[0]

    peers[0].provide(KEY, provider.id)

    assert eventually_providers(peers[1], KEY, {provider.id}) == [provider.id]
    assert eventually_providers(peers[2], KEY, {provider.id}) == [provider.id]


def test_providers_from_several_peers_are_all_found(peers: list[DHT], bzzz_network: World) -> None:
    ids = {peer.id for peer in bzzz_network.peers}

    for dht, peer in zip(peers, bzzz_network.peers, strict=True):
        dht.provide(KEY, peer.id)

    assert sorted(eventually_providers(peers[0], KEY, ids)) == sorted(ids)


def test_a_provider_announced_twice_is_listed_once(peers: list[DHT], bzzz_network: World) -> None:
    provider = bzzz_network.peers[1]

    peers[1].provide(KEY, provider.id)
    peers[1].provide(KEY, provider.id)

    assert eventually_providers(peers[0], KEY, {provider.id}) == [provider.id]


def test_providers_of_different_keys_are_kept_apart(peers: list[DHT], bzzz_network: World) -> None:
    first, second = bzzz_network.peers[1], bzzz_network.peers[2]

    peers[1].provide("contract/a", first.id)
    peers[2].provide("contract/b", second.id)

    assert eventually_providers(peers[0], "contract/a", {first.id}) == [first.id]
    assert eventually_providers(peers[0], "contract/b", {second.id}) == [second.id]


@pytest.mark.parametrize("key", ["k" * 300, "DEADBEEF", "/pk/key"], ids=["long", "hex", "pk"])
def test_any_key_can_have_providers(peers: list[DHT], bzzz_network: World, key: str) -> None:
    provider = bzzz_network.peers[0]

    peers[0].provide(key, provider.id)

    assert eventually_providers(peers[1], key, {provider.id}) == [provider.id]
    assert peers[1].find_providers(key.lower() if key != key.lower() else key.upper()) == []


@pytest.mark.libp2p_differs(
    reason="a provider record reaches the other peers by a message libp2p does not "
    "acknowledge: for a few milliseconds after provide() returns, they may not list it"
)
def test_a_provider_is_listed_as_soon_as_provide_returns(
    peers: list[DHT], bzzz_network: World, differs: bool
) -> None:
    provider = bzzz_network.peers[0]

    peers[0].provide(KEY, provider.id)
    found = peers[1].find_providers(KEY)

    if differs:
        assert found in ([], [provider.id])  # either, by the time the message arrives
        assert eventually_providers(peers[1], KEY, {provider.id}) == [provider.id]
    else:
        assert found == [provider.id]


@pytest.mark.libp2p_differs(
    reason="a libp2p host announces only itself, so a provider must be a peer of the world "
    "(each acts as a host); the mock records any provider id"
)
def test_a_provider_need_not_be_a_peer(dht: DHT, differs: bool) -> None:
    if differs:
        with pytest.raises(ValueError, match="provider_id must be the id of a peer of the world"):
            dht.provide(KEY, "gpu-box-7")
    else:
        dht.provide(KEY, "gpu-box-7")
        assert dht.find_providers(KEY) == ["gpu-box-7"]


def test_a_provider_id_that_is_not_a_non_empty_str_is_refused(dht: DHT) -> None:
    with pytest.raises(ValueError, match="provider_id must not be empty"):
        dht.provide(KEY, "")
    with pytest.raises(TypeError, match="provider_id must be a str"):
        dht.provide(KEY, None)  # type: ignore[arg-type]


@pytest.mark.libp2p_differs(
    reason="a libp2p host announces only itself, and a killed peer's host is closed: provide() "
    "naming a killed peer raises NetworkError (recorded as failed), where the mock records the "
    "id as it records any"
)
def test_a_killed_peer_can_be_named_a_provider(
    peers: list[DHT], bzzz_network: World, differs: bool
) -> None:
    killed = bzzz_network.peers[2]
    bzzz_network.kill(killed)

    if differs:
        with pytest.raises(NetworkError, match=f"naming {killed.name} as the provider, which is"):
            peers[0].provide(KEY, killed.id)
        assert [(call.op, call.outcome) for call in bzzz_network.calls()] == [("provide", "failed")]
        assert peers[1].find_providers(KEY) == []
    else:
        peers[0].provide(KEY, killed.id)
        assert peers[1].find_providers(KEY) == [killed.id]


@pytest.mark.libp2p_differs(
    reason="a libp2p peer that holds provider records of a key answers find_providers from "
    "them alone: a revived peer that has announced the key lists itself, not the providers "
    "the others hold"
)
def test_a_revived_provider_finds_the_others_too(
    peers: list[DHT], bzzz_network: World, differs: bool
) -> None:
    first, revived = bzzz_network.peers[0], bzzz_network.peers[1]
    peers[0].provide(KEY, first.id)
    bzzz_network.kill(revived)
    bzzz_network.revive(revived)  # back empty

    peers[1].provide(KEY, revived.id)
    found = peers[1].find_providers(KEY)

    assert sorted(found) == sorted([revived.id] if differs else [first.id, revived.id])
