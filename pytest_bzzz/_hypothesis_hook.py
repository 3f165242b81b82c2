"""The ``hypothesis`` entry point: makes ``st.from_type`` know pytest-bzzz's types.

hypothesis calls :func:`_hypothesis_setup_hook` while it is being imported
(see ``[project.entry-points.hypothesis]`` in ``pyproject.toml``), so
``st.from_type(UCXLAddress)`` works without importing
:mod:`pytest_bzzz.strategies` by hand. It runs in every process that imports
hypothesis, with pytest-bzzz in use or not, so it stays cheap: it imports only
the classes, and registers functions that import the strategies module the
first time ``from_type`` asks for one of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from ._kernel.conditions import NetworkConditions
    from ._ucxl.address import UCXLAddress
    from ._ucxl.temporal import Temporal


def _addresses(_: type[UCXLAddress]) -> SearchStrategy[UCXLAddress]:
    from .strategies import ucxl_addresses

    # Every value of the type: patterns included, any temporal selector or none.
    return ucxl_addresses(patterns=True)


def _temporals(_: type[Temporal]) -> SearchStrategy[Temporal]:
    from .strategies import temporal_selectors

    return temporal_selectors()


def _conditions(_: type[NetworkConditions]) -> SearchStrategy[NetworkConditions]:
    from .strategies import network_conditions

    return network_conditions()


def _hypothesis_setup_hook() -> None:
    from hypothesis import strategies as st

    from ._kernel.conditions import NetworkConditions
    from ._ucxl.address import UCXLAddress
    from ._ucxl.temporal import Temporal

    st.register_type_strategy(UCXLAddress, _addresses)
    st.register_type_strategy(Temporal, _temporals)
    st.register_type_strategy(NetworkConditions, _conditions)
