"""Run every test of this directory twice: on the simulated network, and on a client of our own.

``DictDHT`` stands for your real DHT client (here it keeps its values in a
dict, so that the example runs anywhere). The ``pytest_bzzz_make_backend``
hook hands it to the tests as their ``mock_dht`` whenever a test runs with
the ``dict`` parameter; with ``memory`` it returns ``None``, which leaves the
choice to the plugin: the built-in backend, ``MockDHT`` on the test's world.
"""

from __future__ import annotations

import pytest

from pytest_bzzz import Backend, MockBZZZ, NotFoundError, UCXLAddress, World, WorldSettings

Key = str | UCXLAddress


class DictDHT:
    """Stands for your real client: the DHT interface, sync and async, over a dict."""

    def __init__(self) -> None:
        self._values: dict[str, bytes] = {}
        self._providers: dict[str, dict[str, None]] = {}

    def put_value(self, key: Key, value: bytes, *, timeout: float | None = None) -> None:
        self._values[str(key)] = bytes(value)  # str() of an address is its canonical form

    def get_value(self, key: Key, *, timeout: float | None = None) -> bytes:
        try:
            return self._values[str(key)]
        except KeyError:
            raise NotFoundError(f"no value under {str(key)!r}") from None

    def provide(self, key: Key, provider_id: str, *, timeout: float | None = None) -> None:
        self._providers.setdefault(str(key), {})[provider_id] = None

    def find_providers(self, key: Key, *, timeout: float | None = None) -> list[str]:
        return list(self._providers.get(str(key), ()))

    # A client with only the sync half can offer the async one like this (a real
    # blocking client would rather use asyncio.to_thread).

    async def aput_value(self, key: Key, value: bytes, *, timeout: float | None = None) -> None:
        self.put_value(key, value, timeout=timeout)

    async def aget_value(self, key: Key, *, timeout: float | None = None) -> bytes:
        return self.get_value(key, timeout=timeout)

    async def aprovide(self, key: Key, provider_id: str, *, timeout: float | None = None) -> None:
        self.provide(key, provider_id, timeout=timeout)

    async def afind_providers(self, key: Key, *, timeout: float | None = None) -> list[str]:
        return self.find_providers(key, timeout=timeout)


class DictBackend:
    """A pytest_bzzz.Backend: builds each test's mock_dht (and mock_bzzz) on its world."""

    name = "dict"

    def dht(self, world: World) -> DictDHT:
        return DictDHT()  # called once per test that asks for mock_dht: a fresh client

    def connector(self, world: World) -> MockBZZZ:
        return MockBZZZ(world)  # this client has no connector: keep the simulated one


@pytest.fixture(params=["memory", "dict"], autouse=True)
def dht_backend(request: pytest.FixtureRequest) -> str:
    """Every test here runs once per backend; its id says which: test_x[memory], test_x[dict]."""
    return str(request.param)


# optionalhook: with the plugin disabled (pytest -p no:bzzz), pytest would
# otherwise refuse this conftest.py for implementing a hook it does not know.
@pytest.hookimpl(optionalhook=True)
def pytest_bzzz_make_backend(item: pytest.Item, settings: WorldSettings) -> Backend | None:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.params.get("dht_backend") == "dict":
        return DictBackend()
    return None  # the backend the settings name (--bzzz-backend): memory
