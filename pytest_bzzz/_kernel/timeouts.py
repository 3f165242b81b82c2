"""Timed-out operations: the :class:`NetworkTimeout` the pipeline records and raises.

Mixed into :class:`~pytest_bzzz._kernel.pipeline.Pipeline` (and so into the
world). An operation whose drawn latency exceeds its timeout spends the
timeout and raises :class:`NetworkTimeout`; it never acts, with one exception.

**Ambiguous timeouts.** When the conditions' ``ambiguous_timeouts`` is on and
the operation is a write (one a backend declared with :func:`declare_writes`),
a draw (even odds, right after the operation's other draws, and only then, so
other worlds' draws do not move) decides whether it was applied, as a write
whose answer was lost may have been on a real network. An applied one acts
when its timeout expires, and its caller gets the same :class:`NetworkTimeout`
either way, saying that the write may have been applied; the record of calls
says which (``Call.applied``).
"""

from __future__ import annotations

import contextlib
import random
from typing import TYPE_CHECKING, Any

from .conditions import NetworkConditions
from .errors import NetworkTimeout
from .record import CallLog
from .units import format_seconds

if TYPE_CHECKING:
    from .pipeline import Prepared

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["WRITES", "Timeouts", "declare_writes"]

WRITES: set[str] = set()
"""The operations that change data, as the backends declare them (:func:`declare_writes`)."""


def declare_writes(*names: str) -> None:
    """Declare operations that change data: with ambiguous timeouts, a timed-out one may have
    been applied (see ``NetworkConditions.ambiguous_timeouts``)."""
    WRITES.update(names)


class Timeouts:
    """What a timed-out operation does and says; its state is the world's."""

    _seed: int
    _rng: random.Random
    _conditions: NetworkConditions
    _log: CallLog

    def _timed_out(
        self,
        op: str,
        key: str,
        latency: float,
        limit: float,
        start: float,
        peer: str,
        cost: tuple[int, ...],
        applied: bool | None = None,
    ) -> NetworkTimeout:
        """The timeout to raise, recorded; ``applied`` is the draw for a write under ambiguous
        timeouts (``None``: no draw was made), which the record keeps (``Call.applied``)."""
        self._log.add(op, key, "timeout", limit, start, peer, cost, applied)
        if op not in WRITES:
            outcome = ""
        elif applied is None:
            outcome = "; the write was not applied"
        else:  # the caller learns no more than a real client would: what the draw allowed
            outcome = (
                "; the write may have been applied (ambiguous timeouts: a draw from the world's "
                "seed decides)"
            )
        return NetworkTimeout(
            f"simulated timeout: {op}({key!r}) took longer than its timeout of "
            f"{format_seconds(limit)} (simulated latency {format_seconds(latency)}; "
            f"world seed {self._seed}){outcome}",
            op=op,
            key=key,
            latency=latency,
            timeout=limit,
        )

    def _ambiguous(self, op: str) -> bool | None:
        """For a timed-out operation: whether it was applied after all; lock held.

        ``None`` (and nothing drawn) unless the conditions' ``ambiguous_timeouts`` is on and
        ``op`` is a write; else one draw, even odds.
        """
        if not self._conditions.ambiguous_timeouts or op not in WRITES:
            return None
        return self._rng.random() < 0.5

    @staticmethod
    def _apply_timed_out(prepared: Prepared[Any]) -> None:
        """Let a timed-out write that was applied after all act; lock held. Its answer is lost:
        a write that finds nothing to change (a delete of a deleted address) changes nothing."""
        _, _, action, args = prepared
        with contextlib.suppress(LookupError):
            action(*args)
