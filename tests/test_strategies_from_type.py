"""st.from_type draws the package's types, through the hypothesis entry point."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

from hypothesis import strategies as st

from pytest_bzzz import NetworkConditions, Temporal, UCXLAddress
from tests._strategy_helpers import draws

# -- st.from_type, through the hypothesis entry point --------------------------


@dataclasses.dataclass
class Record:
    address: UCXLAddress
    selector: Temporal
    network: NetworkConditions


def test_from_type_knows_the_types() -> None:
    records = draws(st.from_type(Record), 300)
    addresses = [record.address for record in records]
    assert all(type(a) is UCXLAddress for a in addresses)
    # Every value of the type: patterns and concrete addresses alike.
    assert {a.is_pattern for a in addresses} == {True, False}
    assert all(isinstance(record.selector, Temporal) for record in records)
    assert all(isinstance(record.network, NetworkConditions) for record in records)


def test_from_type_works_without_importing_the_strategies() -> None:
    code = (
        "import sys\n"
        "from hypothesis import strategies as st\n"
        "from pytest_bzzz import UCXLAddress\n"
        "assert 'pytest_bzzz.strategies' not in sys.modules\n"
        "strategy = st.from_type(UCXLAddress)\n"
        "print(type(strategy.example()).__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "UCXLAddress"
