"""docs/fidelity.md's table of behaviours is the contract suite's: this test keeps them in step.

The table has one row per contract test (``tests/contract/test_contract_*.py``),
saying what the test checks (its name, in words) and how the libp2p backend
fares: the same, differs (with the marker's reason) or mock only (with its
reason). A new contract test, a renamed one or a changed reason fails this
test, which prints the table as it should read.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

HERE = Path(__file__).parent
PAGE = HERE.parent.parent / "docs" / "fidelity.md"
START, END = "<!-- contract table: start -->", "<!-- contract table: end -->"


def _marker(function: object, name: str) -> pytest.Mark | None:
    for mark in getattr(function, "pytestmark", []):
        if mark.name == name:
            return mark
    return None


def expected_table() -> str:
    rows = ["| behaviour (contract test) | on libp2p |", "|---|---|"]
    for path in sorted(HERE.glob("test_contract_*.py")):
        module = importlib.import_module(f"tests.contract.{path.stem}")
        topic = path.stem.removeprefix("test_contract_")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("test_") or function.__module__ != module.__name__:
                continue
            words = name.removeprefix("test_").replace("_", " ")
            differs, only = _marker(function, "libp2p_differs"), _marker(function, "mock_only")
            if differs is not None:
                fares = f"**differs**: {differs.kwargs['reason']}"
            elif only is not None:
                fares = f"**mock only**: {only.kwargs['reason']}"
            else:
                fares = "same"
            rows.append(f"| {topic}: {words} | {fares} |")
    return "\n".join(rows)


def test_the_fidelity_page_lists_every_contract_test_as_it_is_marked() -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert START in page, f"{PAGE} lost its table's first marker, {START}"
    assert END in page, f"{PAGE} lost its table's last marker, {END}"
    table = page.split(START, 1)[1].split(END, 1)[0].strip()

    expected = expected_table()

    assert table == expected, (
        f"docs/fidelity.md's table is not the contract suite's; it should read:\n\n{expected}\n"
    )
