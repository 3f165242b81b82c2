"""Faults at set times: ``world.at(5, "partition", ["peer-1"])``, then ``world.at(20, "heal")``.

Mixed into :class:`~pytest_bzzz.World`. A scheduled fault's arguments are
checked when it is scheduled (the same checks the fault makes when called),
so a misspelt peer fails at the ``at()`` line. It runs when the world's clock
reaches its time (see ``timeline``): on a virtual clock at exactly that
instant, whatever moves the clock, so a fault due during an operation's
simulated latency applies to that operation: it sees the network as it is
when it completes (its action runs after the latency is spent, and a caller
paused or killed meanwhile fails it; see ``pipeline``). Any other callable
may be scheduled too; its arguments are bound to its signature when
scheduled. An action that raises when it runs makes the test's next
operation raise :class:`ScheduledActionError` (chained to the error), and is
shown in the report, raised or not. Labels show peers by their names, bare,
as ``world.faults`` does: ``kill(peer-2)``.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any, Final

from .clock import Clock, ClockControl
from .errors import ScheduledActionError
from .peers import Peer
from .timeline import Failure, Scheduled, Timeline
from .units import format_seconds, seconds_or_text

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = ["FAULTS", "Schedule"]

FAULTS: Final = ("partition", "heal", "cut", "isolate", "pause", "kill", "revive", "link")
"""The faults ``at()`` takes by name (or as the world's bound method)."""


def _shown(value: object) -> str:
    """An argument as a callable's label shows it: peers by name, groups as lists of names."""
    if isinstance(value, Peer):
        return repr(value.name)
    if isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    return repr(value)


def _shown_peers(value: object, name_of: Callable[[Any], str]) -> str:
    """A fault's positional argument (a peer, or a group of peers) as ``world.faults`` shows
    peers: by name, bare (``kill(peer-2)``, ``partition([local, peer-1])``)."""
    if isinstance(value, (Peer, str)):
        return name_of(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ", ".join(name_of(item) for item in value) + "]"
    return repr(value)  # pragma: no cover - the fault's own checks refuse anything else


class Schedule:
    """Actions the world runs at set times of its clock."""

    _lock: threading.RLock
    _clock: Clock
    _time: ClockControl
    _timeline: Timeline

    def _network_changed(self) -> None:  # defined by World
        raise NotImplementedError

    def peer(self, name_or_id: Peer | str) -> Peer:  # defined by Cluster
        raise NotImplementedError

    def at(
        self, when: float | str, action: Callable[..., object] | str, /, *args: Any, **kwargs: Any
    ) -> Scheduled:
        """Run ``action(*args, **kwargs)`` when the world's clock reaches ``when``.

        ``when`` is world seconds since the start (a number, or a string with
        a unit such as ``"1.5s"``), now or later. ``action`` is a fault by
        name (``"partition"``, ``"heal"``, ``"cut"``, ``"isolate"``,
        ``"pause"``, ``"kill"``, ``"revive"``, ``"link"``), the world's own
        method for one, or any callable. Returns the scheduled action:
        ``cancel()`` takes it back. An action due now runs at once.
        """
        instant = seconds_or_text("the time of a scheduled action", when)
        return self._schedule(instant, action, args, kwargs, late=False)

    def _schedule(
        self,
        instant: float,
        action: Callable[..., object] | str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        late: bool,
    ) -> Scheduled:
        """:meth:`at`, for an instant in seconds. With ``late``, an instant already past is
        taken as it is, to run at the next catch-up of a real clock with what else is due, in
        the order of their instants (the plugin's ``at`` markers on a real clock, whose times
        setup may have passed; the plugin then catches up once they are all scheduled)."""
        with self._lock:
            now = self._clock.now()
            if instant < now and not late:
                raise ValueError(
                    f"cannot schedule {self._name_of(action)} at {format_seconds(instant)}: "
                    f"the world's clock is already at {format_seconds(now)}"
                )
            run, label = self._plan(action, args, kwargs)

            def locked() -> None:
                with self._lock:
                    run()

            entry = self._timeline.add(instant, label, locked)
            if instant <= now and not late:  # due now: the clock will not pass it again
                self._time.set_deadline(self._timeline.run_due(now))
                self._raise_failures()
            return entry

    @property
    def scheduled(self) -> list[Scheduled]:
        """The scheduled actions still to run, in the order they will."""
        with self._lock:
            self._time.catch_up()
            return self._timeline.pending

    def _name_of(self, action: object) -> str:
        if isinstance(action, str):
            return repr(action)
        return getattr(action, "__qualname__", None) or repr(action)

    def _plan(
        self, action: Callable[..., object] | str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[Callable[[], object], str]:
        """Check the arguments now; return what runs later and its label."""
        name: str | None = None
        function: Callable[..., object] | None = None
        if isinstance(action, str):
            if action not in FAULTS:
                raise ValueError(
                    f"no fault named {action!r}; the faults are {', '.join(FAULTS)} "
                    f"(or pass any callable)"
                )
            name = action
        elif not callable(action):
            raise TypeError(
                f"at() takes a fault's name or a callable, got {type(action).__name__} {action!r}"
            )
        elif (
            getattr(action, "__self__", None) is self and getattr(action, "__name__", "") in FAULTS
        ):
            name = str(getattr(action, "__name__", ""))
        else:
            function = action
        keywords = [f"{key}={_shown(val)}" for key, val in kwargs.items()]
        if name is not None:
            planner: Callable[..., Callable[[], None]] = getattr(self, f"_plan_{name}")
            try:
                inspect.signature(planner).bind(*args, **kwargs)
            except TypeError as error:
                raise TypeError(
                    f"{name}() was scheduled with arguments it does not take: {error}"
                ) from None
            plan = planner(*args, **kwargs)  # checks every argument: the peers are known

            def name_of(peer: Any) -> str:
                return self.peer(peer).name

            shown = ", ".join([_shown_peers(arg, name_of) for arg in args] + keywords)
            return plan, f"{name}({shown})"
        shown = ", ".join([_shown(arg) for arg in args] + keywords)
        assert function is not None
        try:
            inspect.signature(function).bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError(
                f"{self._name_of(function)} was scheduled with arguments it does not take: {error}"
            ) from None
        except ValueError:  # no signature to check (some builtins): checked when it runs
            pass

        def call() -> object:
            return function(*args, **kwargs)

        return call, f"{self._name_of(function)}({shown})"

    # -- failures of scheduled actions --------------------------------------------------------

    def _run_due(self, now: float) -> float:
        """The clock's call as it passes a deadline: run what is due, in order."""
        with self._lock:
            upcoming = self._timeline.run_due(now)
            if self._timeline.failures:
                self._network_changed()  # the next operation takes the path that raises them
            return upcoming

    def _raise_failures(self) -> None:
        """Raise the first failure of a scheduled action not raised yet (lock held)."""
        failures = self._timeline.take_failures()
        if failures:
            self._network_changed()
            raise _error(failures)


def _error(failures: list[Failure]) -> ScheduledActionError:
    first = failures[0]
    more = f" ({len(failures) - 1} more failed after it)" if len(failures) > 1 else ""
    error = ScheduledActionError(
        f"the action scheduled at {format_seconds(first.at)}, {first.label}, failed: "
        f"{type(first.error).__name__}: {first.error}{more}",
        at=first.at,
        label=first.label,
    )
    error.__cause__ = first.error
    return error
