"""(placeholder docstring, rewritten below)."""
