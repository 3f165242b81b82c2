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
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final, NoReturn

from .address import MAX_LENGTH, UCXLAddress, text_at_version
from .errors import UCXLParseError, _shorten
from .temporal import Temporal

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = [
    "TEXT",
    "TOMBSTONE",
    "Envelope",
    "encode_content",
    "freeze_json",
    "make_envelope",
    "without_tombstones",
]

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
        f"{where} holds a value of type {type(value).__name__}, which is not JSON-serialisable "
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
        if not isinstance(address, UCXLAddress):
            raise TypeError(
                f"Envelope address must be a UCXLAddress, got {type(address).__name__} {address!r}"
            )
        if address.is_pattern:
            raise ValueError(
                f"Envelope address must be concrete, but {address} is a pattern "
                "(it holds a wildcard or a glob)"
            )
        check_room(address)
        if isinstance(version, bool) or not isinstance(version, int):
            raise TypeError(
                f"Envelope version must be an int, 1 or more, got {type(version).__name__} "
                f"{version!r}"
            )
        if version < 1:
            raise ValueError(f"Envelope version must be an int, 1 or more, got {version!r}")
        if not isinstance(timestamp, datetime):
            raise TypeError(
                "Envelope timestamp must be a timezone-aware datetime, "
                f"got {type(timestamp).__name__} {timestamp!r}"
            )
        if timestamp.utcoffset() is None:
            raise ValueError(
                f"Envelope timestamp must be a timezone-aware datetime, got the naive {timestamp!r}"
            )
        if not isinstance(content, bytes):
            raise TypeError(f"Envelope content must be bytes, got {type(content).__name__}")
        if not isinstance(content_type, str):
            raise TypeError(
                "Envelope content_type must be a non-empty str, "
                f"got {type(content_type).__name__} {content_type!r}"
            )
        if not content_type:
            raise ValueError("Envelope content_type must be a non-empty str, got ''")
        if metadata is not None and not isinstance(metadata, Mapping):
            raise TypeError(
                f"Envelope metadata must be a mapping or None, got {type(metadata).__name__}"
            )
        frozen = freeze_json(metadata) if metadata else _EMPTY
        self._base = address.with_temporal(None) if address.temporal is not None else address
        self._content = content
        self._content_type = content_type
        self._metadata = frozen
        self._version = version
        self._timestamp = timestamp.astimezone(UTC)
        self._digest = None

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
                "address": text_at_version(self._base, self._version),  # str(self.address)
                "content": base64.b64encode(self._content).decode("ascii"),
                "content_type": self._content_type,
                "metadata": _thaw(self._metadata),
                "version": self._version,
                "timestamp": _format_instant(self._timestamp),
                "author": self._base.agent,
                "digest": self.digest,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Envelope:
        """Read an envelope written by :meth:`to_json`.

        Raises ``TypeError`` when ``text`` is not a ``str``, ``bytes`` or
        ``bytearray``, and ``ValueError`` when it is not an envelope, with a
        message that starts ``not an envelope:`` and says why: the text is not
        JSON; it is JSON but not an object; fields are missing or unknown (named);
        a field has the wrong JSON type (named, with the type expected); or a
        field's value is wrong: an address that is not canonical UCXL, is a
        pattern or does not carry the envelope's version, content that is not
        base64, a timestamp that is not ISO 8601 with a zone, metadata that JSON
        cannot represent, an author or digest that does not match. When another
        error found the fault (a :class:`UCXLParseError` for the address, a
        ``json.JSONDecodeError`` for the text, ...), it is the ``__cause__``.
        """
        if not isinstance(text, (str, bytes, bytearray)):
            raise TypeError(
                "Envelope.from_json() takes the JSON text of an envelope as a str or bytes, "
                f"got {type(text).__name__}"
            )
        try:
            data = json.loads(text)
        except ValueError as error:  # json.JSONDecodeError, or bytes that are not UTF-8
            raise ValueError(f"not an envelope: the text is not JSON ({error})") from error
        if not isinstance(data, dict):
            raise ValueError(
                f"not an envelope: expected a JSON object, got {_json_kind(data)}"
                f" {_shorten(json.dumps(data))}"
            )
        if data.keys() != _JSON_FIELDS:
            missing, extra = sorted(_JSON_FIELDS - set(data)), sorted(set(data) - _JSON_FIELDS)
            raise ValueError(f"not an envelope: missing fields {missing}, unknown fields {extra}")
        version = _json_field(data, "version", int, "a whole number, 1 or more")
        if version < 1:
            _bad_field("version", f"must be a whole number, 1 or more, got {version}")
        content_type = _json_field(data, "content_type", str, "a non-empty string")
        if not content_type:
            _bad_field("content_type", "must be a non-empty string, got an empty one")
        written = _json_field(data, "address", str, "a string, the UCXL address")
        try:
            address = UCXLAddress.parse(written, strict=True)
        except UCXLParseError as error:
            raise ValueError(
                f"not an envelope: field 'address' is not a canonical UCXL address: {error}"
            ) from error
        if address.is_pattern:
            _bad_field("address", f"{written!r} is a pattern; an envelope's address is concrete")
        temporal = address.temporal
        if temporal is None or temporal.kind != "version" or temporal.n != version:
            _bad_field("address", f"{written!r} does not carry the envelope's version *~{version}")
        encoded = _json_field(data, "content", str, "a string, the content in base64")
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValueError(f"not an envelope: field 'content' is not base64 ({error})") from error
        stamp = _json_field(data, "timestamp", str, "a string, an ISO 8601 timestamp")
        try:
            timestamp = datetime.fromisoformat(stamp)
        except ValueError as error:
            raise ValueError(
                f"not an envelope: field 'timestamp' is not an ISO 8601 timestamp: {stamp!r}"
            ) from error
        if timestamp.utcoffset() is None:
            _bad_field("timestamp", f"{stamp!r} has no zone; write it in UTC, with a final 'Z'")
        metadata = _json_field(data, "metadata", dict, "an object")
        try:
            frozen = freeze_json(metadata)
        except TypeError as error:  # NaN and Infinity, which json.loads accepts
            raise ValueError(f"not an envelope: field {error}") from error
        author = _json_field(data, "author", str, "a string, the address's agent")
        if author != address.agent:
            _bad_field("author", f"{author!r} is not the address's agent, {address.agent!r}")
        digest = _json_field(data, "digest", str, "a string, the content's SHA-256 in hex")
        try:
            envelope = cls(
                address,
                content,
                content_type=content_type,
                version=version,
                timestamp=timestamp,
                metadata=frozen,
            )
        except ValueError as error:  # an address with no room left for its version
            raise ValueError(f"not an envelope: field 'address': {error}") from error
        if envelope.digest != digest:
            _bad_field("digest", f"{_shorten(digest)!r} is not the SHA-256 of the content")
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


def make_envelope(
    base: UCXLAddress,
    content: bytes,
    content_type: str,
    metadata: Mapping[str, Any],
    version: int,
    timestamp: datetime,
) -> Envelope:
    """An envelope built from parts already checked, without checking them again.

    The mock's store path: ``base`` is concrete and has no temporal segment,
    ``metadata`` is frozen, ``timestamp`` is in UTC (as the constructor makes them).
    """
    envelope = object.__new__(Envelope)
    envelope._base = base
    envelope._content = content
    envelope._content_type = content_type
    envelope._metadata = metadata
    envelope._version = version
    envelope._timestamp = timestamp
    envelope._digest = None
    return envelope


def without_tombstones(envelopes: Iterable[Envelope]) -> list[Envelope]:
    """The envelopes that are not tombstones, in their order (a search's results in bulk)."""
    return [envelope for envelope in envelopes if envelope._content_type != TOMBSTONE]


_JSON_FIELDS: Final = frozenset(
    {"address", "content", "content_type", "metadata", "version", "timestamp", "author", "digest"}
)


def _json_kind(value: object) -> str:
    """What JSON calls the type of a value :func:`json.loads` returned."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _bad_field(name: str, problem: str) -> NoReturn:
    raise ValueError(f"not an envelope: field {name!r} {problem}")


def _json_field(data: dict[str, Any], name: str, kind: type, expected: str) -> Any:
    """``data[name]``, if it has the JSON type ``kind``; else say what was expected."""
    value = data[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        shown = "" if value is None else f" {_shorten(json.dumps(value))}"
        _bad_field(name, f"must be {expected}, got {_json_kind(value)}{shown}")
    return value


def _format_instant(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")
