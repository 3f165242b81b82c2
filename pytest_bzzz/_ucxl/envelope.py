"""Envelopes: one stored version of UCXL-addressed content, with its metadata.

An envelope is immutable: its content is bytes, its metadata a read-only
mapping (nested lists become tuples and nested objects read-only mappings),
and it serialises to JSON and back exactly. The digest is computed when first
asked for, since most tests never look at it and a million stored envelopes
should not each pay for a SHA-256.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

from .address import MAX_LENGTH, UCXLAddress
from .errors import UCXLParseError
from .temporal import Temporal

__all__ = ["TEXT", "TOMBSTONE", "Envelope", "encode_content", "freeze_json"]

BINARY: Final = "application/octet-stream"
TEXT: Final = "text/plain"
JSON: Final = "application/json"
TOMBSTONE: Final = "application/vnd.ucxl.tombstone"
"""The content type of the version :meth:`MockBZZZ.delete` adds."""

_EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})

VERSION_ROOM: Final = len("/*~") + len(str(2**63 - 1))
"""Characters a stored address needs free, under the length limit, to carry its version."""


def freeze_json(value: Any, where: str = "metadata") -> Any:
    """A read-only deep copy of a JSON value; ``TypeError`` for anything JSON cannot hold."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise TypeError(f"{where} holds {value!r}, which JSON cannot represent")
        return value
    if isinstance(value, Mapping):
        frozen = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where} keys must be str, got {type(key).__name__} {key!r}")
            frozen[key] = freeze_json(item, f"{where}[{key!r}]")
        return MappingProxyType(frozen)
    if isinstance(value, (list, tuple)):
        return tuple(freeze_json(item, f"{where}[{index}]") for index, item in enumerate(value))
    raise TypeError(
        f"{where} holds a {type(value).__name__}, which is not JSON-serialisable "
        "(accepted: dict with str keys, list, tuple, str, int, float, bool, None)"
    )


def check_room(address: UCXLAddress) -> None:
    """Refuse an address too long to carry a version token within the length limit."""
    base = address.with_temporal(None) if address.temporal is not None else address
    length = len(str(base))
    if length > MAX_LENGTH - VERSION_ROOM:
        raise ValueError(
            f"address is {length} characters long; a stored address needs room for its "
            f"version (*~N) within the {MAX_LENGTH}-character limit, so at most "
            f"{MAX_LENGTH - VERSION_ROOM}"
        )


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_thaw(item) for item in value]
    return value


def encode_content(content: object, content_type: str | None) -> tuple[bytes, str]:
    """Content as stored, and its type: bytes as given, str as UTF-8, anything else as JSON."""
    if content_type is not None and (not isinstance(content_type, str) or not content_type):
        raise TypeError(f"content_type must be a non-empty str, got {content_type!r}")
    if isinstance(content, (bytes, bytearray, memoryview)):
        return bytes(content), content_type or BINARY
    if isinstance(content, str):
        return content.encode(), content_type or TEXT
    try:
        freeze_json(content, "content")
    except TypeError as error:
        raise TypeError(
            f"content must be bytes, a str or a JSON-serialisable value: {error}"
        ) from None
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode(), content_type or JSON


class Envelope:
    """One stored version of an address's content. Immutable; compare with ``==``.

    ``address`` is the stored address with its version as ``*~N``; ``content``
    the bytes; ``content_type`` their media type; ``metadata`` a read-only
    mapping; ``version`` the 1-based version number; ``timestamp`` the world
    clock's UTC instant when the store completed; ``author`` the address's
    agent; ``digest`` the SHA-256 of the content (hex); ``deleted`` is true
    for the tombstone a delete adds.
    """

    __slots__ = (
        "_base",
        "_content",
        "_content_type",
        "_digest",
        "_metadata",
        "_timestamp",
        "_version",
    )

    _base: UCXLAddress
    _content: bytes
    _content_type: str
    _metadata: Mapping[str, Any]
    _version: int
    _timestamp: datetime
    _digest: str | None

    def __init__(
        self,
        address: UCXLAddress,
        content: bytes,
        *,
        content_type: str,
        version: int,
        timestamp: datetime,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(address, UCXLAddress) or address.is_pattern:
            raise TypeError(f"address must be a concrete UCXLAddress, got {address!r}")
        check_room(address)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise ValueError(f"version must be an int, 1 or more, got {version!r}")
        if not isinstance(timestamp, datetime) or timestamp.utcoffset() is None:
            raise ValueError(f"timestamp must be a timezone-aware datetime, got {timestamp!r}")
        if not isinstance(content, bytes):
            raise TypeError(f"content must be bytes, got {type(content).__name__}")
        if not isinstance(content_type, str) or not content_type:
            raise TypeError(f"content_type must be a non-empty str, got {content_type!r}")
        frozen = _EMPTY if not metadata else freeze_json(metadata)
        if not isinstance(frozen, Mapping):
            raise TypeError(f"metadata must be a mapping, got {type(metadata).__name__}")
        self._base = address.with_temporal(None) if address.temporal is not None else address
        self._content = content
        self._content_type = content_type
        self._metadata = frozen
        self._version = version
        self._timestamp = timestamp.astimezone(UTC)
        self._digest = None

    @classmethod
    def _make(
        cls,
        base: UCXLAddress,
        content: bytes,
        content_type: str,
        metadata: Mapping[str, Any],
        version: int,
        timestamp: datetime,
    ) -> Envelope:
        """Build from parts already checked (the mock's store path)."""
        envelope = object.__new__(cls)
        envelope._base = base
        envelope._content = content
        envelope._content_type = content_type
        envelope._metadata = metadata
        envelope._version = version
        envelope._timestamp = timestamp
        envelope._digest = None
        return envelope

    @property
    def address(self) -> UCXLAddress:
        """The stored address with this version as its temporal segment (``*~N``)."""
        return self._base.with_temporal(Temporal("version", n=self._version))

    @property
    def base_address(self) -> UCXLAddress:
        """The stored address without a temporal segment."""
        return self._base

    @property
    def content(self) -> bytes:
        return self._content

    @property
    def content_type(self) -> str:
        return self._content_type

    @property
    def metadata(self) -> Mapping[str, Any]:
        return self._metadata

    @property
    def version(self) -> int:
        return self._version

    @property
    def timestamp(self) -> datetime:
        return self._timestamp

    @property
    def author(self) -> str:
        """The agent that stored it: the address's agent component."""
        return self._base.agent

    @property
    def digest(self) -> str:
        """The SHA-256 of the content, as 64 hex digits."""
        digest = self._digest
        if digest is None:
            digest = self._digest = hashlib.sha256(self._content).hexdigest()
        return digest

    @property
    def deleted(self) -> bool:
        """True for the tombstone version a delete adds."""
        return self._content_type == TOMBSTONE

    def text(self, encoding: str = "utf-8") -> str:
        """The content decoded as text (``UnicodeDecodeError`` if it is not)."""
        return self._content.decode(encoding)

    def json(self) -> Any:
        """The content parsed as JSON (``ValueError`` if it is not)."""
        return json.loads(self._content)

    def to_json(self) -> str:
        """The envelope as a JSON document; :meth:`from_json` reads it back exactly."""
        return json.dumps(
            {
                "address": str(self.address),
                "content": base64.b64encode(self._content).decode("ascii"),
                "content_type": self._content_type,
                "metadata": _thaw(self._metadata),
                "version": self._version,
                "timestamp": _format_instant(self._timestamp),
                "author": self.author,
                "digest": self.digest,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Envelope:
        """Read an envelope written by :meth:`to_json`; ``ValueError`` says what is wrong."""
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as error:
            raise ValueError(f"not an envelope: not JSON ({error})") from None
        if not isinstance(data, dict):
            raise ValueError(f"not an envelope: expected a JSON object, got {type(data).__name__}")
        expected = {
            "address",
            "content",
            "content_type",
            "metadata",
            "version",
            "timestamp",
            "author",
            "digest",
        }
        if set(data) != expected:
            missing, extra = sorted(expected - set(data)), sorted(set(data) - expected)
            raise ValueError(f"not an envelope: missing fields {missing}, unknown fields {extra}")
        try:
            address = UCXLAddress.parse(data["address"], strict=True)
            content = base64.b64decode(data["content"], validate=True)
            timestamp = datetime.fromisoformat(data["timestamp"])
        except (UCXLParseError, TypeError, binascii.Error, ValueError) as error:
            raise ValueError(f"not an envelope: {error}") from None
        temporal = address.temporal
        if temporal is None or temporal.kind != "version" or temporal.n != data["version"]:
            raise ValueError(
                f"not an envelope: the address {data['address']!r} does not carry its "
                f"version *~{data['version']}"
            )
        try:
            envelope = cls(
                address,
                content,
                content_type=data["content_type"],
                version=data["version"],
                timestamp=timestamp,
                metadata=data["metadata"],
            )
        except TypeError as error:
            raise ValueError(f"not an envelope: {error}") from None
        if envelope.author != data["author"] or envelope.digest != data["digest"]:
            raise ValueError("not an envelope: author or digest does not match the content")
        return envelope

    def _key(self) -> tuple[Any, ...]:
        return (
            str(self._base),
            self._version,
            self._content,
            self._content_type,
            self._timestamp,
            _thaw(self._metadata),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Envelope):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((str(self._base), self._version, self._content, self._timestamp))

    def __repr__(self) -> str:
        return (
            f"<Envelope {self.address} {self._content_type} {len(self._content)} bytes "
            f"at {_format_instant(self._timestamp)}>"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (Envelope.from_json, (self.to_json(),))


def _format_instant(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")
