"""The README's example is a test suite of its own: it must keep passing as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).parent.parent / "README.md"


def test_readme_example_passes(pytester: pytest.Pytester) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    assert len(blocks) == 1
    pytester.makepyfile(test_readme=blocks[0])
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)
