"""What the memory backend keeps in a world: the data each peer holds.

The state lives with the backend, keyed by peer, and is kept in the world's
slot for it (``world.state(NETWORK)``), so the world knows nothing of it
beyond resetting and closing it. Today's network is one undivided whole:
every peer holds every record, so every peer reads and writes one shared
:class:`PeerData`, and a value one peer puts is read by all. (A world of many
peers with placement gives each peer its own.)
"""

from __future__ import annotations

from ..._kernel.slots import StateKey
from ..._kernel.world import World
from .content import ContentStore
from .storage import DHTStorage

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["NETWORK", "MemoryNetwork", "PeerData"]


class PeerData:
    """What one peer holds: DHT values and provider records, and the connector's histories."""

    __slots__ = ("content", "storage")

    def __init__(self) -> None:
        self.storage = DHTStorage()
        self.content = ContentStore()

    def clear(self) -> None:
        """Forget everything (in place: mocks keep their references)."""
        self.storage.clear()
        self.content.clear()


class MemoryNetwork:
    """The memory backend's state in one world."""

    def __init__(self, world: World) -> None:
        self._shared = PeerData()

    def holding(self, peer_id: str) -> PeerData:
        """The data peer ``peer_id`` holds (in the undivided network, the data every peer holds)."""
        return self._shared

    def reset(self) -> None:
        self._shared.clear()

    def close(self) -> None:
        """Nothing to release: the data is garbage once the world is."""


NETWORK: StateKey[MemoryNetwork] = StateKey("memory", MemoryNetwork)
"""The slot of the memory backend's state in every world."""
