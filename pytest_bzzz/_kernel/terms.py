"""The records of elections: terms as tests read them, and the steps a plan holds.

Also the timing settings (``heartbeat``, ``election_timeout``) and their check.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Final, NamedTuple

from .peers import Peer
from .units import format_seconds, seconds_or_text

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = [
    "ELECTION_JITTER",
    "Election",
    "Step",
    "StepDown",
    "Term",
    "check_timing",
]

ELECTION_JITTER: Final = 0.5
"""A peer's election timeout is ``election_timeout * (1 + ELECTION_JITTER * u)``, u in [0, 1)."""


def check_timing(heartbeat: object, election_timeout: object) -> tuple[float, float]:
    """The two settings in seconds, checked: both more than 0, the heartbeat the shorter."""
    beat = seconds_or_text("heartbeat", heartbeat)
    timeout = seconds_or_text("election_timeout", election_timeout)
    for name, value, given in (
        ("heartbeat", beat, heartbeat),
        ("election_timeout", timeout, election_timeout),
    ):
        if value <= 0:
            raise ValueError(f"{name} must be more than 0 seconds, got {given!r}")
    if beat >= timeout:
        raise ValueError(
            f"heartbeat ({format_seconds(beat)}) must be shorter than election_timeout "
            f"({format_seconds(timeout)}): followers would time out between two heartbeats"
        )
    return beat, timeout


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class Term:
    """One term of leadership: who won it, when, with which votes, and how it ended.

    ``votes`` counts the valid votes per candidate, most first;
    ``electorate`` is how many peers voted and ``peers`` how many the world
    had (a majority is ``peers // 2 + 1``); ``started_by`` is the peer whose
    election timer ran out first. ``version`` is the job table version the
    leader continued from (the newest a majority of all peers held),
    ``refused`` the peers whose copy it refused (digest mismatch), and
    ``discarded`` those whose valid copy it discarded: newer than that
    version, or on another branch, held by a minority (a stale leader's
    writes). ``ended_at`` and ``end`` (``"killed"``, ``"lost its
    majority"``, ``"paused"``, ``"replaced by term N"``) are set when it ends.
    """

    number: int
    leader: Peer
    elected_at: float
    started_by: Peer
    votes: Mapping[Peer, int]
    electorate: int
    peers: int
    version: int
    refused: tuple[Peer, ...] = ()
    discarded: tuple[Peer, ...] = ()
    ended_at: float | None = None
    end: str = ""

    def __str__(self) -> str:
        votes = ", ".join(f"{peer.name} {count}" for peer, count in self.votes.items())
        text = (
            f"term {self.number}: {self.leader.name}, elected at "
            f"{format_seconds(self.elected_at)} (votes: {votes}; {self.electorate} of "
            f"{self.peers} peers voted)"
        )
        if self.ended_at is not None:
            text += f", ended at {format_seconds(self.ended_at)}: {self.end}"
        return text

    def __repr__(self) -> str:
        return f"<Term {self}>"


class Election(NamedTuple):
    """A planned election: when, who started it, who wins, and the votes."""

    at: float
    starter: str
    winner: str
    votes: dict[str, int]
    voters: list[str]  # those that voted for the winner
    electorate: int
    peers: int
    hearing: set[str]  # who hears the winner: the peers it reaches, itself left out


class StepDown(NamedTuple):
    """A planned step-down of a leader that lost its majority (or is paused)."""

    at: float
    why: str


Step = Election | StepDown
