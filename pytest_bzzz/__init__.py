"""pytest-bzzz: test code that talks to a BZZZ network and to UCXL-addressed content.

This module is the public surface; everything else lives in private modules.
Names are loaded on first use (PEP 562), so that loading the pytest plugin,
which imports this package, costs a test run that does not use it next to
nothing. Importing it never imports hypothesis or faker.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._backends.memory.connector import Announcement, MockBZZZ, NetworkStatus
    from ._backends.memory.dht import MockDHT
    from ._backends.memory.storage import DHTStorage
    from ._kernel.clock import Clock, ClockMode
    from ._kernel.conditions import OPERATIONS, Distribution, NetworkConditions
    from ._kernel.errors import NetworkError, NetworkTimeout
    from ._kernel.peers import Peer
    from ._kernel.record import DEFAULT_RECORD_LIMIT, Call, Outcome, Stats
    from ._kernel.world import World
    from ._ucxl.address import MAX_LENGTH, UCXLAddress
    from ._ucxl.envelope import Envelope
    from ._ucxl.errors import (
        ErrorCode,
        NotFoundError,
        TemporalRangeError,
        UCXLError,
        UCXLParseError,
    )
    from ._ucxl.temporal import Temporal, TemporalKind

# Public name -> the private module that defines it.
_HOMES = {
    "MAX_LENGTH": "_ucxl.address",
    "UCXLAddress": "_ucxl.address",
    "Clock": "_kernel.clock",
    "ClockMode": "_kernel.clock",
    "OPERATIONS": "_kernel.conditions",
    "Distribution": "_kernel.conditions",
    "NetworkConditions": "_kernel.conditions",
    "MockDHT": "_backends.memory.dht",
    "Announcement": "_backends.memory.connector",
    "MockBZZZ": "_backends.memory.connector",
    "NetworkStatus": "_backends.memory.connector",
    "Envelope": "_ucxl.envelope",
    "ErrorCode": "_ucxl.errors",
    "NetworkError": "_kernel.errors",
    "NetworkTimeout": "_kernel.errors",
    "NotFoundError": "_ucxl.errors",
    "TemporalRangeError": "_ucxl.errors",
    "UCXLError": "_ucxl.errors",
    "UCXLParseError": "_ucxl.errors",
    "Peer": "_kernel.peers",
    "DEFAULT_RECORD_LIMIT": "_kernel.record",
    "Call": "_kernel.record",
    "Outcome": "_kernel.record",
    "Stats": "_kernel.record",
    "DHTStorage": "_backends.memory.storage",
    "Temporal": "_ucxl.temporal",
    "TemporalKind": "_ucxl.temporal",
    "World": "_kernel.world",
}

__all__ = [
    "DEFAULT_RECORD_LIMIT",
    "MAX_LENGTH",
    "OPERATIONS",
    "Announcement",
    "Call",
    "Clock",
    "ClockMode",
    "DHTStorage",
    "Distribution",
    "Envelope",
    "ErrorCode",
    "MockBZZZ",
    "MockDHT",
    "NetworkConditions",
    "NetworkError",
    "NetworkStatus",
    "NetworkTimeout",
    "NotFoundError",
    "Outcome",
    "Peer",
    "Stats",
    "Temporal",
    "TemporalKind",
    "TemporalRangeError",
    "UCXLAddress",
    "UCXLError",
    "UCXLParseError",
    "World",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'pytest_bzzz' has no attribute {name!r}")
    # Not cached in this module's globals: pytester's in-process runs unload the
    # modules a run imported, and a cached class would then outlive its module.
    return getattr(importlib.import_module(f".{home}", __name__), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
