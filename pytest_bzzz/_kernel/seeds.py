"""Seeds: one per session, one per test derived from it, so every outcome can be replayed.

A test's seed depends only on the session seed and the test's node id, never
on which other tests run or in what order (as pytest-randomly does it).
"""

from __future__ import annotations

import hashlib
import random
from typing import Final

__all__ = ["SEED_LIMIT", "derive_seed", "fresh_seed"]

SEED_LIMIT: Final = 2**32
"""Seeds are whole numbers in ``range(SEED_LIMIT)``: short enough to read and type."""


def fresh_seed() -> int:
    """A new session seed from the operating system's randomness."""
    return random.SystemRandom().randrange(SEED_LIMIT)


def derive_seed(session_seed: int, name: str) -> int:
    """The seed of the test (or anything else) called ``name`` in this session."""
    digest = hashlib.sha256(f"{session_seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:4], "big")
