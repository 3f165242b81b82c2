"""pytest-bzzz: test code that talks to a BZZZ network and to UCXL-addressed content.

This module is the public surface; everything else lives in private packages
(``_ucxl``, ``_kernel``, ``_backends``, ``_settings``, and the ``plugin``).
Names are loaded on first use (PEP 562), so that loading the pytest plugin,
which imports this package, costs a test run that does not use it next to
nothing; only the exceptions, which are small, are bound at once. Importing
it never imports hypothesis or faker. The first name
looked up also loads ``_backends``, which declares the built-in operations
(``OPERATIONS``) and the world's data views, so that every public name sees
the same registry whichever is used first.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The exceptions are bound here at once (their modules are small): they report
# ``pytest_bzzz`` as their module, so that tracebacks show ``pytest_bzzz.NetworkError``,
# and pickle and ``typing.get_type_hints`` then look their names up here.
from ._kernel.errors import NetworkError, NetworkTimeout, NoLeaderError, ScheduledActionError
from ._ucxl.errors import (
    ErrorCode,
    NotFoundError,
    TemporalRangeError,
    UCXLError,
    UCXLParseError,
)

if TYPE_CHECKING:
    from ._backends.interfaces import (
        DHT,
        AsyncConnector,
        AsyncDHT,
        Connector,
        SyncConnector,
        SyncDHT,
    )
    from ._backends.memory.connector import MockBZZZ
    from ._backends.memory.dht import MockDHT
    from ._backends.memory.storage import DHTStorage
    from ._backends.records import Announcement, NetworkStatus
    from ._backends.registry import Backend
    from ._backends.ucxi.app import ReceivedRequest, UCXIApp
    from ._backends.ucxi.rules import Route, UCXIRules
    from ._backends.ucxi.server import UCXIServer
    from ._kernel.candidates import PeerProfile
    from ._kernel.clock import Clock, ClockMode
    from ._kernel.cluster import FaultEvent
    from ._kernel.conditions import Distribution, NetworkConditions
    from ._kernel.elections import LeaderSubscription
    from ._kernel.jobs import JobState, JobTable
    from ._kernel.operations import OPERATIONS, Operation
    from ._kernel.peers import Peer
    from ._kernel.record import DEFAULT_RECORD_LIMIT, Call, Outcome, Stats
    from ._kernel.terms import Term
    from ._kernel.timeline import Scheduled
    from ._kernel.trio_clock import TrioClock
    from ._kernel.world import World
    from ._settings import WorldSettings
    from ._ucxl.address import MAX_LENGTH, UCXLAddress
    from ._ucxl.envelope import Envelope
    from ._ucxl.temporal import Temporal, TemporalKind

# Public name -> the private module that defines it.
_HOMES = {
    "MAX_LENGTH": "_ucxl.address",
    "UCXLAddress": "_ucxl.address",
    "Envelope": "_ucxl.envelope",
    "ErrorCode": "_ucxl.errors",
    "NotFoundError": "_ucxl.errors",
    "TemporalRangeError": "_ucxl.errors",
    "UCXLError": "_ucxl.errors",
    "UCXLParseError": "_ucxl.errors",
    "Temporal": "_ucxl.temporal",
    "TemporalKind": "_ucxl.temporal",
    "Clock": "_kernel.clock",
    "ClockMode": "_kernel.clock",
    "Distribution": "_kernel.conditions",
    "NetworkConditions": "_kernel.conditions",
    "NetworkError": "_kernel.errors",
    "NetworkTimeout": "_kernel.errors",
    "NoLeaderError": "_kernel.errors",
    "ScheduledActionError": "_kernel.errors",
    "PeerProfile": "_kernel.candidates",
    "FaultEvent": "_kernel.cluster",
    "LeaderSubscription": "_kernel.elections",
    "JobState": "_kernel.jobs",
    "JobTable": "_kernel.jobs",
    "Term": "_kernel.terms",
    "Scheduled": "_kernel.timeline",
    "OPERATIONS": "_kernel.operations",
    "Operation": "_kernel.operations",
    "Peer": "_kernel.peers",
    "DEFAULT_RECORD_LIMIT": "_kernel.record",
    "Call": "_kernel.record",
    "Outcome": "_kernel.record",
    "Stats": "_kernel.record",
    "World": "_kernel.world",
    "TrioClock": "_kernel.trio_clock",
    "DHT": "_backends.interfaces",
    "Announcement": "_backends.records",
    "AsyncConnector": "_backends.interfaces",
    "AsyncDHT": "_backends.interfaces",
    "Connector": "_backends.interfaces",
    "NetworkStatus": "_backends.records",
    "SyncConnector": "_backends.interfaces",
    "SyncDHT": "_backends.interfaces",
    "Backend": "_backends.registry",
    "MockBZZZ": "_backends.memory.connector",
    "MockDHT": "_backends.memory.dht",
    "DHTStorage": "_backends.memory.storage",
    "ReceivedRequest": "_backends.ucxi.app",
    "UCXIApp": "_backends.ucxi.app",
    "Route": "_backends.ucxi.rules",
    "UCXIRules": "_backends.ucxi.rules",
    "UCXIServer": "_backends.ucxi.server",
    "WorldSettings": "_settings",
}

__all__ = [
    "DEFAULT_RECORD_LIMIT",
    "DHT",
    "MAX_LENGTH",
    "OPERATIONS",
    "Announcement",
    "AsyncConnector",
    "AsyncDHT",
    "Backend",
    "Call",
    "Clock",
    "ClockMode",
    "Connector",
    "DHTStorage",
    "Distribution",
    "Envelope",
    "ErrorCode",
    "FaultEvent",
    "JobState",
    "JobTable",
    "LeaderSubscription",
    "MockBZZZ",
    "MockDHT",
    "NetworkConditions",
    "NetworkError",
    "NetworkStatus",
    "NetworkTimeout",
    "NoLeaderError",
    "NotFoundError",
    "Operation",
    "Outcome",
    "Peer",
    "PeerProfile",
    "ReceivedRequest",
    "Route",
    "Scheduled",
    "ScheduledActionError",
    "Stats",
    "SyncConnector",
    "SyncDHT",
    "Temporal",
    "TemporalKind",
    "TemporalRangeError",
    "Term",
    "TrioClock",
    "UCXIApp",
    "UCXIRules",
    "UCXIServer",
    "UCXLAddress",
    "UCXLError",
    "UCXLParseError",
    "World",
    "WorldSettings",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'pytest_bzzz' has no attribute {name!r}")
    importlib.import_module("._backends", __name__)  # the built-in operations and views
    # Not cached in this module's globals: pytester's in-process runs unload the
    # modules a run imported, and a cached class would then outlive its module.
    return getattr(importlib.import_module(f".{home}", __name__), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
