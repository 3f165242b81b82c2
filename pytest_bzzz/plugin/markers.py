"""The markers on tests that make no simulated world: checked all the same, and warned about.

A test's markers (``latency``, ``flaky_network``, ``bzzz``) are read when its
world is made, by the ``bzzz_network`` fixture. A test that uses none of the
plugin's fixtures makes no world, so its markers would go unread: a bad
argument unnoticed, a marker that does nothing unnoticed. :class:`MarkerCheck`
(registered by ``options.pytest_configure``) checks them at the setup of such
a test, as the fixture would (a bad argument is an error of that test), and
warns with :class:`BzzzMarkerWarning` about each marker written on the test
itself, which has no effect. A marker of a class or module is not warned
about: it applies to all of their tests, of which some may well make no
world.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .._settings import MARKERS, MarkerUse, SettingError, check_markers

if TYPE_CHECKING:
    from _pytest.nodes import Node

__all__ = ["WORLD_FIXTURE", "BzzzMarkerWarning", "MarkerCheck", "markers_of"]

WORLD_FIXTURE = "bzzz_network"
"""The fixture that makes a test's world; every other fixture of the plugin requests it."""


class BzzzMarkerWarning(pytest.PytestWarning):
    """A bzzz marker on a test that makes no simulated world, where it has no effect."""

    __module__ = "pytest_bzzz.plugin"  # its public name, for filterwarnings


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


class MarkerCheck:
    """Check, and warn about, the markers of each test that makes no world (at its setup)."""

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if WORLD_FIXTURE in getattr(item, "fixturenames", ()):
            return  # its world reads the markers, and reports a bad one
        uses = markers_of(item)
        if not uses:
            return
        try:
            check_markers([use for _, use in uses])
        except SettingError as error:
            problem = f"bzzz: {error}"
        else:
            problem = ""
        if problem:
            pytest.fail(problem, pytrace=False)
        for node, use in uses:
            if node is item:
                self._warn(item, use)

    @staticmethod
    def _warn(item: pytest.Item, use: MarkerUse) -> None:
        warning = BzzzMarkerWarning(
            f"{use.text} has no effect: the test makes no simulated world (it requests neither "
            f"{WORLD_FIXTURE} nor a fixture that does, such as mock_dht or mock_bzzz); request "
            "one, or remove the marker"
        )
        try:
            item.warn(warning)
        except BzzzMarkerWarning:  # the warnings filters (filterwarnings = error) make it one
            problem = f"bzzz: {warning} (BzzzMarkerWarning, an error under the warnings filters)"
        else:
            return
        pytest.fail(problem, pytrace=False)
