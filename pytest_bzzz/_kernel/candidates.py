"""How a peer scores as a candidate for leader: BZZZ's admin election score, from its profile.

BZZZ elects an admin peer (the one that leads SLURP) and votes for the
candidate with the best score, a weighted sum of normalised components:

- **uptime**: ``min(1, uptime / 24 h)``;
- **capabilities**: the admin capabilities it announces, each worth a share
  (:data:`ADMIN_CAPABILITIES`), at most 1 in all;
- **resources**: ``0.3 (1 - cpu) + 0.3 (1 - memory) + 0.2 (1 - disk) + 0.2 network``,
  usages and network quality from 0 to 1;
- **network quality**, from 0 to 1, once more on its own;
- **experience**: ``min(1, experience / 1 week)``.

A peer's :class:`PeerProfile` holds what a test may set; its uptime grows
with the world's clock (from the peer's joining, or from its revival after a
kill). Every peer starts with the same profile, so that who wins depends on
the seed alone: equal scores fall to the tie rule (the lowest peer id), and
peer ids derive from the seed.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

from .units import seconds_or_text

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = [
    "ADMIN_CAPABILITIES",
    "DEFAULT_PROFILE",
    "FULL_EXPERIENCE",
    "FULL_UPTIME",
    "SCORE_WEIGHTS",
    "PeerProfile",
    "changed_profile",
]

SCORE_WEIGHTS: Final[Mapping[str, float]] = MappingProxyType(
    {"uptime": 0.3, "capabilities": 0.2, "resources": 0.2, "network": 0.15, "experience": 0.15}
)
"""The weight of each component of a candidate's score (they add up to 1)."""

ADMIN_CAPABILITIES: Final[Mapping[str, float]] = MappingProxyType(
    {
        "admin_election": 0.25,
        "context_curation": 0.35,
        "key_reconstruction": 0.25,
        "semantic_analysis": 0.25,
        "project_manager": 0.35,
    }
)
"""The capabilities that count towards leading, and what each adds to the capability score."""

FULL_UPTIME: Final = 24 * 3600.0
"""Uptime that earns the whole uptime component: a day."""
FULL_EXPERIENCE: Final = 7 * 24 * 3600.0
"""Experience that earns the whole experience component: a week."""

_UNIT_FIELDS: Final = ("cpu_usage", "memory_usage", "disk_usage", "network_quality")
_SECONDS_FIELDS: Final = ("uptime", "experience")


@dataclasses.dataclass(frozen=True, slots=True)
class PeerProfile:
    """What a peer reports when it stands for leader; set with ``world.set_profile(peer, ...)``.

    ``uptime`` is seconds the peer had been up when it joined the world (its
    uptime then grows with the clock; a kill starts it again from 0 at the
    revival), ``experience`` seconds of experience in the role,
    ``capabilities`` the capabilities it announces, the three usages and
    ``network_quality`` fractions from 0 to 1.
    """

    uptime: float = 0.0
    experience: float = 0.0
    capabilities: frozenset[str] = frozenset()
    cpu_usage: float = 0.0
    memory_usage: float = 0.0
    disk_usage: float = 0.0
    network_quality: float = 1.0

    def base_score(self) -> float:
        """The score without its uptime component (which grows with the clock)."""
        capability = min(1.0, sum(ADMIN_CAPABILITIES.get(c, 0.0) for c in self.capabilities))
        resources = (
            0.3 * (1 - self.cpu_usage)
            + 0.3 * (1 - self.memory_usage)
            + 0.2 * (1 - self.disk_usage)
            + 0.2 * self.network_quality
        )
        return (
            SCORE_WEIGHTS["capabilities"] * capability
            + SCORE_WEIGHTS["resources"] * resources
            + SCORE_WEIGHTS["network"] * self.network_quality
            + SCORE_WEIGHTS["experience"] * min(1.0, self.experience / FULL_EXPERIENCE)
        )

    def score(self, uptime: float) -> float:
        """The candidate's score with ``uptime`` seconds of uptime: from 0 to 1."""
        return _base_score(self) + _UPTIME_WEIGHT * min(1.0, uptime / FULL_UPTIME)


_UPTIME_WEIGHT: Final = SCORE_WEIGHTS["uptime"]


@functools.lru_cache(maxsize=256)
def _base_score(profile: PeerProfile) -> float:
    return profile.base_score()


DEFAULT_PROFILE: Final = PeerProfile()
"""Every peer's profile until a test sets one: no admin capabilities, idle, a perfect network."""

_FIELDS: Final = tuple(field.name for field in dataclasses.fields(PeerProfile))


def changed_profile(profile: PeerProfile, peer: str, changes: Mapping[str, object]) -> PeerProfile:
    """``profile`` with ``changes``, each checked (``peer`` names whose it is, for messages)."""
    values: dict[str, object] = {}
    for name, value in changes.items():
        if name not in _FIELDS:
            raise TypeError(
                f"set_profile({peer!r}, ...) got {name}={value!r}: a profile has no field "
                f"{name!r}; its fields are {', '.join(_FIELDS)}"
            )
        if name in _SECONDS_FIELDS:
            values[name] = seconds_or_text(f"the {name} of {peer!r}", value)
        elif name == "capabilities":
            values[name] = _capabilities(peer, value)
        else:
            values[name] = _fraction(peer, name, value)
    return dataclasses.replace(profile, **values)  # type: ignore[arg-type]


def _capabilities(peer: str, value: object) -> frozenset[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(
            f"the capabilities of {peer!r} are a collection of names such as "
            f"{{'admin_election'}}, got {type(value).__name__} {value!r}"
        )
    names = list(value)
    for name in names:
        if not isinstance(name, str) or not name:
            raise TypeError(
                f"the capabilities of {peer!r} are non-empty strings, got "
                f"{type(name).__name__} {name!r} in {value!r}"
            )
    return frozenset(names)


def _fraction(peer: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"the {name} of {peer!r} is a number from 0 to 1, got {type(value).__name__} {value!r}"
        )
    if not (math.isfinite(value) and 0 <= value <= 1):
        raise ValueError(f"the {name} of {peer!r} is a number from 0 to 1, got {value!r}")
    return float(value) + 0.0
