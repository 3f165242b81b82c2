"""Random faults and operations in a world of many peers, against a model of every peer's store.

The model places each write by brute force (every live peer the writer
reaches, sorted by XOR distance to the key), keeps each peer's copies with
the write's time and order, applies kills, read repair and expiry, and so
says what every get and find_providers must return. Provider records are
placed as values are; a provider given by a peer's name is recorded as its
id; find_providers lists the providers recorded on the peers the reader
reaches, in the order they first provided. The invariants the docs promise
follow from it: a value written while its holders were reachable is readable
by every peer that reaches one of them, the newest write wins, a read stores
nothing on peers that held nothing, and records expire on time.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from pytest_bzzz import MockDHT, NetworkError, NotFoundError, World

PEERS = 6
REPLICATION = 2
TTL = 60.0
PROVIDER_TTL = 90.0
KEYS = ("alpha", "beta")
NAMES = ["local"] + [f"peer-{number}" for number in range(1, PEERS)]
PROVIDERS = ("local", "peer-3", "QmOutside")  # peers' names, and a provider outside the world


def id_of(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


class Cluster(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world = World(
            seed=11,
            peers=PEERS,
            replication=REPLICATION,
            value_ttl=TTL,
            provider_ttl=PROVIDER_TTL,
        )
        self.dht = MockDHT(self.world)
        self.ids = {name: self.world.peer(name).id for name in NAMES}
        # peer name -> key -> (time, order, value): the copies each peer holds
        self.stores: dict[str, dict[str, tuple[float, int, bytes]]] = {n: {} for n in NAMES}
        self.order = 0
        # peer name -> (key, provider id) -> when the record it holds was provided
        self.records: dict[str, dict[tuple[str, str], float]] = {n: {} for n in NAMES}
        self.first: dict[tuple[str, str], int] = {}  # the order each provider first provided
        self.status = dict.fromkeys(NAMES, "live")
        self.groups: dict[str, int] = {}  # empty: no partition

    def teardown(self) -> None:
        self.world.close()

    # -- the model's reachability and placement ------------------------------------------

    def reaches(self, source: str, target: str) -> bool:
        if self.status[source] != "live" or self.status[target] != "live":
            return False
        return not self.groups or self.groups[source] == self.groups[target]

    def expire(self) -> None:
        now = self.world.clock.now()
        for store in self.stores.values():
            for key in [k for k, (at, _, _) in store.items() if at + TTL <= now]:
                del store[key]
        for records in self.records.values():
            for record in [r for r, at in records.items() if at + PROVIDER_TTL <= now]:
                del records[record]

    def placed(self, writer: str, key: str) -> set[str]:
        reachable = [name for name in NAMES if self.reaches(writer, name)]
        closest = sorted(reachable, key=lambda n: id_of(self.ids[n]) ^ id_of(key))
        return {*closest[:REPLICATION], writer}

    # -- rules -------------------------------------------------------------------------------

    @rule(writer=st.sampled_from(NAMES), key=st.sampled_from(KEYS), data=st.binary(max_size=4))
    def put(self, writer: str, key: str, data: bytes) -> None:
        if self.status[writer] != "live":
            with pytest.raises(NetworkError):
                self.dht.on(writer).put_value(key, data)
            return
        self.dht.on(writer).put_value(key, data)
        self.expire()
        self.order += 1
        for name in self.placed(writer, key):
            self.stores[name][key] = (self.world.clock.now(), self.order, data)

    @rule(
        writer=st.sampled_from(NAMES),
        key=st.sampled_from(KEYS),
        provider=st.sampled_from(PROVIDERS),
    )
    def provide(self, writer: str, key: str, provider: str) -> None:
        if self.status[writer] != "live":
            with pytest.raises(NetworkError):
                self.dht.on(writer).provide(key, provider)
            return
        self.dht.on(writer).provide(key, provider)
        self.expire()
        record = (key, self.ids.get(provider, provider))
        self.order += 1
        self.first.setdefault(record, self.order)
        for name in self.placed(writer, key):
            self.records[name][record] = self.world.clock.now()

    @rule(reader=st.sampled_from(NAMES), key=st.sampled_from(KEYS))
    def find_providers(self, reader: str, key: str) -> None:
        self.expire()
        if self.status[reader] != "live":
            with pytest.raises(NetworkError):
                self.dht.on(reader).find_providers(key)
            return
        found = {
            provider
            for name in NAMES
            if self.reaches(reader, name)
            for record_key, provider in self.records[name]
            if record_key == key
        }
        expected = sorted(found, key=lambda provider: self.first[key, provider])
        assert self.dht.on(reader).find_providers(key) == expected

    @rule(reader=st.sampled_from(NAMES), key=st.sampled_from(KEYS))
    def get(self, reader: str, key: str) -> None:
        self.expire()
        if self.status[reader] != "live":
            with pytest.raises(NetworkError):
                self.dht.on(reader).get_value(key)
            return
        holders = [n for n in NAMES if key in self.stores[n] and self.reaches(reader, n)]
        if not holders:
            with pytest.raises(NotFoundError):
                self.dht.on(reader).get_value(key)
            return
        newest = max(self.stores[n][key] for n in holders)
        assert self.dht.on(reader).get_value(key) == newest[2]
        for name in holders:  # read repair, and nothing stored anywhere else
            self.stores[name][key] = newest

    @rule(groups=st.lists(st.integers(0, 2), min_size=PEERS, max_size=PEERS))
    def partition(self, groups: list[int]) -> None:
        by_group: dict[int, list[str]] = {}
        for name, group in zip(NAMES, groups, strict=True):
            by_group.setdefault(group, []).append(name)
        self.world.partition(*by_group.values())
        self.groups = dict(zip(NAMES, groups, strict=True))

    @rule()
    def heal(self) -> None:
        self.world.heal()
        self.groups = {}

    @rule(name=st.sampled_from(NAMES))
    def kill(self, name: str) -> None:
        self.world.kill(name)
        self.status[name] = "killed"
        self.stores[name].clear()
        self.records[name].clear()

    @rule(name=st.sampled_from(NAMES))
    def pause(self, name: str) -> None:
        self.world.pause(name)
        if self.status[name] == "live":
            self.status[name] = "paused"

    @rule(name=st.sampled_from(NAMES))
    def revive(self, name: str) -> None:
        self.world.revive(name)
        self.status[name] = "live"

    @rule(seconds=st.sampled_from([0.5, 5.0, 20.0, 45.0]))
    def advance(self, seconds: float) -> None:
        self.world.clock.advance(seconds)

    # -- what holds after every step ----------------------------------------------------------

    @invariant()
    def holders_are_the_models(self) -> None:
        self.expire()
        for key in KEYS:
            expected = {n for n in NAMES if key in self.stores[n]}
            assert {peer.name for peer in self.world.holders(key)} == expected

    @invariant()
    def provider_records_are_the_models(self) -> None:
        self.expire()
        recorded = self.world.storage.providers_by_key
        for key in KEYS:
            expected = {p for n in NAMES for k, p in self.records[n] if k == key}
            assert set(recorded.get(key, ())) == expected

    @precondition(lambda self: not self.groups and set(self.status.values()) == {"live"})
    @invariant()
    def an_undivided_network_reads_every_key_alike(self) -> None:
        for key in KEYS:
            seen = set()
            for name in NAMES:
                try:
                    seen.add(self.dht.on(name).get_value(key))
                except NotFoundError:
                    seen.add(None)
            assert len(seen) == 1
        # The reads repaired every copy: the model's stores agree again.
        for key in KEYS:
            copies = [self.stores[n][key] for n in NAMES if key in self.stores[n]]
            if copies:
                newest = max(copies)
                for name in NAMES:
                    if key in self.stores[name]:
                        self.stores[name][key] = newest


Cluster.TestCase.settings = settings(
    max_examples=120, stateful_step_count=40, derandomize=True, deadline=None
)
test_random_faults_and_operations_match_the_model = Cluster.TestCase
