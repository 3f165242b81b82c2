"""Envelopes: the ``envelopes`` strategy, values as ``mock_bzzz`` stores and returns them.

Its default addresses come from :func:`ucxl_addresses`, kept short enough
for the version token an envelope's address carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from .._ucxl.address import MAX_LENGTH, UCXLAddress
from .._ucxl.envelope import VERSION_ROOM, Envelope
from ._addresses import ucxl_addresses
from ._arguments import _check_strategy

_CONTENT_TYPES: Final = st.sampled_from(
    ["application/octet-stream", "text/plain", "application/json", "text/markdown"]
)
_JSON_SCALARS: Final = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
_METADATA: Final = st.dictionaries(
    st.text(max_size=12),
    st.recursive(_JSON_SCALARS, lambda inner: st.lists(inner, max_size=3), max_leaves=4),
    max_size=4,
)
_TIMESTAMPS: Final = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


# A stored address leaves room for the version token its envelope's address carries.
_ENVELOPE_ADDRESSES: Final = ucxl_addresses(temporal=False).filter(
    lambda address: len(str(address)) <= MAX_LENGTH - VERSION_ROOM
)


def _envelope(
    address: UCXLAddress,
    content: bytes,
    content_type: str,
    metadata: Any,
    version: int,
    timestamp: datetime,
) -> Envelope:
    try:
        return Envelope(
            address,
            content,
            content_type=content_type,
            version=version,
            timestamp=timestamp,
            metadata=metadata,
        )
    except (TypeError, ValueError) as error:
        raise InvalidArgument(f"envelopes() drew a value Envelope refuses: {error}") from None


def envelopes(
    *,
    addresses: SearchStrategy[UCXLAddress] | None = None,
    contents: SearchStrategy[bytes] | None = None,
    content_types: SearchStrategy[str] | None = None,
    metadata: SearchStrategy[Mapping[str, Any]] | None = None,
    versions: SearchStrategy[int] | None = None,
    timestamps: SearchStrategy[datetime] | None = None,
) -> SearchStrategy[Envelope]:
    """:class:`~pytest_bzzz.Envelope` values, as ``mock_bzzz`` stores and returns them.

    Each argument replaces the strategy for one field. By default addresses
    are concrete with no temporal segment (``ucxl_addresses(temporal=False)``;
    the envelope's address carries its version), contents are up to 256
    bytes, content types are common media types, metadata is a small mapping
    of JSON values, versions run from 1 to 1,000 and timestamps are UTC
    instants of this century. Every draw round-trips through
    :meth:`~pytest_bzzz.Envelope.to_json`. A drawn value that
    :class:`~pytest_bzzz.Envelope` refuses (a pattern address, a naive
    timestamp, version 0) raises :class:`~hypothesis.errors.InvalidArgument`.
    """
    chosen: list[SearchStrategy[Any]] = []
    for argument, value, default, what in (
        ("addresses", addresses, _ENVELOPE_ADDRESSES, "concrete UCXL addresses"),
        ("contents", contents, st.binary(max_size=256), "bytes"),
        ("content_types", content_types, _CONTENT_TYPES, "media type strings"),
        ("metadata", metadata, _METADATA, "mappings of JSON values"),
        ("versions", versions, st.integers(1, 1000), "version numbers, 1 or more"),
        ("timestamps", timestamps, _TIMESTAMPS, "timezone-aware datetimes"),
    ):
        strategy = _check_strategy(argument, value, what)
        chosen.append(default if strategy is None else strategy)
    return st.builds(_envelope, *chosen)
