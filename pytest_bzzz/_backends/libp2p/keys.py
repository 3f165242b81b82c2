"""Where a world's keys live on the libp2p backend's network, and what a host does with them.

A value lives under ``/<namespace>/=<key>`` (``%<hex>`` for a key UTF-8
cannot encode), a provider record under the SHA-256 of the namespaced key
(py-libp2p reads a hex-looking provider key as bytes, and loses records of
keys over about 100 bytes). :func:`announcing` and :func:`finding` are what a
host does to announce itself as a provider and to list the world peers that
did: the DHT's ``provide`` and ``find_providers`` and the connector's
``announce`` and ``discover`` run them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .operation import Unannounced

if TYPE_CHECKING:
    from ..._kernel.world import World
    from .network import Libp2pNetwork

__all__ = ["KadDHT", "announcing", "finding", "provider_key", "value_key"]

KadDHT = Any
"""A host's ``libp2p.kad_dht.kad_dht.KadDHT`` (py-libp2p is optional, and partly annotated)."""


def value_key(namespace: str, key: str) -> str:
    """Where ``key``'s value lives on the network."""
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return f"/{namespace}/%{key.encode('utf-8', 'surrogatepass').hex()}"
    return f"/{namespace}/={key}"


def provider_key(namespace: str, key: str) -> str:
    """Where ``key``'s provider records live on the network (hex of a SHA-256)."""
    return hashlib.sha256(f"{namespace}/{key}".encode("utf-8", "surrogatepass")).hexdigest()


def announcing(network: Libp2pNetwork, where: str) -> Callable[[KadDHT], Awaitable[None]]:
    """What a host does to announce itself as a provider of the provider key ``where``."""

    async def provide(dht: KadDHT) -> None:
        # False: no other host took the announcement (only the provider's own keeps it).
        if not await dht.provide(where) and network.live_hosts() > 1:
            raise Unannounced(network.live_hosts() - 1)

    return provide


def finding(network: Libp2pNetwork, world: World) -> Callable[[KadDHT, str], Awaitable[list[str]]]:
    """What a host does to list the world peers that provide a provider key, each once."""
    # The world's peers by host, read here: the network's thread must not take the world's
    # lock, which a kill holds while it waits for that thread to stop a host.
    peer_of_host = dict(enumerate(peer.id for peer in world.peers))

    async def find(dht: KadDHT, where: str) -> list[str]:
        found = await dht.find_providers(where)
        providers: dict[str, None] = {}  # py-libp2p may list a provider twice
        for info in found:
            index = network.index_of(str(info.peer_id))
            peer = None if index is None else peer_of_host.get(index)
            if peer is not None:
                providers[peer] = None
        return list(providers)

    return find
