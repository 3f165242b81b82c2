"""When stored records expire: each kind has one TTL, so they expire in the order they were stored.

A :class:`Births` map keeps, for each record still held, the world time it
was last stored at, in the order of those times: world time only moves
forward, so a new record goes at the end, and a record stored again at a later
instant is moved to the end. The oldest records are therefore at the front,
and expiring them reads the map from the front and stops at the first record
still young: no sorting and no search, and storing a record costs one lookup
of the map (two when it moves).

Nothing is looked at on a read: the network removes what expired when the
world's clock passes :meth:`Births.next_due` (it schedules that on the
world's timeline), so a read at a later instant finds nothing.

A dict keeps the slots of removed entries until it is rebuilt, and reading it
from the front walks over them; :meth:`Births.expire` rebuilds it in place
once more than :data:`REBUILD_AFTER` entries went, so that walk stays short.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Final, Generic, TypeVar

__all__ = ["REBUILD_AFTER", "Births"]

K = TypeVar("K", bound=Hashable)

REBUILD_AFTER: Final = 1024
"""Entries removed (expired, forgotten or moved) before the map is rebuilt in place."""


class Births(Generic[K]):
    """Records of one kind and when each was stored; see the module."""

    __slots__ = ("_removed", "born", "ttl")

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self.born: dict[K, float] = {}
        """Each record still held, and the world time it was last stored at, oldest first.

        A fast path may note a birth itself, as :meth:`stored` does."""
        self._removed = 0

    def stored(self, item: K, now: float) -> None:
        """``item`` was stored at ``now`` (again, perhaps)."""
        born = self.born
        if born.setdefault(item, now) != now:  # stored before, at an earlier instant
            self.moved(item, now)

    def moved(self, item: K, now: float) -> None:
        """``item``, stored before, was stored again at ``now``: it goes to the end."""
        del self.born[item]
        self.born[item] = now
        self._removed += 1

    def forget(self, item: K) -> None:
        """``item`` is gone (deleted, or its holder killed): it expires no more."""
        if self.born.pop(item, None) is not None:
            self._removed += 1

    @property
    def next_due(self) -> float:
        """The world time the next record expires at (``inf`` if none will)."""
        for at in self.born.values():
            return at + self.ttl
        return math.inf

    def expire(self, now: float) -> list[K]:
        """Take out and return every record whose TTL has run out at ``now``, oldest first."""
        born = self.born
        cutoff = now - self.ttl
        gone = []
        for item, at in born.items():
            if at > cutoff:
                break
            gone.append(item)
        for item in gone:
            del born[item]
        self._removed += len(gone)
        if self._removed > REBUILD_AFTER:
            self.rebuild()
        return gone

    def rebuild(self) -> None:
        """Rebuild the map in place (the same object: a fast path holds it), without holes."""
        entries = list(self.born.items())
        self.born.clear()
        self.born.update(entries)
        self._removed = 0

    def clear(self) -> None:
        self.born.clear()
        self._removed = 0
