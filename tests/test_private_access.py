"""No code reaches into another object's underscore attributes, except where listed here.

An object's underscore attributes (``world._lock``, ``clock._offset``) are
its class's own: the package's parts talk through the names their owners
made for them (the world's ``core(world)``, the clock's ``control(clock)``,
``runners(...)``), so a reader can change a class's insides by reading its
module. This test reads every module of the package and finds each
``something._name`` (and ``getattr(something, "_name")``) where
``something`` is not ``self`` or ``cls``. Each such place must be listed in
:data:`ALLOWED`, by module and function, with the names it touches: the
owner's own module giving out its insides (``core``, ``control``), a class
handling another instance of itself (``__eq__``, alternative constructors),
and other projects' internals (CPython's event loop, py-libp2p, pytest-trio,
anyio), each explained where it is used. A new one fails the test until it
is justified here.

Module-level underscore names (``from ._parts import _draw_path``) are
private to their package, not to their module, and are not checked.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pytest_bzzz"

# (module, function's qualified name) -> the underscore names it may reach on other objects.
ALLOWED: dict[tuple[str, str], set[str]] = {
    # The owners' modules giving out their insides, through one named function each.
    ("_kernel/world.py", "core"): {"_core"},
    ("_kernel/world.py", "runners"): {"_core"},
    ("_kernel/world.py", "unraised_failures"): {"_core"},
    ("_kernel/clock.py", "control"): {"_control"},
    ("_kernel/clock.py", "RealWork.__init__"): {"_control"},
    ("_backends/libp2p/dht.py", "runners"): {"_await", "_wait"},
    ("_backends/ucxi/app.py", "internal_error"): {"_crash"},
    ("_ucxl/address.py", "text_at_version"): {"_agent", "_path", "_project", "_role", "_task"},
    ("_ucxl/envelope.py", "make_envelope"): {
        "_base",
        "_content",
        "_content_type",
        "_digest",
        "_metadata",
        "_timestamp",
        "_version",
    },
    ("_ucxl/envelope.py", "without_tombstones"): {"_content_type"},
    ("_ucxl/temporal.py", "parse_token"): {"_make"},
    ("_ucxl/temporal.py", "token_of"): {"_token"},
    ("_ucxl/temporal.py", ""): {"_make"},  # the module's constants, made once
    # A class handling another instance of itself: equality, construction, a stamped copy.
    ("_ucxl/address.py", "UCXLAddress._new"): {
        "_agent",
        "_matcher",
        "_path",
        "_project",
        "_role",
        "_task",
        "_temporal",
        "_text",
    },
    ("_ucxl/address.py", "UCXLAddress._parse_stepwise"): {"_text"},
    ("_ucxl/address.py", "UCXLAddress.matches"): {"_agent", "_path", "_project", "_role", "_task"},
    ("_ucxl/envelope.py", "Envelope.__eq__"): {"_key"},
    ("_ucxl/temporal.py", "Temporal.__eq__"): {"_token"},
    ("_ucxl/temporal.py", "Temporal._make"): {"_init"},
    ("_kernel/jobs.py", "JobState.stamped"): {"_valid"},
    # A named tuple's public method, spelt with an underscore so as not to clash with fields.
    ("_backends/ucxi/endpoints.py", "unparsed"): {"_replace"},
    # CPython's event loop internals, listed in one comment block in the module.
    ("_kernel/loop.py", "_Binding.io_pending"): {
        "_args",
        "_callback",
        "_cancelled",
        "_protocol",
    },
    ("_kernel/loop.py", "_Binding.scheduled"): {"_scheduled"},
    ("_kernel/loop.py", "_stream_awaited"): {"_payload", "_stream_reader", "_waiter", "_waiters"},
    ("_kernel/loop.py", "_awaited_subprocess"): {
        "_exit_waiters",
        "_protocol",
        "_returncode",
        "_waiter",
    },
    ("_kernel/loop.py", "_binding"): {"_make_subprocess_transport", "_selector"},
    # trio's I/O manager: which descriptors tasks wait on (see the module's docstring).
    ("_kernel/trio_clock.py", "_waited_descriptors"): {"_registered"},
    # py-libp2p's provider rate limit, lifted for a test network (see the module).
    ("_backends/libp2p/network.py", "Libp2pNetwork._serve"): {"_provider_rate_max"},
    # pytest-trio's and anyio's marks on the test functions they wrap.
    ("plugin/trio_check.py", "record"): {"_trio_test_runner_wrapped"},
    ("plugin/trio_check.py", "_is_async"): {"_anyio_original_func"},
}

_REFLECTION = {"getattr", "setattr", "hasattr", "delattr"}


def reached(source: str) -> Iterator[tuple[str, int, str, str]]:
    """Each underscore attribute reached on an object other than ``self`` and ``cls``:
    (the enclosing function's qualified name, line, the name, the code)."""

    def private(name: object) -> bool:
        return isinstance(name, str) and name.startswith("_") and not name.startswith("__")

    def visit(node: ast.AST, where: list[str]) -> Iterator[tuple[str, int, str, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                yield from visit(child, [*where, child.name])
                continue
            if isinstance(child, ast.Attribute) and private(child.attr):
                value = child.value
                if not (isinstance(value, ast.Name) and value.id in ("self", "cls")):
                    yield ".".join(where), child.lineno, child.attr, ast.unparse(child)
            elif (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Name)
                and child.func.id in _REFLECTION
                and len(child.args) >= 2
                and isinstance(child.args[1], ast.Constant)
                and private(child.args[1].value)
            ):
                target = child.args[0]
                if not (isinstance(target, ast.Name) and target.id in ("self", "cls")):
                    yield (
                        ".".join(where),
                        child.lineno,
                        str(child.args[1].value),
                        ast.unparse(child),
                    )
            yield from visit(child, where)

    yield from visit(ast.parse(source), [])


def violations(source: str, relative: str) -> list[str]:
    """Each place in ``source`` (the module at ``relative``) reaching a name not listed for it."""
    return [
        f"{relative}:{line}: {code} (in {function or 'the module'})"
        for function, line, name, code in reached(source)
        if name not in ALLOWED.get((relative, function), set())
    ]


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.relative_to(PACKAGE).as_posix())
def test_no_code_reaches_another_object_s_private_names(path: Path) -> None:
    relative = path.relative_to(PACKAGE).as_posix()
    assert violations(path.read_text(encoding="utf-8"), relative) == []


def test_every_listed_place_still_reaches_what_it_is_listed_for() -> None:
    """The list shrinks with the code: a place that no longer needs its entry loses it."""
    found: dict[tuple[str, str], set[str]] = {}
    for path in MODULES:
        relative = path.relative_to(PACKAGE).as_posix()
        for function, _, name, _ in reached(path.read_text(encoding="utf-8")):
            found.setdefault((relative, function), set()).add(name)
    stale = {
        place: names - found.get(place, set())
        for place, names in ALLOWED.items()
        if names - found.get(place, set())
    }
    assert stale == {}


def test_the_check_finds_private_names_reached_from_outside() -> None:
    source = (
        "class Mine:\n"
        "    def __init__(self):\n"
        "        self._own = 1\n"
        "    def read(self, world):\n"
        "        return self._own, world._clock._offset, getattr(world, '_rng')\n"
    )
    assert violations(source, "probe.py") == [
        "probe.py:5: world._clock._offset (in Mine.read)",
        "probe.py:5: world._clock (in Mine.read)",
        "probe.py:5: getattr(world, '_rng') (in Mine.read)",
    ]
