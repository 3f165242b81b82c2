"""Backends: what the fixtures are built by, behind the typed interfaces users code against.

- ``interfaces``: the DHT and connector Protocols, and the declaration of
  their operations in the kernel's registry;
- ``registry``: the backends by name (the ``backend`` setting) and the
  ``Backend`` Protocol a backend satisfies;
- ``memory``: the in-memory backend (``MockDHT``, ``MockBZZZ``), the default.

A backend may import the kernel, the UCXL library and the interfaces, never
another backend, the settings or the plugin. Each keeps its own per-world
state (per peer) in the world's slot for it. Importing this package declares
the built-in operations and the world's ``storage`` and ``content`` views;
it loads no backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._kernel.slots import register_view
from . import interfaces
from .registry import BACKENDS, DEFAULT_BACKEND, Backend, load_backend

if TYPE_CHECKING:
    from .._kernel.world import World
    from .memory.state import PeerData

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "Backend", "interfaces", "load_backend"]


def _local_data(world: World) -> PeerData:
    from .memory.state import NETWORK

    return world.state(NETWORK).holding(world.local_peer.id)


register_view("storage", lambda world: _local_data(world).storage)
register_view("content", lambda world: _local_data(world).content)
