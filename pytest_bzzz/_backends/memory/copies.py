"""Where the connector's histories live in a world of many peers: copies on the closest peers.

An address's history is one record, under the address's canonical text,
placed as a DHT value is:

- a ``store`` (or ``delete``) from peer P reads the newest copy of the
  history that P reaches, adds the new version, and writes the whole history
  to the ``replication`` peers closest to the address among those P reaches,
  and to P itself (``MemoryNetwork.targets``);
- ``retrieve``, ``history`` and ``delete`` read the newest copy P reaches (the
  one written last in world time) and bring the older copies P reaches up to
  date (read repair), as a DHT get does; ``search`` reads the newest copy
  each matching address has among the peers P reaches, and repairs nothing;
- two sides of a partition that both store under one address write two
  histories; once they meet again, the newer one wins, and a version stored
  only in the older one is lost, as an overwritten DHT value is;
- a killed peer loses its copies; a paused one keeps them, out of reach.
  Copies do not expire: a BZZZ node keeps its content.

Histories written while the world had one peer are that peer's copies once
there are more. The catalogue (``ContentStore``, the view ``world.content``)
holds, for each address, the newest copy some peer holds, reachable or not:
it is what ``search`` scans, and an address whose last holder was killed
leaves it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..._kernel.world import World, core
from ..._ucxl.address import UCXLAddress
from ..._ucxl.envelope import Envelope
from .content import ContentStore
from .missing import missing
from .stamps import OLDEST, Stamp

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["ContentCopies"]

Versions = tuple[Envelope, ...]


class ContentCopies:
    """The copies of every address's history, by address and by the peer that holds them."""

    def __init__(
        self,
        world: World,
        content: ContentStore,
        *,
        place: Callable[[str, str], list[str]],
        stamp: Callable[[], Stamp],
    ) -> None:
        self._world = world
        self._topology = core(world).topology
        self._content = content
        self._place = place  # (writer, key) -> the peers a write from the writer goes to
        self._stamp = stamp
        self._held: dict[str, dict[str, tuple[Stamp, Versions]]] = {}  # key -> peer -> copy
        self._keys_of: dict[str, set[str]] = {}  # peer -> the keys it holds a copy of
        self._lost: dict[str, int] = {}  # key -> its holders killed while holding it

    def adopt(self, peer: str) -> None:
        """Make what the catalogue holds ``peer``'s copies (the world had that one peer)."""
        keys = self._keys_of.setdefault(peer, set())
        for key, history in self._content.histories.items():
            self._held.setdefault(key, {})[peer] = (OLDEST, tuple(history.versions))
            keys.add(key)

    # -- reads --------------------------------------------------------------------------------

    def read(self, reader: str, key: str) -> Versions | None:
        """The newest copy of ``key``'s history that ``reader`` reaches, or None (see
        :meth:`missing` for why); the older copies it reaches are brought up to date."""
        found = self._held.get(key)
        reachable = self._reachable(reader, found)
        if found is None or not reachable:
            return None
        held = found
        newest = max(reachable, key=lambda peer: (held[peer][0], peer))
        copy = held[newest]
        for peer in reachable:
            if held[peer][0] != copy[0]:
                held[peer] = copy
        return copy[1]

    def newest(self, reader: str, key: str) -> Versions | None:
        """The newest copy of ``key``'s history that ``reader`` reaches, or None (no repair)."""
        held = self._held.get(key)
        reachable = self._reachable(reader, held)
        if held is None or not reachable:
            return None
        return max((held[peer] for peer in reachable), key=lambda copy: copy[0])[1]

    def holders(self, key: str) -> list[str]:
        """The peers that hold a copy of ``key``'s history (paused ones too)."""
        return list(self._held.get(key, ()))

    def _reachable(self, reader: str, held: dict[str, tuple[Stamp, Versions]] | None) -> list[str]:
        if not held:
            return []
        if self._topology.undivided:
            return list(held)
        can_reach = self._topology.can_reach
        return [peer for peer in held if can_reach(reader, peer)]

    def missing(self, reader: str, key: str) -> str:
        """Why ``reader`` reaches no copy of ``key``'s history (a NotFoundError's message)."""
        held = self._held.get(key)
        lost = self._lost.get(key, 0)
        if not held and not lost:
            return f"nothing was ever stored under {key!r}"
        return missing(self._world, lost, reader, key, held or (), what="nothing stored")

    # -- writes -------------------------------------------------------------------------------

    def write(self, writer: str, address: UCXLAddress, versions: Sequence[Envelope]) -> None:
        """Place ``versions`` as the history of ``address`` where a write from ``writer`` goes."""
        key = str(address)
        copy = (self._stamp(), tuple(versions))
        held = self._held.setdefault(key, {})
        for peer in self._place(writer, key):
            held[peer] = copy
            self._keys_of.setdefault(peer, set()).add(key)
        self._lost.pop(key, None)
        content = self._content
        content.replace(content.add(address), copy[1])  # the newest copy: this one

    # -- the world's life ---------------------------------------------------------------------

    def peer_killed(self, peer: str) -> None:
        """A killed peer loses its copies; the catalogue keeps the newest copy left."""
        content = self._content
        for key in self._keys_of.pop(peer, ()):
            held = self._held[key]
            del held[peer]
            self._lost[key] = self._lost.get(key, 0) + 1
            if not held:
                del self._held[key]
                content.remove(key)
                continue
            newest = max(held.values(), key=lambda copy: copy[0])[1]
            history = content.histories[key]
            if tuple(history.versions) != newest:
                content.replace(history, newest)

    def reset(self) -> None:
        self._held.clear()
        self._keys_of.clear()
        self._lost.clear()
