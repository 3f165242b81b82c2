"""Helpers shared by the ``test_strategies_*`` modules: derandomized draws and searches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

T = TypeVar("T")
FIELDS = ("agent", "role", "project", "task")


# Every search here that counts what it draws ("one of 300 draws has a long
# path") is derandomized: its outcome is the same on every run, so a failure
# replays. They draw as a @given test does, without its database.
SEARCH = settings(database=None, deadline=None, derandomize=True)


def draws(strategy: st.SearchStrategy[T], count: int) -> list[T]:
    """``count`` examples of ``strategy``, drawn the way a ``@given`` test gets them.

    Derandomized: the same strategy gives the same examples on every run.
    """
    drawn: list[T] = []

    @settings(
        SEARCH,
        max_examples=count,
        phases=[Phase.generate],
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(strategy)
    def collect(value: T) -> None:
        drawn.append(value)

    collect()
    return drawn


def falsifying_example(strategy: st.SearchStrategy[Any], fails: Callable[[Any], bool]) -> str:
    """Run a failing ``@given`` test; return what hypothesis reports as the failing example."""

    @settings(SEARCH)
    @given(strategy)
    def property_under_test(value: Any) -> None:
        assert not fails(value)

    with pytest.raises(AssertionError) as caught:
        property_under_test()
    return "\n".join(getattr(caught.value, "__notes__", []))
