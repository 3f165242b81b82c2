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
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
PAGE = HERE.parent.parent / "docs" / "fidelity.md"
START, END = "<!-- contract table: start -->", "<!-- contract table: end -->"


def _marks(value: object) -> list[pytest.Mark]:
    """The marks of a ``pytestmark`` value (one, or a list; marks or mark decorators)."""
    marks = value if isinstance(value, list) else [value]
    return [getattr(mark, "mark", mark) for mark in marks]  # a MarkDecorator holds its Mark


def closest_marker(
    name: str, function: object, cls: type | None, module: types.ModuleType
) -> pytest.Mark | None:
    """The mark ``name`` as pytest finds it for a test: its own, else its class's (or a base
    class's), else its module's."""
    levels = [getattr(function, "pytestmark", [])]
    levels += [vars(klass).get("pytestmark", []) for klass in (cls.__mro__ if cls else ())]
    levels.append(getattr(module, "pytestmark", []))
    for level in levels:
        for mark in _marks(level):
            if mark.name == name:
                return mark
    return None


def _tests(module: types.ModuleType) -> Iterator[tuple[str, str, object, type | None]]:
    """Each test of ``module``: its qualified name, its name in words, the function, its class."""
    for name, member in vars(module).items():
        if name.startswith("test_") and inspect.isfunction(member):
            if member.__module__ == module.__name__:
                yield name, _words(name), member, None
        elif name.startswith("Test") and inspect.isclass(member):
            if member.__module__ != module.__name__:
                continue
            for method, function in inspect.getmembers(member, inspect.isfunction):
                if method.startswith("test_"):
                    shown = f"{name.removeprefix('Test')}: {_words(method)}"
                    yield f"{name}.{method}", shown, function, member


def _words(name: str) -> str:
    return name.removeprefix("test_").replace("_", " ")


def rows(module: types.ModuleType, topic: str) -> list[str]:
    """The table's rows for the contract tests of ``module``, in the order of their names."""
    found = []
    for name, words, function, cls in _tests(module):
        differs = closest_marker("libp2p_differs", function, cls, module)
        only = closest_marker("mock_only", function, cls, module)
        if differs is not None:
            fares = f"**differs**: {differs.kwargs['reason']}"
        elif only is not None:
            fares = f"**mock only**: {only.kwargs['reason']}"
        else:
            fares = "same"
        found.append((name, f"| {topic}: {words} | {fares} |"))
    return [row for _, row in sorted(found)]


def expected_table() -> str:
    table = ["| behaviour (contract test) | on libp2p |", "|---|---|"]
    for path in sorted(HERE.glob("test_contract_*.py")):
        module = importlib.import_module(f"tests.contract.{path.stem}")
        table += rows(module, path.stem.removeprefix("test_contract_"))
    return "\n".join(table)


def test_the_fidelity_page_lists_every_contract_test_as_it_is_marked() -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert START in page, f"{PAGE} lost its table's first marker, {START}"
    assert END in page, f"{PAGE} lost its table's last marker, {END}"
    table = page.split(START, 1)[1].split(END, 1)[0].strip()

    expected = expected_table()

    assert table == expected, (
        f"docs/fidelity.md's table is not the contract suite's; it should read:\n\n{expected}\n"
    )


def test_a_mark_on_the_class_or_the_module_counts_as_the_tests_own() -> None:
    module = types.ModuleType("contract_example")
    source = """
        import pytest

        pytestmark = [pytest.mark.bzzz(peers=3), pytest.mark.mock_only(reason="module-wide")]

        def test_marked_by_its_module():
            pass

        @pytest.mark.libp2p_differs(reason="its own")
        def test_marked_by_itself():
            pass

        @pytest.mark.libp2p_differs(reason="class-wide")
        class TestGroup:
            def test_marked_by_its_class(self):
                pass

        class TestPlain:
            pytestmark = pytest.mark.mock_only(reason="one mark, not a list")

            def test_marked_by_its_class_alone(self):
                pass
    """
    exec(textwrap.dedent(source), module.__dict__)  # the module's own source

    assert rows(module, "example") == [
        "| example: Group: marked by its class | **differs**: class-wide |",
        "| example: Plain: marked by its class alone | **mock only**: one mark, not a list |",
        "| example: marked by its module | **mock only**: module-wide |",
        "| example: marked by itself | **differs**: its own |",
    ]
