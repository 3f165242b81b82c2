"""Resolving temporal selectors against a version history, as a user tests it.

The history here is a small in-memory stand-in for what a BZZZ node stores:
the versions of one address, oldest first, each with the time it was stored.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pytest_bzzz import ErrorCode, NotFoundError, Temporal, TemporalRangeError, UCXLAddress

HISTORY = [
    (datetime(2025, 8, 1, 9, 0, tzinfo=UTC), "use gRPC"),
    (datetime(2025, 8, 5, 9, 0, tzinfo=UTC), "use libp2p streams"),
    (datetime(2025, 8, 7, 14, 30, tzinfo=UTC), "use libp2p streams, with protobuf"),
]


def read(address: str, history: list[tuple[datetime, str]]) -> str:
    """The code under test: the content an address selects from a history."""
    temporal = UCXLAddress.parse(address).temporal or Temporal("latest")
    version = temporal.resolve(len(history), [stored for stored, _ in history])
    return history[version - 1][1]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("", "use libp2p streams, with protobuf"),  # no selector: the latest
        ("/*^", "use libp2p streams, with protobuf"),
        ("/*~", "use gRPC"),
        ("/*~2", "use libp2p streams"),
        ("/~~1", "use libp2p streams"),
        ("/^^2", "use libp2p streams, with protobuf"),
        ("/*@2025-08-06T00:00:00Z", "use libp2p streams"),
        ("/2025-08-05T11:00:00+02:00", "use libp2p streams"),  # 09:00 UTC, stored then
    ],
)
def test_selector_picks_the_version(selector: str, expected: str) -> None:
    address = f"ucxl://gpt4:architect@bzzz:v2-migration{selector}/decisions/protocol-choice.json"

    assert read(address, HISTORY) == expected


@pytest.mark.parametrize(
    "selector",
    ["*~0", "*~4", "~~3", "^^3", "*@2025-07-31T00:00:00Z"],
)
def test_selector_outside_the_history_is_an_error(selector: str) -> None:
    address = f"ucxl://gpt4:architect@bzzz:v2-migration/{selector}/decisions/protocol-choice.json"

    with pytest.raises(TemporalRangeError) as caught:
        read(address, HISTORY)

    assert caught.value.code == ErrorCode.TEMPORAL_INVALID
    assert caught.value.count == len(HISTORY)


def test_nothing_stored_is_not_found() -> None:
    with pytest.raises(NotFoundError) as caught:
        read("ucxl://gpt4:architect@bzzz:v2-migration/decisions/protocol-choice.json", [])

    assert caught.value.code == "UCXL-404-NOT_FOUND"


def test_temporal_tokens_read_back_canonically() -> None:
    assert str(Temporal.parse("#")) == "*^"
    assert str(Temporal.parse("~~")) == "~~1"
    assert str(Temporal.parse("*~007")) == "*~7"
    assert Temporal.parse("*@2025-01-01T00:00:00.500+02:00") == Temporal(
        "at", at=datetime(2024, 12, 31, 22, 0, 0, 500000, tzinfo=UTC)
    )
