"""Backends: what the fixtures are built by, behind the typed interfaces users code against.

- ``interfaces``: the DHT and connector Protocols, and the declaration of
  their operations in the kernel's registry;
- ``registry``: the backends by name (the ``backend`` setting) and the
  ``Backend`` Protocol a backend satisfies;
- ``memory``: the in-memory backend (``MockDHT``, ``MockBZZZ``), the default;
- ``libp2p``: real py-libp2p hosts on 127.0.0.1 behind ``mock_dht`` (the
  ``libp2p`` extra; loaded only when the ``backend`` setting asks for it);
- ``ucxi``: the fake UCXI node (an HTTP application and server over a world's
  connector).

A backend may import the kernel, the UCXL library and the interfaces, never
another backend, the settings or the plugin. Each keeps its own per-world
state (per peer) in the world's slot for it. Importing this package declares
the built-in operations and the world's ``storage`` and ``content`` views;
it loads no backend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .._kernel.slots import register_view

if TYPE_CHECKING:
    from .._kernel.world import World
from . import interfaces
from .registry import BACKENDS, DEFAULT_BACKEND, Backend, load_backend

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "Backend", "interfaces", "load_backend"]


def _view(name: str) -> Callable[[World], object]:
    """A view of the memory backend's, loaded the first time a world is asked for it."""

    def view(world: World) -> object:
        from .memory import views

        return getattr(views, f"world_{name}")(world)

    return view


for _name in ("storage", "content", "holders", "content_holders"):
    register_view(_name, _view(_name))
