"""What the connector interface returns besides envelopes: announcements and the network's status.

Apart from the Protocols (``interfaces``), which only name these in
annotations, so that declaring the operations loads nothing more.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from .._kernel.conditions import NetworkConditions
from .._kernel.peers import Peer
from .._kernel.record import Stats
from .._ucxl.address import UCXLAddress

__all__ = ["Announcement", "NetworkStatus"]


@dataclasses.dataclass(frozen=True)
class Announcement:
    """A capability a peer announced for an address (see ``Connector.announce``)."""

    address: UCXLAddress
    peer: str
    capability: Any


@dataclasses.dataclass(frozen=True)
class NetworkStatus:
    """What the local node knows of the network, read without touching it.

    ``announcements`` counts the capabilities announced through the
    connector (one per address and peer: a peer's newer offer for an address
    replaces its older one), as a node's resolver reports them.
    """

    local_peer: Peer
    peer_count: int
    connected: bool
    conditions: NetworkConditions
    stats: Stats
    time: datetime
    announcements: int = 0
