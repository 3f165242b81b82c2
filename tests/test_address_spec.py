"""Every example of the reference grammar (shared/ucxl-address.md), as the reference states it."""

from __future__ import annotations

import re

import pytest

from pytest_bzzz import ErrorCode, UCXLAddress, UCXLParseError

CANONICAL_EXAMPLES = [
    (
        "ucxl://gpt4:architect@bzzz:v2-migration/*^/decisions/protocol-choice.json",
        "ucxl://gpt4:architect@bzzz:v2-migration/*^/decisions/protocol-choice.json",
    ),
    (
        "ucxl://gpt4:architect@bzzz:v2-migration/decisions/protocol-choice.json*^",
        "ucxl://gpt4:architect@bzzz:v2-migration/*^/decisions/protocol-choice.json",
    ),
    (
        "ucxl://any:any@chorus:*/*~/planning/requirements.md",
        "ucxl://any:any@chorus:any/*~/planning/requirements.md",
    ),
    (
        "ucxl://claude:reviewer@bzzz:auth-system/2025-08-07T14:30:00/code-review.json",
        "ucxl://claude:reviewer@bzzz:auth-system/*@2025-08-07T14:30:00Z/code-review.json",
    ),
    (
        "ucxl://any:any@BZZZ:RUSTLE-testing/src/main.rs",
        "ucxl://any:any@BZZZ:RUSTLE-testing/src/main.rs",
    ),
    ("ucxl://any:any@BZZZ:RUSTLE-testing/*/", "ucxl://any:any@BZZZ:RUSTLE-testing/*/"),
    ("ucxl://a:b@c:d", "ucxl://a:b@c:d"),
    ("ucxl://a:b@c:d/~~", "ucxl://a:b@c:d/~~1"),
    ("ucxl://a:b@c:d/docs/*^/", "ucxl://a:b@c:d/*^/docs/"),
    ("ucxl://a:b@c:d/*~007/x", "ucxl://a:b@c:d/*~7/x"),
    ("ucxl://a:b@c:d/*@2025-01-01T00:00:00.500+02:00", "ucxl://a:b@c:d/*@2024-12-31T22:00:00.5Z"),
    # From the rules around the table:
    ("ucxl://a:b@c:d/", "ucxl://a:b@c:d"),
    ("ucxl://a:b@c:d/*^/", "ucxl://a:b@c:d/*^"),
    ("ucxl://a:b@c:d/#", "ucxl://a:b@c:d/*^"),
    ("ucxl://a:b@c:d/^^", "ucxl://a:b@c:d/^^1"),
    ("ucxl://a:b@c:d/*~0", "ucxl://a:b@c:d/*~0"),
    ("ucxl://a:b@c:d/docs/x.md#", "ucxl://a:b@c:d/*^/docs/x.md"),
    ("ucxl://a:b@c:d/x*^^2", "ucxl://a:b@c:d/^^2/x*"),
    ("ucxl://a:b@c:d/x*~5", "ucxl://a:b@c:d/*~5/x"),
    ("ucxl://a:b@c:d/*@2024-12-31T22:00:00.5Z", "ucxl://a:b@c:d/*@2024-12-31T22:00:00.5Z"),
]

INVALID_EXAMPLES = [
    "invalid-address",
    "ucxl://invalid",
    "ucxl://invalid/address",
    "ucxl://a:b@c",
    "ucxl://a b:c@d:e",
    "ucxl://a:b@c:d/../etc",
    "ucxl://a:b@c:d/x//y",
    "UCXL://a:b@c:d",
    "ucxl://a:b@c:d/*~-1",
    "ucxl://gpt*:a@b:c",
    "ucxl://a:b@c:d/*@2025-02-30T00:00:00",
    "ucxl://a:b@c:d/*~99999999999999999999",
]


@pytest.mark.parametrize(("text", "canonical"), CANONICAL_EXAMPLES)
def test_valid_example_reads_back_in_canonical_form(text: str, canonical: str) -> None:
    address = UCXLAddress.parse(text)
    assert str(address) == canonical
    assert UCXLAddress.parse(canonical) == address


@pytest.mark.parametrize(("text", "canonical"), CANONICAL_EXAMPLES)
def test_strict_mode_accepts_exactly_the_canonical_spelling(text: str, canonical: str) -> None:
    assert str(UCXLAddress.parse(canonical, strict=True)) == canonical
    if text != canonical:
        with pytest.raises(UCXLParseError, match="strict mode") as caught:
            UCXLAddress.parse(text, strict=True)
        assert caught.value.code == ErrorCode.INVALID_ADDRESS
        assert canonical in str(caught.value)


@pytest.mark.parametrize("text", INVALID_EXAMPLES)
def test_invalid_example_is_rejected(text: str) -> None:
    with pytest.raises(UCXLParseError) as caught:
        UCXLAddress.parse(text)
    error = caught.value
    assert error.text == text
    assert text[error.position :].startswith(error.fragment)


@pytest.mark.parametrize(
    ("text", "field", "position", "fragment", "code"),
    [
        ("invalid-address", "scheme", 0, "invalid-address", ErrorCode.INVALID_ADDRESS),
        ("ucxl://invalid", "role", 14, "", ErrorCode.INVALID_ADDRESS),
        ("ucxl://invalid/address", "role", 14, "/", ErrorCode.INVALID_ADDRESS),
        ("ucxl://a:b@c", "task", 12, "", ErrorCode.INVALID_ADDRESS),
        ("ucxl://a b:c@d:e", "agent", 7, "a b", ErrorCode.INVALID_ADDRESS),
        ("ucxl://a:b@c:d/../etc", "path", 15, "..", ErrorCode.INVALID_ADDRESS),
        ("ucxl://a:b@c:d/x//y", "path", 16, "//", ErrorCode.INVALID_ADDRESS),
        ("UCXL://a:b@c:d", "scheme", 0, "UCXL://", ErrorCode.INVALID_ADDRESS),
        ("ucxl://a:b@c:d/*~-1", "temporal", 15, "*~-1", ErrorCode.TEMPORAL_INVALID),
        ("ucxl://gpt*:a@b:c", "agent", 7, "gpt*", ErrorCode.INVALID_ADDRESS),
        (
            "ucxl://a:b@c:d/*@2025-02-30T00:00:00",
            "temporal",
            15,
            "*@2025-02-30T00:00:00",
            ErrorCode.TEMPORAL_INVALID,
        ),
        (
            "ucxl://a:b@c:d/*~99999999999999999999",
            "temporal",
            15,
            "*~99999999999999999999",
            ErrorCode.TEMPORAL_INVALID,
        ),
        (
            "ucxl://agent:role@my project:task",
            "project",
            18,
            "my project",
            ErrorCode.INVALID_ADDRESS,
        ),
    ],
)
def test_error_names_field_fragment_position_and_code(
    text: str, field: str, position: int, fragment: str, code: ErrorCode
) -> None:
    with pytest.raises(UCXLParseError) as caught:
        UCXLAddress.parse(text)
    error = caught.value
    assert (error.field, error.position, error.fragment, error.code) == (
        field,
        position,
        fragment,
        code,
    )
    assert str(error).startswith(f"{field} {fragment!r} at {position}: ")


def test_message_says_what_is_allowed() -> None:
    with pytest.raises(UCXLParseError) as caught:
        UCXLAddress.parse("ucxl://agent:role@my project:task")
    assert str(caught.value) == (
        "project 'my project' at 18: only letters, digits, '_' and '-' are allowed "
        "(found ' ') (in 'ucxl://agent:role@my project:task')"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("ucxl://a:b@c:d/*@2025-13-01T00:00:00", "month 13 is out of range 01-12"),
        ("ucxl://a:b@c:d/*@2024-02-30T00:00:00", "day 30 does not exist in 2024-02"),
        ("ucxl://a:b@c:d/*@2023-02-29T00:00:00", "day 29 does not exist in 2023-02"),
        ("ucxl://a:b@c:d/*@2025-01-01T24:00:00", "hour 24 is out of range 00-23"),
        ("ucxl://a:b@c:d/*@2025-01-01T00:60:00", "minute 60 is out of range 00-59"),
        ("ucxl://a:b@c:d/*@2016-12-31T23:59:60Z", "no leap seconds"),
        ("ucxl://a:b@c:d/*@0000-01-01T00:00:00", "year 0000 is out of range"),
        ("ucxl://a:b@c:d/*@2025-01-01T00:00:00+24:00", "zone offset hours 24"),
        ("ucxl://a:b@c:d/*@2025-01-01T00:00:00+01:60", "zone offset minutes 60"),
        ("ucxl://a:b@c:d/*@0001-01-01T00:30:00+01:00", "outside years 0001-9999"),
        ("ucxl://a:b@c:d/*@9999-12-31T23:00:00-02:00", "outside years 0001-9999"),
        ("ucxl://a:b@c:d/*@2025-01-01T00:00:00.1234567", "timestamp"),
        ("ucxl://a:b@c:d/*@2025-01-01", "expected a timestamp"),
        ("ucxl://a:b@c:d/*@2025-01-01t00:00:00", "expected a timestamp"),
        ("ucxl://a:b@c:d/*@2025-01-01T00:00:00z", "timestamp"),
    ],
)
def test_timestamp_rules(text: str, reason: str) -> None:
    with pytest.raises(UCXLParseError, match=reason) as caught:
        UCXLAddress.parse(text)
    assert caught.value.code == ErrorCode.TEMPORAL_INVALID
    assert caught.value.field == "temporal"


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("ucxl://a:b@c:d/*@2025-01-01T00:00:00-00:00", "ucxl://a:b@c:d/*@2025-01-01T00:00:00Z"),
        ("ucxl://a:b@c:d/*@2025-01-01T00:00:00.000000Z", "ucxl://a:b@c:d/*@2025-01-01T00:00:00Z"),
        ("ucxl://a:b@c:d/*@2025-01-01T00:00:00.120Z", "ucxl://a:b@c:d/*@2025-01-01T00:00:00.12Z"),
        ("ucxl://a:b@c:d/*@0001-01-01T00:30:00-00:30", "ucxl://a:b@c:d/*@0001-01-01T01:00:00Z"),
        ("ucxl://a:b@c:d/*@2024-02-29T23:59:59+23:59", "ucxl://a:b@c:d/*@2024-02-29T00:00:59Z"),
        ("ucxl://a:b@c:d/x*@2025-01-01T00:00:00", "ucxl://a:b@c:d/*@2025-01-01T00:00:00Z/x"),
    ],
)
def test_timestamps_are_written_in_utc(text: str, canonical: str) -> None:
    assert str(UCXLAddress.parse(text)) == canonical


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        ("ucxl://a:b@c:d/docs/2025-08-07T14:30:00", "path", "needs '*@' in front"),
        ("ucxl://a:b@c:d/*^/x/*~", "path", "temporal token is allowed only once"),
        ("ucxl://a:b@c:d/x*^/y", "temporal", "must end the address"),
        ("ucxl://a:b@c:d//x", "path", "must not start with '/'"),
        ("ucxl://a:b@c:d/*~0/x//", "path", "empty segment"),
        ("ucxl://a:b@c:d/*^//", "path", "must not start with '/'"),
        ("ucxl://a:b@c:d/x/./y", "path", "cannot leave its task"),
        ("ucxl://a:b@c:d/..*^", "path", "cannot leave its task"),
        ("ucxl://a:b@c:d/x y", "path", "found ' '"),
        ("ucxl://a:b@c:d/x@y", "path", "found '@'"),
        ("ucxl://:b@c:d", "agent", "is empty"),
        ("ucxl://a:b@c:", "task", "is empty"),
        ("ucxl://a:b@c:d:e", "task", "found ':'"),
        ("ucxl://a@b:c:d", "role", "expected ':' and the role after the agent, but found '@'"),
        ("ucxl://a:b:c:d", "project", "expected '@' and the project after the role"),
        ("ucxl://a:b@c@d", "task", "expected ':' and the task after the project"),
        ("ucxl://Ä:b@c:d", "agent", "not an ASCII letter"),
        ("http://a:b@c:d", "scheme", "starts with 'ucxl://'"),
        ("ucxl://a:b@c:d/^^x", "temporal", "may be followed only by a number"),
        ("ucxl://a:b@c:d/*~\u0661", "temporal", "ASCII digits"),
        ("ucxl://a:b@c:d/*!", "path", "found '!'"),
        ("ucxl://a:b@c:d/x/#/y", "temporal", "must end the address"),
        ("ucxl://a:b@c:d/~", "temporal", "expected a temporal token"),
    ],
)
def test_structural_faults_are_named(text: str, field: str, reason: str) -> None:
    with pytest.raises(UCXLParseError, match=re.escape(reason)) as caught:
        UCXLAddress.parse(text)
    assert caught.value.field == field


def test_case_matters() -> None:
    assert UCXLAddress.parse("ucxl://a:b@BZZZ:t") != UCXLAddress.parse("ucxl://a:b@bzzz:t")


def test_only_lower_case_any_is_a_wildcard() -> None:
    upper = UCXLAddress.parse("ucxl://ANY:b@c:d/x")
    assert upper.agent == "ANY"
    assert not upper.is_pattern
    assert UCXLAddress.parse("ucxl://any:b@c:d/x").is_pattern


def test_length_limit_applies_as_written() -> None:
    head = "ucxl://a:b@c:d/"
    longest = head + "x" * (4096 - len(head))
    assert len(str(UCXLAddress.parse(longest))) == 4096
    with pytest.raises(UCXLParseError, match="at most 4096 characters") as caught:
        UCXLAddress.parse(longest + "y")
    assert (caught.value.field, caught.value.position) == ("address", 4096)


def test_length_limit_applies_to_the_canonical_form() -> None:
    # Each '*' component reads back as 'any': 4 written characters become 12.
    head = "ucxl://*:*@*:*/"
    text = head + "x" * (4096 - len(head))
    assert len(text) == 4096
    with pytest.raises(UCXLParseError, match=r"at most 4096 characters, but this one has 4104"):
        UCXLAddress.parse(text)
    fitting = head + "x" * (4096 - len(head) - 8)
    assert len(str(UCXLAddress.parse(fitting))) == 4096


def test_absent_temporal_stays_absent() -> None:
    address = UCXLAddress.parse("ucxl://a:b@c:d/x")
    assert address.temporal is None
    assert str(address) == "ucxl://a:b@c:d/x"
