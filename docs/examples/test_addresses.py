"""Tests a user of pytest-bzzz writes for code that handles UCXL addresses.

Run them with ``python -m pytest docs/examples``; they need only pytest-bzzz.
"""

from __future__ import annotations

import pytest

from pytest_bzzz import ErrorCode, UCXLAddress, UCXLParseError

# -- The code under test ------------------------------------------------------
# In a real project this lives in your package; it is inlined here so that the
# example suite is self-contained.


def decision_address(agent: str, task: str, name: str, version: int | None = None) -> str:
    """Where an architect agent records a decision, as a UCXL address string."""
    selector = "" if version is None else f"/*~{version}"
    return f"ucxl://{agent}:architect@bzzz:{task}{selector}/decisions/{name}.json"


def select(pattern: str, addresses: list[str]) -> list[str]:
    """The addresses a search pattern selects, in canonical form and sorted."""
    search = UCXLAddress.parse(pattern)
    return sorted(str(a) for a in map(UCXLAddress.parse, addresses) if search.matches(a))


# -- The tests ----------------------------------------------------------------


def test_parse_reads_every_field() -> None:
    address = UCXLAddress.parse(
        "ucxl://gpt4:architect@bzzz:v2-migration/*~2/decisions/protocol-choice.json"
    )

    assert (address.agent, address.role, address.project, address.task) == (
        "gpt4",
        "architect",
        "bzzz",
        "v2-migration",
    )
    assert address.temporal is not None
    assert address.temporal.kind == "version"
    assert address.temporal.n == 2
    assert address.path == "decisions/protocol-choice.json"
    assert not address.is_pattern


@pytest.mark.parametrize(
    "written",
    [
        "ucxl://gpt4:architect@bzzz:v2-migration/*^/decisions/protocol-choice.json",
        "ucxl://gpt4:architect@bzzz:v2-migration/decisions/protocol-choice.json*^",
        "ucxl://gpt4:architect@bzzz:v2-migration/decisions/protocol-choice.json#",
    ],
)
def test_every_spelling_reads_back_canonically(written: str) -> None:
    address = UCXLAddress.parse(written)

    assert str(address) == (
        "ucxl://gpt4:architect@bzzz:v2-migration/*^/decisions/protocol-choice.json"
    )
    assert UCXLAddress.parse(str(address)) == address


@pytest.mark.parametrize("version", [None, 1, 7, 12])
def test_my_code_emits_canonical_addresses(version: int | None) -> None:
    written = decision_address("gpt4", "v2-migration", "protocol-choice", version)

    # Strict mode accepts exactly the canonical spelling, so this fails (naming
    # the first non-canonical part) if decision_address ever drifts from it.
    address = UCXLAddress.parse(written, strict=True)
    assert address.path == "decisions/protocol-choice.json"


def test_search_pattern_selects_matching_addresses() -> None:
    stored = [
        "ucxl://gpt4:architect@bzzz:v2-migration/decisions/protocol-choice.json",
        "ucxl://claude:architect@bzzz:auth-system/*~3/decisions/token-format.json",
        "ucxl://claude:reviewer@bzzz:auth-system/decisions/token-format.json",
        "ucxl://gpt4:architect@bzzz:v2-migration/decisions/drafts/old.json",
        "ucxl://gpt4:architect@chorus:planning/decisions/scope.json",
    ]

    # Any architect, any task of the bzzz project, a JSON file directly in
    # decisions/; the temporal selector plays no part in matching.
    assert select("ucxl://any:architect@bzzz:*/decisions/*.json", stored) == [
        "ucxl://claude:architect@bzzz:auth-system/*~3/decisions/token-format.json",
        "ucxl://gpt4:architect@bzzz:v2-migration/decisions/protocol-choice.json",
    ]
    # "**" spans any number of folders, none included.
    assert select("ucxl://gpt4:any@any:v2-migration/decisions/**", stored) == [
        "ucxl://gpt4:architect@bzzz:v2-migration/decisions/drafts/old.json",
        "ucxl://gpt4:architect@bzzz:v2-migration/decisions/protocol-choice.json",
    ]


def test_wildcard_and_glob_make_a_pattern() -> None:
    assert UCXLAddress.parse("ucxl://*:architect@bzzz:v2").is_pattern
    assert UCXLAddress.parse("ucxl://gpt4:architect@bzzz:v2/decisions/*.json").is_pattern
    # Only the lower-case "any" is a wildcard.
    assert not UCXLAddress.parse("ucxl://Any:architect@bzzz:v2").is_pattern


def test_space_in_a_component_is_rejected_with_its_position() -> None:
    with pytest.raises(UCXLParseError) as caught:
        UCXLAddress.parse("ucxl://agent:role@my project:task")

    error = caught.value
    assert error.code == ErrorCode.INVALID_ADDRESS
    assert error.field == "project"
    assert error.position == 18
    assert error.fragment == "my project"
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    ("written", "field", "code"),
    [
        ("ucxl://a:b@c:d/../etc", "path", ErrorCode.INVALID_ADDRESS),
        ("ucxl://a:b@c:d/x//y", "path", ErrorCode.INVALID_ADDRESS),
        ("ucxl://gpt*:a@b:c", "agent", ErrorCode.INVALID_ADDRESS),
        ("ucxl://a:b@c", "task", ErrorCode.INVALID_ADDRESS),
        ("ucxl://a:b@c:d/*@2025-02-30T00:00:00", "temporal", ErrorCode.TEMPORAL_INVALID),
    ],
)
def test_invalid_addresses_name_the_field_at_fault(
    written: str, field: str, code: ErrorCode
) -> None:
    with pytest.raises(UCXLParseError) as caught:
        UCXLAddress.parse(written)

    assert caught.value.field == field
    assert caught.value.code == code


def test_strict_mode_rejects_the_suffix_form() -> None:
    with pytest.raises(UCXLParseError, match="strict mode") as caught:
        UCXLAddress.parse("ucxl://a:b@c:d/notes.md*~2", strict=True)

    assert caught.value.field == "temporal"
    assert "ucxl://a:b@c:d/*~2/notes.md" in str(caught.value)
