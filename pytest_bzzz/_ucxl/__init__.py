"""The UCXL library: addresses, temporal selectors, paths and globs, envelopes, error codes.

Pure and self-contained: it imports nothing else of pytest-bzzz, no pytest, no
hypothesis, no network. Modules: ``grammar`` (the constants of the address
grammar), ``address`` (``UCXLAddress``: parsing, canonical form, matching),
``diagnosis`` (naming the field, fragment and position at fault in invalid
input), ``path`` (path checks and linear glob matching), ``temporal``
(``Temporal`` selectors), ``envelope`` (versioned content), ``errors`` (the
exceptions and their UCXL codes) and ``explain`` (field-by-field assertion
messages).
"""
