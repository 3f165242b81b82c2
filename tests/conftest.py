"""Fixtures for pytest-bzzz's own tests."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _no_bzzz_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runs read os.environ: start each test without any (PYTEST_)BZZZ_* variable."""
    for name in list(os.environ):
        if name.startswith(("BZZZ_", "PYTEST_BZZZ_")):
            monkeypatch.delenv(name)


@pytest.fixture
def pytester(pytester: pytest.Pytester) -> pytest.Pytester:
    """pytester with an ini that keeps pytest-asyncio quiet in the inner runs."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    return pytester
