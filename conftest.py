"""Configuration for pytest-bzzz's own test suite (not shipped to users)."""

pytest_plugins = ["pytester"]
