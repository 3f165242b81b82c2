"""What a world stores for the BZZZ connector: version histories of UCXL addresses.

Each concrete address (without a temporal segment) has a history of envelopes,
oldest first. Searching a million addresses must not mean a million pattern
matches, so every address is also listed under its agent, role, project and
task: a pattern with any concrete component starts from the shortest of those
lists, and only an all-wildcard pattern scans everything. Results come in the
order of the stored addresses' canonical strings; the full list and each
component's list are kept sorted, and sorted again only after they grew, in
place. A search for the latest versions takes its matches in bulk (list
comprehensions), not one generator step at a time.

Removing a history (among many peers, when its last holder is killed) leaves
it in those lists, which a removal would otherwise have to search: a list
drops its removed histories, keeping the others' order, when a search next
takes it or once they are half of it, so that killing the holders of N
addresses costs O(N), not O(N²).
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Iterator, Sequence
from typing import Final

from ..._ucxl.address import WILDCARD, UCXLAddress
from ..._ucxl.envelope import Envelope

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["ContentStore", "History"]


class History:
    """The versions stored under one address (its canonical text ``key``), oldest first."""

    __slots__ = ("address", "key", "versions")

    def __init__(self, address: UCXLAddress, key: str) -> None:
        self.address = address
        self.key = key
        self.versions: list[Envelope] = []


_BY_KEY: Final = operator.attrgetter("key")


class ContentStore:
    """Histories by address, with the indexes search needs. Not locked: the world locks."""

    def __init__(self) -> None:
        self.histories: dict[str, History] = {}
        # Announced capabilities: address -> peer id -> capability (frozen JSON).
        self.capabilities: dict[str, dict[str, object]] = {}
        self._by_component: tuple[dict[str, list[History]], ...] = ({}, {}, {}, {})
        # The length each list had when last sorted. A list grows at its end, and a removal that
        # leaves a removed history in a list forgets the list's length, so a list whose length
        # is not its recorded one has histories at its end not in order yet, or removed ones.
        self._sorted_lengths: dict[tuple[int, str], int] = {}
        self._sorted: list[History] = []
        self._unsorted = False
        # Removed histories still in a list, by list: they are dropped when the list is next
        # looked at, or at once when they are half of it, so that a removal costs O(1) amortised.
        self._removed: dict[tuple[int, str], int] = {}
        self._removed_from_sorted = 0
        self.tombstoned = 0
        """How many histories end in a tombstone (a search skips them; usually none)."""

    def history(self, key: str) -> History | None:
        return self.histories.get(key)

    def add(self, address: UCXLAddress) -> History:
        """The history of ``address`` (concrete, no temporal), created if new."""
        key = str(address)
        history = self.histories.get(key)
        if history is None:
            history = self.histories[key] = History(address, key)
            components = (address.agent, address.role, address.project, address.task)
            for index, component in zip(self._by_component, components, strict=True):
                # Interned: agents, roles and projects repeat across many addresses.
                index.setdefault(sys.intern(component), []).append(history)
            self._sorted.append(history)
            self._unsorted = True
        return history

    def append(self, history: History, envelope: Envelope) -> None:
        """Add ``envelope`` as the newest version of ``history``."""
        versions = history.versions
        # With none counted, none ends in a tombstone: the usual store looks at one envelope.
        if self.tombstoned and versions and versions[-1].deleted:
            self.tombstoned -= 1
        versions.append(envelope)
        if envelope.deleted:
            self.tombstoned += 1

    def replace(self, history: History, versions: Sequence[Envelope]) -> None:
        """Make ``versions`` the versions of ``history`` (among many peers: its newest copy)."""
        old = history.versions
        if self.tombstoned and old and old[-1].deleted:
            self.tombstoned -= 1
        history.versions = list(versions)
        if versions and versions[-1].deleted:
            self.tombstoned += 1

    def remove(self, key: str) -> None:
        """Forget the history of ``key`` (among many peers: its last holder was killed).

        O(1) amortised: the history stays in its lists, known as removed because
        :attr:`histories` no longer holds that very object (the key may hold a
        new history by then), until a search looks at the list or the
        removed make up half of it.
        """
        history = self.histories.pop(key, None)
        if history is None:
            return
        self.replace(history, ())
        address = history.address
        components = (address.agent, address.role, address.project, address.task)
        removed, lengths = self._removed, self._sorted_lengths
        for position, (index, component) in enumerate(
            zip(self._by_component, components, strict=True)
        ):
            posting, where = index[component], (position, component)
            count = removed.get(where, 0) + 1
            if 2 * count < len(posting):
                removed[where] = count
                # Its removed histories are dropped, and it is sorted, when a search takes it.
                lengths.pop(where, None)
                continue
            removed.pop(where, None)
            in_order = lengths.pop(where, None) == len(posting)
            self._compact(posting)
            if not posting:
                del index[component]
            elif in_order:  # dropping histories keeps the others' order
                lengths[where] = len(posting)
        self._removed_from_sorted += 1
        if 2 * self._removed_from_sorted >= len(self._sorted):
            self._compact(self._sorted)
            self._removed_from_sorted = 0

    def _compact(self, histories: list[History]) -> None:
        """Drop the removed histories from ``histories``, in place, keeping the others' order."""
        held = self.histories
        histories[:] = [history for history in histories if held.get(history.key) is history]

    def _lookup(self, pattern: UCXLAddress) -> tuple[list[History], bool]:
        """The histories to look at for ``pattern``, in address order, and whether all match.

        The shortest list of a concrete component's, or every history; each
        list drops its removed histories and is sorted in place once after it
        grew or lost one, not on every search. The list is the store's own:
        read it, never change it.
        """
        components = (pattern.agent, pattern.role, pattern.project, pattern.task)
        shortest: list[History] | None = None
        where = (0, "")
        for position, (index, component) in enumerate(
            zip(self._by_component, components, strict=True)
        ):
            if component != WILDCARD:
                posting = index.get(component)
                if posting is None:
                    return [], True  # nothing is stored under that component
                if shortest is None or len(posting) < len(shortest):
                    shortest, where = posting, (position, component)
        if shortest is None:
            if self._removed_from_sorted:
                self._compact(self._sorted)
                self._removed_from_sorted = 0
            if self._unsorted:
                self._sorted.sort(key=_BY_KEY)
                self._unsorted = False
            return self._sorted, pattern.path == "**"  # any path: every address matches
        if self._sorted_lengths.get(where) != len(shortest):
            if self._removed.pop(where, 0):
                self._compact(shortest)
            shortest.sort(key=_BY_KEY)
            self._sorted_lengths[where] = len(shortest)
        return shortest, False

    def matching(self, pattern: UCXLAddress) -> Sequence[History]:
        """Histories whose address ``pattern`` matches, in address order (read, never change)."""
        histories, every = self._lookup(pattern)
        if every:
            return histories
        matches = pattern.matches
        return [history for history in histories if matches(history.address)]

    def candidates(self, pattern: UCXLAddress) -> Iterator[History]:
        """Histories whose address ``pattern`` matches, in address order, one at a time."""
        histories, every = self._lookup(pattern)
        if every:
            yield from histories
            return
        matches = pattern.matches
        for history in histories:
            if matches(history.address):
                yield history

    def __len__(self) -> int:
        return len(self.histories)

    def clear(self) -> None:
        self.histories.clear()
        self.capabilities.clear()
        for index in self._by_component:
            index.clear()
        self._sorted_lengths.clear()
        self._sorted.clear()
        self._unsorted = False
        self._removed.clear()
        self._removed_from_sorted = 0
        self.tombstoned = 0
