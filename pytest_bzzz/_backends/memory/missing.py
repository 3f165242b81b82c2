"""Why a get found no value: the ``NotFoundError`` messages of a world of many peers.

A read that reaches no holder (of a DHT value, or of a copy of the connector's
history of an address) says how many holders were cut off from the reader,
paused, or killed while holding the key; a read whose only holders
keep a copy the other peers refused (``max_record_size``) says whose, and why.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from ..._kernel.conditions import format_size
from ..._kernel.world import World, core

if TYPE_CHECKING:
    from .storage import DHTStorage

__all__ = ["missing", "refused"]


def refused(
    world: World, stores: Mapping[str, DHTStorage], reader: str, key: str, hidden: list[str]
) -> str:
    """The message for a key whose reachable holders keep copies the others refused."""
    limit = world.conditions.max_record_size
    name = world.peer(reader).name
    kept = []
    for peer in sorted(hidden, key=lambda peer: world.peer(peer).name):
        size = len(stores[peer].values[key])
        holder = world.peer(peer).name
        if not size:
            what = "an empty value, which the other peers refused (an empty answer reads as none)"
        else:
            over = "" if limit is None else f", over the record size limit of {format_size(limit)}"
            what = (
                f"a value of {format_size(size)}{over}, which the other peers refused, and "
                f"{holder} is not among the closest peers that {name}'s lookup asks"
            )
        kept.append(f"{holder} keeps {what}")
    return f"no value under {key!r} that {name} can find: {'; '.join(kept)} (max_record_size)"


def missing(
    world: World,
    lost: int,
    reader: str,
    key: str,
    holders: Collection[str],
    *,
    what: str = "no value",
) -> str:
    """The message for a key none of whose holders ``reader`` reaches (``lost``: how many
    holders were killed while holding it; ``what``: how the message names what is missing)."""
    status = core(world).topology.status
    paused = sum(1 for peer in holders if status(peer) == "paused")
    cut_off = len(holders) - paused
    if not (paused or cut_off or lost):
        return f"{what} under {key!r}"
    reasons = [
        f"{count} {why}"
        for count, why in (
            (cut_off, "cut off from it"),
            (paused, "paused"),
            (lost, "killed while holding it"),
        )
        if count
    ]
    name = world.peer(reader).name
    return f"{what} under {key!r} that {name} can reach (holders: {', '.join(reasons)})"
