"""MockDHT without pytest's help: the BZZZ DHT interface, its arguments and its knobs."""

from __future__ import annotations

import contextlib
import pickle
import threading

import pytest

from pytest_bzzz import (
    ErrorCode,
    MockDHT,
    NetworkConditions,
    NetworkError,
    NetworkTimeout,
    NotFoundError,
    UCXLAddress,
    UCXLError,
    World,
)


@pytest.fixture
def dht() -> MockDHT:
    with MockDHT(seed=7) as dht:
        return dht


def test_put_then_get(dht: MockDHT) -> None:
    dht.put_value("k", b"v")
    assert dht.get_value("k") == b"v"
    dht.put_value("k", b"w")
    assert dht.get_value("k") == b"w"


def test_missing_key_is_not_found(dht: MockDHT) -> None:
    with pytest.raises(NotFoundError, match="no value under 'nope'") as caught:
        dht.get_value("nope")
    assert caught.value.code == ErrorCode.NOT_FOUND
    assert isinstance(caught.value, LookupError)


def test_providers_are_distinct_and_in_first_provided_order(dht: MockDHT) -> None:
    assert dht.find_providers("model") == []
    dht.provide("model", "peer-b")
    dht.provide("model", "peer-a")
    dht.provide("model", "peer-b")
    assert dht.find_providers("model") == ["peer-b", "peer-a"]


def test_values_are_copied_in_and_cannot_be_changed_from_outside(dht: MockDHT) -> None:
    buffer = bytearray(b"abc")
    dht.put_value("buffer", buffer)
    buffer[0] = ord("X")
    view_source = bytearray(b"xyz")
    dht.put_value("view", memoryview(view_source))
    view_source[0] = ord("Q")
    assert dht.get_value("buffer") == b"abc"
    assert dht.get_value("view") == b"xyz"
    assert type(dht.get_value("buffer")) is bytes


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("text", r"value must be bytes .* got str \(encode text first"),
        (42, "value must be bytes .* got int"),
        (None, "value must be bytes .* got NoneType"),
        ([1, 2], "value must be bytes .* got list"),
    ],
)
def test_values_must_be_bytes(dht: MockDHT, value: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        dht.put_value("k", value)  # type: ignore[arg-type]
    assert dht.stats.total == 0  # bad input never reaches the network


def test_keys(dht: MockDHT) -> None:
    address = UCXLAddress.parse("ucxl://gpt4:architect@bzzz:v2/#/decisions/a.json")
    dht.put_value(address, b"decided")
    assert dht.get_value("ucxl://gpt4:architect@bzzz:v2/*^/decisions/a.json") == b"decided"
    with pytest.raises(ValueError, match="key must not be empty"):
        dht.get_value("")
    with pytest.raises(TypeError, match="key must be a non-empty str or a UCXLAddress, got int"):
        dht.get_value(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="is a pattern"):
        dht.put_value(UCXLAddress.parse("ucxl://any:any@bzzz:any/**"), b"x")
    with pytest.raises(TypeError, match="provider_id must be a str"):
        dht.provide("k", 5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="provider_id must not be empty"):
        dht.provide("k", "")
    assert dht.stats.total == 2  # the put and the get: no bad call reached the network


def test_go_style_knobs_set_conditions_for_every_operation(dht: MockDHT) -> None:
    dht.set_network_latency(0.25, jitter=0.05)
    dht.set_failure_rate(0.1)
    assert dht.world.conditions == NetworkConditions(latency=0.25, jitter=0.05, failure_rate=0.1)
    with pytest.raises(ValueError, match="between 0 and 1"):
        dht.set_failure_rate(1.5)
    with pytest.raises(TypeError, match="rate must be a number"):
        dht.set_failure_rate("0.1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite number of seconds"):
        dht.set_network_latency(-1)
    assert dht.world.conditions.failure_rate == 0.1


def test_set_failure_rate_keeps_the_operations_failures_were_limited_to() -> None:
    limited = NetworkConditions(failure_rate=0.5, failure_ops=frozenset({"get_value"}))
    with MockDHT(seed=1, conditions=limited) as dht:
        dht.set_failure_rate(0.2)
        assert dht.world.conditions.failure_ops == {"get_value"}
        assert dht.world.conditions.failure_rate == 0.2
        dht.set_failure_rate(0.3, ops=["put_value", "provide"])
        assert dht.world.conditions.failure_ops == {"put_value", "provide"}
        dht.set_failure_rate(0.4, ops=None)
        assert dht.world.conditions.failure_ops is None
        with pytest.raises(ValueError, match="unknown operation 'get'"):
            dht.set_failure_rate(0.4, ops=["get"])
        assert dht.world.conditions.failure_rate == 0.4  # the refused call changed nothing


def test_jitter_is_given_by_keyword_and_by_position_only_with_a_warning(dht: MockDHT) -> None:
    dht.set_network_latency(0.25, jitter=0.05)
    assert (dht.world.conditions.latency, dht.world.conditions.jitter) == (0.25, 0.05)
    dht.set_network_latency(0.5)
    assert dht.world.conditions.jitter == 0
    with pytest.warns(DeprecationWarning, match=r"set_network_latency\(latency, jitter=\.\.\.\)"):
        dht.set_network_latency(0.1, 0.02)
    assert dht.world.conditions.jitter == 0.02
    with pytest.raises(TypeError, match="got 3 positional arguments"):
        dht.set_network_latency(0.1, 0.02, 0.03)
    with pytest.raises(TypeError, match="got 2 positional arguments and jitter="):
        dht.set_network_latency(0.1, 0.02, jitter=0.03)


def test_a_key_is_the_text_given_and_an_address_key_its_canonical_form(dht: MockDHT) -> None:
    """As in the real DHT, keys are the text given: only a UCXLAddress is made canonical."""
    written = "ucxl://a:b@c:d/x*^"  # the suffix spelling of ucxl://a:b@c:d/*^/x
    dht.put_value(written, b"v")
    assert dht.get_value(written) == b"v"
    with pytest.raises(NotFoundError):
        dht.get_value(UCXLAddress.parse(written))
    dht.put_value(UCXLAddress.parse(written), b"w")
    assert dht.get_value("ucxl://a:b@c:d/*^/x") == b"w"


def test_sync_operations_advance_the_virtual_clock_instantly(dht: MockDHT) -> None:
    dht.set_network_latency(0.5)
    for index in range(10):
        dht.put_value(f"k{index}", b"v")
    assert dht.world.clock.now() == pytest.approx(5.0)
    assert dht.stats.simulated_seconds == pytest.approx(5.0)
    assert [call.at for call in dht.calls()] == pytest.approx([0.5 * i for i in range(10)])


def test_a_failure_wins_over_a_missing_key_and_changes_nothing() -> None:
    with MockDHT(seed=1, conditions=NetworkConditions(failure_rate=1.0)) as dht:
        with pytest.raises(NetworkError) as caught:
            dht.get_value("missing")
        assert caught.value.code == ErrorCode.SERVICE_UNAVAILABLE
        assert isinstance(caught.value, ConnectionError)
        assert (caught.value.op, caught.value.key) == ("get_value", "missing")
        with pytest.raises(NetworkError, match=r"put_value\('k'\) failed"):
            dht.put_value("k", b"v")
        with pytest.raises(NetworkError):
            dht.provide("k", "peer")
        assert len(dht.world.storage) == 0
        assert dht.world.storage.providers("k") == []
        assert [call.outcome for call in dht.calls()] == ["failed"] * 3


def test_timeout_spends_the_timeout_and_changes_nothing() -> None:
    with MockDHT(seed=1, conditions=NetworkConditions(latency=0.5)) as dht:
        with pytest.raises(NetworkTimeout) as caught:
            dht.put_value("k", b"v", timeout=0.2)
        error = caught.value
        assert error.code == ErrorCode.TIMEOUT
        assert isinstance(error, TimeoutError)
        assert (error.latency, error.timeout) == (0.5, 0.2)
        assert dht.world.clock.now() == pytest.approx(0.2)
        assert "k" not in dht.world.storage
        dht.put_value("k", b"v", timeout=0.5)  # equal to the latency: not exceeded
        assert dht.get_value("k") == b"v"
        assert dht.stats.timeouts == 1
        with pytest.raises(ValueError, match="timeout must be a finite number of seconds"):
            dht.get_value("k", timeout=-1)


def test_configured_timeout_applies_unless_the_call_gives_one() -> None:
    conditions = NetworkConditions(latency=1.0, timeout=0.5)
    with MockDHT(seed=1, conditions=conditions) as dht:
        with pytest.raises(NetworkTimeout):
            dht.get_value("k")
        with pytest.raises(NotFoundError):
            dht.get_value("k", timeout=2)


def test_failure_rate_limited_to_some_operations() -> None:
    conditions = NetworkConditions(failure_rate=1.0, failure_ops=frozenset({"get_value"}))
    with MockDHT(seed=3, conditions=conditions) as dht:
        dht.put_value("k", b"v")
        dht.provide("k", "p")
        assert dht.find_providers("k") == ["p"]
        with pytest.raises(NetworkError):
            dht.get_value("k")


def test_same_seed_same_outcomes() -> None:
    def run(seed: int) -> list[tuple[str, float]]:
        conditions = NetworkConditions(latency=0.1, jitter=0.05, failure_rate=0.3)
        with MockDHT(seed=seed, conditions=conditions) as dht:
            for index in range(50):
                with contextlib.suppress(NetworkError):
                    dht.put_value(f"k{index}", b"v")
            return [(call.outcome, call.latency) for call in dht.calls()]

    assert run(11) == run(11)
    assert run(11) != run(12)


def test_calls_can_be_queried(dht: MockDHT) -> None:
    dht.put_value("a", b"1")
    dht.put_value("b", b"2")
    with pytest.raises(NotFoundError):
        dht.get_value("c")
    dht.get_value("a")
    assert [call.key for call in dht.calls("put_value")] == ["a", "b"]
    assert [call.op for call in dht.calls(key="a")] == ["put_value", "get_value"]
    assert [call.key for call in dht.calls(outcome="not_found")] == ["c"]
    assert dht.calls("get_value", key="a", outcome="ok")[0].peer == dht.peer.id
    with pytest.raises(ValueError, match="unknown outcome 'boom'"):
        dht.calls(outcome="boom")  # type: ignore[arg-type]
    stats = dht.stats
    assert (stats["put_value"], stats["get_value"], stats["provide"]) == (2, 2, 0)
    assert (stats.total, stats.not_found) == (4, 1)


def test_call_record_is_bounded_but_stats_count_everything() -> None:
    with MockDHT(seed=1, record_calls=3) as dht:
        for index in range(10):
            dht.put_value(f"k{index}", b"v")
        assert [call.key for call in dht.calls()] == ["k7", "k8", "k9"]
        assert dht.stats.total == 10
    with MockDHT(seed=1, record_calls=0) as dht:
        dht.put_value("k", b"v")
        with pytest.raises(RuntimeError, match=r"the record of calls is off .*record_calls=N"):
            dht.calls()
        assert dht.stats.total == 1
    with pytest.raises(ValueError, match="call record limit"):
        MockDHT(record_calls=-1)
    with pytest.raises(TypeError, match="call record limit must be an int, 0 or more, got str"):
        MockDHT(record_calls="5")  # type: ignore[arg-type]


def test_reset_restores_the_start() -> None:
    conditions = NetworkConditions(latency=0.1, jitter=0.1, failure_rate=0.2)
    with MockDHT(seed=5, conditions=conditions) as dht:

        def outcomes() -> list[tuple[str, float]]:
            for index in range(20):
                with contextlib.suppress(NetworkError):
                    dht.put_value(f"k{index}", b"v")
            return [(call.outcome, call.latency) for call in dht.calls()]

        first = outcomes()
        dht.set_failure_rate(0)
        dht.provide("k", "p")
        local = dht.peer
        dht.world.add_peer()
        dht.reset()
        assert len(dht.world.storage) == 0
        assert dht.find_providers("k") == []
        assert dht.world.conditions == conditions
        assert dht.world.peers == [local]
        dht.reset()
        assert dht.world.clock.now() == 0
        assert dht.stats.total == 0
        assert outcomes() == first


def test_shared_world_shares_data_and_clock() -> None:
    with World(seed=1) as world:
        first, second = MockDHT(world), MockDHT(world, peer=world.add_peer("other"))
        first.put_value("k", b"v")
        assert second.get_value("k") == b"v"
        assert second.calls()[-1].peer == second.peer.id != first.peer.id
        with pytest.raises(TypeError, match="world must be a World"):
            MockDHT("world")  # type: ignore[arg-type]


def test_storage_arranges_data_without_the_network() -> None:
    with World(seed=1) as world:
        world.storage.put("k", b"v")
        world.storage.provide("k", "p")
        dht = MockDHT(world)
        assert dht.get_value("k") == b"v"
        assert dht.find_providers("k") == ["p"]
        assert world.storage.get("k") == b"v"
        assert "k" in world.storage
        assert list(world.storage) == ["k"]
        with pytest.raises(NotFoundError):
            world.storage.get("other")
        assert dht.stats.total == 2


def test_many_threads_lose_no_write() -> None:
    conditions = NetworkConditions(latency=0.01, jitter=0.01, failure_rate=0.2)
    with MockDHT(seed=9, conditions=conditions) as dht:
        written: list[str] = []
        unexpected: list[BaseException] = []
        lock = threading.Lock()

        def work(thread: int) -> None:
            for index in range(200):
                key = f"t{thread}-{index}"
                try:
                    dht.put_value(key, key.encode())
                    with lock:
                        written.append(key)
                    dht.provide("shared", f"peer-{thread}")
                    dht.get_value(key)
                    dht.find_providers("shared")
                except (NetworkError, NotFoundError):
                    pass
                except BaseException as error:
                    unexpected.append(error)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert unexpected == []
        for key in written:
            assert dht.world.storage.get(key) == key.encode()
        # Every call is counted and recorded exactly once (the record holds them all).
        assert len(dht.calls()) == dht.stats.total
        assert dht.stats.failures == len(dht.calls(outcome="failed")) > 0
        assert len(dht.calls("put_value", outcome="ok")) == len(written)


@pytest.mark.parametrize(
    "error",
    [
        NetworkError("x", op="get_value", key="k"),
        NetworkTimeout("x", op="get_value", key="k", latency=0.5, timeout=0.1),
    ],
)
def test_network_errors_pickle(error: UCXLError) -> None:
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is type(error)
    assert vars(restored) == vars(error)


def test_worlds_do_not_pickle() -> None:
    with World(seed=1) as world, pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(world)


def test_world_validates_its_arguments() -> None:
    with pytest.raises(ValueError, match="seed must be an int"):
        World(seed=-1)
    with pytest.raises(ValueError, match="seed must be an int"):
        World(seed=2**32)
    with pytest.raises(TypeError, match=r"^seed must be an int from 0 to 4294967295, got str '1'$"):
        World(seed="1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^start must be a timezone-aware datetime, got str$"):
        World(start="2025-01-01")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="conditions must be a NetworkConditions"):
        World(conditions={"latency": 1})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="clock must be 'virtual' or 'real'"):
        World(clock="fast")  # type: ignore[arg-type]
    with World(seed=1) as world:
        with pytest.raises(TypeError, match="conditions must be a NetworkConditions"):
            world.conditions = 3  # type: ignore[assignment]
        with pytest.raises(ValueError, match="already exists"):
            world.add_peer("local")
        assert world.add_peer().name == "peer-1"
        assert repr(world).startswith("<World seed=1 virtual clock")
        assert "seed: 1" in world.describe()


def test_peers_are_named_and_derived_from_the_seed() -> None:
    with World(seed=4) as first, World(seed=4) as again, World(seed=5) as other:
        assert first.local_peer == again.local_peer != other.local_peer
        assert first.local_peer.id.startswith("12D3KooW")
        assert len(first.local_peer.id) == 52
        assert str(first.local_peer) == f"local ({first.local_peer.id})"
        named = first.add_peer("indexer")
        assert first.peers == [first.local_peer, named]
        with pytest.raises(ValueError, match=r"^a peer name must not be empty$"):
            first.add_peer("")
        with pytest.raises(TypeError, match=r"^a peer name must be a str, got int 3$"):
            first.add_peer(3)  # type: ignore[arg-type]


def test_fresh_seeds_differ_and_fit_the_range() -> None:
    from pytest_bzzz._kernel.seeds import SEED_LIMIT, derive_seed, fresh_seed

    seeds = {fresh_seed() for _ in range(20)}
    assert len(seeds) > 1
    assert all(0 <= seed < SEED_LIMIT for seed in seeds)
    assert derive_seed(1, "tests/test_a.py::test_x") == derive_seed(1, "tests/test_a.py::test_x")
    assert derive_seed(1, "tests/test_a.py::test_x") != derive_seed(2, "tests/test_a.py::test_x")
    assert World().seed in range(SEED_LIMIT)


def test_a_mock_on_a_shared_world_leaves_it_open() -> None:
    with World(seed=1) as world:
        with MockDHT(world) as dht:
            dht.put_value("k", b"v")
        assert repr(dht) == "<MockDHT on <World seed=1 virtual clock at 0s>, 1 values>"
        assert MockDHT(world).get_value("k") == b"v"


def test_automatic_peer_names_skip_names_in_use() -> None:
    with World(seed=1) as world:
        world.add_peer("peer-2")
        assert world.add_peer().name == "peer-1"  # the smallest free number
        assert world.add_peer().name == "peer-3"  # peer-2 is taken
