"""Random faults and connector operations among many peers, against a model of each peer's copies.

The model keeps, for every peer, the copy of each address's history it holds
(the write's order and the versions' texts, None for a tombstone), places
each store by brute force (the live peers the writer reaches, sorted by XOR
distance to the address, and the writer), repairs the copies a retrieve,
history, store or delete reaches, and repairs nothing on a search. What it
predicts is what the docs promise: a history written while its holders were
reachable is readable by every peer that reaches one of them, the newer
history wins when two sides meet, a kill loses copies, a pause keeps them.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from pytest_bzzz import MockBZZZ, NetworkError, NotFoundError, World

PEERS = 5
REPLICATION = 2
ADDRESSES = (
    "ucxl://gpt4:architect@bzzz:v2/plans/rollout.md",
    "ucxl://claude:reviewer@bzzz:v2/reviews/rollout.md",
)
NAMES = ["local"] + [f"peer-{number}" for number in range(1, PEERS)]

Copy = tuple[int, tuple[str | None, ...]]  # (order of the write, the versions' texts)


def id_of(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


class ContentCluster(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world = World(seed=5, peers=PEERS, replication=REPLICATION)
        self.bzzz = MockBZZZ(self.world)
        self.ids = {name: self.world.peer(name).id for name in NAMES}
        self.copies: dict[str, dict[str, Copy]] = {name: {} for name in NAMES}
        self.order = 0
        self.status = dict.fromkeys(NAMES, "live")
        self.groups: dict[str, int] = {}

    def teardown(self) -> None:
        self.world.close()

    # -- the model --------------------------------------------------------------------------

    def reaches(self, source: str, target: str) -> bool:
        if self.status[source] != "live" or self.status[target] != "live":
            return False
        return not self.groups or self.groups[source] == self.groups[target]

    def reachable_copies(self, reader: str, address: str) -> dict[str, Copy]:
        return {
            name: self.copies[name][address]
            for name in NAMES
            if address in self.copies[name] and self.reaches(reader, name)
        }

    def read(self, reader: str, address: str, *, repair: bool = True) -> Copy | None:
        found = self.reachable_copies(reader, address)
        if not found:
            return None
        newest = max(found.values())
        if repair:
            for name in found:
                self.copies[name][address] = newest
        return newest

    def write(self, writer: str, address: str, versions: tuple[str | None, ...]) -> None:
        reachable = [name for name in NAMES if self.reaches(writer, name)]
        closest = sorted(reachable, key=lambda n: id_of(self.ids[n]) ^ id_of(address))
        self.order += 1
        for name in {*closest[:REPLICATION], writer}:
            self.copies[name][address] = (self.order, versions)

    # -- rules ------------------------------------------------------------------------------

    @rule(writer=st.sampled_from(NAMES), address=st.sampled_from(ADDRESSES), text=st.text("ab"))
    def store(self, writer: str, address: str, text: str) -> None:
        if self.status[writer] != "live":
            with pytest.raises(NetworkError):
                self.bzzz.on(writer).store(address, text)
            return
        current = self.read(writer, address)
        versions = () if current is None else current[1]
        envelope = self.bzzz.on(writer).store(address, text)
        assert envelope.version == len(versions) + 1
        self.write(writer, address, (*versions, text))

    @rule(writer=st.sampled_from(NAMES), address=st.sampled_from(ADDRESSES))
    def delete(self, writer: str, address: str) -> None:
        if self.status[writer] != "live":
            return
        current = self.read(writer, address)
        if current is None or current[1][-1] is None:
            with pytest.raises(NotFoundError):
                self.bzzz.on(writer).delete(address)
            return
        assert self.bzzz.on(writer).delete(address).version == len(current[1]) + 1
        self.write(writer, address, (*current[1], None))

    @rule(reader=st.sampled_from(NAMES), address=st.sampled_from(ADDRESSES))
    def history(self, reader: str, address: str) -> None:
        if self.status[reader] != "live":
            return
        current = self.read(reader, address)
        if current is None:
            with pytest.raises(NotFoundError):
                self.bzzz.on(reader).history(address)
            return
        found = self.bzzz.on(reader).history(address)
        assert tuple(None if e.deleted else e.text() for e in found) == current[1]

    @rule(reader=st.sampled_from(NAMES))
    def search(self, reader: str) -> None:
        if self.status[reader] != "live":
            return
        expected = []
        for address in sorted(ADDRESSES):
            current = self.read(reader, address, repair=False)
            if current is not None and current[1][-1] is not None:
                expected.append(current[1][-1])
        found = self.bzzz.on(reader).search("ucxl://any:any@any:any/**")
        assert [envelope.text() for envelope in found] == expected

    @rule(groups=st.lists(st.integers(0, 1), min_size=PEERS, max_size=PEERS))
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
        self.copies[name].clear()

    @rule(name=st.sampled_from(NAMES))
    def pause(self, name: str) -> None:
        self.world.pause(name)
        if self.status[name] == "live":
            self.status[name] = "paused"

    @rule(name=st.sampled_from(NAMES))
    def revive(self, name: str) -> None:
        self.world.revive(name)
        self.status[name] = "live"

    # -- what holds after every step --------------------------------------------------------

    @invariant()
    def holders_are_the_models(self) -> None:
        for address in ADDRESSES:
            expected = {name for name in NAMES if address in self.copies[name]}
            assert {peer.name for peer in self.world.content_holders(address)} == expected

    @invariant()
    def the_catalogue_is_the_newest_copy_held(self) -> None:
        for address in ADDRESSES:
            held = [self.copies[name][address] for name in NAMES if address in self.copies[name]]
            history = self.world.content.history(address)
            if not held:
                assert history is None
                continue
            assert history is not None
            texts = tuple(None if e.deleted else e.text() for e in history.versions)
            assert texts == max(held)[1]


ContentCluster.TestCase.settings = settings(
    max_examples=100, stateful_step_count=40, derandomize=True, deadline=None
)
test_random_faults_and_connector_operations_match_the_model = ContentCluster.TestCase
