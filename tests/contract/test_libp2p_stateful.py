"""The same random operations on the mock and on real hosts: each agrees with its documented rules.

A hypothesis state machine drives a three-peer world on each backend with the
same puts (small, empty and oversized values), gets, provides, lookups, kills
and revivals, from any peer, and checks every answer against a model of each
backend's documented behaviour (docs/fidelity.md). The mock runs with
libp2p's record size limit (``max_record_size``), so that empty and oversized
values follow the same rule on both. The models, one copy per peer:

- **Both**: a killed peer makes no calls (``NetworkError``) and loses what it
  holds; revived, it comes back empty. A provider record reaches every live
  peer; a put of an empty or oversized value is kept by its writer alone (the
  others keep what they held), any other put reaches every live peer.
- **The mock**: the newest write wins everywhere; a get returns the newest
  copy among the reader's own and the other live peers' (never another's
  empty one); ``find_providers`` lists the records of every live peer.
- **libp2p**: first write wins at the other peers (a peer keeps the copy it
  holds); a get returns the reader's own copy if it holds one, else one of
  the other live peers' (never an empty one; which one, if they differ, is
  the order of their answers), which the reader then keeps, and so does each
  live peer that holds none (unless it is oversized); ``find_providers``
  lists the reader's own records if it holds any, else the other live
  peers', which it then keeps.

Collected only where the contract runs on libp2p.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from libp2p.kad_dht.kad_dht import _encode_key

from pytest_bzzz import DHT, MockDHT, NetworkConditions, NetworkError, NotFoundError, World
from pytest_bzzz._backends.libp2p import Libp2pBackend
from pytest_bzzz._backends.libp2p.dht import KadDHT, provider_key

PEERS = 3
LIMIT = 1 << 20
"""libp2p's record size limit, and the mock's under ``max_record_size``."""
SETTLE = 5.0
"""Real seconds a provider record may take to reach the other hosts (unacknowledged)."""


class Shown(bytes):
    """A value that hypothesis shows by its size, not its megabyte of bytes."""

    def __repr__(self) -> str:
        return f"<{len(self)} bytes of {bytes(self[:1])!r}>"


def _fits(value: bytes) -> bool:
    return 0 < len(value) <= LIMIT


KEYS = st.sampled_from(["alpha", "beta", "ключ", "/pk/gamma", "DEADBEEF"])
SPECIAL = [Shown(b""), Shown(b"\x01" * (LIMIT + 1)), Shown(b"\x02" * (LIMIT + 1))]
# Mostly small values; now and then an empty or an oversized one (each oversized put costs
# about a second of real transfers).
VALUES = st.sampled_from([0] * 10 + [1, 2, 3]).flatmap(
    lambda kind: st.binary(min_size=1, max_size=64) if kind == 0 else st.just(SPECIAL[kind - 1])
)
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
        self.mock_world = World(peers=PEERS, conditions=NetworkConditions(max_record_size=LIMIT))
        self.real_world = World(peers=PEERS)
        mock = MockDHT(self.mock_world)
        real = _backend.dht(self.real_world)
        self.mock = [mock.on(peer) for peer in self.mock_world.peers]
        self.real = [real.on(peer) for peer in self.real_world.peers]
        self.live = [True] * PEERS
        self.writes = 0
        # Each peer's copies: on the mock with the order of their writes (the newest wins).
        self.mock_values: list[dict[str, tuple[int, bytes]]] = [{} for _ in range(PEERS)]
        self.real_values: list[dict[str, bytes]] = [{} for _ in range(PEERS)]
        self.mock_providers: list[dict[str, set[int]]] = [{} for _ in range(PEERS)]
        self.real_providers: list[dict[str, set[int]]] = [{} for _ in range(PEERS)]

    def teardown(self) -> None:
        if hasattr(self, "mock_world"):
            self.mock_world.close()
            self.real_world.close()

    def _others(self, peer: int) -> list[int]:
        return [other for other in range(PEERS) if other != peer and self.live[other]]

    def _refused(self, peer: int, op: str, *args: object, provider: bool = False) -> bool:
        """A killed peer's call fails on both backends, changing nothing."""
        if self.live[peer]:
            return False
        for world, dht in ((self.mock_world, self.mock[peer]), (self.real_world, self.real[peer])):
            with pytest.raises(NetworkError):
                getattr(dht, op)(*args, *([world.peers[peer].id] if provider else []))
        return True

    @rule(peer=PEER, key=KEYS, value=VALUES)
    def put(self, peer: int, key: str, value: bytes) -> None:
        if self._refused(peer, "put_value", key, value):
            return
        self.mock[peer].put_value(key, value)
        self.real[peer].put_value(key, value)
        self.writes += 1
        event("put: " + ("fits" if _fits(value) else "empty" if not value else "oversized"))
        self.mock_values[peer][key] = (self.writes, value)
        self.real_values[peer][key] = value
        if _fits(value):  # the others refuse an empty or oversized value
            for other in self._others(peer):
                self.mock_values[other][key] = (self.writes, value)
                self.real_values[other].setdefault(key, value)  # first write wins

    @rule(peer=PEER, key=KEYS)
    def get(self, peer: int, key: str) -> None:
        if self._refused(peer, "get_value", key):
            return
        on_mock, on_libp2p = _read(self.mock[peer], key), _read(self.real[peer], key)

        copies = [self.mock_values[peer].get(key)] + [
            self.mock_values[other].get(key) for other in self._others(peer)
        ]
        found = [copy for copy in copies[1:] if copy is not None and copy[1]]
        newest = max([c for c in copies[:1] if c is not None] + found, default=None)
        assert on_mock == (None if newest is None else newest[1])
        own = self.real_values[peer].get(key)
        if own is not None:
            assert on_libp2p == own
            return
        theirs = {self.real_values[other].get(key) for other in self._others(peer)}
        candidates = {value for value in theirs if value}  # an empty answer reads as none
        if not candidates:
            assert on_libp2p is None
            return
        assert on_libp2p in candidates
        event(
            "get on libp2p: found elsewhere, "
            + ("one answer" if len(candidates) == 1 else "answers differ")
        )
        self.real_values[peer][key] = on_libp2p  # the reader keeps what it found
        if _fits(on_libp2p):  # and offers it to the peers that hold none
            for other in self._others(peer):
                self.real_values[other].setdefault(key, on_libp2p)

    @rule(peer=PEER, key=KEYS)
    def provide(self, peer: int, key: str) -> None:
        if self._refused(peer, "provide", key, provider=True):
            return
        self.mock[peer].provide(key, self.mock_world.peers[peer].id)
        self.real[peer].provide(key, self.real_world.peers[peer].id)
        for holder in [peer, *self._others(peer)]:
            self.mock_providers[holder].setdefault(key, set()).add(peer)
            self.real_providers[holder].setdefault(key, set()).add(peer)
        self._settle(peer, key)

    def _settle(self, provider: int, key: str) -> None:
        """Wait until the live hosts hold the new record: it reaches them unacknowledged."""
        assert _backend is not None
        where = _encode_key(provider_key(_backend.namespace_of(self.real_world), key))
        wanted = _backend.network.peer_ids[provider]  # the host's own id, not the world peer's

        async def held(dht: KadDHT) -> bool:
            return any(str(i.peer_id) == wanted for i in dht.provider_store.get_providers(where))

        for other in self._others(provider):
            deadline = time.monotonic() + SETTLE
            while not _backend.network.begin(other, held).future.result(SETTLE):
                assert time.monotonic() < deadline, f"host {other} never got the provider record"
                time.sleep(0.01)

    @rule(peer=PEER, key=KEYS)
    def find_providers(self, peer: int, key: str) -> None:
        if self._refused(peer, "find_providers", key):
            return
        on_mock = self.mock[peer].find_providers(key)
        on_libp2p = self.real[peer].find_providers(key)

        everyone = set().union(
            *(self.mock_providers[p].get(key, set()) for p in [peer, *self._others(peer)])
        )
        assert sorted(on_mock) == sorted(self.mock_world.peers[i].id for i in everyone)
        own = self.real_providers[peer].get(key, set())
        everyone_real = set().union(
            *(self.real_providers[p].get(key, set()) for p in [peer, *self._others(peer)])
        )
        if own and own != everyone_real:
            event("find on libp2p: the reader's own records only")
        if not own:  # asked the others, and kept what they listed
            own = set().union(*(self.real_providers[p].get(key, set()) for p in self._others(peer)))
            if own:
                self.real_providers[peer][key] = set(own)
        assert sorted(on_libp2p) == sorted(self.real_world.peers[i].id for i in own)

    @precondition(lambda self: self.live.count(True) > 1)
    @rule(peer=PEER)
    def kill(self, peer: int) -> None:
        for world in (self.mock_world, self.real_world):
            world.kill(world.peers[peer])
        self.live[peer] = False
        event(f"kill: {PEERS - self.live.count(True)} down")
        for held in (self.mock_values, self.real_values, self.mock_providers, self.real_providers):
            held[peer].clear()

    @precondition(lambda self: not all(self.live))
    @rule(peer=PEER)
    def revive(self, peer: int) -> None:
        for world in (self.mock_world, self.real_world):
            world.revive(world.peers[peer])
        self.live[peer] = True  # empty: what it held went with it

    @invariant()
    def same_number_of_calls(self) -> None:
        if hasattr(self, "mock_world"):
            assert dict(self.mock_world.stats.operations) == dict(self.real_world.stats.operations)
            assert self.mock_world.stats.failures == self.real_world.stats.failures


TestMockAgainstLibp2p = MockAgainstLibp2p.TestCase
TestMockAgainstLibp2p.settings = settings(
    max_examples=20,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
