"""What a world stores for the BZZZ connector: version histories of UCXL addresses.

Each concrete address (without a temporal segment) has a history of envelopes,
oldest first. Searching a million addresses must not mean a million pattern
matches, so every address is also listed under its agent, role, project and
task: a pattern with any concrete component starts from the shortest of those
lists, and only an all-wildcard pattern scans everything. Results come in the
order of the stored addresses' canonical strings; the full sorted list is kept
and only re-sorted after new addresses arrive.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime

from ..._ucxl.address import WILDCARD, UCXLAddress
from ..._ucxl.envelope import Envelope

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["ContentStore", "History"]


class History:
    """The versions stored under one address, oldest first."""

    __slots__ = ("address", "versions")

    def __init__(self, address: UCXLAddress) -> None:
        self.address = address
        self.versions: list[Envelope] = []

    def timestamps(self) -> list[datetime]:
        return [envelope.timestamp for envelope in self.versions]


class ContentStore:
    """Histories by address, with the indexes search needs. Not locked: the world locks."""

    def __init__(self) -> None:
        self.histories: dict[str, History] = {}
        # Announced capabilities: address -> peer id -> capability (frozen JSON).
        self.capabilities: dict[str, dict[str, object]] = {}
        self._by_component: tuple[dict[str, list[str]], ...] = ({}, {}, {}, {})
        self._sorted: list[str] = []
        self._unsorted = False

    def history(self, key: str) -> History | None:
        return self.histories.get(key)

    def add(self, address: UCXLAddress) -> History:
        """The history of ``address`` (concrete, no temporal), created if new."""
        key = str(address)
        history = self.histories.get(key)
        if history is None:
            # Interned: agents, roles and projects repeat across many addresses.
            history = self.histories[key] = History(address)
            components = (address.agent, address.role, address.project, address.task)
            for index, component in zip(self._by_component, components, strict=True):
                index.setdefault(sys.intern(component), []).append(key)
            self._sorted.append(key)
            self._unsorted = True
        return history

    def candidates(self, pattern: UCXLAddress) -> Iterator[History]:
        """Histories whose address ``pattern`` matches, in address order."""
        components = (pattern.agent, pattern.role, pattern.project, pattern.task)
        postings: list[list[str]] = [
            index.get(component, [])
            for index, component in zip(self._by_component, components, strict=True)
            if component != WILDCARD
        ]
        if postings:
            shortest: list[str] = min(postings, key=len)
            keys = sorted(shortest)
        else:
            if self._unsorted:
                self._sorted.sort()
                self._unsorted = False
            keys = self._sorted
        histories = self.histories
        if not postings and pattern.path == "**":
            for key in keys:  # an all-wildcard pattern over any path: everything matches
                yield histories[key]
            return
        matches = pattern.matches
        for key in keys:
            history = histories[key]
            if matches(history.address):
                yield history

    def __len__(self) -> int:
        return len(self.histories)

    def clear(self) -> None:
        self.histories.clear()
        self.capabilities.clear()
        for index in self._by_component:
            index.clear()
        self._sorted.clear()
        self._unsorted = False
