"""Leader election and failover: what tests call on ``bzzz_network`` (``leader``, ``jobs``, ...).

Mixed into :class:`~pytest_bzzz.World`; the state machine is
:class:`~pytest_bzzz._kernel.leadership.Leadership`, one per world. BZZZ
elects an admin peer, which leads SLURP; the world elects a leader the same
way, in terms:

- a term starts when a peer that could win misses the leader's heartbeats
  for its election timeout (``election_timeout``, with a jitter drawn per
  peer from the seed); the leader heartbeats every ``heartbeat``;
- the live peers that reach a majority of all peers stand and vote, each for
  the best-scored candidate it reaches (:mod:`.candidates`); each vote is
  checked (one per peer per term, for a live candidate that stands and that
  the voter reaches) and counted; the winner needs a majority of all peers;
  ties go to the better score, then to the lowest peer id. A term starts only
  if someone would win it, so a side without a majority never counts terms up;
- a leader that loses its majority steps down one election timeout later,
  unless it regains it; a killed one at once; a paused one is not the
  leader while paused.

docs/elections.md describes the model exactly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from .candidates import DEFAULT_PROFILE, PeerProfile, changed_profile
from .clock import Clock, ClockControl
from .jobs import JobTable
from .leadership import Leadership
from .peers import Peer
from .terms import Term
from .timeline import Timeline
from .units import format_seconds, seconds_or_text

if TYPE_CHECKING:
    from .cluster import PeerLike

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = ["Elections", "LeaderSubscription"]


class LeaderSubscription:
    """What ``on_leader_change`` returns: ``cancel()`` stops the calls."""

    __slots__ = ("_callback", "_election", "_lock")

    def __init__(
        self,
        election: Leadership,
        lock: threading.RLock,
        callback: Callable[[Peer | None], object],
    ) -> None:
        self._election = election
        self._lock = lock
        self._callback = callback

    def cancel(self) -> bool:
        """Stop calling the callback; whether it was still subscribed."""
        with self._lock:
            callbacks = self._election.callbacks
            for index, callback in enumerate(callbacks):
                if callback is self._callback:
                    del callbacks[index]
                    self._election.reschedule()
                    return True
            return False

    def __repr__(self) -> str:
        return f"<LeaderSubscription {getattr(self._callback, '__qualname__', self._callback)}>"


class Elections:
    """The leader of a world's peers, its terms, and the job table it replicates."""

    # What the world provides.
    _lock: threading.RLock
    _clock: Clock
    _time: ClockControl
    _timeline: Timeline
    _election: Leadership

    def peer(self, name_or_id: PeerLike) -> Peer:  # defined by Cluster
        raise NotImplementedError

    def _synced(self) -> Leadership:
        """The election state brought to the clock's time (lock held)."""
        self._time.catch_up()
        self._election.sync()
        return self._election

    @property
    def leader(self) -> Peer | None:
        """The leader now: a live peer, or None (no term won yet, or its leader gone)."""
        with self._lock:
            election = self._synced()
            leader = election.observed_id()
            return None if leader is None else election.core.peers[leader]

    @property
    def term(self) -> int:
        """The number of the newest term (0 before the first election)."""
        with self._lock:
            return self._synced().term

    @property
    def terms(self) -> list[Term]:
        """Every term so far, oldest first: who won it, when, the votes, how it ended."""
        with self._lock:
            return list(self._synced().terms)

    @property
    def heartbeat(self) -> float:
        """Seconds between two heartbeats of the leader."""
        return self._election.heartbeat

    @property
    def election_timeout(self) -> float:
        """Seconds without a heartbeat after which a follower starts an election (plus jitter)."""
        return self._election.timeout

    @property
    def jobs(self) -> JobTable:
        """The leader's replicated job table: ``jobs.assign(job, peer)``, ``jobs[job]``, ..."""
        return self._election.table

    def _wait_limit(self, timeout: float | str | None) -> float:
        if timeout is None:
            return 2 * self._election.timeout
        return seconds_or_text("wait_for_leader's timeout", timeout)

    def _wait_step(self, deadline: float, limit: float) -> Peer | float:
        """The leader if it has a majority, else the time to wait until (lock held)."""
        election = self._synced()
        leader = election.observed_id()
        if leader is not None and election.lost_at is None:
            return election.core.peers[leader]
        now = self._clock.now()
        if now >= deadline:
            raise TimeoutError(
                f"no leader with a majority after waiting {format_seconds(limit)} of world time: "
                f"{election.why_no_leader()}"
            )
        return min(deadline, election.next_step_at(), self._timeline.next_due)

    def wait_for_leader(self, timeout: float | str | None = None) -> Peer:
        """Move the clock on until there is a leader that reaches a majority, and return it.

        A leader cut off from the majority is still :attr:`leader` until it
        steps down, but it is not what this waits for: it waits for its
        successor. Waits at most ``timeout`` (seconds or a string with a unit; two
        election timeouts unless given), then raises ``TimeoutError`` saying
        why there is none. On a virtual clock the time passes at once, and
        whatever is scheduled on the way runs at its time; on a real clock it
        sleeps.
        """
        limit = self._wait_limit(timeout)
        with self._lock:
            deadline = self._clock.now() + limit
        while True:
            with self._lock:
                step = self._wait_step(deadline, limit)
                if isinstance(step, Peer):
                    return step
                if self._clock.mode == "virtual":
                    self._clock.advance_to(max(step, self._clock.now()))
                    continue
                pause = step - self._clock.now()
            self._clock.sleep(max(0.0, pause))

    async def await_for_leader(self, timeout: float | str | None = None) -> Peer:
        """The async twin of :meth:`wait_for_leader`: sleeps on the running loop until a leader."""
        limit = self._wait_limit(timeout)
        with self._lock:
            deadline = self._clock.now() + limit
        while True:
            with self._lock:
                step = self._wait_step(deadline, limit)
                if isinstance(step, Peer):
                    return step
                pause = step - self._clock.now()
            await self._clock.asleep(max(0.0, pause))
            with self._lock:
                now = self._clock.now()
                if self._clock.mode == "virtual" and now < step <= now + 1e-9 * max(1.0, step):
                    self._clock.advance_to(step)  # the loop's rounding fell short of it

    def on_leader_change(self, callback: Callable[[Peer | None], object]) -> LeaderSubscription:
        """Call ``callback(leader)`` whenever the leader changes (``None``: no leader).

        It runs at the world time of the change, from the world's timeline,
        as a scheduled action does: an exception in it is raised at the test's
        next operation. Returns a subscription; ``cancel()`` ends it.
        """
        if not callable(callback):
            raise TypeError(
                f"on_leader_change takes a callable (called with the new leader or None), "
                f"got {type(callback).__name__} {callback!r}"
            )
        with self._lock:
            election = self._synced()
            election.listen(callback)
            return LeaderSubscription(election, self._lock, callback)

    def profile(self, peer: PeerLike) -> PeerProfile:
        """What ``peer`` reports as a candidate (see :meth:`set_profile`)."""
        with self._lock:
            return self._election.profiles.get(self.peer(peer).id, DEFAULT_PROFILE)

    def set_profile(self, peer: PeerLike, **fields: object) -> PeerProfile:
        """Change what ``peer`` reports as a candidate; return its new profile.

        Fields: ``uptime`` and ``experience`` (seconds, or a string with a
        unit), ``capabilities`` (names, such as ``{"admin_election"}``),
        ``cpu_usage``, ``memory_usage``, ``disk_usage`` and
        ``network_quality`` (0 to 1). Elections from now on use it.
        """
        with self._lock:
            target = self.peer(peer)
            election = self._synced()
            profile = election.profiles.get(target.id, DEFAULT_PROFILE)
            profile = changed_profile(profile, target.name, fields)
            election.profiles[target.id] = profile
            election.refresh(self._clock.now())
            election.deliver()
            return profile

    def score(self, peer: PeerLike) -> float:
        """``peer``'s score as a candidate now, from 0 to 1 (the best wins the votes it reaches)."""
        with self._lock:
            target = self.peer(peer)
            election = self._synced()
            return election.score(target.id, self._clock.now())
