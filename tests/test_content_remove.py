"""Removing histories from the content store: many removals, interleaved with stores and searches.

A removed history stays in the store's lists until a search takes the list or
the removed make up half of it; these tests check that what the store answers
never shows it. The property runs the store against a model (a dict of
histories) over addresses that share their components, so that every list
holds many histories and removals are left in them; the cluster test kills
peers, which removes the addresses whose last holder dies, and compares the
connector's searches (read from the store's lists) with its retrieves (read
from the copies).
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_bzzz import Envelope, MockBZZZ, NotFoundError, UCXLAddress, World
from pytest_bzzz._backends.memory.content import ContentStore

TOMBSTONE = "application/vnd.ucxl.tombstone"  # the content type of the version a delete adds
START = datetime(2025, 1, 1, tzinfo=UTC)
EVERYTHING = "ucxl://any:any@any:any/**"

# Every combination, in an order of their own (not the address order the store keeps).
ADDRESSES = [
    UCXLAddress(agent, role, project, task, path=path)
    for agent, role, project, task, path in itertools.product(
        ("ada", "bob", "cy"),
        ("dev", "ops"),
        ("bzzz", "hive"),
        ("v1", "v2"),
        ("notes/a.md", "notes/b.md", "plans/c.md"),
    )
]
random.Random(0).shuffle(ADDRESSES)
ADDRESS_OF = {str(address): address for address in ADDRESSES}
PATTERNS = [
    UCXLAddress.parse(text)
    for text in (
        EVERYTHING,  # every history, no match needed
        "ucxl://any:any@any:any/notes/*",  # every history's list, matched one by one
        "ucxl://ada:any@any:any/**",
        "ucxl://any:ops@hive:any/**",
        "ucxl://any:any@any:v2/plans/*.md",
        "ucxl://bob:dev@bzzz:v1/notes/b.md",
        "ucxl://nobody:any@any:any/**",  # a component nothing is stored under
    )
]

# An operation: ("store", address, whether a tombstone), ("store some", first address, how
# many), ("replace", address, versions, whether the last is a tombstone), ("remove", which
# stored address), ("remove every", step, first stored address), ("search", pattern).
indexes = st.integers(0, len(ADDRESSES) - 1)
operations = st.one_of(
    st.tuples(st.just("store"), indexes, st.booleans()),
    st.tuples(st.just("store some"), indexes, st.integers(1, len(ADDRESSES))),
    st.tuples(st.just("replace"), indexes, st.integers(1, 3), st.booleans()),
    st.tuples(st.just("remove"), st.integers(0, len(ADDRESSES))),
    st.tuples(st.just("remove every"), st.integers(1, 4), st.integers(0, 3)),
    st.tuples(st.just("search"), st.integers(0, len(PATTERNS) - 1)),
)


def envelope(address: UCXLAddress, version: int, tombstone: bool) -> Envelope:
    content_type = TOMBSTONE if tombstone else "text/plain"
    timestamp = START + timedelta(seconds=version)
    return Envelope(address, b"", content_type=content_type, version=version, timestamp=timestamp)


def check(store: ContentStore, model: dict[str, list[Envelope]], pattern: UCXLAddress) -> None:
    """The store answers for ``pattern`` what the model holds, in address order."""
    expected = sorted(key for key in model if pattern.matches(ADDRESS_OF[key]))
    assert [history.key for history in store.matching(pattern)] == expected
    assert [history.key for history in store.candidates(pattern)] == expected


def store_one(
    store: ContentStore, model: dict[str, list[Envelope]], address: UCXLAddress, tombstone: bool
) -> None:
    """Add a version to the history of ``address``, in the store and in the model."""
    versions = model.setdefault(str(address), [])
    versions.append(envelope(address, len(versions) + 1, tombstone))
    store.append(store.add(address), versions[-1])


@settings(derandomize=True, database=None, deadline=None, max_examples=300)
@given(st.lists(operations, max_size=150))
def test_the_store_answers_as_a_model_through_removals(
    operations: list[tuple[object, ...]],
) -> None:
    store = ContentStore()
    model: dict[str, list[Envelope]] = {}
    for operation in operations:
        match operation:
            case ("store", int(index), bool(tombstone)):
                store_one(store, model, ADDRESSES[index], tombstone)
            case ("store some", int(first), int(count)):
                for address in ADDRESSES[first : first + count]:
                    store_one(store, model, address, False)
            case ("replace", int(index), int(count), bool(tombstone)):
                address = ADDRESSES[index]
                new = [envelope(address, n, tombstone and n == count) for n in range(1, count + 1)]
                model[str(address)] = new
                store.replace(store.add(address), new)
            case ("remove", int(which)):
                keys = sorted(model)
                key = keys[which % len(keys)] if keys else str(ADDRESSES[which % len(ADDRESSES)])
                model.pop(key, None)
                store.remove(key)
                store.remove(key)  # removed already: nothing
            case ("remove every", int(step), int(first)):
                for key in sorted(model)[first::step]:
                    del model[key]
                    store.remove(key)
            case ("search", int(index)):
                check(store, model, PATTERNS[index])
        assert len(store) == len(model)
        assert store.tombstoned == sum(versions[-1].deleted for versions in model.values())
        assert_removed_are_fewer_than_half(store)
    for pattern in PATTERNS:
        check(store, model, pattern)
    for address in ADDRESSES:
        history = store.history(str(address))
        versions = model.get(str(address))
        assert (None if history is None else history.versions) == versions


def assert_removed_are_fewer_than_half(store: ContentStore) -> None:
    """Removal is lazy, but bounded: in every list the store keeps, the removed histories
    are fewer than the live ones (so memory and a search's scan stay O(live))."""
    lists = [store._sorted] + [
        posting for index in store._by_component for posting in index.values()
    ]
    for histories in lists:
        live = sum(store.histories.get(history.key) is history for history in histories)
        assert len(histories) - live < max(live, 1), (len(histories), live)


def test_removing_every_history_then_storing_again() -> None:
    """Each round stores every address, sorts every list, then removes them all, checking."""
    store = ContentStore()
    for round_ in range(3):
        for address in ADDRESSES:
            store.append(store.add(address), envelope(address, 1, False))
        for pattern in PATTERNS:
            store.matching(pattern)  # sorts every list, so that removals are left in sorted ones
        order = list(range(len(ADDRESSES)))
        random.Random(round_).shuffle(order)
        for removed, index in enumerate(order, 1):
            store.remove(str(ADDRESSES[index]))
            if removed % 7 == 0:
                left = {str(ADDRESSES[i]) for i in order[removed:]}
                model: dict[str, list[Envelope]] = {key: [] for key in left}
                for pattern in PATTERNS:
                    check(store, model, pattern)
        assert len(store) == 0
        assert all(list(store.matching(pattern)) == [] for pattern in PATTERNS)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_killing_peers_while_storing_keeps_search_and_reads_in_step(seed: int) -> None:
    """Kills remove the addresses whose last holder dies; stores bring some back.

    In an undivided world a search reads the store's lists, and a retrieve or
    a history the copies: both must agree on what is left, in address order.
    The local peer, which reads, is never killed.
    """
    chance = random.Random(seed)
    texts = [str(address) for address in ADDRESSES]
    with World(seed=seed, peers=24, replication=1) as world:
        bzzz = MockBZZZ(world)
        written = dict.fromkeys(texts, 0)  # how many versions each address had stored, ever
        lost = 0  # addresses found gone after a round, summed over the rounds
        for _ in range(10):
            live = [peer for peer in world.peers if world.status(peer) == "live"]
            for text in chance.sample(texts, 20):
                bzzz.on(chance.choice(live)).store(text, f"{text} {written[text]}")
                written[text] += 1
            for peer in chance.sample([peer for peer in live if peer != world.local_peer], 2):
                world.kill(peer)
            latest: dict[str, Envelope] = {}
            for text in texts:
                try:
                    history = bzzz.history(text)
                except NotFoundError:
                    assert world.content.history(text) is None
                    continue
                latest[text] = bzzz.retrieve(text)
                assert history[-1] == latest[text]
                held = world.content.history(text)
                assert held is not None
                assert held.versions == history
            lost += sum(1 for text in texts if written[text] and text not in latest)
            for pattern in PATTERNS:
                expected = [
                    latest[text] for text in sorted(latest) if pattern.matches(ADDRESS_OF[text])
                ]
                assert bzzz.search(pattern) == expected
                assert bzzz.search(pattern, limit=3) == expected[:3]
        assert len(world.content) == len(latest)
        assert lost > 0  # (so these seeds kill the last holders of some addresses)
