"""The libp2p backend: the test's DHT, and the connector's announcements, on real py-libp2p hosts.

It proves the mock: the contract suite (``tests/contract``) runs against both
backends, and every difference is named in ``docs/fidelity.md``. One
network per backend object (the plugin keeps one per session, so one per
xdist worker), started on first use; each world gets a key namespace of its
own on it, and its peers map to the hosts. Modules: ``network`` (the hosts,
in a trio thread), ``worlds`` (what the backend keeps in each world),
``keys`` (where a world's keys live on the hosts), ``dht``, ``connector``
(its announcements on the hosts, its content handed to the simulation's
connector), and ``limits`` (which of a world's settings real hosts cannot
apply). Needs py-libp2p (``pip install 'pytest-bzzz[libp2p]'``); may import
the kernel, the UCXL library and the interfaces; no other backend.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..._kernel.slots import StateKey
from ..interfaces import Connector
from .connector import Libp2pBZZZ
from .dht import Libp2pDHT
from .limits import refusals
from .network import Libp2pNetwork
from .operation import describe
from .worlds import SIMULATION_ONLY, Libp2pWorld, UnsupportedOnLibp2p

if TYPE_CHECKING:
    from ..._kernel.timeline import Scheduled
    from ..._kernel.world import World

__all__ = [
    "DEFAULT_HOSTS",
    "Libp2pBZZZ",
    "Libp2pBackend",
    "Libp2pDHT",
    "StartFailed",
    "UnsupportedOnLibp2p",
]

DEFAULT_HOSTS = 3
"""Hosts in the backend's network unless told otherwise (the ``libp2p_hosts`` setting's default,
``registry.DEFAULT_LIBP2P_HOSTS``: not imported, as the registry imports every backend)."""


class StartFailed(RuntimeError):
    """The backend's network did not start (the message says why; the cause is chained)."""


class Libp2pBackend:
    """Builds each test's DHT and connector on one shared network of ``hosts`` py-libp2p hosts.

    The network starts on the first :meth:`start`, :meth:`dht` or
    :meth:`connector` (under a second for three hosts) and lives until
    :meth:`close`; a failed start is remembered, and raised again at once by
    every later one.
    :meth:`name_world` gives a world's namespace a readable label (the plugin
    passes the test's node id); without one, worlds are numbered.
    """

    name = "libp2p"

    def __init__(self, hosts: int = DEFAULT_HOSTS) -> None:
        self._size = hosts
        self._network: Libp2pNetwork | None = None
        self._failure: str | None = None  # why the network did not start, once it did not
        self._lock = threading.Lock()
        self._count = itertools.count(1)
        self._labels: weakref.WeakKeyDictionary[World, str] = weakref.WeakKeyDictionary()
        self._key: StateKey[Libp2pWorld] = StateKey("libp2p", self._make_state)

    @property
    def network(self) -> Libp2pNetwork:
        """The running network (started now if it is not yet, as :meth:`start` does)."""
        return self._running()

    def start(self) -> None:
        """Start the network now, if it is not running (the plugin does, before a test's DHT).

        A failed start raises :class:`StartFailed`, saying why, and is
        remembered: every later call raises the same at once, without trying
        to start the hosts again.
        """
        self._running()

    def _running(self) -> Libp2pNetwork:
        with self._lock:
            if self._network is None:
                if self._failure is not None:
                    raise StartFailed(self._failure)
                network = Libp2pNetwork(self._size)
                try:
                    network.start()
                except Exception as error:
                    self._failure = (
                        f"its {self._size} py-libp2p hosts did not come up: {describe(error)}"
                    )
                    raise StartFailed(self._failure) from error
                self._network = network
            return self._network

    def configure(self, *, hosts: int) -> None:
        """Run ``hosts`` hosts (the ``libp2p_hosts`` setting); before the network starts."""
        with self._lock:
            if self._network is not None and hosts != self._size:
                raise RuntimeError(
                    f"the libp2p backend's network already runs {self._size} hosts; "
                    f"it cannot be given {hosts} now"
                )
            self._size = hosts

    def name_world(self, world: World, label: str) -> None:
        """Derive ``world``'s key namespace from ``label`` (a test's node id), before its DHT.

        The world's state is made with its DHT (a test that uses only the
        simulation's elections, say, needs no hosts); a fault made before then
        that real hosts cannot take (a marker's partition) is refused then.
        """
        self._labels[world] = label

    def _make_state(self, world: World) -> Libp2pWorld:
        label = self._labels.get(world, "")
        digest = hashlib.sha256(label.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        namespace = f"bzzz-{next(self._count)}-{digest}"
        return Libp2pWorld(world, self.network, namespace)

    def check_world(
        self,
        world: World,
        *,
        sources: Mapping[str, str] | None = None,
        scheduled: Mapping[Scheduled, str] | None = None,
    ) -> None:
        """Refuse a world whose settings real hosts cannot apply: :class:`UnsupportedOnLibp2p`.

        The plugin calls it before the test's DHT, with the settings' sources
        (``WorldSettings.sources``) and the ``at`` markers' scheduled actions,
        each with its marker as written, so that the error names them. A
        non-default ``replication`` (one that keeps fewer copies than libp2p's
        k), ``value_ttl`` or ``provider_ttl``, and an ``at`` marker's action
        on a virtual clock are refused; see ``limits``.
        """
        found = refusals(world, self._size, sources or {}, scheduled or {})
        if found:
            raise UnsupportedOnLibp2p("; ".join(found) + f"; {SIMULATION_ONLY}")

    def dht(self, world: World) -> Libp2pDHT:
        """The test's DHT: its world's local peer, on host 0."""
        return Libp2pDHT(world, self.network, world.state(self._key))

    def connector(self, world: World, *, content: Connector | None = None) -> Libp2pBZZZ:
        """The test's connector: its announcements on the hosts, its content in ``content``.

        ``content`` is a connector on the same world, acting as its local peer,
        which keeps the content (the plugin gives the memory backend's
        ``MockBZZZ``): the content model is the simulation's; ``announce`` and
        ``discover`` rest on the DHT, and run on the real hosts.
        """
        if content is None:
            raise UnsupportedOnLibp2p(
                "the libp2p backend runs the connector's announcements (announce, discover) on "
                "real hosts, and hands its content to a connector on the same world, which it "
                "was not given (connector(world, content=MockBZZZ(world)); the plugin's "
                "mock_bzzz gives one)"
            )
        if not isinstance(content, Connector):
            raise TypeError(
                f"content must be a connector (pytest_bzzz.Connector), got {type(content).__name__}"
            )
        own = getattr(content, "world", world)
        if own is not world:
            raise ValueError(f"the content connector acts in {own!r}, not in {world!r}")
        return Libp2pBZZZ(world, self.network, world.state(self._key), content)

    def namespace_of(self, world: World) -> str:
        """The key namespace of ``world`` on the network."""
        return world.state(self._key).namespace

    def close(self) -> None:
        """Stop the network's hosts and its thread (a new :meth:`dht` would start it again)."""
        with self._lock:
            network, self._network = self._network, None
        if network is not None:
            network.close()

    def __repr__(self) -> str:
        running = "running" if self._network is not None else "not started"
        return f"<libp2p backend, {self._size} hosts, {running}>"
