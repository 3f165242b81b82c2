"""The public façade: every advertised name resolves, lazily, to its defining module."""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
import typing
from pathlib import Path

import pytest

import pytest_bzzz


def test_every_public_name_resolves() -> None:
    assert sorted(pytest_bzzz.__all__) == sorted(pytest_bzzz._HOMES)
    for name in pytest_bzzz.__all__:
        value = getattr(pytest_bzzz, name)
        module = sys.modules[f"pytest_bzzz.{pytest_bzzz._HOMES[name]}"]
        assert value is getattr(module, name)
    assert set(pytest_bzzz.__all__) <= set(dir(pytest_bzzz))


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        _ = pytest_bzzz.Nope  # type: ignore[attr-defined]


def test_loading_the_plugin_loads_neither_the_mocks_nor_asyncio() -> None:
    code = (
        "import sys, pytest_bzzz.plugin;"
        "loaded = [m for m in ('pytest_bzzz._backends.memory.dht', 'pytest_bzzz._ucxl.address',"
        " 'asyncio', 'hypothesis', 'faker') if m in sys.modules];"
        "print(loaded)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# -- the public API does not shrink unannounced ------------------------------------------

SNAPSHOT = Path(__file__).with_name("public_api.json")
PUBLIC_MODULES = (
    "pytest_bzzz",
    "pytest_bzzz.strategies",
    "pytest_bzzz.faker",
    "pytest_bzzz.plugin",
    "pytest_bzzz.ucxi",
)


def public_api() -> dict[str, list[str]]:
    """Every public name of the public modules, with a class's public members."""
    api: dict[str, list[str]] = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            value = getattr(module, name)
            members = (
                [m for m in dir(value) if not m.startswith("_")] if inspect.isclass(value) else []
            )
            api[f"{module_name}.{name}"] = sorted(members)
    return api


def test_no_public_name_or_member_disappears() -> None:
    """A name or member in ``public_api.json`` that is gone breaks users: refuse it.

    New names must be added to the snapshot on purpose: regenerate it with
    ``python tests/test_public_api.py`` and review the diff.
    """
    expected = json.loads(SNAPSHOT.read_text())
    actual = public_api()
    gone = sorted(set(expected) - set(actual))
    assert not gone, f"public names gone: {gone}"
    lost = {
        name: sorted(set(members) - set(actual[name]))
        for name, members in expected.items()
        if set(members) - set(actual[name])
    }
    assert not lost, f"public members gone: {lost}"
    new = sorted(set(actual) - set(expected))
    assert not new, f"new public names not in {SNAPSHOT.name}: {new} (regenerate it on purpose)"


if __name__ == "__main__":
    SNAPSHOT.write_text(json.dumps(public_api(), indent=1, sort_keys=True) + "\n")


def test_exceptions_show_their_public_module_and_every_class_its_annotations() -> None:
    """Tracebacks show ``pytest_bzzz.NetworkError``; ``typing.get_type_hints`` still works.

    Only the exceptions (and the error codes) report ``pytest_bzzz`` as their
    module: the package binds them at once, so names in their annotations
    resolve there. The other classes keep the module that defines them, so
    that their annotations, which name other classes of the package, resolve.
    """
    for name in pytest_bzzz.__all__:
        value = getattr(pytest_bzzz, name)
        if not inspect.isclass(value):
            continue
        if issubclass(value, BaseException) or value is pytest_bzzz.ErrorCode:
            assert value.__module__ == "pytest_bzzz", name
        typing.get_type_hints(value)  # resolves, whatever the module
