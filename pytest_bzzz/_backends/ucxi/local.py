"""The UCXI endpoints that stay on the node: ``/status`` and ``/health``.

Neither crosses the simulated network: they read the world and the
connector's local reads, take no simulated time, and draw nothing from any
random stream, so polling them changes no later outcome of a seeded test.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping
from functools import cache
from typing import Any

from ..._kernel.world import World
from ..interfaces import Connector
from .endpoints import Answer
from .rules import UCXIRules

__all__ = ["health", "status", "unhealthy"]


@cache
def _version() -> str:
    try:
        return importlib.metadata.version("pytest-bzzz")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a checkout
        return "unknown"


def _peer_status(world: World, connector: Connector) -> str:
    """The status of the connector's own peer in ``world``: ``"live"``, ``"paused"``, ``"killed"``.

    ``"live"`` for a connector whose peer the world does not know (another
    backend's): only what the world says can make the node unhealthy.
    """
    peer = connector.network_status().local_peer
    try:
        return world.status(peer.id)
    except (TypeError, ValueError):
        return "live"


def status(
    world: World,
    connector: Connector,
    rules: UCXIRules,
    *,
    uptime: float,
    requests: Mapping[str, int],
) -> Answer:
    """200, with what the node holds and has been asked.

    ``storage`` counts what the world's content store holds (the view
    ``world.content``, which the connectors of the built-in backends fill);
    ``resolver`` the announcements the connector reports in its
    ``network_status()``; ``p2p`` is the connector's own ``network_status()``, and its
    peer's ``status`` in the world (``"live"``, ``"paused"`` or ``"killed"``).
    """
    with world.clock.lock:
        content = world.content
        addresses = len(content.histories)
        versions = sum(len(history.versions) for history in content.histories.values())
    network = connector.network_status()
    data: dict[str, Any] = {
        "server": {"base_path": rules.base_path, "version": _version(), "uptime": uptime},
        "storage": {"addresses": addresses, "versions": versions},
        "resolver": {"announcements": network.announcements},
        "p2p": {
            "peer_id": network.local_peer.id,
            "peers": network.peer_count,
            "status": _peer_status(world, connector),
        },
        "requests": dict(requests),
    }
    return Answer("SUCCESS", data=data)


def unhealthy(world: World, connector: Connector, rules: UCXIRules) -> str | None:
    """Why every operation of the node fails now, by ``rules.unhealthy_when``; ``None`` if none.

    Only the world's state decides, not a draw: a failure rate below 1 may
    let the next operation through, a rate limited to some operations leaves
    the others working, and a partition leaves the node answering from what
    it reaches.
    """
    if "peer_down" in rules.unhealthy_when:
        state = _peer_status(world, connector)
        if state != "live":
            return f"the node's own peer is {state}: every operation fails at once"
    if "every_operation_fails" in rules.unhealthy_when:
        conditions = world.conditions
        if conditions.failure_rate >= 1 and conditions.failure_ops is None:
            return f"every operation fails ({conditions.describe()})"
    return None


def health(world: World, connector: Connector, rules: UCXIRules) -> Answer:
    """200 ``{"status": "healthy"}``, or 503 when :func:`unhealthy` gives a reason."""
    reason = unhealthy(world, connector, rules)
    if reason is not None:
        return Answer("SERVICE_UNAVAILABLE", details={"status": "unhealthy", "reason": reason})
    return Answer("SUCCESS", data={"status": "healthy"})
