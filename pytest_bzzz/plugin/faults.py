"""The fault markers: a test's world starting with peers down, and faults on a schedule.

``@pytest.mark.faults(kill=[...], pause=[...], isolate=[...])`` starts the
world with those peers killed, paused or isolated (after the ``partition``
marker's split, if any); ``@pytest.mark.at(time, action, *args)`` schedules a
fault as ``bzzz_network.at()`` does, its time written as everywhere in
markers: a number is milliseconds, a string may carry a unit (``"5s"``). On
a real clock, the actions whose times the test's setup has already passed
run before the test starts, in the order of their times.
Every marker of the two applies, from the module's to the test's own, in
that order, so a module can start its tests with a peer down and a test can
add a schedule of its own.

This module reads a marker's shape (what the arguments must look like, and
that a ``faults`` marker names a peer once: not twice in one list, nor both
killed and paused; a peer killed or paused may be isolated too); the world
checks the peer names and the actions' arguments when the markers are
applied, and a refusal is an error of the test that names the marker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

import pytest

from .._kernel.units import parse_duration
from .._settings import SettingError

if TYPE_CHECKING:
    from _pytest.mark import Mark

    from .._kernel.world import World

__all__ = ["AT_HELP", "FAULTS_HELP", "FAULT_MARKERS", "fault_markers", "written_on"]

FAULTS_HELP: Final = (
    "faults(*, kill=(), pause=(), isolate=()): the test's world starts with these peers "
    "(names, such as 'peer-2') killed, paused or isolated; bzzz_network.revive() and heal() "
    "undo them. Every such marker applies, the module's first."
)
"""What ``pytest --markers`` shows for the faults marker."""

AT_HELP: Final = (
    "at(time, action, *args): at this world time (a number is milliseconds; or a string "
    "with a unit, such as '5s') run the fault action (a bzzz_network method by name: "
    "'partition', 'heal', 'cut', 'isolate', 'pause', 'kill', 'revive', 'link') with these "
    "arguments, as bzzz_network.at() does. Every such marker applies."
)
"""What ``pytest --markers`` shows for the at marker."""

FAULT_MARKERS: Final = ("faults", "at")
"""The markers of this module, by name."""

_FAULT_KINDS: Final = ("kill", "pause", "isolate")

Apply = Callable[["World"], object]


def _shown(mark: Mark, where: str) -> str:
    arguments = [repr(arg) for arg in mark.args]
    arguments += [f"{key}={value!r}" for key, value in mark.kwargs.items()]
    return f"@pytest.mark.{mark.name}({', '.join(arguments)}) {where}"


def _where(node: Any, item: pytest.Item) -> str:
    if node is item:
        return f"on {item.name}"
    kind = "module" if isinstance(node, pytest.Module) else "class"
    return f"on {kind} {node.name}"


def _peer_names(shown: str, kind: str, value: object) -> list[str]:
    if isinstance(value, str):
        return [value]  # one peer, by name
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise SettingError(f"{shown}: {kind} takes peer names (a list of str), got {value!r}")
    names: list[str] = []
    for name in value:
        if not isinstance(name, str):
            raise SettingError(f"{shown}: {kind} takes peer names (str), got {name!r}")
        names.append(name)
    return names


def _faults(mark: Mark, shown: str) -> list[Apply]:
    if mark.args:
        raise SettingError(
            f"{shown}: takes peers by keyword only: kill=[...], pause=[...], isolate=[...]"
        )
    unknown = sorted(set(mark.kwargs) - set(_FAULT_KINDS))
    if unknown:
        raise SettingError(
            f"{shown}: unknown argument {unknown[0]!r}; accepted: {', '.join(_FAULT_KINDS)}"
        )
    if not mark.kwargs:
        raise SettingError(f"{shown}: names no peer; give kill=, pause= or isolate=")
    named = {kind: _peer_names(shown, kind, mark.kwargs.get(kind, ())) for kind in _FAULT_KINDS}
    for kind, names in named.items():
        twice = next((name for index, name in enumerate(names) if name in names[:index]), None)
        if twice is not None:
            raise SettingError(f"{shown}: names peer {twice!r} twice in {kind}; name it once")
    both = next((name for name in named["kill"] if name in named["pause"]), None)
    if both is not None:
        raise SettingError(
            f"{shown}: names peer {both!r} in both kill and pause; a peer starts killed or "
            "paused, not both"
        )
    return [  # in this order: a peer both killed and isolated is killed first
        _fault(kind, name) for kind in _FAULT_KINDS for name in named[kind]
    ]


def _fault(kind: str, name: str) -> Apply:
    return lambda world: getattr(world, kind)(name)


def _at(mark: Mark, shown: str) -> list[Apply]:
    if mark.kwargs:
        raise SettingError(
            f"{shown}: takes its time, action and the action's arguments by position, "
            f"not {', '.join(mark.kwargs)}="
        )
    if len(mark.args) < 2:
        raise SettingError(
            f"{shown}: takes a time and an action, such as at('5s', 'partition', ['peer-1'])"
        )
    when, action, *args = mark.args
    try:
        seconds = parse_duration(when)
    except ValueError as error:
        raise SettingError(f"{shown}: time: {error}") from None
    if not isinstance(action, str) and not callable(action):
        raise SettingError(
            f"{shown}: the action must be a fault's name (such as 'heal') or a callable, "
            f"got {action!r}"
        )

    def schedule(world: World) -> object:
        # On a real clock, setup takes time: a time it has passed is kept, and runs (in time
        # order, with the others) when the fixture catches up once every marker is applied.
        from .._kernel.world import core  # here: loading the plugin loads no world

        late = world.clock.mode == "real"
        return core(world).schedule(seconds, action, tuple(args), {}, late=late)

    return [schedule]


def fault_markers(item: pytest.Item) -> list[tuple[str, Apply]]:
    """Each fault marker's application to a world, with the marker as written.

    The module's markers first, the test's own last; the shapes are checked
    here (``SettingError`` names the marker), the world checks the rest.
    """
    found: list[tuple[str, Apply]] = []
    for name, read in (("faults", _faults), ("at", _at)):
        marks: Sequence[tuple[Any, Mark]] = list(item.iter_markers_with_node(name))
        for node, mark in reversed(marks):  # iter_markers_with_node: the closest first
            shown = _shown(mark, _where(node, item))
            found += [(shown, apply) for apply in read(mark, shown)]
    return found


def written_on(item: pytest.Item) -> list[str]:
    """The fault markers written on the test itself, as written (for the no-effect warning)."""
    return [
        _shown(mark, f"on {item.name}")
        for name in FAULT_MARKERS
        for node, mark in item.iter_markers_with_node(name)
        if node is item
    ]
