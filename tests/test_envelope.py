"""Envelopes: immutable versions of content, and their exact JSON round trip."""

from __future__ import annotations

import hashlib
import json
import pickle
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_bzzz import Envelope, UCXLAddress
from pytest_bzzz._ucxl.envelope import encode_content, freeze_json

ADDRESS = UCXLAddress.parse("ucxl://gpt4:architect@bzzz:v2/decisions/api.json")
WHEN = datetime(2025, 8, 7, 14, 30, 0, 120000, tzinfo=UTC)


def envelope(**changes: object) -> Envelope:
    fields: dict[str, object] = {
        "content_type": "application/json",
        "version": 3,
        "timestamp": WHEN,
        "metadata": {"tags": ["api", "grpc"], "score": 0.5, "extra": {"x": None}},
    }
    fields.update(changes)
    return Envelope(ADDRESS, b'{"choice":"grpc"}', **fields)  # type: ignore[arg-type]


def test_fields() -> None:
    made = envelope()
    assert str(made.address) == "ucxl://gpt4:architect@bzzz:v2/*~3/decisions/api.json"
    assert made.base_address == ADDRESS
    assert made.version == 3
    assert made.author == "gpt4"
    assert made.timestamp == WHEN
    assert made.digest == hashlib.sha256(b'{"choice":"grpc"}').hexdigest()
    assert made.json() == {"choice": "grpc"}
    assert made.text() == '{"choice":"grpc"}'
    assert not made.deleted
    assert repr(made).startswith("<Envelope ucxl://gpt4:architect@bzzz:v2/*~3/decisions/api.json")


def test_metadata_is_read_only_all_the_way_down() -> None:
    metadata = {"tags": ["api"], "nested": {"k": [1, 2]}}
    made = envelope(metadata=metadata)
    metadata["tags"].append("changed")
    assert made.metadata["tags"] == ("api",)
    with pytest.raises(TypeError):
        made.metadata["new"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        made.metadata["nested"]["k"] = 3
    with pytest.raises(AttributeError):
        made.version = 4  # type: ignore[misc]


def test_json_round_trip_is_exact() -> None:
    made = envelope()
    text = made.to_json()
    again = Envelope.from_json(text)
    assert again == made
    assert again.to_json() == text
    assert hash(again) == hash(made)
    assert pickle.loads(pickle.dumps(made)) == made
    assert json.loads(text)["timestamp"] == "2025-08-07T14:30:00.120000Z"


JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)


@given(
    content=st.binary(max_size=64),
    version=st.integers(1, 10**6),
    metadata=st.dictionaries(st.text(max_size=5), JSON_VALUES, max_size=3),
    when=st.datetimes(timezones=st.just(UTC)),
    content_type=st.sampled_from(["text/plain", "application/json", "image/png"]),
)  # fmt: skip
def test_every_envelope_round_trips(
    content: bytes,
    version: int,
    metadata: dict[str, object],
    when: datetime,
    content_type: str,
) -> None:
    made = Envelope(
        ADDRESS,
        content,
        content_type=content_type,
        version=version,
        timestamp=when,
        metadata=metadata,
    )
    assert Envelope.from_json(made.to_json()) == made


def test_timestamps_are_kept_in_utc() -> None:
    local = datetime(2025, 1, 1, 2, tzinfo=timezone(timedelta(hours=2)))
    assert envelope(timestamp=local).timestamp == datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"version": 0}, ValueError, "version must be an int, 1 or more"),
        ({"timestamp": datetime(2025, 1, 1)}, ValueError, "timezone-aware"),
        ({"content_type": ""}, TypeError, "content_type must be a non-empty str"),
        ({"metadata": {"x": object()}}, TypeError, r"metadata\['x'\] holds a object"),
        ({"metadata": {1: "x"}}, TypeError, "metadata keys must be str"),
        ({"metadata": {"x": float("nan")}}, TypeError, "JSON cannot represent"),
        ({"metadata": ["x"]}, TypeError, "metadata must be a mapping"),
    ],
)
def test_constructor_validates(changes: dict[str, object], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        envelope(**changes)


def test_constructor_needs_a_concrete_address_and_bytes() -> None:
    with pytest.raises(TypeError, match="concrete UCXLAddress"):
        Envelope(UCXLAddress.parse("ucxl://any:a@b:c"), b"", content_type="x", version=1,
                 timestamp=WHEN)  # fmt: skip
    with pytest.raises(TypeError, match="content must be bytes"):
        Envelope(ADDRESS, "text", content_type="x", version=1, timestamp=WHEN)  # type: ignore[arg-type]
    versioned = UCXLAddress.parse("ucxl://gpt4:architect@bzzz:v2/*~9/decisions/api.json")
    made = Envelope(versioned, b"", content_type="x", version=1, timestamp=WHEN)
    assert str(made.address) == "ucxl://gpt4:architect@bzzz:v2/*~1/decisions/api.json"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ("[1]", "expected a JSON object"),
        ('{"address": "x"}', "missing fields"),
        (None, "not JSON"),
    ],
)
def test_from_json_rejects_what_is_not_an_envelope(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Envelope.from_json(text)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "address",
            "ucxl://gpt4:architect@bzzz:v2/decisions/api.json",
            "does not carry its version",
        ),
        ("address", "nonsense", "a UCXL address starts with"),
        ("content", "***", "not an envelope"),
        ("timestamp", "yesterday", "not an envelope"),
        ("digest", "0" * 64, "digest does not match"),
        ("author", "claude", "author or digest"),
        ("content_type", 5, "content_type must be a non-empty str"),
    ],
)
def test_from_json_checks_each_field(field: str, value: object, message: str) -> None:
    data = json.loads(envelope().to_json())
    data[field] = value
    with pytest.raises(ValueError, match=message):
        Envelope.from_json(json.dumps(data))


@pytest.mark.parametrize(
    ("content", "content_type", "stored", "kind"),
    [
        (b"\x00\x01", None, b"\x00\x01", "application/octet-stream"),
        (bytearray(b"ab"), None, b"ab", "application/octet-stream"),
        ("héllo", None, "héllo".encode(), "text/plain"),
        ({"a": [1, 2]}, None, b'{"a":[1,2]}', "application/json"),
        ([1, "x"], None, b'[1,"x"]', "application/json"),
        (None, None, b"null", "application/json"),
        ("# title", "text/markdown", b"# title", "text/markdown"),
    ],
)
def test_content_encoding(
    content: object, content_type: str | None, stored: bytes, kind: str
) -> None:
    assert encode_content(content, content_type) == (stored, kind)


def test_content_that_cannot_be_encoded() -> None:
    with pytest.raises(TypeError, match="content must be bytes, a str or a JSON-serialisable"):
        encode_content({1, 2}, None)
    with pytest.raises(TypeError, match="content_type must be a non-empty str"):
        encode_content(b"x", "")


def test_freeze_json_keeps_plain_values() -> None:
    assert freeze_json({"a": (1, True, None, "s", 1.5)})["a"] == (1, True, None, "s", 1.5)
