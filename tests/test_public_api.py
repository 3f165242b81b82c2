"""The public façade: every advertised name resolves, lazily, to its defining module."""

from __future__ import annotations

import subprocess
import sys

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
