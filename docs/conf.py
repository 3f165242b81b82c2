"""Sphinx configuration for the pytest-bzzz documentation.

Build from the repository root, with warnings as errors:

    python -m sphinx -W --keep-going -q -b html docs docs/_build/html
"""

from __future__ import annotations

from importlib import metadata

project = "pytest-bzzz"
author = "The pytest-bzzz developers"
copyright = "The pytest-bzzz developers"

try:
    release = metadata.version("pytest-bzzz")
except metadata.PackageNotFoundError:  # building from a checkout that is not installed
    release = "unknown"
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# MyST: ``{eval-rst}`` blocks carry the autodoc directives; "colon_fence"
# allows ``:::{note}`` admonitions; heading anchors make ``[](#section)`` links.
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

# autodoc: document members in source order, show type hints in the signature.
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
autoclass_content = "class"

nitpicky = False

html_theme = "furo"
html_title = "pytest-bzzz"
