"""MockBZZZ without pytest's help: store, retrieve, history, search, delete, discovery."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_bzzz import (
    MockBZZZ,
    MockDHT,
    NetworkConditions,
    NetworkError,
    NetworkTimeout,
    NotFoundError,
    TemporalRangeError,
    UCXLAddress,
    UCXLParseError,
    World,
)

API = "ucxl://gpt4:architect@bzzz:v2/decisions/api.json"


@pytest.fixture
def bzzz() -> MockBZZZ:
    with MockBZZZ(seed=3, conditions=NetworkConditions(latency=1.0)) as bzzz:
        return bzzz


def test_store_assigns_versions_and_timestamps_after_latency(bzzz: MockBZZZ) -> None:
    first = bzzz.store(API, {"choice": "rest"})
    second = bzzz.store(UCXLAddress.parse(API), {"choice": "grpc"}, metadata={"by": "gpt4"})
    assert (first.version, second.version) == (1, 2)
    assert first.timestamp == datetime(2025, 1, 1, 0, 0, 1, tzinfo=UTC)
    assert second.timestamp == datetime(2025, 1, 1, 0, 0, 2, tzinfo=UTC)
    assert str(second.address) == "ucxl://gpt4:architect@bzzz:v2/*~2/decisions/api.json"
    assert second.metadata == {"by": "gpt4"}
    assert second.author == "gpt4"


def test_content_types(bzzz: MockBZZZ) -> None:
    assert bzzz.store(API, b"\x00").content_type == "application/octet-stream"
    assert bzzz.store(API, "text").content_type == "text/plain"
    assert bzzz.store(API, [1, 2]).content_type == "application/json"
    assert bzzz.store(API, "# t", content_type="text/markdown").content_type == "text/markdown"


@pytest.mark.parametrize(
    ("selector", "expected"),
    [("", 3), ("*^/", 3), ("#/", 3), ("*~/", 1), ("*~2/", 2), ("~~1/", 2), ("^^2/", 3)],
)
def test_retrieve_resolves_the_temporal_selector(
    bzzz: MockBZZZ, selector: str, expected: int
) -> None:
    for index in range(3):
        bzzz.store(API, index)
    address = f"ucxl://gpt4:architect@bzzz:v2/{selector}decisions/api.json"
    assert bzzz.retrieve(address).json() == expected - 1


def test_retrieve_at_an_instant(bzzz: MockBZZZ) -> None:
    for index in range(3):  # stored at 00:00:01, 00:00:02, 00:00:03
        bzzz.store(API, index)
    at = "ucxl://gpt4:architect@bzzz:v2/*@2025-01-01T00:00:02.5Z/decisions/api.json"
    assert bzzz.retrieve(at).version == 2
    before = "ucxl://gpt4:architect@bzzz:v2/*@2024-12-31T00:00:00Z/decisions/api.json"
    with pytest.raises(TemporalRangeError, match="before the first version"):
        bzzz.retrieve(before)


def test_out_of_range_and_unknown_addresses(bzzz: MockBZZZ) -> None:
    bzzz.store(API, "only")
    with pytest.raises(TemporalRangeError, match="version 2"):
        bzzz.retrieve("ucxl://gpt4:architect@bzzz:v2/*~2/decisions/api.json")
    with pytest.raises(NotFoundError, match="nothing was ever stored"):
        bzzz.retrieve("ucxl://gpt4:architect@bzzz:v2/other.json")
    with pytest.raises(NotFoundError):
        bzzz.history("ucxl://gpt4:architect@bzzz:v2/other.json")
    assert [call.outcome for call in bzzz.calls()] == ["ok", "not_found", "not_found", "not_found"]


def test_history_is_every_version_oldest_first(bzzz: MockBZZZ) -> None:
    for index in range(4):
        bzzz.store(API, index)
    history = bzzz.history(API)
    assert [envelope.version for envelope in history] == [1, 2, 3, 4]
    assert [envelope.json() for envelope in history] == [0, 1, 2, 3]
    assert bzzz.history("ucxl://gpt4:architect@bzzz:v2/*~1/decisions/api.json") == history


def test_delete_adds_a_tombstone_and_keeps_the_history(bzzz: MockBZZZ) -> None:
    bzzz.store(API, "v1")
    tombstone = bzzz.delete(API)
    assert tombstone.deleted
    assert tombstone.version == 2
    with pytest.raises(NotFoundError, match="was deleted"):
        bzzz.retrieve(API)
    assert bzzz.retrieve("ucxl://gpt4:architect@bzzz:v2/*~1/decisions/api.json").text() == "v1"
    assert [envelope.deleted for envelope in bzzz.history(API)] == [False, True]
    assert bzzz.search("ucxl://any:any@any:any/**") == []
    with pytest.raises(NotFoundError, match="already deleted"):
        bzzz.delete(API)
    with pytest.raises(NotFoundError, match="nothing was ever stored"):
        bzzz.delete("ucxl://a:b@c:d/never")
    assert bzzz.store(API, "v3").version == 3
    assert bzzz.retrieve(API).text() == "v3"


def test_search_orders_by_address_and_selects_versions(bzzz: MockBZZZ) -> None:
    addresses = [
        "ucxl://gpt4:architect@bzzz:v2/decisions/b.json",
        "ucxl://claude:reviewer@bzzz:v2/reviews/a.md",
        "ucxl://gpt4:architect@chorus:v1/decisions/a.json",
        "ucxl://gpt4:architect@bzzz:v2/decisions/a.json",
    ]
    for address in addresses:
        bzzz.store(address, "one")
    bzzz.store(addresses[0], "two")
    found = bzzz.search("ucxl://any:any@bzzz:any/**")
    assert [str(e.base_address) for e in found] == sorted(addresses[:2] + addresses[3:])
    assert [e.text() for e in found] == ["one", "one", "two"]
    first_versions = bzzz.search("ucxl://any:any@bzzz:any/*~1/**")
    assert [e.text() for e in first_versions] == ["one", "one", "one"]
    only_second = bzzz.search("ucxl://any:any@any:any/*~2/**")  # out of range elsewhere: skipped
    assert [str(e.base_address) for e in only_second] == [addresses[0]]
    assert [e.text() for e in bzzz.search("ucxl://gpt4:any@any:any/decisions/*.json")] == [
        "one",
        "two",
        "one",
    ]
    assert len(bzzz.search("ucxl://any:any@any:any/**", limit=2)) == 2
    assert bzzz.search(addresses[1])[0].text() == "one"  # a concrete address is a pattern too
    assert bzzz.search("ucxl://nobody:any@any:any/**") == []


def test_search_indexes_agree_with_a_linear_scan() -> None:
    with MockBZZZ(seed=1) as bzzz:
        stored = []
        for index in range(300):
            address = (
                f"ucxl://agent{index % 7}:role{index % 3}@proj{index % 5}:task{index % 11}"
                f"/dir{index % 4}/file{index}.md"
            )
            bzzz.store(address, index)
            stored.append(UCXLAddress.parse(address))
        for pattern_text in [
            "ucxl://agent3:any@any:any/**",
            "ucxl://any:role1@proj2:any/**",
            "ucxl://any:any@any:task7/dir1/*.md",
            "ucxl://agent1:role1@proj1:any/**/file1*.md",
            "ucxl://any:any@any:any/dir2/**",
        ]:
            pattern = UCXLAddress.parse(pattern_text)
            expected = sorted(a for a in stored if pattern.matches(a))
            assert [e.base_address for e in bzzz.search(pattern)] == expected


def test_announce_and_discover_share_the_dhts_provider_records() -> None:
    with World(seed=2) as world:
        serving = MockBZZZ(world, peer=world.add_peer("gpu-box"))
        browser = MockBZZZ(world)
        model = "ucxl://gpt4:server@models:llm/gpt-4o"
        serving.announce(model, {"model": "gpt-4o", "context": 128000})
        browser.announce("ucxl://local:server@models:llm/llama3", ["llama3", 8])
        found = browser.discover("ucxl://any:any@models:llm/**")
        assert [(str(a.address), a.peer) for a in found] == [
            (model, serving.peer.id),
            ("ucxl://local:server@models:llm/llama3", browser.peer.id),
        ]
        assert found[0].capability["context"] == 128000
        assert MockDHT(world).find_providers(model) == [serving.peer.id]
        assert browser.discover("ucxl://any:any@other:any/**") == []
        with pytest.raises(TypeError, match="capability holds a value of type set"):
            browser.announce(model, {1})


def test_peers_and_network_status_are_local_reads() -> None:
    conditions = NetworkConditions(latency=5, failure_rate=1.0)
    with MockBZZZ(seed=1, conditions=conditions) as bzzz:
        assert bzzz.peers() == []
        status = bzzz.network_status()
        assert (status.peer_count, status.connected) == (0, True)  # alone, but on the network
        other = bzzz.world.add_peer()
        assert bzzz.peers() == [other]
        status = bzzz.network_status()
        assert (status.peer_count, status.connected, status.local_peer) == (1, True, bzzz.peer)
        assert status.conditions == conditions
        assert status.time == datetime(2025, 1, 1, tzinfo=UTC)
        assert bzzz.stats.total == 0
        assert bzzz.world.clock.now() == 0


def test_each_view_sees_the_peers_it_reaches() -> None:
    with World(seed=3, peers=4) as world:
        here, there = MockBZZZ(world), MockBZZZ(world, peer="peer-3")
        assert [p.name for p in here.peers()] == ["peer-1", "peer-2", "peer-3"]
        world.partition(["local", "peer-1"], ["peer-2", "peer-3"])
        world.pause("peer-1")
        assert [p.name for p in here.peers()] == []
        assert (here.network_status().peer_count, here.network_status().connected) == (0, False)
        assert [p.name for p in there.peers()] == ["peer-2"]
        assert there.network_status().connected
        world.cut("peer-3", "peer-2", both_ways=False)
        assert there.peers() == []
        world.heal()
        world.revive("peer-1")
        world.kill("peer-3")
        assert [p.name for p in here.peers()] == ["peer-1", "peer-2"]
        status = there.network_status()
        assert (status.peer_count, status.connected) == (0, False)  # killed: on no network


def test_failed_operations_store_nothing() -> None:
    with MockBZZZ(seed=1, conditions=NetworkConditions(failure_rate=1.0)) as bzzz:
        with pytest.raises(NetworkError):
            bzzz.store(API, "x")
        with pytest.raises(NetworkError):
            bzzz.announce(API, "x")
        assert len(bzzz.world.content) == 0
        assert bzzz.world.storage.providers(API) == []
        assert bzzz.calls("store", outcome="failed")[0].key == API


def test_timeouts_store_nothing() -> None:
    with MockBZZZ(seed=1, conditions=NetworkConditions(latency=1)) as bzzz:
        with pytest.raises(NetworkTimeout):
            bzzz.store(API, "x", timeout=0.5)
        assert len(bzzz.world.content) == 0


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda b: b.store("ucxl://any:a@b:c/x", "v"), ValueError, "is a pattern"),
        (
            lambda b: b.store("ucxl://a:a@b:c/*^/x", "v"),
            ValueError,
            r"store address 'ucxl://a:a@b:c/\*\^/x' has a temporal segment \(\*\^\); versions "
            "are numbered by the store as it stores them: give it without one",
        ),
        (lambda b: b.store("nope", "v"), UCXLParseError, "starts with 'ucxl://'"),
        (lambda b: b.store(3, "v"), TypeError, "must be a UCXLAddress or a str, got int"),
        (lambda b: b.store(API, {1, 2}), TypeError, "not JSON-serialisable"),
        (lambda b: b.store(API, "v", metadata=["x"]), TypeError, "metadata must be a mapping"),
        (lambda b: b.store(API, "v", metadata={"x": object()}), TypeError, "metadata"),
        (lambda b: b.store(API, "v", content_type=3), TypeError, "content_type"),
        (lambda b: b.retrieve("ucxl://any:a@b:c/x"), ValueError, "is a pattern"),
        (lambda b: b.search("ucxl://any:a@b:c/x", limit=0), ValueError, "limit must be"),
        (lambda b: b.search("ucxl://any:a@b:c/x", limit=True), ValueError, "limit must be"),
        (
            lambda b: b.delete("ucxl://a:a@b:c/*~1/x"),
            ValueError,
            "address to delete .* has a temporal segment .*; a delete adds a tombstone after "
            "the latest version, whatever is asked: give it without one",
        ),
        (
            lambda b: b.announce("ucxl://a:a@b:c/*^/x", 1),
            ValueError,
            "announced address .* a capability is announced for an address, not for one of "
            "its versions: give it without one",
        ),
        (lambda b: b.announce("ucxl://a:*@b:c/x", 1), ValueError, "is a pattern"),
        (
            lambda b: b.discover("ucxl://a:*@b:c/*^/x"),
            ValueError,
            "discovery pattern .* discovery matches announced addresses, which have no "
            "versions: give it without one",
        ),
    ],
)
def test_bad_arguments_fail_before_the_network(call: object, error: type, message: str) -> None:
    with MockBZZZ(seed=1, conditions=NetworkConditions(latency=1)) as bzzz:
        with pytest.raises(error, match=message):
            call(bzzz)  # type: ignore[operator]
        assert bzzz.stats.total == 0
        assert bzzz.world.clock.now() == 0
        assert len(bzzz.world.content) == 0


def test_async_twins() -> None:
    async def main() -> None:
        with MockBZZZ(seed=1, conditions=NetworkConditions(latency=0.5)) as bzzz:
            stored = await bzzz.astore(API, "one")
            assert (await bzzz.aretrieve(API)) == stored
            assert await bzzz.ahistory(API) == [stored]
            assert await bzzz.asearch("ucxl://any:any@any:any/**") == [stored]
            await bzzz.aannounce(API, "cap")
            assert (await bzzz.adiscover("ucxl://any:any@any:any/**"))[0].capability == "cap"
            assert (await bzzz.adelete(API)).deleted
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(bzzz.aretrieve(API), timeout=0.1)
            assert bzzz.world.clock.now() == pytest.approx(3.6)
            ops = [call.op for call in bzzz.calls()]
            assert ops == ["store", "retrieve", "history", "search", "announce", "discover",
                           "delete", "retrieve"]  # fmt: skip

    asyncio.run(main())


def test_shares_the_world_with_mock_dht() -> None:
    with World(seed=1) as world:
        bzzz, dht = MockBZZZ(world), MockDHT(world)
        dht.set_network_latency(0.25)
        assert bzzz.store(API, "x").timestamp == datetime(2025, 1, 1, 0, 0, 0, 250000, tzinfo=UTC)
        assert [call.op for call in dht.calls()] == ["store"]
        bzzz.reset()
        assert len(world.content) == 0
        assert world.conditions == NetworkConditions()
        with pytest.raises(TypeError, match="world must be a World"):
            MockBZZZ(object())  # type: ignore[arg-type]
        assert repr(bzzz) == "<MockBZZZ on <World seed=1 virtual clock at 0s>, 0 addresses>"
        with MockBZZZ(world) as shared:
            shared.store(API, "y")
        assert MockBZZZ(world).retrieve(API).text() == "y"  # a shared world stays open
        assert bzzz.calls(key=API)[0].op == "store"


def test_an_out_of_range_version_is_recorded_as_not_found() -> None:
    with MockBZZZ(seed=1, conditions=NetworkConditions(latency=1)) as bzzz:
        bzzz.store(API, "only")
        with pytest.raises(TemporalRangeError):
            bzzz.retrieve("ucxl://gpt4:architect@bzzz:v2/*~5/decisions/api.json")
        assert [call.outcome for call in bzzz.calls()] == ["ok", "not_found"]
        assert bzzz.stats.simulated_seconds == 2


def test_calls_checks_operation_names() -> None:
    with MockBZZZ(seed=1) as bzzz:
        with pytest.raises(ValueError, match="'store' covers its async twin 'astore'"):
            bzzz.calls("astore")
        with pytest.raises(ValueError, match="unknown operation 'stor'"):
            bzzz.calls("stor")


def test_a_stored_address_keeps_room_for_its_version() -> None:
    longest = "ucxl://a:b@c:d/" + "x" * (4096 - 22 - len("ucxl://a:b@c:d/"))
    with MockBZZZ(seed=1) as bzzz:
        assert len(str(bzzz.store(longest, "v").address)) == len(longest) + 4
        with pytest.raises(ValueError, match="needs room for its version"):
            bzzz.store(longest + "y", "v")
        assert bzzz.stats.total == 1


_INTERLEAVED = [f"ucxl://agent{i % 3}:role{i % 2}@proj{i % 4}:task/d/f{i}.md" for i in range(12)]
_PATTERNS = [
    "ucxl://any:any@any:any/**",
    "ucxl://agent1:any@any:any/**",
    "ucxl://any:role0@proj2:any/**",
    "ucxl://any:any@proj3:any/d/*.md",
    "ucxl://agent2:role1@any:any/**",
]


@settings(derandomize=True, max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["store", "store", "delete", "search"]),
            st.integers(0, len(_INTERLEAVED) - 1),
        ),
        max_size=60,
    )
)
def test_search_agrees_with_a_model_as_stores_deletes_and_searches_interleave(
    steps: list[tuple[str, int]],
) -> None:
    """The indexes sorted lazily, and the count of deleted addresses, never go stale."""
    model: dict[str, tuple[int, bool]] = {}  # address -> (latest version, deleted)
    with MockBZZZ(seed=1) as bzzz:
        for action, index in [*steps, ("search", 0)]:
            address = _INTERLEAVED[index]
            version, deleted = model.get(address, (0, True))
            if action == "store":
                bzzz.store(address, index)
                model[address] = (version + 1, False)
            elif action == "delete" and not deleted:
                bzzz.delete(address)
                model[address] = (version + 1, True)
            elif action == "search":
                for text in _PATTERNS:  # every pattern, each of its own index list
                    pattern = UCXLAddress.parse(text)
                    expected = sorted(
                        UCXLAddress.parse(stored)
                        for stored, (_, gone) in model.items()
                        if not gone and pattern.matches(UCXLAddress.parse(stored))
                    )
                    found = bzzz.search(pattern)
                    assert [envelope.base_address for envelope in found] == expected
                    assert [envelope.version for envelope in found] == [
                        model[str(address)][0] for address in expected
                    ]
                    limited = bzzz.search(pattern, limit=2)
                    assert [envelope.base_address for envelope in limited] == expected[:2]
