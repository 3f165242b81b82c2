"""The README's example is a test suite of its own: it must keep passing as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).parent.parent / "README.md"


def readme_example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    assert len(blocks) == 1
    return blocks[0]


def test_readme_example_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme=readme_example())
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_readme_retry_example_fails_when_every_read_fails(pytester: pytest.Pytester) -> None:
    """The retry example checks what the retries got, so it cannot pass on a dead network."""
    pytester.makeconftest(
        """
        def pytest_bzzz_conditions(item, conditions):
            return conditions.replace(failure_rate=1.0)  # every read fails
        """
    )
    pytester.makepyfile(test_readme=readme_example())
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_my_agent_retries_reads _*",
            "E *NetworkError: simulated network failure: retrieve(*",
        ]
    )
