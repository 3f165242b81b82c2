"""Where a key lives in a world of many peers: the peers closest to it by XOR distance.

Keys and peers share one 256-bit id space, as in libp2p's Kademlia DHT: a
key's id is the SHA-256 of its text, a peer's the SHA-256 of its id's text
(both UTF-8), and the distance between two ids is their XOR. The ``k``
closest peers to a key keep it.

Finding them must not cost a pass over every peer (a world may have ten
thousand): the ring keeps the peers' ids sorted, and the ids that share a
prefix of ``L`` bits with the key form one run of that order, every one of
them closer to the key than any id outside it. So the answer lies in the
shortest such run that holds ``k`` acceptable peers (those the caller can
reach): found by bisection from the length where ``k`` peers are expected,
then sorted by distance, which is cheap for a run of about ``2k`` ids.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable, Iterable

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them).
__tracebackhide__ = True

__all__ = ["BITS", "Ring", "id_of"]

BITS = 256


def id_of(text: str) -> int:
    """The 256-bit id of a key's or a peer id's text: SHA-256 of its UTF-8."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


class Ring:
    """The peers in id order, rebuilt when peers are added."""

    __slots__ = ("_ids", "_owners")

    def __init__(self) -> None:
        self._ids: list[int] = []
        self._owners: list[str] = []

    def __len__(self) -> int:
        return len(self._ids)

    def rebuild(self, peer_ids: Iterable[str]) -> None:
        order = sorted((id_of(peer), peer) for peer in peer_ids)
        self._ids = [node for node, _ in order]
        self._owners = [peer for _, peer in order]

    def closest(self, key: int, k: int, accept: Callable[[str], bool] | None = None) -> list[str]:
        """The ``k`` acceptable peers closest to ``key`` (fewer if fewer), closest first."""
        ids, owners = self._ids, self._owners
        count = len(ids)
        if count <= 4 * k:  # small worlds: look at everyone
            run = range(count)
        else:
            length = max(0, (count // k).bit_length() - 1)  # where a run holds k to 2k ids
            while True:
                shift = BITS - length
                low = (key >> shift) << shift
                start = bisect.bisect_left(ids, low)
                end = bisect.bisect_left(ids, low + (1 << shift), start)
                if length == 0 or _enough(owners, start, end, k, accept):
                    run = range(start, end)
                    break
                length -= 1
        ranked = sorted(
            (ids[index] ^ key, owners[index])
            for index in run
            if accept is None or accept(owners[index])
        )
        return [owner for _, owner in ranked[:k]]


def _enough(
    owners: list[str], start: int, end: int, k: int, accept: Callable[[str], bool] | None
) -> bool:
    if end - start < k:
        return False
    if accept is None:
        return True
    found = 0
    for index in range(start, end):
        if accept(owners[index]):
            found += 1
            if found == k:
                return True
    return False
