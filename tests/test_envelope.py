"""Envelopes: immutable versions of content, and their exact JSON round trip."""

from __future__ import annotations

import copy
import hashlib
import json
import pickle
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_bzzz import Envelope, UCXLAddress, UCXLParseError
from pytest_bzzz import strategies as bzzz_st
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
        ({"version": 0}, ValueError, "^Envelope version must be an int, 1 or more, got 0$"),
        ({"version": True}, TypeError, "^Envelope version must be an int, 1 or more, got bool"),
        ({"version": "3"}, TypeError, "^Envelope version must be an int, 1 or more, got str '3'"),
        ({"timestamp": datetime(2025, 1, 1)}, ValueError, "timezone-aware datetime, got the naive"),
        ({"timestamp": "2025-01-01"}, TypeError, "timezone-aware datetime, got str '2025-01-01'"),
        (
            {"content_type": ""},
            ValueError,
            "^Envelope content_type must be a non-empty str, got ''",
        ),
        ({"content_type": 3}, TypeError, "^Envelope content_type must be a non-empty str, got int"),
        ({"metadata": {"x": object()}}, TypeError, r"metadata\['x'\] holds a value of type object"),
        ({"metadata": {1: "x"}}, TypeError, "metadata keys must be str"),
        ({"metadata": {"x": float("nan")}}, TypeError, "JSON cannot represent"),
        ({"metadata": ["x"]}, TypeError, "metadata must be a mapping or None, got list"),
        ({"metadata": []}, TypeError, "metadata must be a mapping or None, got list"),
    ],
)
def test_constructor_validates(changes: dict[str, object], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        envelope(**changes)


def test_constructor_needs_a_concrete_address_and_bytes() -> None:
    with pytest.raises(ValueError, match="address must be concrete, but ucxl://any:a@b:c is a pat"):
        Envelope(UCXLAddress.parse("ucxl://any:a@b:c"), b"", content_type="x", version=1,
                 timestamp=WHEN)  # fmt: skip
    with pytest.raises(TypeError, match="address must be a UCXLAddress, got str"):
        Envelope("ucxl://a:b@c:d", b"", content_type="x", version=1, timestamp=WHEN)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="content must be bytes"):
        Envelope(ADDRESS, "text", content_type="x", version=1, timestamp=WHEN)  # type: ignore[arg-type]
    versioned = UCXLAddress.parse("ucxl://gpt4:architect@bzzz:v2/*~9/decisions/api.json")
    made = Envelope(versioned, b"", content_type="x", version=1, timestamp=WHEN)
    assert str(made.address) == "ucxl://gpt4:architect@bzzz:v2/*~1/decisions/api.json"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not an envelope: the text is not JSON (Expecting value: line 1 column 1"),
        (b"\xff", "not an envelope: the text is not JSON ('utf-8' codec can't decode"),
        ("[1]", "not an envelope: expected a JSON object, got an array [1]"),
        ('"x"', 'not an envelope: expected a JSON object, got a string "x"'),
        (
            '{"address": "x"}',
            "not an envelope: missing fields ['author', 'content', 'content_type', 'digest', "
            "'metadata', 'timestamp', 'version'], unknown fields []",
        ),
    ],
)
def test_from_json_rejects_what_is_not_an_envelope(text: str | bytes, message: str) -> None:
    with pytest.raises(ValueError, match=r"^not an envelope: ") as caught:
        Envelope.from_json(text)
    assert str(caught.value).startswith(message)


def test_from_json_keeps_the_json_error_as_its_cause() -> None:
    with pytest.raises(ValueError, match=r"^not an envelope: the text is not JSON") as caught:
        Envelope.from_json('{"address": ')
    assert isinstance(caught.value.__cause__, json.JSONDecodeError)


@pytest.mark.parametrize("text", [None, 3, {"address": "x"}])
def test_from_json_takes_only_text(text: object) -> None:
    with pytest.raises(TypeError, match="takes the JSON text of an envelope as a str or bytes"):
        Envelope.from_json(text)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        # A field of the wrong JSON type: named, with what it must be.
        ("version", "3", "field 'version' must be a whole number, 1 or more, got a string \"3\""),
        ("version", True, "field 'version' must be a whole number, 1 or more, got a boolean true"),
        ("version", 0, "field 'version' must be a whole number, 1 or more, got 0"),
        ("content_type", 5, "field 'content_type' must be a non-empty string, got a number 5"),
        ("content_type", "", "field 'content_type' must be a non-empty string, got an empty one"),
        ("address", None, "field 'address' must be a string, the UCXL address, got null$"),
        ("content", ["x"], "field 'content' must be a string, the content in base64, got an array"),
        ("timestamp", 0, "field 'timestamp' must be a string, an ISO 8601 timestamp, got a number"),
        ("metadata", [], "field 'metadata' must be an object, got an array \\[\\]"),
        ("author", {}, "field 'author' must be a string, the address's agent, got an object {}"),
        ("digest", 5, "field 'digest' must be a string, the content's SHA-256 in hex, got a num"),
        # A field of the right type with a wrong value.
        (
            "address",
            "ucxl://gpt4:architect@bzzz:v2/decisions/api.json",
            "field 'address' 'ucxl://gpt4:architect@bzzz:v2/decisions/api.json' does not carry "
            "the envelope's version \\*~3",
        ),
        (
            "address",
            "nonsense",
            "field 'address' is not a canonical UCXL address: scheme 'nonsense' at 0: a UCXL "
            "address starts with",
        ),
        ("address", "ucxl://any:b@c:d/*~3/x", "field 'address' .* is a pattern"),
        ("content", "***", "field 'content' is not base64"),
        ("timestamp", "yesterday", "field 'timestamp' is not an ISO 8601 timestamp: 'yesterday'"),
        ("timestamp", "2025-01-01T00:00:00", "field 'timestamp' '2025-01-01T00:00:00' has no zone"),
        ("digest", "0" * 64, "field 'digest' '0000.*' is not the SHA-256 of the content"),
        ("author", "claude", "field 'author' 'claude' is not the address's agent, 'gpt4'"),
    ],
)
def test_from_json_names_the_field_at_fault(field: str, value: object, message: str) -> None:
    data = json.loads(envelope().to_json())
    data[field] = value
    with pytest.raises(ValueError, match=f"^not an envelope: {message}"):
        Envelope.from_json(json.dumps(data))


def test_from_json_refuses_metadata_json_cannot_represent() -> None:
    text = envelope(metadata={"score": 1.5}).to_json().replace("1.5", "NaN")
    with pytest.raises(ValueError, match=r"^not an envelope: field metadata\['score'\] holds nan"):
        Envelope.from_json(text)


def test_from_json_keeps_the_address_error_as_its_cause() -> None:
    data = json.loads(envelope().to_json())
    data["address"] = "ucxl://a b:c@d:e/*~3"
    with pytest.raises(ValueError, match="field 'address' is not a canonical UCXL") as caught:
        Envelope.from_json(json.dumps(data))
    cause = caught.value.__cause__
    assert isinstance(cause, UCXLParseError)
    assert (cause.field, cause.position) == ("agent", 7)


def test_envelopes_pickle_and_copy() -> None:
    made = envelope()
    for again in (pickle.loads(pickle.dumps(made)), copy.copy(made), copy.deepcopy(made)):
        assert type(again) is Envelope
        assert again == made
        assert again.to_json() == made.to_json()


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


@given(bzzz_st.envelopes())
def test_the_json_writes_the_versioned_address_and_the_author_as_the_envelope_has_them(
    made: Envelope,
) -> None:
    data = json.loads(made.to_json())
    assert data["address"] == str(made.address)  # written without making that address
    assert UCXLAddress.parse(data["address"]) == made.address
    assert data["author"] == made.author
