"""MockDHT: the BZZZ DHT interface, over a simulated world.

The methods mirror the BZZZ DHT (``put_value``, ``get_value``, ``provide``,
``find_providers``), each with an async twin, and the Go mock's knobs
(``set_network_latency``, ``set_failure_rate``). Arguments are checked before
anything reaches the network, so bad input never costs simulated time or
shows up in the record of calls.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from types import EllipsisType

from ..._kernel.conditions import seconds, with_failure_rate
from ..._kernel.peers import Peer
from ..._kernel.pipeline import Prepared, declare_writes
from ..._kernel.record import Call, Outcome
from ..._ucxl.address import UCXLAddress
from .mock import Mock
from .storage import check_key, check_value

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["MockDHT"]

Key = str | UCXLAddress

# A put or provide that times out may have been applied, under ambiguous timeouts.
declare_writes("put_value", "provide")


class MockDHT(Mock):
    """A mock of the BZZZ DHT on a simulated :class:`World`.

    Give ``world`` to share one world with other mocks (the pytest fixtures do);
    without it the mock makes a world of its own from the keyword arguments
    (``seed``, ``conditions``, ``clock``, ``start``, ``record_calls``, as
    :class:`World` takes them) and closes it when used as a context manager.
    ``peer`` is the peer the mock acts as (the world's local peer by default).
    """

    # -- the DHT interface: each twin runs the operation its preparation names ------------

    def put_value(self, key: Key, value: bytes, *, timeout: float | None = None) -> None:
        """Store ``value`` under ``key``."""
        if type(key) is str and key and type(value) is bytes and self._network.alone:
            # The fast path of _prepare_put, written out: a str key and bytes, one peer.
            self._run(("put_value", key, self._write, (key, value)), timeout, self._peer_id)
        else:
            self._run(self._prepare_put(key, value), timeout, self._peer_id)

    def get_value(self, key: Key, *, timeout: float | None = None) -> bytes:
        """The value under ``key``; raises :class:`NotFoundError` if there is none."""
        if type(key) is str and key and self._network.alone:
            # The fast path of _prepare_get, written out.
            return self._run(("get_value", key, self._read, (key,)), timeout, self._peer_id)
        return self._run(self._prepare_get(key), timeout, self._peer_id)

    def provide(self, key: Key, provider_id: str | Peer, *, timeout: float | None = None) -> None:
        """Announce ``provider_id`` as a provider of ``key``.

        A :class:`Peer` of the world, or a peer's name, is recorded as that
        peer's id; any other text as given.
        """
        self._run(self._prepare_provide(key, provider_id), timeout, self._peer_id)

    def find_providers(self, key: Key, *, timeout: float | None = None) -> list[str]:
        """Distinct providers of ``key`` in the order they first provided it (maybe none)."""
        return self._run(self._prepare_find_providers(key), timeout, self._peer_id)

    async def aput_value(self, key: Key, value: bytes, *, timeout: float | None = None) -> None:
        """Async twin of :meth:`put_value`."""
        await self._arun(self._prepare_put(key, value), timeout, self._peer_id)

    async def aget_value(self, key: Key, *, timeout: float | None = None) -> bytes:
        """Async twin of :meth:`get_value`."""
        return await self._arun(self._prepare_get(key), timeout, self._peer_id)

    async def aprovide(
        self, key: Key, provider_id: str | Peer, *, timeout: float | None = None
    ) -> None:
        """Async twin of :meth:`provide`."""
        await self._arun(self._prepare_provide(key, provider_id), timeout, self._peer_id)

    async def afind_providers(self, key: Key, *, timeout: float | None = None) -> list[str]:
        """Async twin of :meth:`find_providers`."""
        return await self._arun(self._prepare_find_providers(key), timeout, self._peer_id)

    # -- preparations: arguments checked before anything reaches the network ---------------

    def _bind(self) -> None:
        storage = self._held
        self._values = storage.values
        self._providers_by_key = storage.providers_by_key
        # Bound once: the actions of put_value and get_value (a missing key raises NotFoundError).
        self._write, self._read = self._network.put_alone, self._values.__getitem__

    # In a world of one peer, the actions read and write its store directly (the fast path);
    # among many, they place and find records as the network does (see ``state``).

    def _prepare_put(self, key: Key, value: bytes) -> Prepared[None]:
        name = key if type(key) is str and key else check_key(key)
        data = value if type(value) is bytes else check_value(value)
        if self._network.alone:
            return ("put_value", name, self._write, (name, data))
        return ("put_value", name, self._network.put, (self._peer_id, name, data))

    def _prepare_get(self, key: Key) -> Prepared[bytes]:
        name = key if type(key) is str and key else check_key(key)
        if self._network.alone:
            return ("get_value", name, self._read, (name,))
        return ("get_value", name, self._network.get, (self._peer_id, name))

    def _prepare_provide(self, key: Key, provider_id: str | Peer) -> Prepared[None]:
        name, provider = check_key(key), self._provider_id(provider_id)
        if self._network.alone:
            return ("provide", name, self._network.provide_alone, (name, provider))
        return ("provide", name, self._network.provide, (self._peer_id, name, provider))

    def _prepare_find_providers(self, key: Key) -> Prepared[list[str]]:
        name = check_key(key)
        if self._network.alone:
            return ("find_providers", name, self._providers_of, (name,))
        return ("find_providers", name, self._network.providers, (self._peer_id, name))

    # -- actions: what an operation does once the network let it through ------------------

    def _providers_of(self, key: str) -> list[str]:
        return list(self._providers_by_key.get(key, ()))

    # -- the Go mock's knobs, and what tests inspect ---------------------------------------

    def set_network_latency(
        self, latency: float, *deprecated: float, jitter: float | None = None
    ) -> None:
        """Every operation from now on takes ``latency`` seconds, give or take ``jitter``.

        ``jitter`` is keyword-only, as everywhere else (given by position, it
        still works, with a ``DeprecationWarning``); left out, it is 0.
        """
        if deprecated:
            if len(deprecated) > 1 or jitter is not None:
                raise TypeError(
                    "set_network_latency takes the latency and, by keyword, jitter=...; "
                    f"got {1 + len(deprecated)} positional arguments"
                    + (" and jitter=" if jitter is not None else "")
                )
            warnings.warn(
                "set_network_latency(latency, jitter): give the jitter by keyword, "
                "set_network_latency(latency, jitter=...); by position it is deprecated",
                DeprecationWarning,
                stacklevel=2,
            )
            jitter = deprecated[0]
        self._world.conditions = self._world.conditions.replace(
            latency=seconds("latency", latency), jitter=seconds("jitter", jitter or 0)
        )

    def set_failure_rate(
        self, rate: float, *, ops: Iterable[str] | EllipsisType | None = ...
    ) -> None:
        """Every operation from now on fails with probability ``rate`` (0 to 1).

        ``ops`` limits the failures to the named operations (``None``: all of
        them). Left out, the failures stay limited to what they were limited
        to, by a ``flaky_network(ops=...)`` marker say.
        """
        self._world.conditions = with_failure_rate(self._world.conditions, rate, ops)

    def calls(
        self, op: str | None = None, *, key: Key | None = None, outcome: Outcome | None = None
    ) -> list[Call]:
        """Recorded calls, oldest first: e.g. ``calls("put_value", outcome="failed")``."""
        return self._world.calls(op, key=None if key is None else check_key(key), outcome=outcome)

    def __repr__(self) -> str:
        return f"<MockDHT on {self._world!r}, {len(self._held)} values>"
