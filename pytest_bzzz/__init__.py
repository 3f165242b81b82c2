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
    from ._address import MAX_LENGTH, UCXLAddress
    from ._bzzz import Announcement, MockBZZZ, NetworkStatus
    from ._clock import Clock, ClockMode
    from ._conditions import OPERATIONS, Distribution, NetworkConditions
    from ._dht import MockDHT
    from ._envelope import Envelope
    from ._errors import (
        ErrorCode,
        NetworkError,
        NetworkTimeout,
        NotFoundError,
        TemporalRangeError,
        UCXLError,
        UCXLParseError,
    )
    from ._peers import Peer
    from ._record import DEFAULT_RECORD_LIMIT, Call, Outcome, Stats
    from ._storage import DHTStorage
    from ._temporal import Temporal, TemporalKind
    from ._world import World

# Public name -> the private module that defines it.
_HOMES = {
    "MAX_LENGTH": "_address",
    "UCXLAddress": "_address",
    "Clock": "_clock",
    "ClockMode": "_clock",
    "OPERATIONS": "_conditions",
    "Distribution": "_conditions",
    "NetworkConditions": "_conditions",
    "MockDHT": "_dht",
    "Announcement": "_bzzz",
    "MockBZZZ": "_bzzz",
    "NetworkStatus": "_bzzz",
    "Envelope": "_envelope",
    "ErrorCode": "_errors",
    "NetworkError": "_errors",
    "NetworkTimeout": "_errors",
    "NotFoundError": "_errors",
    "TemporalRangeError": "_errors",
    "UCXLError": "_errors",
    "UCXLParseError": "_errors",
    "Peer": "_peers",
    "DEFAULT_RECORD_LIMIT": "_record",
    "Call": "_record",
    "Outcome": "_record",
    "Stats": "_record",
    "DHTStorage": "_storage",
    "Temporal": "_temporal",
    "TemporalKind": "_temporal",
    "World": "_world",
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
