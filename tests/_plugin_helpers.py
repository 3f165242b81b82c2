"""Helpers shared by the ``test_plugin_*`` modules, which run pytest with ``pytester``."""

from __future__ import annotations

import re

# Imported once here: the hypothesis plugin imports hypothesis at the end of every
# in-process pytester run, which costs about a second each time unless it is loaded.
import hypothesis  # noqa: F401
import pytest


def literal(text: str) -> str:
    """An fnmatch pattern that matches exactly ``text``."""
    return re.sub(r"([*?[])", r"[\1]", text)


def failure_blocks(result: pytest.RunResult) -> dict[str, str]:
    """Each failed test's block of the FAILURES part of the report, by test name."""
    text = result.stdout.str()
    assert "= FAILURES =" in text, text
    failures = text.split("= FAILURES =", 1)[1].split("short test summary info", 1)[0]
    parts = re.split(r"^_+ (\S+) _+$", failures, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def has_bzzz_section(block: str) -> bool:
    return re.search(r"^-+ bzzz -+$", block, re.MULTILINE) is not None


def call_lines(result: pytest.RunResult) -> list[str]:
    """The ``CALL ...`` lines the inner test printed (with -s, the first follows the file name)."""
    return [line[line.index("CALL ") :] for line in result.outlines if "CALL " in line]
