"""Static checks of the public API's types: read by mypy (see pyproject.toml), never run.

A change that loosens a public signature (an ``Any`` leaking out, a lost
``Self``) fails ``mypy`` here before a user's type checker notices.
"""

from __future__ import annotations

from datetime import datetime
from typing import assert_type

from pytest_bzzz import (
    DHT,
    AsyncConnector,
    AsyncDHT,
    Backend,
    Connector,
    DHTStorage,
    ErrorCode,
    MockBZZZ,
    MockDHT,
    NotFoundError,
    SyncConnector,
    SyncDHT,
    Temporal,
    TemporalKind,
    TemporalRangeError,
    UCXLAddress,
    UCXLError,
    UCXLParseError,
    World,
    WorldSettings,
)


class MyAddress(UCXLAddress):
    __slots__ = ()


def check_address(text: str) -> None:
    address = UCXLAddress.parse(text, strict=True)
    assert_type(address, UCXLAddress)
    assert_type(MyAddress.parse(text), MyAddress)
    assert_type(MyAddress.parse(text).replace(path="x"), MyAddress)
    assert_type(address.with_temporal("*^"), UCXLAddress)
    assert_type(address.agent, str)
    assert_type(address.temporal, Temporal | None)
    assert_type(address.path, str)
    assert_type(address.is_pattern, bool)
    assert_type(address.matches(text), bool)
    assert_type(address.matches(address), bool)
    assert_type(str(address), str)
    assert_type(address < address, bool)


def check_temporal(token: str, stamps: list[datetime]) -> None:
    temporal = Temporal.parse(token)
    assert_type(temporal.kind, TemporalKind)
    assert_type(temporal.n, int | None)
    assert_type(temporal.at, datetime | None)
    assert_type(temporal.resolve(3), int)
    assert_type(temporal.resolve(3, stamps), int)
    assert_type(Temporal("version", n=2), Temporal)


def check_errors(error: UCXLParseError) -> None:
    assert_type(error.code, ErrorCode)
    assert_type(error.field, str)
    assert_type(error.position, int)
    assert_type(error.text, str)
    base: UCXLError = error
    value_error: ValueError = error
    lookup: LookupError = NotFoundError("x")
    index: IndexError = TemporalRangeError("x", selector="*~2", count=1)
    del base, value_error, lookup, index


def check_protocols(dht: MockDHT, bzzz: MockBZZZ) -> None:
    """The mocks are what users type their code against, whole or by halves."""
    whole: DHT = dht
    sync: SyncDHT = dht
    asynchronous: AsyncDHT = dht
    connector: Connector = bzzz
    sync_connector: SyncConnector = bzzz
    async_connector: AsyncConnector = bzzz
    assert_type(whole.get_value("k"), bytes)
    assert_type(sync.find_providers("k", timeout=1.0), list[str])
    del asynchronous, connector, sync_connector, async_connector


class MyBackend:
    name = "mine"

    def dht(self, world: World) -> MockDHT:
        return MockDHT(world)

    def connector(self, world: World) -> MockBZZZ:
        return MockBZZZ(world)


def check_backend(world: World, settings: WorldSettings) -> None:
    backend: Backend = MyBackend()
    assert_type(backend.dht(world), DHT)
    assert_type(world.storage, DHTStorage)
    assert_type(settings.backend, str)
    assert_type(settings.seed, int)
