"""The pytest plugin, registered through the ``pytest11`` entry point ``bzzz``.

Kept thin: hooks here hand their work to the pytest-free core. Nothing here
imports hypothesis or faker (they load only when a user asks for them), so
installing pytest-bzzz costs a test run that does not use it next to nothing.
Disable the plugin with ``pytest -p no:bzzz``.
"""

from __future__ import annotations

import pytest

from ._assertions import explain_equality


def pytest_assertrepr_compare(
    config: pytest.Config, op: str, left: object, right: object
) -> list[str] | None:
    """Explain a failed ``==`` between UCXL addresses or temporal selectors field by field."""
    if op != "==":
        return None
    return explain_equality(left, right)
