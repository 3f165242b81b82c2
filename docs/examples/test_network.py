"""Tests of code that talks to the BZZZ DHT, written the way a user of pytest-bzzz writes them.

The functions at the top stand for your own code: they take the DHT they talk
to as an argument, so that a test can hand them the ``mock_dht`` fixture. The
tests set the network conditions with markers and assert on what the code
did through the record of calls and the counters.

Run them with ``python -m pytest docs/examples``; they need only pytest-bzzz.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_bzzz import (
    ErrorCode,
    MockDHT,
    NetworkError,
    NetworkTimeout,
    NotFoundError,
    SyncDHT,
    UCXLAddress,
    World,
)

# Tests that count simulated time, arrange data in the world's storage or use more
# peers than a real network's hosts need the simulation: on a run that chooses the
# libp2p backend (--bzzz-backend=libp2p), they still run on the simulated network.
needs_simulation = pytest.mark.bzzz(backend="memory")


# -- The code under test ------------------------------------------------------
# In a real project this lives in your package; it is inlined here so that the
# example suite is self-contained.

# Each function is typed against pytest_bzzz.SyncDHT, the DHT's Protocol: it
# accepts the mock in tests and your real client elsewhere.


def publish_context(dht: SyncDHT, address: str, payload: dict[str, Any], *, provider: str) -> str:
    """Store ``payload`` as JSON under ``address``, announce ``provider``; return the key."""
    key = UCXLAddress.parse(address)  # the DHT stores an address under its canonical form
    dht.put_value(key, json.dumps(payload, sort_keys=True).encode())
    dht.provide(key, provider)
    return str(key)


def read_context(dht: SyncDHT, address: str, *, attempts: int = 3) -> dict[str, Any] | None:
    """The JSON under ``address``, or None if nothing is there.

    A network failure is retried up to ``attempts`` times in all, then raised.
    """
    key = UCXLAddress.parse(address)
    for attempt in range(1, attempts + 1):
        try:
            return json.loads(dht.get_value(key))
        except NotFoundError:
            return None
        except NetworkError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def read_within(dht: SyncDHT, key: str, seconds: float) -> bytes | None:
    """The value under ``key``, or None if the network takes longer than ``seconds``."""
    try:
        return dht.get_value(key, timeout=seconds)
    except NetworkTimeout:
        return None


def context_providers(dht: SyncDHT, address: str) -> list[str]:
    """The peers that announced they serve ``address``."""
    return dht.find_providers(UCXLAddress.parse(address))


# -- The tests ----------------------------------------------------------------

# Written with the temporal selector at the end of the path; stored canonically.
ADDRESS = "ucxl://gpt4:architect@bzzz:v2/decisions/api.json*^"
KEY = "ucxl://gpt4:architect@bzzz:v2/*^/decisions/api.json"


def test_published_context_reads_back(mock_dht: MockDHT) -> None:
    me = mock_dht.peer.id

    assert publish_context(mock_dht, ADDRESS, {"choice": "grpc"}, provider=me) == KEY
    assert read_context(mock_dht, ADDRESS) == {"choice": "grpc"}
    assert context_providers(mock_dht, ADDRESS) == [me]

    calls = mock_dht.calls()
    assert [call.op for call in calls] == ["put_value", "provide", "get_value", "find_providers"]
    assert {call.key for call in calls} == {KEY}
    assert {call.outcome for call in calls} == {"ok"}


def test_context_never_published_is_none(mock_dht: MockDHT) -> None:
    assert read_context(mock_dht, ADDRESS) is None
    assert [call.outcome for call in mock_dht.calls("get_value")] == ["not_found"]
    assert mock_dht.stats.not_found == 1


@needs_simulation
def test_data_arranged_in_storage_costs_no_call(mock_dht: MockDHT, bzzz_network: World) -> None:
    bzzz_network.storage.put(KEY, b'{"choice": "rest"}')  # no network, not recorded

    assert read_context(mock_dht, ADDRESS) == {"choice": "rest"}
    assert mock_dht.stats.total == 1  # only the read


@needs_simulation
def test_another_peer_provides_the_context(mock_dht: MockDHT, bzzz_network: World) -> None:
    gpu_box = bzzz_network.add_peer("gpu-box")
    MockDHT(bzzz_network, peer=gpu_box).provide(KEY, gpu_box.id)  # acts as gpu-box

    assert context_providers(mock_dht, ADDRESS) == [gpu_box.id]
    assert [call.peer for call in mock_dht.calls()] == [gpu_box.id, mock_dht.peer.id]


# Latency: simulated, so it costs no wall time.


@needs_simulation
@pytest.mark.latency("25s")
def test_each_operation_takes_its_latency(mock_dht: MockDHT, bzzz_network: World) -> None:
    started = time.monotonic()

    publish_context(mock_dht, ADDRESS, {"choice": "grpc"}, provider=mock_dht.peer.id)
    read_context(mock_dht, ADDRESS)

    assert bzzz_network.clock.now() == pytest.approx(75)
    assert [call.at for call in mock_dht.calls()] == pytest.approx([0, 25, 50])
    assert mock_dht.stats.simulated_seconds == pytest.approx(75)
    assert time.monotonic() - started < 30  # simulated, not slept: far less than 75 s


@needs_simulation
@pytest.mark.latency(100, jitter=50)
def test_jitter_spreads_latencies_around_the_latency(mock_dht: MockDHT) -> None:
    for number in range(20):
        mock_dht.put_value(f"key-{number}", b"v")

    latencies = [call.latency for call in mock_dht.calls()]
    assert all(0.05 <= latency <= 0.15 for latency in latencies)
    assert len(set(latencies)) > 1


@needs_simulation
@pytest.mark.latency(100)
class TestOnASlowNetwork:
    """A marker on a class applies to each of its tests; the test's own marker wins."""

    def test_the_class_latency_applies(self, mock_dht: MockDHT, bzzz_network: World) -> None:
        mock_dht.put_value("key", b"v")
        assert bzzz_network.clock.now() == pytest.approx(0.1)

    @pytest.mark.latency(0)
    def test_latency_0_switches_it_off(self, mock_dht: MockDHT, bzzz_network: World) -> None:
        mock_dht.put_value("key", b"v")
        assert bzzz_network.clock.now() == 0


# Failures: every failed operation raises NetworkError and changes nothing.


@pytest.mark.flaky_network(1)
def test_a_failed_publish_stores_nothing(mock_dht: MockDHT, bzzz_network: World) -> None:
    with pytest.raises(NetworkError) as caught:
        publish_context(mock_dht, ADDRESS, {"choice": "grpc"}, provider=mock_dht.peer.id)

    assert caught.value.code == ErrorCode.SERVICE_UNAVAILABLE
    assert (caught.value.op, caught.value.key) == ("put_value", KEY)
    assert KEY not in bzzz_network.storage
    assert mock_dht.stats.failures == 1


@pytest.mark.flaky_network(1, ops=["get_value"])
def test_reads_are_retried_then_reported(mock_dht: MockDHT) -> None:
    publish_context(mock_dht, ADDRESS, {"choice": "grpc"}, provider=mock_dht.peer.id)

    with pytest.raises(NetworkError):
        read_context(mock_dht, ADDRESS, attempts=3)

    assert len(mock_dht.calls("get_value", outcome="failed")) == 3
    assert mock_dht.calls("put_value", outcome="ok")  # ops= left the writes alone


@pytest.mark.flaky_network(0.5, ops=["get_value"])
@pytest.mark.bzzz(seed=7)  # this seed's draws: two failed reads, then one that gets through
def test_retrying_gets_through_a_lossy_network(mock_dht: MockDHT) -> None:
    publish_context(mock_dht, ADDRESS, {"choice": "grpc"}, provider=mock_dht.peer.id)

    assert read_context(mock_dht, ADDRESS, attempts=5) == {"choice": "grpc"}
    assert [call.outcome for call in mock_dht.calls("get_value")] == ["failed", "failed", "ok"]


# Timeouts: the caller waits for the timeout, then gets NetworkTimeout.


@needs_simulation
@pytest.mark.latency(500)
@pytest.mark.bzzz(timeout=200)
def test_a_slow_network_times_out(mock_dht: MockDHT, bzzz_network: World) -> None:
    with pytest.raises(NetworkTimeout) as caught:
        mock_dht.put_value(KEY, b"{}")

    assert caught.value.code == ErrorCode.TIMEOUT
    assert (caught.value.latency, caught.value.timeout) == pytest.approx((0.5, 0.2))
    assert bzzz_network.clock.now() == pytest.approx(0.2)  # the timeout, not the latency
    assert KEY not in bzzz_network.storage


@needs_simulation
@pytest.mark.latency(500)
def test_a_deadline_per_call(mock_dht: MockDHT, bzzz_network: World) -> None:
    bzzz_network.storage.put(KEY, b"{}")

    assert read_within(mock_dht, KEY, seconds=0.2) is None
    assert read_within(mock_dht, KEY, seconds=1.0) == b"{}"
    assert [call.outcome for call in mock_dht.calls()] == ["timeout", "ok"]


# The Go mock's knobs, in seconds, for conditions that change during a test.


@needs_simulation
def test_conditions_change_during_the_test(mock_dht: MockDHT, bzzz_network: World) -> None:
    mock_dht.put_value(KEY, b"{}")
    mock_dht.set_network_latency(0.05)
    mock_dht.set_failure_rate(1.0)

    with pytest.raises(NetworkError):
        mock_dht.get_value(KEY)

    mock_dht.set_failure_rate(0)
    assert mock_dht.get_value(KEY) == b"{}"
    assert bzzz_network.clock.now() == pytest.approx(0.1)  # the two reads, not the first put


# The record: bounded, while the counters count everything.


@pytest.mark.bzzz(record_calls=2)
def test_the_record_keeps_the_newest_calls(mock_dht: MockDHT) -> None:
    for number in range(5):
        mock_dht.put_value(f"key-{number}", b"v")

    assert [call.key for call in mock_dht.calls()] == ["key-3", "key-4"]
    assert mock_dht.stats["put_value"] == 5


# Property-based: a fixture is not reset between Hypothesis examples, so each
# example makes a fresh mock of its own.


@given(value=st.binary(), seed=st.integers(0, 2**32 - 1))
def test_any_bytes_read_back_on_any_seed(value: bytes, seed: int) -> None:
    with MockDHT(seed=seed) as dht:
        dht.put_value(KEY, value)
        assert dht.get_value(KEY) == value
        assert dht.stats.total == 2
