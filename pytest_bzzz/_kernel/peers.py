"""Peers: the nodes of a simulated BZZZ network.

A peer is a first-class value from the start: the local node a test's mocks
act as is one peer among possibly many. Identifiers look like libp2p's
(``12D3KooW...`` followed by base58) and are derived from the world's seed
through a generator of their own, so adding peers never changes the random
draws that decide operations' latencies and failures.
"""

from __future__ import annotations

import dataclasses
import random

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["Peer", "PeerIds"]

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


@dataclasses.dataclass(frozen=True, slots=True)
class Peer:
    """One node of the simulated network: a libp2p-style ``id`` and a readable ``name``."""

    id: str
    name: str

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class PeerIds:
    """Deterministic peer identifiers for one world."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._rng = random.Random(f"{seed}:peers")
        self._pending: str | None = None

    def reset(self) -> None:
        self._rng = random.Random(f"{self._seed}:peers")
        self._pending = None

    def peek(self) -> str:
        """The next id, not taken yet: a peer refused takes none, and the next one gets it."""
        if self._pending is None:
            self._pending = self._draw()
        return self._pending

    def take(self) -> str:
        """The id :meth:`peek` showed, taken."""
        taken = self.peek()
        self._pending = None
        return taken

    def _draw(self) -> str:
        value = self._rng.getrandbits(256)
        digits = []
        while value:
            value, digit = divmod(value, 58)
            digits.append(_BASE58[digit])
        return "12D3KooW" + "".join(reversed(digits)).rjust(44, "1")[:44]
