"""The network's parameters as libp2p and BZZZ set them: the defaults of every world.

A module of its own, without imports, so that the plugin's settings can show
them without loading the kernel.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DEFAULT_ELECTION_TIMEOUT",
    "DEFAULT_HEARTBEAT",
    "DEFAULT_PROVIDER_TTL",
    "DEFAULT_REPLICATION",
    "DEFAULT_VALUE_TTL",
]

DEFAULT_REPLICATION: Final = 20
"""libp2p's k: the peers closest to a key that keep a copy (all of them, if fewer)."""
DEFAULT_VALUE_TTL: Final = 36 * 3600.0
"""libp2p's maximum record age: a stored value expires 36 hours after it was stored."""
DEFAULT_PROVIDER_TTL: Final = 48 * 3600.0
"""libp2p's provider record validity: 48 hours."""
DEFAULT_HEARTBEAT: Final = 5.0
"""BZZZ's admin heartbeat period: 5 seconds."""
DEFAULT_ELECTION_TIMEOUT: Final = 15.0
"""BZZZ's heartbeat timeout, after which followers start an election: 15 seconds."""
