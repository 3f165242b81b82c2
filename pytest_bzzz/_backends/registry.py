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

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "DEFAULT_LIBP2P_HOSTS",
    "LIBP2P_EXTRA",
    "Backend",
    "BackendUnavailable",
    "available_backends",
    "backend_unavailable",
    "load_backend",
]

DEFAULT_BACKEND = "memory"
DEFAULT_LIBP2P_HOSTS = 3
"""How many py-libp2p hosts the libp2p backend runs unless the ``libp2p_hosts`` setting says."""
LIBP2P_EXTRA = "pytest-bzzz[libp2p]"


class BackendUnavailable(RuntimeError):
    """A built-in backend whose optional dependencies are not installed."""


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


def _libp2p() -> Backend:
    problem = backend_unavailable("libp2p")
    if problem:
        raise BackendUnavailable(problem)
    from .libp2p import Libp2pBackend

    return Libp2pBackend()


BACKENDS: dict[str, Callable[[], Backend]] = {"memory": _memory, "libp2p": _libp2p}
"""Each built-in backend's name -> a function that loads it."""


def backend_unavailable(name: str) -> str:
    """Why the built-in backend ``name`` cannot be loaded here ("" if it can), without loading it.

    The libp2p backend needs py-libp2p, an optional extra: looked up, not
    imported (importing it costs most of a second).
    """
    if name != "libp2p":
        return ""
    import importlib.util

    if importlib.util.find_spec("libp2p") is not None:
        return ""
    return (
        "the libp2p backend runs real py-libp2p hosts, and py-libp2p is not installed: "
        f"python -m pip install '{LIBP2P_EXTRA}'"
    )


def load_backend(name: str) -> Backend:
    """The backend registered as ``name``; a ``ValueError`` names the known ones otherwise.

    The known ones are those that can be loaded here; a built-in one that
    cannot (``libp2p`` without its extra) raises :class:`BackendUnavailable`,
    which says what to install.
    """
    loader = BACKENDS.get(name)
    if loader is None:
        raise ValueError(
            f"unknown backend {name!r}; known backends: {', '.join(available_backends())}"
        )
    return loader()


def available_backends() -> list[str]:
    """The built-in backends that can be loaded here, by name (``libp2p`` needs its extra)."""
    return sorted(name for name in BACKENDS if not backend_unavailable(name))
