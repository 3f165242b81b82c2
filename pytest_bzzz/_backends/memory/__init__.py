"""The in-memory backend: ``MockDHT`` and ``MockBZZZ`` on a simulated world.

Each mock is a view on a world: every operation runs through the world's
pipeline (conditions, clock, record), and acts on the data the memory
backend keeps in that world, per peer (``state``). Modules: ``mock`` (what
both mocks share), ``dht``, ``connector``; the data structures ``storage``
(DHT values and provider records) and ``content`` (UCXL version histories
with their search indexes); where records live among many peers
(``placement``, ``copies``, and ``stamps``, which order writes), when they
expire (``expiry``, ``sweeps``), why a read found nothing (``missing``), and
the world's views (``views``). May import the kernel, the UCXL library and
the interfaces; no other backend.
"""

from __future__ import annotations

from ..._kernel.world import World
from .connector import MockBZZZ
from .dht import MockDHT

__all__ = ["MemoryBackend"]


class MemoryBackend:
    """The default backend: a ``MockDHT`` and a ``MockBZZZ`` on the test's world."""

    name = "memory"

    def dht(self, world: World) -> MockDHT:
        return MockDHT(world)

    def connector(self, world: World) -> MockBZZZ:
        return MockBZZZ(world)

    def __repr__(self) -> str:
        return "<memory backend>"
