"""What a test reads and arranges on a world directly, without the network: the world's views.

``world.storage`` is the DHT's data reached without the network: in a world of
one peer, that peer's store itself; among many, :class:`PlacedStorage`, which
places what is put as a put from the local peer would (on the closest peers,
at no cost, with nothing recorded) and reads the newest copy any peer holds,
reachable or not. ``world.content`` is the connector's histories (among many
peers, the newest copy of each address's history that some peer holds),
``world.holders(key)`` the peers that hold a value under a key now, and
``world.content_holders(address)`` the peers that hold a copy of an address's
history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..._kernel.peers import Peer
from ..._kernel.world import World
from ..._ucxl.address import UCXLAddress
from ..._ucxl.errors import NotFoundError
from ..arguments import check_address
from .content import ContentStore
from .mock import provider_id as provider_id_of
from .placement import id_of
from .state import NETWORK, MemoryNetwork
from .storage import DHTStorage, check_key, check_value

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = [
    "PlacedStorage",
    "SoleStorage",
    "world_content",
    "world_content_holders",
    "world_holders",
    "world_storage",
]


class PlacedStorage(DHTStorage):
    """A world of many peers' DHT data, reached without the network.

    ``values`` and ``providers_by_key`` are snapshots (the newest value of each
    key any peer holds; every provider any peer records); change the data with
    the methods.
    """

    __slots__ = ("_local", "_network", "_world")

    def __init__(self, network: MemoryNetwork, world: World) -> None:  # no super(): no own data
        self._network = network
        self._world = world
        self._local = world.local_peer.id

    def put(self, key: str | UCXLAddress, value: bytes | bytearray | memoryview) -> None:
        """Store ``value`` under ``key`` where a put from the local peer would, at no cost."""
        self._network.put(self._local, check_key(key), check_value(value))

    def get(self, key: str | UCXLAddress) -> bytes:
        """The newest value any peer holds under ``key``; :class:`NotFoundError` if none."""
        name = check_key(key)
        newest = self.values.get(name)
        if newest is None:
            raise NotFoundError(f"no value under {name!r}")
        return newest

    def provide(self, key: str | UCXLAddress, provider_id: str | Peer) -> None:
        """Record ``provider_id`` for ``key`` where a provide from the local peer would.

        A :class:`Peer` of the world, or a peer's name, is recorded as that peer's id.
        """
        self._network.provide(self._local, check_key(key), provider_id_of(self._world, provider_id))

    def providers(self, key: str | UCXLAddress) -> list[str]:
        """Every provider of ``key`` any peer records, in the order they first provided."""
        return list(self.providers_by_key.get(check_key(key), ()))

    @property
    def values(self) -> dict[str, bytes]:
        return self._network.all_values()

    @values.setter
    def values(self, _: dict[str, bytes]) -> None:
        raise AttributeError("a world of many peers has no one dict of values to replace")

    @property
    def providers_by_key(self) -> dict[str, dict[str, None]]:
        return self._network.all_providers()

    @providers_by_key.setter
    def providers_by_key(self, _: dict[str, dict[str, None]]) -> None:
        raise AttributeError("a world of many peers has no one dict of providers to replace")

    def __contains__(self, key: object) -> bool:
        return isinstance(key, (str, UCXLAddress)) and str(key) in self.values

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def clear(self) -> None:
        """Forget every value and provider record of every peer."""
        self._network.clear_records()


class SoleStorage(DHTStorage):
    """A world of one peer's DHT data: that peer's own dicts, and puts that age as a mock's do.

    ``values`` and ``providers_by_key`` are the peer's dicts themselves (what
    is written into them directly has no age and never expires).
    """

    __slots__ = ("_network", "_world")

    def __init__(self, network: MemoryNetwork, world: World) -> None:  # no super(): its data
        self._network = network
        self._world = world

    def put(self, key: str | UCXLAddress, value: bytes | bytearray | memoryview) -> None:
        """Store ``value`` under ``key``, at no cost; it expires as a mock's put would."""
        self._network.put_alone(check_key(key), check_value(value))

    def provide(self, key: str | UCXLAddress, provider_id: str | Peer) -> None:
        """Record ``provider_id`` as a provider of ``key``; it expires as a mock's would.

        A :class:`Peer` of the world, or a peer's name, is recorded as that peer's id.
        """
        self._network.provide_alone(check_key(key), provider_id_of(self._world, provider_id))

    @property
    def values(self) -> dict[str, bytes]:
        return self._network.sole.values

    @values.setter
    def values(self, _: dict[str, bytes]) -> None:
        raise AttributeError("the peer's dict of values is not replaced; change its contents")

    @property
    def providers_by_key(self) -> dict[str, dict[str, None]]:
        return self._network.sole.providers_by_key

    @providers_by_key.setter
    def providers_by_key(self, _: dict[str, dict[str, None]]) -> None:
        raise AttributeError("the peer's dict of providers is not replaced; change its contents")

    def clear(self) -> None:
        """Forget every value and provider record."""
        self._network.clear_records()


def world_storage(world: World) -> DHTStorage:
    network = world.state(NETWORK)
    return SoleStorage(network, world) if network.alone else PlacedStorage(network, world)


def world_content(world: World) -> ContentStore:
    return world.state(NETWORK).content


def world_holders(world: World) -> Callable[[str | UCXLAddress], list[Peer]]:
    network = world.state(NETWORK)

    def holders(key: str | UCXLAddress) -> list[Peer]:
        """The peers that hold a value under ``key`` now (paused ones too), closest first."""
        return [world.peer(peer) for peer in network.holders(check_key(key))]

    return holders


def world_content_holders(world: World) -> Callable[[str | UCXLAddress], list[Peer]]:
    network = world.state(NETWORK)

    def content_holders(address: str | UCXLAddress) -> list[Peer]:
        """The peers that hold a copy of ``address``'s history now (paused ones too), closest
        first."""
        key = _history_key(address)
        if network.alone:
            held = key in network.content.histories
            return [peer for peer in world.peers if held and network.is_sole(peer.id)]
        network.index()
        target = id_of(key)
        found = sorted(network.copies.holders(key), key=lambda peer: id_of(peer) ^ target)
        return [world.peer(peer) for peer in found]

    return content_holders


def _history_key(address: object) -> str:
    """The canonical text of a concrete address without a temporal segment."""
    return str(check_address(address, what="address", concrete=True).with_temporal(None))
