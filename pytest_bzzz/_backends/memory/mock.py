"""What both mocks share: a world (their own or a shared one), a peer, and the world's records.

``MockDHT`` and ``MockBZZZ`` are views on a :class:`World`: given one, they
share it with the other mocks of the test; given none, they make one from the
keyword arguments and close it at the end of a ``with`` block. Each acts as
one peer, on the data the memory backend keeps for that peer in the world,
and runs every operation through the world's pipeline (bound once here: it
is on every operation's path).
"""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Self

from ..._kernel.clock import ClockMode
from ..._kernel.conditions import NetworkConditions
from ..._kernel.peers import Peer
from ..._kernel.record import DEFAULT_RECORD_LIMIT, Stats
from ..._kernel.world import World, core, runners
from .state import NETWORK
from .storage import check_peer_id

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["Mock", "provider_id"]


class Mock:
    """Base of the mocks: ``world``, ``peer``, ``stats``, ``reset()`` and the context manager."""

    def __init__(
        self,
        world: World | None = None,
        *,
        peer: Peer | str | None = None,
        seed: int | None = None,
        conditions: NetworkConditions | None = None,
        clock: ClockMode = "virtual",
        start: datetime | None = None,
        record_calls: int = DEFAULT_RECORD_LIMIT,
    ) -> None:
        if world is not None and not isinstance(world, World):
            raise TypeError(f"world must be a World, got {type(world).__name__}")
        if peer is not None and not isinstance(peer, (Peer, str)):
            raise TypeError(f"peer must be a Peer, or a name or id, got {type(peer).__name__}")
        self._owns_world = world is None
        if world is None:
            world = World(
                seed=seed,
                conditions=conditions,
                clock=clock,
                start=start,
                record_calls=record_calls,
            )
        self._world = world
        self._peer = None if peer is None else world.peer(peer)
        self._peer_id = (self._peer or world.local_peer).id
        self._network = world.state(NETWORK)
        self._held = self._network.store_of(self._peer_id)  # the DHT records its peer holds
        self._run, self._arun = runners(world)
        self._bind()

    def _bind(self) -> None:
        """Take what the mock's operations need from its data (bound once: the hot path)."""

    def _provider_id(self, provider: object) -> str:
        """A provider as a record holds it: see :func:`provider_id`."""
        return provider_id(self._world, provider)

    def on(self, peer: Peer | str) -> Self:
        """A mock of the same kind on the same world, acting as ``peer`` (a Peer, name or id)."""
        return type(self)(self._world, peer=peer)

    @property
    def world(self) -> World:
        """The simulated world this mock acts in."""
        return self._world

    @property
    def peer(self) -> Peer:
        """The peer this mock acts as."""
        return self._peer or self._world.local_peer

    @property
    def stats(self) -> Stats:
        """Counters over every operation of the world so far (a snapshot)."""
        return self._world.stats

    def reset(self) -> None:
        """Empty the world and bring it back to its start (see :meth:`World.reset`)."""
        self._world.reset()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._owns_world:
            self._world.close()


def provider_id(world: World, provider: object) -> str:
    """A provider as a record holds it: a peer's id for a :class:`Peer` of ``world``, or the
    name of one (as everything that takes a peer takes its name); any other text as given
    (a provider outside the simulated world)."""
    if isinstance(provider, Peer):
        return world.peer(provider).id
    text = check_peer_id(provider)
    found = core(world).names.get(text)
    return text if found is None else found.id
