"""Configuration for pytest-bzzz's own test suite (not shipped to users)."""

from hypothesis import HealthCheck, settings

pytest_plugins = ["pytester"]

# CI runs the suite under coverage on a 2-core machine: timing is not what these
# tests check, so Hypothesis's per-example deadline and slowness check are off.
settings.register_profile(
    "pytest-bzzz", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("pytest-bzzz")
