"""No module touches another module's private attributes.

An underscore name (``_offset``, ``_lock``) is private to the module whose
classes define it: the package's parts talk through the names their owners
made for them (the world's ``core(world)``, the clock's ``control(clock)``,
``runners(...)``), so a reader can change a class's insides by reading one
module. This test reads every module of the package and lists each
``something._name`` whose ``_name`` no class of that module defines (through
``self`` and ``cls`` a class uses its own, and its mixins' declared, names).

The exceptions are other projects' internals, each named here with why.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pytest_bzzz"

# Other projects' private names the package relies on, by module (each is explained where used).
FOREIGN: dict[str, set[str]] = {
    # CPython's event loop internals, listed in one comment block in the module.
    "_kernel/loop.py": {
        "_scheduled",
        "_cancelled",
        "_callback",
        "_args",
        "_protocol",
        "_make_subprocess_transport",
    },
    # py-libp2p's provider rate limit, lifted for a test network (see the module).
    "_backends/libp2p/network.py": {"_provider_rate_max"},
}

# The public methods of named tuples, spelt with an underscore so as not to clash with fields.
NAMEDTUPLE = {"_replace", "_make", "_asdict", "_fields"}


def owned(tree: ast.Module) -> set[str]:
    """The underscore names a module's classes define: in their bodies, on ``self``, in slots."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for statement in ast.walk(node):
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(statement.name)
                elif isinstance(statement, ast.Name) and isinstance(statement.ctx, ast.Store):
                    names.add(statement.id)
                elif isinstance(statement, ast.AnnAssign) and isinstance(
                    statement.target, ast.Name
                ):
                    names.add(statement.target.id)
                elif isinstance(statement, ast.Attribute) and isinstance(statement.ctx, ast.Store):
                    names.add(statement.attr)
                elif isinstance(statement, ast.Constant) and isinstance(statement.value, str):
                    names.add(statement.value)  # __slots__ entries
    return {name for name in names if name.startswith("_")}


def violations(source: str, relative: str) -> list[str]:
    """Each ``something._name`` in ``source`` (the module at ``relative``) it may not touch."""
    tree = ast.parse(source)
    allowed = owned(tree) | NAMEDTUPLE | FOREIGN.get(relative, set())
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        name = node.attr
        if not name.startswith("_") or name.startswith("__") or name in allowed:
            continue
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            continue  # a class's own name, or a mixin's that it declares
        found.append(f"{relative}:{node.lineno}: {ast.unparse(node)}")
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.relative_to(PACKAGE).as_posix())
def test_no_module_touches_another_modules_private_names(path: Path) -> None:
    relative = path.relative_to(PACKAGE).as_posix()
    assert violations(path.read_text(encoding="utf-8"), relative) == []


def test_the_check_finds_a_private_name_reached_from_outside() -> None:
    source = (
        "class Mine:\n"
        "    def __init__(self):\n"
        "        self._own = 1\n"
        "def read(mine, world):\n"
        "    return mine._own, world._clock._offset, self._own\n"
    )
    assert violations(source, "probe.py") == [
        "probe.py:5: world._clock._offset",
        "probe.py:5: world._clock",
    ]
