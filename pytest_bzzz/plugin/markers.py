"""The markers on tests that make no simulated world: checked all the same, and warned about.

A test's markers (``latency``, ``flaky_network``, ``bzzz``, ``partition``,
``faults``, ``at``) are read when its world is made, by the ``bzzz_network``
fixture. A test that uses none of the
plugin's fixtures makes no world, so its markers would go unread: a bad
argument unnoticed, a marker that does nothing unnoticed. :class:`MarkerCheck`
(registered by ``options.pytest_configure``) checks them at the setup of such
a test, as the fixture would (a bad argument is an error of that test, and so
is a peer that the ``partition``, ``faults`` or ``at`` markers name and the
test's world would not know, for the ``peers`` it would start with), and
warns with :class:`BzzzMarkerWarning` about each marker written on the test
itself, which has no effect. A marker of a class or module is not warned
about: it applies to all of their tests, of which some may well make no
world.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final

import pytest

from .._settings import MARKERS, MarkerUse, SettingError, check_markers, resolve_test
from .faults import FAULT_MARKERS, Apply, fault_markers, written_on

if TYPE_CHECKING:
    from _pytest.nodes import Node

__all__ = [
    "PARTITION_HELP",
    "WORLD_FIXTURE",
    "BzzzMarkerWarning",
    "MarkerCheck",
    "markers_of",
    "partition_groups",
]

WORLD_FIXTURE = "bzzz_network"
"""The fixture that makes a test's world; every other fixture of the plugin requests it."""

PARTITION_HELP = (
    "partition(*groups): the test's world starts split into these groups of peers (lists of "
    "peer names, such as ['local', 'peer-1']); the peers in no group form one more group. "
    "The closest marker wins; bzzz_network.heal() ends it."
)
"""What ``pytest --markers`` shows for the partition marker (a fault, not a setting)."""


def partition_groups(item: pytest.Item) -> tuple[str, list[list[str]]] | None:
    """The groups of the partition marker closest to ``item`` and where it is written, if any.

    Checks the marker's shape (lists of peer names); the world checks the names.
    """
    found = item.get_closest_marker("partition")
    if found is None:
        return None
    shown = (
        "@pytest.mark.partition("
        + ", ".join(
            [repr(arg) for arg in found.args] + [f"{k}={v!r}" for k, v in found.kwargs.items()]
        )
        + f") on {item.name}"
    )
    if found.kwargs:
        raise SettingError(
            f"{shown}: takes groups of peers only, by position, not {', '.join(found.kwargs)}="
        )
    if not found.args:
        raise SettingError(f"{shown}: takes at least one group of peers, such as ['peer-1']")
    groups = []
    for index, group in enumerate(found.args, 1):
        if isinstance(group, str) or not isinstance(group, (list, tuple, set, frozenset)):
            raise SettingError(
                f"{shown}: group {index} must be a list of peer names, got {group!r}"
            )
        for name in group:
            if not isinstance(name, str):
                raise SettingError(
                    f"{shown}: group {index} must hold peer names (str), got {name!r}"
                )
        groups.append(list(group))
    return shown, groups


class BzzzMarkerWarning(pytest.PytestWarning):
    """A bzzz marker or fixture where it has no effect.

    A marker on a test that makes no simulated world, the ``ucxi`` marker on a
    test that uses no fake UCXI node, or a ``bzzz_trio_clock`` that trio does
    not run the test on (``trio_check``).
    """

    __module__ = "pytest_bzzz.plugin"  # its public name, for filterwarnings


def warn(item: pytest.Item, problem: str) -> None:
    """Warn about ``item`` with a :class:`BzzzMarkerWarning` saying ``problem``; where the
    warnings filters make it an error (``filterwarnings = error``), fail the test's setup with
    it instead, without a traceback into the plugin."""
    warning = BzzzMarkerWarning(problem)
    try:
        item.warn(warning)
    except BzzzMarkerWarning:
        failure = f"bzzz: {warning} (BzzzMarkerWarning, an error under the warnings filters)"
    else:
        return
    pytest.fail(failure, pytrace=False)


def markers_of(item: pytest.Item) -> list[tuple[Node, MarkerUse]]:
    """The bzzz markers that apply to ``item``, closest first, with the node each is written on."""
    uses: list[tuple[Node, MarkerUse]] = []
    for name in MARKERS:
        for node, mark in item.iter_markers_with_node(name):
            if isinstance(node, pytest.Module):
                where = f"on module {node.name}"
            elif isinstance(node, pytest.Class):
                where = f"on class {node.name}"
            else:
                where = f"on {node.name}"
            uses.append((node, MarkerUse(name, tuple(mark.args), dict(mark.kwargs), where)))
    return uses


_CHECKED: Final = frozenset({*MARKERS, "partition", *FAULT_MARKERS})


def _check_peers(
    item: pytest.Item,
    uses: list[MarkerUse],
    partitioned: tuple[str, list[list[str]]] | None,
    faults: list[tuple[str, Apply]],
) -> None:
    """Check the peers the partition and fault markers name, as the test's world would.

    A world of the test's settings (its ``peers`` resolved from its markers
    and the run's configuration) is made, the markers are applied to it as
    the ``bzzz_network`` fixture applies them, and it is closed: a peer it
    does not know is a ``SettingError`` that names the marker, as with the
    fixture. No hook sees this world.
    """
    from .._kernel.seeds import derive_seed
    from .._kernel.world import World
    from .stash import SESSION_KEY

    session = item.config.stash[SESSION_KEY]
    settings = resolve_test(session, uses, item.nodeid, derive_seed(session.seed, item.nodeid))
    with World(
        seed=settings.seed,
        peers=settings.peers,
        replication=settings.replication,
        heartbeat=settings.heartbeat,
        election_timeout=settings.election_timeout,
    ) as world:
        if partitioned is not None:
            shown, groups = partitioned
            try:
                world.partition(*groups)
            except (TypeError, ValueError) as error:
                raise SettingError(f"{shown}: {error}") from None
        for shown, apply in faults:
            try:
                apply(world)
            except (TypeError, ValueError, LookupError) as error:
                raise SettingError(f"{shown}: {error}") from None


class MarkerCheck:
    """Check, and warn about, the markers of each test that makes no world (at its setup).

    ``also`` maps another marker's name to its own check, called for a test
    that has it (the ``ucxi`` marker's), after the checks of the world's
    markers: the test's markers are walked once for all.
    """

    def __init__(self, also: Mapping[str, Callable[[pytest.Item], None]]) -> None:
        self._also = dict(also)

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        names = {mark.name for mark in item.iter_markers()}  # one walk up the nodes, not five
        if not _CHECKED.isdisjoint(names) and WORLD_FIXTURE not in getattr(
            item, "fixturenames", ()
        ):  # else no marker of the plugin's (most tests), or its world reads them
            self._check(item)
        for name, check in self._also.items():
            if name in names:
                check(item)

    def _check(self, item: pytest.Item) -> None:
        """Check the world's markers of a test that makes no world, and warn about them."""
        uses = markers_of(item)
        partition = item.get_closest_marker("partition")
        try:
            check_markers([use for _, use in uses])
            partitioned = partition_groups(item)
            faults = fault_markers(item)  # their shapes
            if partitioned is not None or faults:
                _check_peers(item, [use for _, use in uses], partitioned, faults)
        except SettingError as error:
            problem = f"bzzz: {error}"
        else:
            problem = ""
        if problem:
            pytest.fail(problem, pytrace=False)
        for node, use in uses:
            if node is item:
                self._warn(item, use.text)
        if partitioned is not None and partition in getattr(item, "own_markers", ()):
            self._warn(item, partitioned[0].rsplit(" on ", 1)[0])
        for shown in written_on(item):
            self._warn(item, shown.rsplit(" on ", 1)[0])

    @staticmethod
    def _warn(item: pytest.Item, text: str) -> None:
        warn(
            item,
            f"{text} has no effect: the test makes no simulated world (it requests neither "
            f"{WORLD_FIXTURE} nor a fixture that does, such as mock_dht or mock_bzzz); request "
            "one, or remove the marker",
        )
