"""A slow network for every test in this directory, on top of what ../conftest.py sets.

Both conftest.py files implement ``pytest_bzzz_conditions``; each changes
fields of its own, and the tests here get both changes: the latency from
this file, the default timeout from the one above.
"""

from __future__ import annotations

import pytest

from pytest_bzzz import NetworkConditions


@pytest.hookimpl(optionalhook=True)
def pytest_bzzz_conditions(
    item: pytest.Item, conditions: NetworkConditions
) -> NetworkConditions | None:
    """Latency of 250 ms, give or take 50 ms, unless a marker set a latency."""
    if conditions.latency:
        return None
    return conditions.replace(latency=0.25, jitter=0.05)
