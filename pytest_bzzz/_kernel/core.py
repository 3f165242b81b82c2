"""A world's machinery, shared by reference with the parts that are not the world itself.

:class:`~pytest_bzzz.World` is public and keeps its machinery private. Its own
mixins (``cluster``, ``schedule``, ``pipeline``, ``elections``) reach it
through ``self``; everything else that must (the election state machine and
the job table here, the backends inside pytest-bzzz, the plugin's fault
markers) reaches it through one object, the world's :class:`Core`, got with
the function ``core(world)`` of ``world``. Every member is fixed for the
world's life: the objects change (a peer joins the ``peers`` dict, the clock
moves), never which objects they are. Not part of the public API.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .clock import Clock, ClockControl
    from .cluster import FaultEvent, PeerLike
    from .leadership import Leadership
    from .peers import Peer
    from .pipeline import AsyncRun, Run
    from .record import CallLog
    from .timeline import Scheduled, Timeline
    from .topology import Topology

__all__ = ["Core"]


class Core:
    """What a world shares with its other parts and its backends (see the module).

    - ``lock``: the world's lock (its clock's), held for each operation;
    - ``clock`` and ``time``: the public clock and its moving parts;
    - ``timeline``: what is due at a world time; ``schedule``: put an action on
      it, as ``world.at`` does (``late=True`` keeps a time already past);
    - ``topology``, ``peers`` (id -> peer, in the order they joined), ``names``
      (name or id -> peer), ``peer`` (find one, as ``world.peer``),
      ``fault_log`` (the faults so far);
    - ``run`` and ``arun``: the pipeline, ``run(prepared, timeout, peer_id)`` and
      its async twin, through which a backend runs each operation;
    - ``log``: the call record; ``rng``: the world's stream of draws; ``seed``;
    - ``election``: the election state machine;
    - ``network_changed()``: recompute what the hot paths read;
      ``raise_failures()``: raise a scheduled action's failure not raised yet.
    """

    __slots__ = (
        "arun",
        "clock",
        "election",
        "fault_log",
        "lock",
        "log",
        "names",
        "network_changed",
        "peer",
        "peers",
        "raise_failures",
        "rng",
        "run",
        "schedule",
        "seed",
        "time",
        "timeline",
        "topology",
    )

    election: Leadership

    def __init__(
        self,
        *,
        clock: Clock,
        time: ClockControl,
        timeline: Timeline,
        schedule: Callable[..., Scheduled],
        topology: Topology,
        peers: dict[str, Peer],
        names: dict[str, Peer],
        peer: Callable[[PeerLike], Peer],
        fault_log: list[FaultEvent],
        run: Run,
        arun: AsyncRun,
        log: CallLog,
        rng: random.Random,
        seed: int,
        network_changed: Callable[[], None],
        raise_failures: Callable[[], None],
    ) -> None:
        self.lock: threading.RLock = clock.lock
        self.clock = clock
        self.time = time
        self.timeline = timeline
        self.schedule = schedule
        self.topology = topology
        self.peers = peers
        self.names = names
        self.peer = peer
        self.fault_log = fault_log
        self.run = run
        self.arun = arun
        self.log = log
        self.rng = rng
        self.seed = seed
        self.network_changed = network_changed
        self.raise_failures = raise_failures
