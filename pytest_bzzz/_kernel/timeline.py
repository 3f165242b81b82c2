"""What is due at a world time: scheduled faults, and the kernel's own timed steps.

A :class:`Timeline` is a queue of actions ordered by world time (then by the
order they were added). The world's clock asks it to run what is due as it
passes each instant (see ``ClockControl.set_timeline``), so on a virtual clock an
action runs at exactly its time, whatever moves the clock: an operation's
latency, ``clock.advance``, an asyncio or trio sleep. On a real clock time
passes by itself, and what is due runs at the world's next operation or
reading (``ClockControl.catch_up``).

An action that raises does not stop the clock: the error is kept in
:attr:`Timeline.failures` with the action's time and label, for the world to
raise at the test's next operation, and in :attr:`Timeline.failed` for the
report, which lists it whether or not an operation raised it.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from typing import NamedTuple

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them).
__tracebackhide__ = True

__all__ = ["Failure", "Scheduled", "Timeline"]


class Scheduled:
    """An action due at a world time; ``cancel()`` takes it off the timeline if it has not run."""

    __slots__ = ("_timeline", "action", "at", "label", "sequence", "state")

    def __init__(
        self, timeline: Timeline, at: float, sequence: int, label: str, action: Callable[[], None]
    ) -> None:
        self._timeline = timeline
        self.at = at
        """World seconds it is due at."""
        self.sequence = sequence
        self.label = label
        """What it does, readable: ``"partition([local, peer-1])"``, ``"kill(peer-2)"``."""
        self.action = action
        self.state = "pending"
        """``"pending"``, ``"done"``, ``"failed"`` or ``"cancelled"``."""

    def __lt__(self, other: Scheduled) -> bool:
        return (self.at, self.sequence) < (other.at, other.sequence)

    def cancel(self) -> bool:
        """Take it off the timeline; whether it was still pending (``False`` once it ran)."""
        return self._timeline.cancel(self)

    def __repr__(self) -> str:
        return f"<Scheduled {self.label} at {self.at:.6g}s, {self.state}>"


class Failure(NamedTuple):
    """A scheduled action that raised: when, which, and the error."""

    at: float
    label: str
    error: BaseException


class Timeline:
    """Actions ordered by world time. Not locked by itself: the world's lock is held."""

    def __init__(self, on_change: Callable[[float], None]) -> None:
        self._queue: list[Scheduled] = []
        self._sequence = 0
        self._on_change = on_change  # told the earliest time due, whenever it changes
        self.failures: list[Failure] = []
        """Actions that raised, oldest first, until the world raises them (``take_failures``)."""
        self.failed: list[Failure] = []
        """Every action that raised, oldest first, raised or not: for the report."""

    @property
    def next_due(self) -> float:
        """The time of the earliest pending action (``inf`` when none is)."""
        queue = self._queue
        while queue and queue[0].state != "pending":
            heapq.heappop(queue)
        return queue[0].at if queue else math.inf

    def add(self, at: float, label: str, action: Callable[[], None]) -> Scheduled:
        self._sequence += 1
        entry = Scheduled(self, at, self._sequence, label, action)
        heapq.heappush(self._queue, entry)
        self._on_change(self.next_due)
        return entry

    def cancel(self, entry: Scheduled) -> bool:
        if entry.state != "pending":
            return False
        entry.state = "cancelled"
        self._on_change(self.next_due)
        return True

    @property
    def pending(self) -> list[Scheduled]:
        """The pending actions, in the order they will run."""
        return sorted(entry for entry in self._queue if entry.state == "pending")

    def run_due(self, now: float) -> float:
        """Run every action due at ``now`` or before, in order; return the next time due."""
        queue = self._queue
        while queue and queue[0].at <= now:
            entry = heapq.heappop(queue)
            if entry.state != "pending":
                continue
            try:
                entry.action()
            except Exception as error:  # kept for the test's next operation and the report
                entry.state = "failed"
                failure = Failure(entry.at, entry.label, error)
                self.failures.append(failure)
                self.failed.append(failure)
            else:
                entry.state = "done"
        return self.next_due

    def take_failures(self) -> list[Failure]:
        """The failures not yet raised, now marked raised."""
        failures, self.failures = self.failures, []
        return failures

    def clear(self) -> None:
        for entry in self._queue:
            entry.state = "cancelled"
        self._queue.clear()
        self.failures.clear()
        self.failed.clear()
        self._on_change(math.inf)
