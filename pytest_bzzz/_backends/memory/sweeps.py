"""When a world of the memory backend sweeps expired records off its peers' stores.

Values expire ``world.value_ttl`` after they were stored (36 h by default),
provider records ``world.provider_ttl`` after (48 h), in every world. The
network is on the world's timeline at the instant the next record of each
kind expires (one sweep per kind); a sweep removes every record whose time
has come, then schedules the next.

In a world of one peer, the births are kept by key (values) and by (key,
provider); among many, by write, and each holder of that write drops it.

A mixin of :class:`~.state.MemoryNetwork`, which owns every attribute it reads.
"""

from __future__ import annotations

from collections.abc import Callable

from ..._kernel.timeline import Scheduled
from ..._kernel.world import World, core
from .expiry import Births
from .stamps import Stamp
from .storage import DHTStorage

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them).
__tracebackhide__ = True

__all__ = ["Sweeps"]


class Sweeps:
    """Expiry on the world's timeline (the attributes are the network's, set in its __init__)."""

    _world: World
    _now: Callable[[], float]
    _sole: DHTStorage
    _stores: dict[str, DHTStorage]
    _stamps: dict[str, dict[str, Stamp]]
    _holders: dict[str, set[str]]
    _provider_holders: dict[str, set[str]]
    _provider_stamps: dict[str, dict[tuple[str, str], Stamp]]
    _value_births: Births[str]
    _provider_births: Births[tuple[str, str]]
    _write_births: Births[tuple[str, Stamp]]
    _provide_births: Births[tuple[str, str, Stamp]]
    _sweep: Scheduled | None
    _provider_sweep: Scheduled | None

    def _schedule_sweep(self) -> None:
        """Be on the world's timeline when the next record expires (lock held).

        Values and provider records are swept apart: each kind has one TTL, so
        a kind's next record to expire is never later than a new one's, and a
        put need only check that its kind has a sweep at all (``put_alone``).
        """
        due = min(self._value_births.next_due, self._write_births.next_due)
        self._sweep = self._reschedule(self._sweep, due, "values expire", self._expire_values)
        due = min(self._provider_births.next_due, self._provide_births.next_due)
        self._provider_sweep = self._reschedule(
            self._provider_sweep, due, "provider records expire", self._expire_providers
        )

    def _reschedule(
        self, sweep: Scheduled | None, due: float, label: str, action: Callable[[], None]
    ) -> Scheduled | None:
        if sweep is not None:
            if sweep.at == due and sweep.state == "pending":
                return sweep
            sweep.cancel()
        if due == float("inf"):
            return None
        return core(self._world).timeline.add(due, label, action)

    def _expire_values(self) -> None:
        """Remove every value whose TTL has run out (the timeline runs this on time)."""
        self._sweep = None
        now = self._now()
        sole = self._sole
        for key in self._value_births.expire(now):
            sole.values.pop(key, None)
        for key, stamp in self._write_births.expire(now):
            for peer in list(self._holders.get(key, ())):
                stamps = self._stamps.get(peer, {})
                if stamps.get(key) == stamp:
                    del stamps[key]
                    self._stores[peer].values.pop(key, None)
                    self._holders[key].discard(peer)
        self._schedule_sweep()

    def _expire_providers(self) -> None:
        """Remove every provider record whose TTL has run out (run on time, as values are)."""
        self._provider_sweep = None
        now = self._now()
        sole = self._sole
        for key, provider in self._provider_births.expire(now):
            self._drop_provider(sole, key, provider)
        for key, provider, stamp in self._provide_births.expire(now):
            for peer in list(self._provider_holders.get(key, ())):
                records = self._provider_stamps.get(peer, {})
                if records.get((key, provider)) == stamp:
                    del records[key, provider]
                    if not self._drop_provider(self._stores[peer], key, provider):
                        self._provider_holders[key].discard(peer)
        self._schedule_sweep()

    @staticmethod
    def _drop_provider(store: DHTStorage, key: str, provider: str) -> bool:
        """Remove one provider record from ``store``; whether the key has others there."""
        providers = store.providers_by_key.get(key)
        if providers is None:
            return False
        providers.pop(provider, None)
        if not providers:
            del store.providers_by_key[key]
            return False
        return True
