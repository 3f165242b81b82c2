"""Hypothesis strategies for UCXL addresses, their text, temporal selectors and network conditions.

Import this module yourself (``from pytest_bzzz import strategies``): neither
the package nor its pytest plugin imports it, so a test run that never uses
hypothesis never loads hypothesis. Only this package imports hypothesis, apart
from the ``hypothesis`` entry point (``_hypothesis_hook``), which hypothesis
itself runs: through it ``st.from_type(UCXLAddress)``, ``st.from_type(Temporal)``
and ``st.from_type(NetworkConditions)`` work without importing this module.

Design choices:

- Values are built from their parts and then written out, never generated as
  text and filtered through the parser: generation is fast, and every spelling
  is valid by construction (the test suite checks it, draw by draw, against
  the parser).
- Every choice lists its simplest option first (no temporal segment, no path,
  the canonical spelling, the first kind), and characters are drawn so that
  they shrink to ``a``, so a failing example shrinks to ``ucxl://a:a@a:a``.
- About one draw in sixteen is *long*: its components are repeated up to
  512 characters and its path is stretched, often to exactly the 4096-character
  limit, because length limits are where other people's code breaks.
- Arguments follow hypothesis's house style: keyword-only, validated at once
  with :class:`~hypothesis.errors.InvalidArgument`, and "what to draw" is always
  a strategy (wrap a fixed value in ``st.just``), never a value-or-strategy.

The strategies live in private modules, one per concern: ``_parts`` (characters
and parts), ``_temporal``, ``_addresses``, ``_text``, ``_invalid`` (near-misses),
``_network`` and ``_envelopes``, with ``_arguments`` for the checks they share.
"""

from __future__ import annotations

# The public strategies, and (each imported "as" itself, to re-export it) the
# internals the test suite reaches through this module, such as
# ``strategies._invalid_cases``.
from ._addresses import ucxl_addresses, ucxl_patterns
from ._envelopes import envelopes
from ._invalid import _BAD_TIMESTAMPS as _BAD_TIMESTAMPS
from ._invalid import _REASONS as _REASONS
from ._invalid import _TIMESTAMP_FAULTS as _TIMESTAMP_FAULTS
from ._invalid import _invalid_cases as _invalid_cases
from ._invalid import invalid_ucxl_strings
from ._network import network_conditions
from ._parts import _stretch_path as _stretch_path
from ._temporal import temporal_selectors
from ._text import _any_spelling as _any_spelling
from ._text import _suffix_spelling as _suffix_spelling
from ._text import ucxl_strings

__all__ = [
    "envelopes",
    "invalid_ucxl_strings",
    "network_conditions",
    "temporal_selectors",
    "ucxl_addresses",
    "ucxl_patterns",
    "ucxl_strings",
]
