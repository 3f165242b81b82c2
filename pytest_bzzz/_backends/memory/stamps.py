"""How the memory backend orders writes among many peers: each write's stamp.

A stamp is ``(world time, sequence)``: of two writes, the newer is the larger,
the later in world time, and at the same instant the one made last. Copies
with no stamp of their own (values put straight into a store's dicts,
histories taken in from a world of one peer) have the oldest.
"""

from __future__ import annotations

from typing import Final

__all__ = ["OLDEST", "Stamp"]

Stamp = tuple[float, int]

OLDEST: Final[Stamp] = (float("-inf"), 0)
