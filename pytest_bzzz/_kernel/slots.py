"""What backends hang on worlds they know nothing of: state slots, views, the running world.

- A backend keeps its state in a world under a :class:`StateKey` of its own
  (``world.state(KEY)``, made on first use, reset and closed with the world);
- it may offer attributes on every world (``World.storage``,
  ``World.content``) with :func:`register_view`;
- and what must follow the world of the test running now, such as a
  ``TrioClock`` made before that world exists, asks :func:`running_world`,
  which the pytest plugin keeps up to date.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from .world import World

__all__ = [
    "StateKey",
    "WorldState",
    "enter_running",
    "leave_running",
    "register_view",
    "running_world",
]


class WorldState(Protocol):
    """The state a backend keeps in a world: emptied by :meth:`World.reset`, closed with it.

    It may also have ``network_changed()`` (called when peers are added or a
    fault changes who reaches whom) and ``peer_killed(peer_id)`` (called when
    a peer is killed: it loses what it holds); the world calls them if present.
    """

    def reset(self) -> None: ...

    def close(self) -> None: ...


S = TypeVar("S", bound=WorldState)


class StateKey(Generic[S]):
    """Names the state one backend keeps in each world; ``factory(world)`` makes it at first use."""

    __slots__ = ("factory", "name")

    def __init__(self, name: str, factory: Callable[[World], S]) -> None:
        self.name = name
        self.factory = factory

    def __repr__(self) -> str:
        return f"<StateKey {self.name}>"


# World attributes that a backend offers on every world (``storage``, ``content``): name -> view.
_VIEWS: dict[str, Callable[[World], object]] = {}


def register_view(name: str, view: Callable[[World], object]) -> None:
    """Let ``world.<name>`` return ``view(world)``: a backend's data, read without the network."""
    _VIEWS[name] = view


# The worlds of the tests running now (a stack; one at a time in practice): what a clock
# made before a test's world exists, such as a TrioClock, follows.
_running: list[World] = []


def running_world() -> World | None:
    """The world of the test running now, if any."""
    return _running[-1] if _running else None


def enter_running(world: World) -> None:
    """``world`` is the running test's from now on (the plugin says so, for its fixtures)."""
    _running.append(world)


def leave_running(world: World) -> None:
    """``world``'s test has ended."""
    if world in _running:
        _running.remove(world)
