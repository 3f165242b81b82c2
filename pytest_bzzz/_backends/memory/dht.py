"""MockDHT: the BZZZ DHT interface, over a simulated world.

The methods mirror the BZZZ DHT (``put_value``, ``get_value``, ``provide``,
``find_providers``), each with an async twin, and the Go mock's knobs
(``set_network_latency``, ``set_failure_rate``). Arguments are checked before
anything reaches the network, so bad input never costs simulated time or
shows up in the record of calls.
"""

from __future__ import annotations

from ..._kernel.conditions import seconds
from ..._kernel.record import Call, Outcome
from ..._kernel.units import parse_rate
from ..._kernel.world import World
from ..._ucxl.address import UCXLAddress
from ..._ucxl.errors import NotFoundError
from .mock import Mock
from .storage import check_key, check_peer_id, check_value

__all__ = ["MockDHT"]

Key = str | UCXLAddress


class MockDHT(Mock):
    """A mock of the BZZZ DHT on a simulated :class:`World`.

    Give ``world`` to share one world with other mocks (the pytest fixtures do);
    without it the mock makes a world of its own from the keyword arguments
    (``seed``, ``conditions``, ``clock``, ``start``, ``record_calls``, as
    :class:`World` takes them) and closes it when used as a context manager.
    ``peer`` is the peer the mock acts as (the world's local peer by default).
    """

    def _attach(self, world: World) -> None:
        self._storage = world.storage
        # Bound once: these are on every operation's path.
        self._execute = world.execute
        self._aexecute = world.aexecute
        self._put_action = self._put
        self._get_action = self._get

    # -- the DHT interface ----------------------------------------------------------------

    def put_value(self, key: Key, value: bytes, *, timeout: float | None = None) -> None:
        """Store ``value`` under ``key``."""
        name = key if type(key) is str and key else check_key(key)
        data = value if type(value) is bytes else check_value(value)
        self._execute("put_value", name, self._put_action, (name, data), timeout, self._peer)

    def get_value(self, key: Key, *, timeout: float | None = None) -> bytes:
        """The value under ``key``; raises :class:`NotFoundError` if there is none."""
        name = key if type(key) is str and key else check_key(key)
        return self._execute("get_value", name, self._get_action, (name,), timeout, self._peer)

    def provide(self, key: Key, provider_id: str, *, timeout: float | None = None) -> None:
        """Announce ``provider_id`` as a provider of ``key``."""
        name, provider = check_key(key), check_peer_id(provider_id)
        self._execute("provide", name, self._provide, (name, provider), timeout, self._peer)

    def find_providers(self, key: Key, *, timeout: float | None = None) -> list[str]:
        """Distinct providers of ``key`` in the order they first provided it (maybe none)."""
        name = check_key(key)
        return self._execute("find_providers", name, self._providers, (name,), timeout, self._peer)

    async def aput_value(self, key: Key, value: bytes, *, timeout: float | None = None) -> None:
        """Async twin of :meth:`put_value`."""
        name, data = check_key(key), check_value(value)
        await self._aexecute("put_value", name, self._put, (name, data), timeout, self._peer)

    async def aget_value(self, key: Key, *, timeout: float | None = None) -> bytes:
        """Async twin of :meth:`get_value`."""
        name = check_key(key)
        return await self._aexecute("get_value", name, self._get, (name,), timeout, self._peer)

    async def aprovide(self, key: Key, provider_id: str, *, timeout: float | None = None) -> None:
        """Async twin of :meth:`provide`."""
        name, provider = check_key(key), check_peer_id(provider_id)
        await self._aexecute("provide", name, self._provide, (name, provider), timeout, self._peer)

    async def afind_providers(self, key: Key, *, timeout: float | None = None) -> list[str]:
        """Async twin of :meth:`find_providers`."""
        name = check_key(key)
        return await self._aexecute(
            "find_providers", name, self._providers, (name,), timeout, self._peer
        )

    def _put(self, key: str, value: bytes) -> None:
        self._storage.values[key] = value

    def _get(self, key: str) -> bytes:
        try:
            return self._storage.values[key]
        except KeyError:
            raise NotFoundError(f"no value under {key!r}") from None

    def _provide(self, key: str, provider: str) -> None:
        self._storage.providers_by_key.setdefault(key, {})[provider] = None

    def _providers(self, key: str) -> list[str]:
        return list(self._storage.providers_by_key.get(key, ()))

    # -- the Go mock's knobs, and what tests inspect ---------------------------------------

    def set_network_latency(self, latency: float, jitter: float = 0) -> None:
        """Every operation from now on takes ``latency`` seconds, give or take ``jitter``."""
        self._world.conditions = self._world.conditions.replace(
            latency=seconds("latency", latency), jitter=seconds("jitter", jitter)
        )

    def set_failure_rate(self, rate: float) -> None:
        """Every operation from now on fails with probability ``rate`` (0 to 1)."""
        if isinstance(rate, bool) or not isinstance(rate, (int, float)):
            raise TypeError(f"rate must be a number between 0 and 1, got {type(rate).__name__}")
        try:
            value = parse_rate(rate)
        except ValueError as error:
            raise ValueError(f"rate {error}") from None
        self._world.conditions = self._world.conditions.replace(
            failure_rate=value, failure_ops=None
        )

    def calls(
        self, op: str | None = None, *, key: Key | None = None, outcome: Outcome | None = None
    ) -> list[Call]:
        """Recorded calls, oldest first: e.g. ``calls("put_value", outcome="failed")``."""
        return self._world.calls(op, key=None if key is None else check_key(key), outcome=outcome)

    def __repr__(self) -> str:
        return f"<MockDHT on {self._world!r}, {len(self._storage)} values>"
