"""What of a world's settings real hosts cannot apply: refused when the test's DHT is built.

The simulation's ``replication`` and record lifetimes (``value_ttl``,
``provider_ttl``) are libp2p's own on real hosts, which no setting changes:
a world that asks for other values is refused, naming each value and where it
came from (the plugin passes the settings' sources), rather than run with
libp2p's while the test believes otherwise. A replication that keeps a copy
on as many hosts as libp2p's k does (every host of a network of at most 20)
is the same thing, and is taken.

An ``at`` marker's action is due at a time of the world's clock. A virtual
clock moves only when the test moves it (real operations take real time,
not the world's; in async code it follows the real time the event loop
waited for the hosts), so the action would never run, or run at a time that
depends on the machine: refused, pointing at a real clock (``clock="real"``),
on which the DHT runs what is due before each operation, as the memory
backend does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..._kernel.defaults import DEFAULT_PROVIDER_TTL, DEFAULT_REPLICATION, DEFAULT_VALUE_TTL
from ..._kernel.units import format_seconds

if TYPE_CHECKING:
    from ..._kernel.timeline import Scheduled
    from ..._kernel.world import World

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them).
__tracebackhide__ = True

__all__ = ["refusals"]


def _source(sources: Mapping[str, str], name: str) -> str:
    source = sources.get(name)
    return f" ({source})" if source else ""


def _replication(world: World, hosts: int, sources: Mapping[str, str]) -> list[str]:
    copies = min(DEFAULT_REPLICATION, hosts)
    if min(world.replication, hosts) == copies:
        return []
    where = f"every one of the network's {hosts}" if copies == hosts else f"the {copies}"
    return [
        f"replication {world.replication}{_source(sources, 'replication')}: real libp2p hosts "
        f"keep a copy of each value on {where} hosts closest to its key (libp2p's k = "
        f"{DEFAULT_REPLICATION}), which no setting changes; the libp2p backend takes a "
        f"replication of {copies}" + (" or more" if copies == hosts else "") + " only"
    ]


def _lifetimes(world: World, sources: Mapping[str, str]) -> list[str]:
    found = []
    for name, value, default, what in (
        ("value_ttl", world.value_ttl, DEFAULT_VALUE_TTL, "a value"),
        ("provider_ttl", world.provider_ttl, DEFAULT_PROVIDER_TTL, "a provider record"),
    ):
        if value != default:
            found.append(
                f"{name} {format_seconds(value)}{_source(sources, name)}: on real libp2p hosts "
                f"{what} lives libp2p's own lifetime, {default / 3600:g} h of real time, which "
                "no setting changes"
            )
    return found


def _schedules(world: World, scheduled: Mapping[Scheduled, str]) -> list[str]:
    if world.clock.mode != "virtual":
        return []
    return [
        f"{marker}: {entry.label} is due at {format_seconds(entry.at)} of the world's virtual "
        "clock, which real operations on the libp2p backend do not move (in async code, it "
        "follows the real time they take), so it would never run, or run at a time that "
        "depends on the machine; with a real clock (@pytest.mark.bzzz(clock='real')) it runs "
        f"before the first operation that begins {format_seconds(entry.at)} or more into the test"
        for entry, marker in scheduled.items()
        if entry.state == "pending"
    ]


def refusals(
    world: World, hosts: int, sources: Mapping[str, str], scheduled: Mapping[Scheduled, str]
) -> list[str]:
    """Each setting of ``world`` (or scheduled action of a marker) real hosts cannot apply.

    One line each, naming the value and its source; empty when there is none.
    ``sources`` are the settings' (``WorldSettings.sources``), ``scheduled``
    the markers' actions, each with the marker as written.
    """
    return [
        *_replication(world, hosts, sources),
        *_lifetimes(world, sources),
        *_schedules(world, scheduled),
    ]
