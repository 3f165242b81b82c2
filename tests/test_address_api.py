"""The UCXLAddress value type: construction from fields, immutability, helpers, ordering."""

from __future__ import annotations

import copy
import pickle
import re

import pytest

from pytest_bzzz import ErrorCode, Temporal, UCXLAddress, UCXLParseError


def test_fields_of_a_parsed_address() -> None:
    address = UCXLAddress.parse("ucxl://gpt4:architect@bzzz:*/*~2/decisions/")
    assert address.agent == "gpt4"
    assert address.role == "architect"
    assert address.project == "bzzz"
    assert address.task == "any"
    assert address.temporal == Temporal("version", n=2)
    assert address.path == "decisions/"


def test_constructor_builds_the_same_value_as_parsing() -> None:
    built = UCXLAddress("gpt4", "architect", "bzzz", "*", temporal="*~2", path="decisions/")
    assert built == UCXLAddress.parse("ucxl://gpt4:architect@bzzz:any/*~2/decisions/")
    assert built.task == "any"
    assert str(UCXLAddress("a", "b", "c", "d")) == "ucxl://a:b@c:d"


@pytest.mark.parametrize(
    ("kwargs", "field", "reason"),
    [
        ({"agent": "a b"}, "agent", "only letters, digits, '_' and '-' are allowed"),
        ({"role": ""}, "role", "is empty"),
        ({"project": "gpt*"}, "project", "a wildcard must be the whole component"),
        ({"task": "t:x"}, "task", "found ':'"),
        ({"path": "/docs"}, "path", "must not start with '/'"),
        ({"path": "a//b"}, "path", "empty segment"),
        ({"path": "../etc"}, "path", "cannot leave its task"),
        ({"path": "x*^"}, "path", "found '^'"),
        ({"temporal": "*~-1"}, "temporal", "may be followed only by a number"),
        ({"path": "x" * 4090}, "address", "at most 4096 characters"),
    ],
)
def test_constructor_rejects_bad_fields(kwargs: dict[str, str], field: str, reason: str) -> None:
    fields = {"agent": "a", "role": "b", "project": "c", "task": "d"}
    fields.update(kwargs)
    with pytest.raises(UCXLParseError, match=re.escape(reason)) as caught:
        UCXLAddress(
            fields["agent"],
            fields["role"],
            fields["project"],
            fields["task"],
            temporal=fields.get("temporal"),
            path=fields.get("path", ""),
        )
    assert caught.value.field == field
    assert caught.value.code in (ErrorCode.INVALID_ADDRESS, ErrorCode.TEMPORAL_INVALID)


def test_constructor_rejects_wrong_types() -> None:
    with pytest.raises(TypeError, match="agent must be a str, got int"):
        UCXLAddress(1, "b", "c", "d")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="temporal must be a Temporal, a token str or None"):
        UCXLAddress("a", "b", "c", "d", temporal=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="path must be a str, got bytes"):
        UCXLAddress("a", "b", "c", "d", path=b"x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes a str, got bytes"):
        UCXLAddress.parse(b"ucxl://a:b@c:d")  # type: ignore[arg-type]


def test_addresses_are_immutable() -> None:
    address = UCXLAddress.parse("ucxl://a:b@c:d/x")
    with pytest.raises(AttributeError):
        address.agent = "z"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        address.extra = 1  # type: ignore[attr-defined]
    assert copy.copy(address) == address
    assert copy.deepcopy(address) == address


def test_replace_and_with_temporal_validate_and_copy() -> None:
    address = UCXLAddress.parse("ucxl://a:b@c:d/x")
    assert str(address.with_temporal("#")) == "ucxl://a:b@c:d/*^/x"
    assert address.with_temporal("#").with_temporal(None) == address
    assert str(address.replace(agent="z", path="y/")) == "ucxl://z:b@c:d/y/"
    assert str(address) == "ucxl://a:b@c:d/x"
    with pytest.raises(UCXLParseError, match="agent"):
        address.replace(agent="no good")


def test_equality_hash_and_order() -> None:
    first = UCXLAddress.parse("ucxl://a:b@c:d/x")
    second = UCXLAddress.parse("ucxl://a:b@c:d/x*^")
    assert first != second
    assert first == UCXLAddress("a", "b", "c", "d", path="x")
    assert len({first, UCXLAddress.parse("ucxl://a:b@c:d/x/")}) == 2
    # Ordered as canonical strings: "ucxl://a:b@c:d/*^/x" < "ucxl://a:b@c:d/x".
    assert second < first
    assert second <= first
    assert first > second
    assert first >= second
    assert first != "ucxl://a:b@c:d/x"
    with pytest.raises(TypeError):
        _ = first < "ucxl://a:b@c:d/y"  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = first <= 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = first > 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = first >= 1  # type: ignore[operator]


def test_repr_and_pickle() -> None:
    address = UCXLAddress.parse("ucxl://a:b@c:*/#/x")
    assert repr(address) == "UCXLAddress('ucxl://a:b@c:any/*^/x')"
    assert pickle.loads(pickle.dumps(address)) == address


def test_subclasses_parse_to_their_own_type() -> None:
    class Mine(UCXLAddress):
        __slots__ = ()

    parsed = Mine.parse("ucxl://a:b@c:d/x")
    assert type(parsed) is Mine
    assert type(parsed.replace(agent="z")) is Mine
    assert type(Mine.parse("ucxl://a:b@c:d/", strict=False)) is Mine
