"""Tests that rely on the hooks of both conftest.py files above them."""

from __future__ import annotations

import pytest

from pytest_bzzz import World


def test_both_conftest_files_shape_the_conditions(bzzz_network: World) -> None:
    conditions = bzzz_network.conditions
    assert (conditions.latency, conditions.jitter) == (0.25, 0.05)  # from slow/conftest.py
    assert conditions.timeout == 5.0  # from hooks/conftest.py


@pytest.mark.latency(10)
@pytest.mark.bzzz(timeout="1s")
def test_markers_leave_neither_hook_anything_to_do(bzzz_network: World) -> None:
    conditions = bzzz_network.conditions
    assert (conditions.latency, conditions.jitter, conditions.timeout) == (0.01, 0.0, 1.0)
