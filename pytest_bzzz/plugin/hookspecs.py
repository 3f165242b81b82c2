"""Hooks a conftest.py or plugin can implement to shape each test's simulated world.

Registered through ``pytest_addhooks``. The plugin's own implementations are
``trylast`` defaults, so any implementation of yours runs before them; for the
``firstresult`` hooks the first one that returns something other than
``None`` wins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .._kernel.conditions import NetworkConditions
    from .._kernel.world import World
    from .._settings import WorldSettings


@pytest.hookspec(firstresult=True)
def pytest_bzzz_conditions(
    item: pytest.Item, conditions: NetworkConditions
) -> NetworkConditions | None:
    """Adjust the network conditions of ``item``'s world.

    ``conditions`` are the ones its markers and the configuration give. Return
    different ones (e.g. ``conditions.replace(latency=0.1)``) to change them,
    or ``None`` to leave the decision to others.
    """


@pytest.hookspec(firstresult=True)
def pytest_bzzz_make_world(item: pytest.Item, settings: WorldSettings) -> World | None:
    """Create the simulated world for ``item`` from its resolved ``settings``.

    The default builds a :class:`pytest_bzzz.World`; return your own world
    (for example one backed by something else) to replace it.
    """


def pytest_bzzz_world_created(item: pytest.Item, world: World) -> None:
    """Called once ``item``'s world exists, before the test uses it.

    Use it to arrange data: ``world.storage.put(key, value)`` stores without
    going through the network (no latency, no failures, no record).
    """
