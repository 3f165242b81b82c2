"""The UCXLAddress value type: construction from fields, immutability, helpers, ordering."""

from __future__ import annotations

import copy
import inspect
import pickle
import re
import typing

import pytest

from pytest_bzzz import ErrorCode, Temporal, UCXLAddress, UCXLParseError
from pytest_bzzz._ucxl.explain import explain_equality


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


def test_the_constructor_given_text_points_to_parse() -> None:
    with pytest.raises(TypeError) as caught:
        UCXLAddress("ucxl://a:b@c:d")  # type: ignore[call-arg]
    message = str(caught.value)
    assert message.startswith(
        "UCXLAddress() takes an address's fields, not its text: it was given 'ucxl://a:b@c:d' "
        "as the agent, and no role, project or task."
    )
    assert "UCXLAddress.parse('ucxl://a:b@c:d')" in message
    assert "keyword arguments: UCXLAddress(agent=..., role=..., project=..., task=..." in message


@pytest.mark.parametrize(
    ("args", "kwargs", "missing"),
    [
        ((), {}, "the agent, role, project and task"),
        (("a", "b"), {}, "the project and task"),
        (("a",), {"role": "b", "project": "c"}, "the task"),
        ((), {"agent": "a", "role": "b", "task": "d"}, "the project"),
    ],
)
def test_a_constructor_call_missing_components_says_how_addresses_are_made(
    args: tuple[str, ...], kwargs: dict[str, str], missing: str
) -> None:
    with pytest.raises(TypeError, match=f"^UCXLAddress\\(\\) is missing {missing}\\. ") as caught:
        UCXLAddress(*args, **kwargs)
    assert "UCXLAddress.parse(text)" in str(caught.value)


def test_the_constructor_takes_its_fields_by_position_or_keyword() -> None:
    by_keyword = UCXLAddress(agent="a", role="b", project="c", task="d", path="x")
    assert by_keyword == UCXLAddress("a", "b", "c", "d", path="x")
    assert str(inspect.signature(UCXLAddress)) == (
        "(agent: 'str', role: 'str', project: 'str', task: 'str', *, "
        "temporal: 'Temporal | str | None' = None, path: 'str' = '') -> 'None'"
    )
    with pytest.raises(TypeError, match="takes 5 positional arguments but 6 were given"):
        UCXLAddress("a", "b", "c", "d", "x")  # type: ignore[misc]


def test_a_subclass_with_a_constructor_of_its_own_is_left_alone() -> None:
    class FromText(UCXLAddress):
        __slots__ = ()

        def __init__(self, text: str) -> None:
            parsed = UCXLAddress.parse(text)
            super().__init__(parsed.agent, parsed.role, parsed.project, parsed.task)

    assert str(FromText("ucxl://a:b@c:d")) == "ucxl://a:b@c:d"


@pytest.mark.parametrize("strict", [1, "yes", None])
def test_strict_must_be_a_bool(strict: object) -> None:
    with pytest.raises(TypeError, match="takes strict=True or False, got"):
        UCXLAddress.parse("ucxl://a:b@c:d", strict=strict)  # type: ignore[arg-type]


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


def test_the_class_keeps_its_module_so_that_its_annotations_resolve() -> None:
    """Only the exceptions report ``pytest_bzzz`` (tracebacks show it): see test_public_api."""
    assert typing.get_type_hints(UCXLAddress)["_temporal"] == Temporal | None


@pytest.mark.parametrize(
    "text", ["ucxl://a:b@c:d", "ucxl://any:b@c:*/*@2025-01-01T00:00:00.5Z/docs/**/"]
)
def test_addresses_pickle_and_copy(text: str) -> None:
    address = UCXLAddress.parse(text)
    for again in (pickle.loads(pickle.dumps(address)), copy.copy(address), copy.deepcopy(address)):
        assert type(again) is UCXLAddress
        assert again == address
        assert str(again) == str(address)


def test_equality_is_explained_field_by_field_for_subclasses_too() -> None:
    class Mine(UCXLAddress):
        __slots__ = ()

    mine = Mine.parse("ucxl://a:b@c:d/*~2/x")
    theirs = UCXLAddress.parse("ucxl://a:b@c:e/x")
    assert explain_equality(mine, theirs) == [
        "Mine('ucxl://a:b@c:d/*~2/x') == UCXLAddress('ucxl://a:b@c:e/x')",
        "Differing UCXLAddress fields:",
        "  task: 'd' != 'e'",
        "  temporal: '*~2' != None",
    ]
    assert explain_equality(Mine.parse("ucxl://a:b@c:d"), Mine.parse("ucxl://z:b@c:d")) == [
        "Mine('ucxl://a:b@c:d') == Mine('ucxl://z:b@c:d')",
        "Differing UCXLAddress fields:",
        "  agent: 'a' != 'z'",
    ]
    hint = explain_equality(mine, "ucxl://a:b@c:d/*~2/x")
    assert hint is not None
    assert hint[1] == "A Mine never equals a str: compare str(...) of it with the string,"
    assert hint[2] == "or parse the string first: Mine.parse('ucxl://a:b@c:d/*~2/x')."
    assert explain_equality(mine, 3) is None
