"""Failed operations: the :class:`NetworkError` the pipeline records and raises.

Mixed into :class:`~pytest_bzzz._kernel.pipeline.Pipeline` (and so into the
world). An operation fails on the network for one of three reasons, each
recorded as ``"failed"`` before it is raised, and never after the operation
acted, so a failed operation never changes the data:

- its caller is paused or killed when it is called: it makes no call at all
  (:meth:`Failures._check_caller`, which first raises a scheduled action's
  failure, if one is waiting);
- its caller was paused or killed while its latency was spent (by a fault
  the world's timeline had due then), even if revived before the end: the
  error names the fault and its time (:meth:`Failures._check_completion`);
- the failure drawn for it: the world's failure rate, or a link's
  (:meth:`Failures._failed`).
"""

from __future__ import annotations

import threading

from .clock import Clock
from .cluster import FaultEvent
from .conditions import NetworkConditions
from .errors import NetworkError
from .peers import Peer
from .record import CallLog
from .timeline import Timeline
from .topology import Topology
from .units import format_seconds

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["Failures"]


class Failures:
    """Why an operation failed, recorded and raised; its state is the world's."""

    _lock: threading.RLock
    _clock: Clock
    _seed: int
    _conditions: NetworkConditions
    _log: CallLog
    _peers: dict[str, Peer]
    _topology: Topology
    _timeline: Timeline
    _fault_log: list[FaultEvent]

    def _raise_failures(self) -> None:  # defined by Schedule
        raise NotImplementedError

    def _failed(
        self,
        op: str,
        key: str,
        latency: float,
        start: float,
        peer: str,
        cost: tuple[int, ...],
        cause: bool | str = True,
    ) -> NetworkError:
        self._log.add(op, key, "failed", latency, start, peer, cost)
        why = cause if isinstance(cause, str) else f"failure rate {self._conditions.failure_rate:g}"
        return NetworkError(
            f"simulated network failure: {op}({key!r}) failed ({why}; world seed {self._seed})",
            op=op,
            key=key,
        )

    def _check_caller(self, op: str, key: str, peer: str) -> None:
        """A paused or killed peer makes no calls: its operations fail at once.

        Raises first a scheduled action's failure, if one is waiting.
        """
        with self._lock:
            if self._timeline.failures:
                self._raise_failures()
            status = self._topology.status(peer)
            if status == "live":
                return
            self._log.add(op, key, "failed", 0.0, self._clock.now(), peer)
            raise NetworkError(
                f"simulated network failure: {op}({key!r}) from {self._peers[peer].name}, "
                f"which is {status} (world seed {self._seed})",
                op=op,
                key=key,
            )

    def _check_completion(
        self,
        op: str,
        key: str,
        latency: float,
        start: float,
        peer: str,
        cost: tuple[int, ...],
        seen: int,
    ) -> None:
        """Fail an operation whose caller was paused or killed while it ran; lock held.

        ``seen`` is how many faults the world had recorded when the operation
        began: the later ones happened during its latency. A caller paused or
        killed meanwhile fails its operation, even if revived before it ended
        (a killed peer's process died with the operation in it).
        """
        log = self._fault_log
        if len(log) == seen:
            return
        if len(log) < seen:
            seen = 0  # the world was reset meanwhile: what it recorded since
        name = self._peers[peer].name if peer in self._peers else peer
        fault = next(
            (e for e in log[seen:] if e.action in ("pause", "kill") and e.detail == name), None
        )
        if fault is None:
            return
        self._log.add(op, key, "failed", latency, start, peer, cost)
        done = "paused" if fault.action == "pause" else "killed"
        raise NetworkError(
            f"simulated network failure: {op}({key!r}) from {name} failed: {name} was {done} "
            f"at {format_seconds(fault.at)}, before the operation completed at "
            f"{format_seconds(start + latency)} (world seed {self._seed})",
            op=op,
            key=key,
        )
