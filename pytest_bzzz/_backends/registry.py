"""The backends a test's fixtures can be built by, by name: the ``backend`` setting picks one.

A backend builds the ``mock_dht`` and ``mock_bzzz`` fixtures on a test's
world; the plugin asks the registry for the one the ``backend`` setting
names (``--bzzz-backend``, default ``memory``), or a ``pytest_bzzz_make_backend``
hook supplies another. Built-in backends are loaded on first use, so naming
one costs nothing until a test needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .._kernel.world import World
    from .interfaces import DHT, Connector

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "Backend", "load_backend"]

DEFAULT_BACKEND = "memory"


@runtime_checkable
class Backend(Protocol):
    """What builds a test's DHT and connector (the ``mock_dht`` and ``mock_bzzz`` fixtures).

    ``name`` is shown in a failing test's report and in setup errors. Each
    method is called with the test's world (a :class:`~pytest_bzzz.World`),
    once per test that uses the fixture, and returns an object that satisfies
    the interface (checked at setup), acting as the world's local peer. The
    built-in backends keep their data with the world; the plugin closes the
    world after the test, and nothing else: a backend that holds resources
    releases them itself.
    """

    @property
    def name(self) -> str:
        """The backend's name, as the ``backend`` setting spells it."""

    def dht(self, world: World) -> DHT:
        """The DHT the test's ``mock_dht`` fixture is."""

    def connector(self, world: World) -> Connector:
        """The connector the test's ``mock_bzzz`` fixture is."""


def _memory() -> Backend:
    from .memory import MemoryBackend

    return MemoryBackend()


BACKENDS: dict[str, Callable[[], Backend]] = {"memory": _memory}
"""Each built-in backend's name -> a function that loads it."""


def load_backend(name: str) -> Backend:
    """The backend registered as ``name``; a ``ValueError`` names the known ones otherwise."""
    loader = BACKENDS.get(name)
    if loader is None:
        raise ValueError(f"unknown backend {name!r}; known backends: {', '.join(sorted(BACKENDS))}")
    return loader()
