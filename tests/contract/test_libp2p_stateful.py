"""The same random operations on the mock and on real hosts: they agree, up to the divergences.

A hypothesis state machine drives a three-peer world on each backend with the
same puts, gets, provides and lookups, from any peer, and compares every
answer. Where libp2p differs by design (docs/fidelity.md), the machine states
how: a value read from a peer is, on the mock, the last one written by
anyone; on libp2p, the last one that peer wrote itself, else the first one
anybody wrote (libp2p's default validator keeps the record a peer holds).
Empty and oversized values, whose divergences the contract tests show, are
left out. Collected only where the contract runs on libp2p.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from pytest_bzzz import DHT, MockDHT, NotFoundError, World
from pytest_bzzz._backends.libp2p import Libp2pBackend

PEERS = 3
KEYS = st.sampled_from(["alpha", "beta", "ключ", "/pk/gamma", "DEADBEEF"])
VALUES = st.binary(min_size=1, max_size=64)
PEER = st.integers(0, PEERS - 1)

_backend: Libp2pBackend | None = None


@pytest.fixture(scope="module", autouse=True)
def libp2p_network() -> Iterator[None]:
    global _backend
    _backend = Libp2pBackend(hosts=PEERS)
    try:
        yield
    finally:
        _backend.close()
        _backend = None


def _read(dht: DHT, key: str) -> bytes | None:
    try:
        return dht.get_value(key)
    except NotFoundError:
        return None


class MockAgainstLibp2p(RuleBasedStateMachine):
    @initialize()
    def worlds(self) -> None:
        assert _backend is not None
        self.mock_world = World(peers=PEERS)
        self.real_world = World(peers=PEERS)
        mock = MockDHT(self.mock_world)
        real = _backend.dht(self.real_world)
        self.mock = [mock.on(peer) for peer in self.mock_world.peers]
        self.real = [real.on(peer) for peer in self.real_world.peers]
        self.first: dict[str, bytes] = {}  # the first value anybody wrote, by key
        self.last: dict[str, bytes] = {}  # the last value anybody wrote
        self.own: list[dict[str, bytes]] = [{} for _ in range(PEERS)]  # each peer's last own
        self.providers: dict[str, set[int]] = {}

    def teardown(self) -> None:
        if hasattr(self, "mock_world"):
            self.mock_world.close()
            self.real_world.close()

    @rule(peer=PEER, key=KEYS, value=VALUES)
    def put(self, peer: int, key: str, value: bytes) -> None:
        self.mock[peer].put_value(key, value)
        self.real[peer].put_value(key, value)
        self.first.setdefault(key, value)
        self.last[key] = value
        self.own[peer][key] = value

    @rule(peer=PEER, key=KEYS)
    def get(self, peer: int, key: str) -> None:
        on_mock, on_libp2p = _read(self.mock[peer], key), _read(self.real[peer], key)

        assert on_mock == self.last.get(key)
        assert on_libp2p == self.own[peer].get(key, self.first.get(key))

    @rule(peer=PEER, key=KEYS)
    def provide(self, peer: int, key: str) -> None:
        self.mock[peer].provide(key, self.mock_world.peers[peer].id)
        self.real[peer].provide(key, self.real_world.peers[peer].id)
        self.providers.setdefault(key, set()).add(peer)

    @rule(peer=PEER, key=KEYS)
    def find_providers(self, peer: int, key: str) -> None:
        expected = self.providers.get(key, set())
        on_mock = self.mock[peer].find_providers(key)
        deadline = time.monotonic() + 5.0  # a provider record reaches the others unacknowledged
        while True:
            on_libp2p = self.real[peer].find_providers(key)
            if len(on_libp2p) >= len(expected) or time.monotonic() > deadline:
                break
            time.sleep(0.02)

        assert sorted(on_mock) == sorted(self.mock_world.peers[i].id for i in expected)
        assert sorted(on_libp2p) == sorted(self.real_world.peers[i].id for i in expected)

    @invariant()
    def same_number_of_calls(self) -> None:
        if hasattr(self, "mock_world"):
            on_mock = dict(self.mock_world.stats.operations)
            on_libp2p = dict(self.real_world.stats.operations)
            # Lookups on libp2p are repeated until a provider record arrives (see above).
            lookups = on_mock.pop("find_providers", 0), on_libp2p.pop("find_providers", 0)
            assert on_mock == on_libp2p
            assert lookups[0] <= lookups[1]


TestMockAgainstLibp2p = MockAgainstLibp2p.TestCase
TestMockAgainstLibp2p.settings = settings(
    max_examples=15,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
