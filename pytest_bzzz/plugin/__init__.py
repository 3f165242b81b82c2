"""The pytest plugin, registered through the ``pytest11`` entry point ``bzzz``.

pytest finds the plugin's hooks and fixtures by name in this module, so it
gathers them from the modules that hold them:

- ``options``: command-line options, ini keys, the session's settings and seed,
  the report header;
- ``hookspecs``: the hooks a conftest.py or plugin can implement;
- ``fixtures``: ``bzzz_network`` (each test's world), ``mock_dht`` and
  ``mock_bzzz`` (built by the test's backend), ``bzzz_faker``, and the
  plugin's own default hook implementations;
- ``backends``: the test's backend, loaded and started once a session, and
  asked to build the mocks;
- ``markers``: the markers of tests that make no world, checked and warned about;
- ``reporting``: the failure report's ``bzzz`` section, the JUnit XML
  report's properties, and assertion messages.

The plugin's two warnings are public here, for ``filterwarnings``:
``pytest_bzzz.plugin.BzzzMarkerWarning`` and
``pytest_bzzz.plugin.BzzzDeprecationWarning``.

This package is the only part of pytest-bzzz that imports pytest, and nothing
else in pytest-bzzz imports it. It imports neither hypothesis nor faker, and
loads the mocks only when a test uses them, so a run that does not use the
plugin pays next to nothing for it. Disable it with ``pytest -p no:bzzz``.
"""

from __future__ import annotations

from .fixtures import (
    bzzz_faker,
    bzzz_network,
    bzzz_trio_clock,
    mock_bzzz,
    mock_dht,
    pytest_bzzz_make_backend,
    pytest_bzzz_make_world,
    pytest_fixture_setup,
)
from .markers import BzzzMarkerWarning
from .options import (
    BzzzDeprecationWarning,
    pytest_addhooks,
    pytest_addoption,
    pytest_configure,
    pytest_report_header,
)
from .reporting import pytest_assertrepr_compare, pytest_runtest_makereport, pytest_sessionstart

pytest_plugins = ["pytest_bzzz.plugin.ucxi"]  # the fake UCXI node's fixtures and marker

__all__ = [
    "BzzzDeprecationWarning",
    "BzzzMarkerWarning",
    "bzzz_faker",
    "bzzz_network",
    "bzzz_trio_clock",
    "mock_bzzz",
    "mock_dht",
    "pytest_addhooks",
    "pytest_addoption",
    "pytest_assertrepr_compare",
    "pytest_bzzz_make_backend",
    "pytest_bzzz_make_world",
    "pytest_configure",
    "pytest_fixture_setup",
    "pytest_report_header",
    "pytest_runtest_makereport",
    "pytest_sessionstart",
]
