"""Hooks a conftest.py or plugin can implement to shape each test's simulated world.

Registered through ``pytest_addhooks``. They run while the ``bzzz_network``
fixture is set up, in the order they are listed here. The plugin's own
implementations of the ``firstresult`` hooks are ``trylast`` defaults, so any
implementation of yours runs before them, and the first one that returns
something other than ``None`` wins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .._backends.registry import Backend
    from .._kernel.conditions import NetworkConditions
    from .._kernel.world import World
    from .._settings import WorldSettings


@pytest.hookspec
def pytest_bzzz_conditions(
    item: pytest.Item, conditions: NetworkConditions
) -> NetworkConditions | None:
    """Adjust the network conditions of ``item``'s world.

    ``conditions`` are the ones its markers and the configuration give. Return
    changed ones (e.g. ``conditions.replace(latency=0.1)``), or ``None`` to
    leave them. Every implementation is called, with the same ``conditions``;
    the fields each one changed are all applied, so two plugins can adjust
    different fields. Where two change the same field, the first in pytest's
    hook order wins (a conftest.py nearer the test before one further up,
    ``tryfirst`` implementations before others).
    """


@pytest.hookspec(firstresult=True)
def pytest_bzzz_make_world(item: pytest.Item, settings: WorldSettings) -> World | None:
    """Create the simulated world for ``item`` from its resolved ``settings``.

    The default builds a :class:`pytest_bzzz.World`; return your own world
    (made from ``settings.seed``, so that the failure report's seed is true)
    to replace it.
    """


@pytest.hookspec(firstresult=True)
def pytest_bzzz_make_backend(item: pytest.Item, settings: WorldSettings) -> Backend | None:
    """Choose the backend that builds ``item``'s ``mock_dht`` and ``mock_bzzz``.

    The default is the backend the ``backend`` setting names (``memory``:
    :class:`pytest_bzzz.MockDHT` and :class:`pytest_bzzz.MockBZZZ`). Return a
    :class:`pytest_bzzz.Backend` of your own, for example one whose ``dht``
    returns your real client, to run the same tests against it.
    """


def pytest_bzzz_world_created(item: pytest.Item, world: World) -> None:
    """Called once ``item``'s world exists, before the test uses it.

    Use it to arrange data: ``world.storage.put(key, value)`` stores without
    going through the network (no latency, no failures, no record).
    """
