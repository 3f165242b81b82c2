"""What happened: a bounded record of calls, and counters over all of them.

Tests assert on calls the way they do on ``unittest.mock`` calls, so every
operation is recorded with its outcome and its simulated timing. The record
keeps only the newest ``limit`` calls (``DEFAULT_RECORD_LIMIT`` unless told
otherwise, ``0`` to keep none), so a long run's memory stays flat; the
counters in :class:`Stats` cover every call whatever the limit.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Mapping
from typing import Any, Final, Literal, NamedTuple, TypeAlias, get_args

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["DEFAULT_RECORD_LIMIT", "Call", "CallLog", "Outcome", "Stats"]

Outcome: TypeAlias = Literal["ok", "not_found", "failed", "timeout", "cancelled"]
OUTCOMES: Final = frozenset(get_args(Outcome))

DEFAULT_RECORD_LIMIT: Final = 10_000
"""How many calls a world keeps in its record by default."""


class Call(NamedTuple):
    """One recorded operation.

    ``op`` is the operation's name (the sync name, also for its async twin),
    ``key`` what it was called with, ``outcome`` one of ``"ok"``,
    ``"not_found"`` (no such key, address or version), ``"failed"`` (a
    simulated failure), ``"timeout"`` and ``"cancelled"``,
    ``latency`` the simulated seconds it took (real ones for a call a backend
    made on a real network), ``at`` the world time (seconds)
    when it started, ``peer`` the id of the peer that made it, and, in a
    world of many peers, the ``rounds`` of its lookup and the peers it
    ``contacted`` (both 0 in a world of one peer, where nothing is looked up).

    ``applied`` is what the draw decided for a write that timed out under
    ambiguous timeouts (``NetworkConditions(ambiguous_timeouts=True)``):
    ``True`` if the write was applied after all, ``False`` if not. It is
    ``None`` for every other call, where nothing was drawn: a call that did
    not time out, a read, a write that timed out with the option off (never
    applied). The caller's ``NetworkTimeout`` does not say which, as a real
    client's would not; the record does, for the test. The repr leaves it out
    while it is ``None``.
    """

    op: str
    key: str
    outcome: Outcome
    latency: float
    at: float
    peer: str
    rounds: int = 0
    contacted: int = 0
    applied: bool | None = None

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={value!r}"
            for name, value in zip(self._fields, self, strict=True)
            if name != "applied" or value is not None
        )
        return f"Call({fields})"


@dataclasses.dataclass(frozen=True)
class Stats:
    """Counters over every operation of a world (a snapshot; read it again for news).

    ``operations`` counts calls per operation name; ``failures``, ``timeouts``,
    ``not_found`` and ``cancelled`` count those outcomes; ``simulated_seconds``
    adds up the simulated time operations spent, and ``real_seconds`` the real
    time spent by operations a backend makes on a real network (the libp2p
    backend's hosts; 0 on the in-memory backend).
    """

    operations: Mapping[str, int]
    failures: int
    timeouts: int
    not_found: int
    cancelled: int
    simulated_seconds: float
    real_seconds: float = 0.0

    @property
    def total(self) -> int:
        """All calls, of every operation."""
        return sum(self.operations.values())

    def __getitem__(self, op: str) -> int:
        """Calls of ``op`` (0 if none)."""
        return self.operations.get(op, 0)

    def describe(self) -> str:
        """One line for people."""
        ops = ", ".join(f"{op}={count}" for op, count in sorted(self.operations.items()))
        return (
            f"{self.total} calls ({ops or 'none'}); {self.failures} failed, "
            f"{self.timeouts} timed out, {self.not_found} not found, "
            f"{self.cancelled} cancelled; {self.simulated_seconds:.6g} simulated seconds"
            + (f", {self.real_seconds:.6g} real seconds" if self.real_seconds else "")
        )


class CallLog:
    """The record of calls and the counters; not thread-safe by itself (the world locks).

    Calls are kept as plain tuples and become :class:`Call` values only when
    asked for: recording is on every operation's path, reading is rare. The
    world's hot paths record an ``"ok"`` call with the three public members
    directly (``counts[op] += 1``, ``seconds += latency``, ``append(call)``);
    :meth:`clear` keeps the same objects, so bound references stay valid.
    """

    def __init__(self, limit: int = DEFAULT_RECORD_LIMIT) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise TypeError(
                f"the call record limit must be an int, 0 or more, "
                f"got {type(limit).__name__} {limit!r}"
            )
        if limit < 0:
            raise ValueError(f"the call record limit must be an int, 0 or more, got {limit!r}")
        self.limit = limit
        """How many calls the record keeps (``0``: none, only the counters)."""
        # Each call: Call's fields, the lookup's rounds and peers only when any, and the last
        # (an ambiguous timeout's draw) only when one was made.
        self._calls: collections.deque[tuple[Any, ...]] = collections.deque(maxlen=limit)
        # With a limit of 0 the deque keeps nothing: appending to it is a no-op.
        self.append = self._calls.append
        """Record one call, as a tuple of :class:`Call`'s fields."""
        self.counts: collections.defaultdict[str, int] = collections.defaultdict(int)
        """Calls per operation, whatever their outcome."""
        self.seconds = 0.0
        """The simulated seconds every call spent, added up."""
        self.real_seconds = 0.0
        """The real seconds spent by the calls made on a real network, added up."""
        self._outcomes: dict[str, int] = dict.fromkeys(OUTCOMES, 0)

    def add(
        self,
        op: str,
        key: str,
        outcome: Outcome,
        latency: float,
        at: float,
        peer: str,
        cost: tuple[int, ...] = (),
        applied: bool | None = None,
        *,
        real: bool = False,
    ) -> None:
        """Record one call with its outcome (and its lookup's ``(rounds, contacted)``).

        ``applied`` is the draw of a write that timed out under ambiguous timeouts;
        ``real``, that the call was made on a real network, its latency real seconds.
        """
        self.counts[op] += 1
        if outcome != "ok":  # "ok" needs no counter of its own: it is what the others leave
            self._outcomes[outcome] += 1
        if real:
            self.real_seconds += latency
        else:
            self.seconds += latency
        if applied is None:
            self.append((op, key, outcome, latency, at, peer, *cost))
        else:  # the lookup's cost is filled in, so that the draw lands in its own field
            self.append((op, key, outcome, latency, at, peer, *(cost or (0, 0)), applied))

    def clear(self) -> None:
        self._calls.clear()
        self.counts.clear()
        self._outcomes = dict.fromkeys(OUTCOMES, 0)
        self.seconds = 0.0
        self.real_seconds = 0.0

    def stats(self) -> Stats:
        outcomes = self._outcomes
        return Stats(
            operations=dict(self.counts),
            failures=outcomes["failed"],
            timeouts=outcomes["timeout"],
            not_found=outcomes["not_found"],
            cancelled=outcomes["cancelled"],
            simulated_seconds=self.seconds,
            real_seconds=self.real_seconds,
        )

    def calls(
        self, op: str | None = None, *, key: str | None = None, outcome: Outcome | None = None
    ) -> list[Call]:
        """Recorded calls, oldest first, filtered by each criterion given."""
        if outcome is not None and outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; expected one of {sorted(OUTCOMES)}")
        return [
            Call(*call)  # a world of one peer records no lookup: its calls take the defaults
            for call in self._calls
            if (op is None or call[0] == op)
            and (key is None or call[1] == key)
            and (outcome is None or call[2] == outcome)
        ]
