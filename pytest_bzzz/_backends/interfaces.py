"""The interfaces every backend offers: the BZZZ DHT and the BZZZ connector, as typed Protocols.

Users type their own code against these (``def publish(dht: DHT)``) and hand
it a mock in tests and a real client elsewhere; every backend's fixtures
satisfy them. Each interface comes whole (``DHT``, ``Connector``) and in
halves (``SyncDHT`` and ``AsyncDHT``, ``SyncConnector`` and
``AsyncConnector``), so code that uses only one half can accept any client
that offers it. All are ``runtime_checkable``: ``isinstance`` checks that the
methods exist, not their signatures.

The module also declares the interfaces' operations in the kernel's registry
(each name covers its async twin), which is what ``flaky_network(ops=...)``,
``NetworkConditions.failure_ops`` and ``calls(op)`` accept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, runtime_checkable

from .._kernel.operations import OPERATIONS

if TYPE_CHECKING:
    from .._kernel.peers import Peer
    from .._ucxl.address import UCXLAddress
    from .._ucxl.envelope import Envelope
    from .records import Announcement, NetworkStatus

__all__ = [
    "CONNECTOR_OPERATIONS",
    "DHT",
    "DHT_OPERATIONS",
    "Address",
    "AsyncConnector",
    "AsyncDHT",
    "Connector",
    "Key",
    "SyncConnector",
    "SyncDHT",
]

Key: TypeAlias = "str | UCXLAddress"
"""A DHT key: a non-empty str, or a concrete UCXL address (stored in canonical form)."""

Address: TypeAlias = "UCXLAddress | str"
"""A UCXL address, parsed or as text."""

DHT_OPERATIONS = tuple(
    OPERATIONS.register(name, interface="the DHT")
    for name in ("put_value", "get_value", "provide", "find_providers")
)
CONNECTOR_OPERATIONS = tuple(
    OPERATIONS.register(name, interface="the connector")
    for name in ("store", "retrieve", "history", "search", "delete", "announce", "discover")
)


@runtime_checkable
class SyncDHT(Protocol):
    """The BZZZ DHT's four operations, called synchronously."""

    def put_value(self, key: Key, value: bytes, *, timeout: float | None = None) -> None:
        """Store ``value`` under ``key``."""

    def get_value(self, key: Key, *, timeout: float | None = None) -> bytes:
        """The value under ``key``; raises ``NotFoundError`` if there is none."""

    def provide(self, key: Key, provider_id: str, *, timeout: float | None = None) -> None:
        """Announce ``provider_id`` as a provider of ``key``."""

    def find_providers(self, key: Key, *, timeout: float | None = None) -> list[str]:
        """Distinct providers of ``key`` (maybe none)."""


@runtime_checkable
class AsyncDHT(Protocol):
    """The BZZZ DHT's four operations, awaited (the ``a``-prefixed twins)."""

    async def aput_value(self, key: Key, value: bytes, *, timeout: float | None = None) -> None:
        """Store ``value`` under ``key``."""

    async def aget_value(self, key: Key, *, timeout: float | None = None) -> bytes:
        """The value under ``key``; raises ``NotFoundError`` if there is none."""

    async def aprovide(self, key: Key, provider_id: str, *, timeout: float | None = None) -> None:
        """Announce ``provider_id`` as a provider of ``key``."""

    async def afind_providers(self, key: Key, *, timeout: float | None = None) -> list[str]:
        """Distinct providers of ``key`` (maybe none)."""


@runtime_checkable
class DHT(SyncDHT, AsyncDHT, Protocol):
    """The whole BZZZ DHT interface: the four operations and their async twins."""


@runtime_checkable
class SyncConnector(Protocol):
    """The BZZZ connector's operations, called synchronously, and its two local reads."""

    def store(
        self,
        address: Address,
        content: object,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Envelope:
        """Store a new version of ``address`` and return its envelope."""

    def retrieve(self, address: Address, *, timeout: float | None = None) -> Envelope:
        """The version the address's temporal segment selects (the latest if it has none)."""

    def history(self, address: Address, *, timeout: float | None = None) -> list[Envelope]:
        """Every version of ``address``, oldest first, tombstones included."""

    def search(
        self, pattern: Address, *, limit: int | None = None, timeout: float | None = None
    ) -> list[Envelope]:
        """One envelope per stored address ``pattern`` matches, in address order."""

    def delete(self, address: Address, *, timeout: float | None = None) -> Envelope:
        """Add a tombstone version of ``address``."""

    def announce(self, address: Address, capability: Any, *, timeout: float | None = None) -> None:
        """Announce that this peer offers ``capability`` for ``address``."""

    def discover(self, pattern: Address, *, timeout: float | None = None) -> list[Announcement]:
        """Every announcement for an address ``pattern`` matches."""

    def peers(self) -> list[Peer]:
        """The other peers this node sees (a local read)."""

    def network_status(self) -> NetworkStatus:
        """Peer count, whether connected, conditions and counters (a local read)."""


@runtime_checkable
class AsyncConnector(Protocol):
    """The BZZZ connector's operations, awaited (the ``a``-prefixed twins)."""

    async def astore(
        self,
        address: Address,
        content: object,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Envelope:
        """Store a new version of ``address`` and return its envelope."""

    async def aretrieve(self, address: Address, *, timeout: float | None = None) -> Envelope:
        """The version the address's temporal segment selects (the latest if it has none)."""

    async def ahistory(self, address: Address, *, timeout: float | None = None) -> list[Envelope]:
        """Every version of ``address``, oldest first, tombstones included."""

    async def asearch(
        self, pattern: Address, *, limit: int | None = None, timeout: float | None = None
    ) -> list[Envelope]:
        """One envelope per stored address ``pattern`` matches, in address order."""

    async def adelete(self, address: Address, *, timeout: float | None = None) -> Envelope:
        """Add a tombstone version of ``address``."""

    async def aannounce(
        self, address: Address, capability: Any, *, timeout: float | None = None
    ) -> None:
        """Announce that this peer offers ``capability`` for ``address``."""

    async def adiscover(
        self, pattern: Address, *, timeout: float | None = None
    ) -> list[Announcement]:
        """Every announcement for an address ``pattern`` matches."""


@runtime_checkable
class Connector(SyncConnector, AsyncConnector, Protocol):
    """The whole BZZZ connector interface: its operations, their async twins, its local reads."""
