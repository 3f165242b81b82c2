"""Argument checks shared by the public strategies.

Every public strategy validates its arguments at once, in hypothesis's house
style (raising :class:`~hypothesis.errors.InvalidArgument`), and several take
the same kinds of argument, so the checks live here, apart from any one of them.
"""

from __future__ import annotations

from typing import Any

from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy


def _check_bool(argument: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{argument} must be True or False, got {value!r}")
    return value


def _check_strategy(argument: str, value: object, what: str) -> SearchStrategy[Any] | None:
    if value is None or isinstance(value, SearchStrategy):
        return value
    hint = (
        f"; to fix the value, pass {argument}=st.just({value!r})" if isinstance(value, str) else ""
    )
    raise InvalidArgument(
        f"{argument}={value!r} is not a hypothesis strategy: {argument}= takes a strategy "
        f"that draws {what}, or None for the default{hint}"
    )
