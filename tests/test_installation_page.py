"""docs/installation.md against the plugin: what ``-p no:bzzz`` takes away, what the examples need.

The page lists every fixture and marker the plugin registers (a run with it
disabled has none of them), and every example file that needs a package not
installed with pytest-bzzz; these tests keep both lists whole.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "installation.md").read_text()


def bullet(label: str) -> set[str]:
    """The names in backquotes in the page's bullet that starts ``- **<label>**``."""
    match = re.search(rf"^- \*\*{re.escape(label)}\*\*:(.*?)(?=^- |\Z)", PAGE, re.M | re.S)
    assert match is not None, label
    return set(re.findall(r"`([a-z_]+)`", match[1]))


def test_the_page_names_every_fixture_the_plugin_registers(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures", "-p", "no:cacheprovider")
    registered = set(
        re.findall(r"^([a-z]\w*) -- \S*pytest_bzzz/plugin/", result.stdout.str(), re.M)
    )
    assert {"bzzz_network", "mock_dht", "ucxi_server"} <= registered  # the output is as read
    assert bullet("no fixtures") == registered


def test_the_page_names_every_marker_the_plugin_registers(pytester: pytest.Pytester) -> None:
    def markers(*args: str) -> set[str]:
        output = pytester.runpytest("--markers", "-p", "no:cacheprovider", *args).stdout.str()
        return set(re.findall(r"^@pytest\.mark\.(\w+)", output, re.M))

    registered = markers() - markers("-p", "no:bzzz")
    assert {"latency", "partition", "ucxi"} <= registered
    assert bullet("no markers") == registered


def test_the_page_names_every_example_that_needs_more_than_pytest_bzzz() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    installed = {
        re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("-", "_")
        for requirement in project["dependencies"]
    }
    needing = {
        f"docs/examples/{path.relative_to(ROOT / 'docs' / 'examples').as_posix()}"
        for path in (ROOT / "docs" / "examples").rglob("*.py")
        if set(re.findall(r"importorskip\(\"(\w+)\"\)", path.read_text())) - installed
    }
    assert needing  # pytest-asyncio and httpx are not dependencies
    listed = set(re.findall(r"^\| `(docs/examples/[\w/]+\.py)` \|", PAGE, re.M))
    assert listed == needing
