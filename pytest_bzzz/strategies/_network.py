"""Network conditions: the ``network_conditions`` strategy.

It draws :class:`~pytest_bzzz.NetworkConditions` values field by field. The
operation names are read from ``OPERATIONS`` each time the strategy is built,
not when this module is imported: backends add their operations to it.
"""

from __future__ import annotations

from typing import Any, Final, get_args

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from .. import Distribution, NetworkConditions
from ._arguments import _check_strategy

_LATENCIES: Final = st.floats(min_value=0, max_value=10)
_JITTERS: Final = st.floats(min_value=0, max_value=2)
_DISTRIBUTIONS: Final = st.sampled_from(get_args(Distribution))
_FAILURE_RATES: Final = st.floats(min_value=0, max_value=1)
_TIMEOUTS: Final = st.one_of(st.none(), st.floats(min_value=0, max_value=60))
# libp2p's behaviours are off unless asked for: drawing nothing keeps the examples as they were.
_AMBIGUOUS: Final = st.just(False)
_RECORD_SIZES: Final = st.just(None)


def _failure_ops() -> SearchStrategy[frozenset[str] | None]:
    """None, or non-empty sets of the operation names registered now.

    ``OPERATIONS`` is a live registry that backends add to, so it is read
    each time a strategy is built, never when this module is imported.
    """
    from .. import OPERATIONS

    return st.one_of(st.none(), st.frozensets(st.sampled_from(sorted(OPERATIONS)), min_size=1))


def _conditions(
    latency: Any,
    jitter: Any,
    distribution: Any,
    failure_rate: Any,
    failure_ops: Any,
    timeout: Any,
    ambiguous_timeouts: Any,
    max_record_size: Any,
) -> NetworkConditions:
    """Build from drawn values, which NetworkConditions validates."""
    try:
        return NetworkConditions(
            latency=latency,
            jitter=jitter,
            distribution=distribution,
            failure_rate=failure_rate,
            failure_ops=failure_ops,
            timeout=timeout,
            ambiguous_timeouts=ambiguous_timeouts,
            max_record_size=max_record_size,
        )
    except (TypeError, ValueError) as error:
        raise InvalidArgument(
            f"network_conditions(): a strategy drew a value NetworkConditions refuses: {error}"
        ) from None


def network_conditions(
    *,
    latencies: SearchStrategy[float] | None = None,
    jitters: SearchStrategy[float] | None = None,
    distributions: SearchStrategy[Distribution] | None = None,
    failure_rates: SearchStrategy[float] | None = None,
    failure_ops: SearchStrategy[frozenset[str] | None] | None = None,
    timeouts: SearchStrategy[float | None] | None = None,
    ambiguous_timeouts: SearchStrategy[bool] | None = None,
    max_record_sizes: SearchStrategy[int | None] | None = None,
) -> SearchStrategy[NetworkConditions]:
    """:class:`~pytest_bzzz.NetworkConditions` values, for properties that must hold on any network.

    Each argument replaces the strategy for one field; by default latencies
    run from 0 to 10 seconds, jitters from 0 to 2 seconds, both
    distributions, failure rates from 0 to 1, ``failure_ops`` either ``None``
    (every operation) or a non-empty set of operation names, and timeouts
    either ``None`` or 0 to 60 seconds. Pass ``failure_rates=st.just(0.0)``
    for a network that never fails, ``timeouts=st.none()`` for no timeout.
    libp2p's behaviours are off unless asked for: ``ambiguous_timeouts``
    (``False`` by default; ``st.booleans()`` for both) and ``max_record_sizes``
    (``None`` by default, no limit; e.g. ``st.none() | st.integers(1, 2**20)``).
    Shrinks towards a perfect network. A drawn value that
    :class:`~pytest_bzzz.NetworkConditions` refuses raises
    :class:`~hypothesis.errors.InvalidArgument`.
    """
    chosen: list[SearchStrategy[Any]] = []
    for argument, value, default, what in (
        ("latencies", latencies, _LATENCIES, "latencies in seconds"),
        ("jitters", jitters, _JITTERS, "jitters in seconds"),
        ("distributions", distributions, _DISTRIBUTIONS, "distribution names"),
        ("failure_rates", failure_rates, _FAILURE_RATES, "failure rates from 0 to 1"),
        ("failure_ops", failure_ops, _failure_ops(), "None or sets of operation names"),
        ("timeouts", timeouts, _TIMEOUTS, "None or timeouts in seconds"),
        ("ambiguous_timeouts", ambiguous_timeouts, _AMBIGUOUS, "True or False"),
        ("max_record_sizes", max_record_sizes, _RECORD_SIZES, "None or sizes in bytes"),
    ):
        strategy = _check_strategy(argument, value, what)
        chosen.append(default if strategy is None else strategy)
    return st.builds(_conditions, *chosen)
