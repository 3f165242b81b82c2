"""Temporal selectors: parsing on their own, canonical tokens and resolution against a history."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_bzzz import (
    ErrorCode,
    NotFoundError,
    Temporal,
    TemporalRangeError,
    UCXLParseError,
)

from ._ucxl_model import tokens


@pytest.mark.parametrize(
    ("token", "kind", "n", "canonical"),
    [
        ("*^", "latest", None, "*^"),
        ("#", "latest", None, "*^"),
        ("*~", "earliest", None, "*~"),
        ("*~7", "version", 7, "*~7"),
        ("*~007", "version", 7, "*~7"),
        ("*~0", "version", 0, "*~0"),
        ("~~", "back", 1, "~~1"),
        ("~~0", "back", 0, "~~0"),
        ("~~12", "back", 12, "~~12"),
        ("^^", "forward", 1, "^^1"),
        ("^^3", "forward", 3, "^^3"),
        (f"*~{2**63 - 1}", "version", 2**63 - 1, f"*~{2**63 - 1}"),
    ],
)
def test_counted_and_plain_tokens(token: str, kind: str, n: int | None, canonical: str) -> None:
    temporal = Temporal.parse(token)
    assert (temporal.kind, temporal.n, temporal.at) == (kind, n, None)
    assert str(temporal) == canonical
    assert Temporal.parse(canonical) == temporal


@pytest.mark.parametrize(
    ("token", "at"),
    [
        ("*@2025-08-07T14:30:00Z", datetime(2025, 8, 7, 14, 30, tzinfo=UTC)),
        ("2025-08-07T14:30:00", datetime(2025, 8, 7, 14, 30, tzinfo=UTC)),
        ("*@2025-01-01T00:00:00.500+02:00", datetime(2024, 12, 31, 22, 0, 0, 500000, tzinfo=UTC)),
    ],
)
def test_timestamp_tokens_hold_a_utc_instant(token: str, at: datetime) -> None:
    temporal = Temporal.parse(token)
    assert temporal.kind == "at"
    assert temporal.at == at
    assert temporal.at is not None
    assert temporal.at.tzinfo is UTC


@given(tokens(bare=True))
def test_every_token_spelling_reads_back_canonically(pair: tuple[str, str]) -> None:
    written, canonical = pair
    assert str(Temporal.parse(written)) == canonical
    assert Temporal.parse(canonical) == Temporal.parse(written)
    assert pickle.loads(pickle.dumps(Temporal.parse(written))) == Temporal.parse(written)


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", "expected a temporal token"),
        ("*", "expected a temporal token"),
        ("^", "expected a temporal token"),
        ("*~-1", "'*~' may be followed only by a number"),
        ("~~x", "'~~' may be followed only by a number"),
        ("*~99999999999999999999", "larger than the largest allowed number"),
        ("*@", "expected a timestamp"),
        ("2025-02-30T00:00:00", "day 30 does not exist"),
        ("2025-02-03", "expected a timestamp"),
        ("*^ ", "expected a temporal token"),
    ],
)
def test_bad_tokens(token: str, reason: str) -> None:
    with pytest.raises(UCXLParseError, match=reason) as caught:
        Temporal.parse(token)
    assert caught.value.code == ErrorCode.TEMPORAL_INVALID
    assert caught.value.field == "temporal"
    assert caught.value.text == token


def test_parse_takes_only_str() -> None:
    with pytest.raises(TypeError, match="takes a str, got int"):
        Temporal.parse(3)  # type: ignore[arg-type]


def test_constructor_validates_like_parsing() -> None:
    assert Temporal("version", n=3) == Temporal.parse("*~3")
    assert Temporal("latest") == Temporal.parse("#")
    instant = datetime(2025, 1, 1, 2, tzinfo=timezone(timedelta(hours=2)))
    assert str(Temporal("at", at=instant)) == "*@2025-01-01T00:00:00Z"
    with pytest.raises(UCXLParseError, match="unknown kind"):
        Temporal("newest")  # type: ignore[arg-type]
    with pytest.raises(UCXLParseError, match="between 0 and"):
        Temporal("back", n=-1)
    with pytest.raises(UCXLParseError, match="between 0 and"):
        Temporal("back", n=2**63)
    with pytest.raises(TypeError, match="needs n as an int"):
        Temporal("version", n="3")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="needs n as an int"):
        Temporal("version", n=True)
    with pytest.raises(TypeError, match="takes no n"):
        Temporal("latest", n=1)
    with pytest.raises(TypeError, match="needs at as a datetime"):
        Temporal("at")
    with pytest.raises(TypeError, match="takes no at"):
        Temporal("earliest", at=instant)
    with pytest.raises(UCXLParseError, match="naive datetime"):
        Temporal("at", at=datetime(2025, 1, 1))
    with pytest.raises(UCXLParseError, match="outside years"):
        Temporal("at", at=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))))


@pytest.mark.parametrize(
    ("kind", "n", "token", "position", "fragment"),
    [
        ("version", -1, "*~-1", 0, "*~-1"),
        ("back", -7, "~~-7", 0, "~~-7"),
        ("forward", 2**63, f"^^{2**63}", 2, str(2**63)),
        ("version", 10**30, f"*~{10**30}", 2, str(10**30)),
    ],
)
def test_a_number_out_of_range_is_refused_as_parsing_its_token_would(
    kind: str, n: int, token: str, position: int, fragment: str
) -> None:
    with pytest.raises(UCXLParseError) as built:
        Temporal(kind, n=n)  # type: ignore[arg-type]
    with pytest.raises(UCXLParseError) as parsed:
        Temporal.parse(token)
    for error in (built.value, parsed.value):
        assert type(error) is UCXLParseError
        assert (error.field, error.text) == ("temporal", token)
        assert error.code == ErrorCode.TEMPORAL_INVALID
        assert (error.position, error.fragment) == (position, fragment)
    assert built.value.reason == f"n for {kind!r} must be between 0 and {2**63 - 1}, got {n}"


@pytest.mark.parametrize(
    ("at", "written", "reason"),
    [
        (datetime(2025, 1, 1), "2025-01-01T00:00:00", "a naive datetime is ambiguous"),
        (
            datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))),
            "0001-01-01T00:00:00+05:00",
            "the instant falls outside years 0001-9999 once converted to UTC",
        ),
    ],
)
def test_an_instant_out_of_range_is_refused_as_a_token_would_be(
    at: datetime, written: str, reason: str
) -> None:
    with pytest.raises(UCXLParseError, match=reason) as caught:
        Temporal("at", at=at)
    error = caught.value
    assert (error.field, error.code) == ("temporal", ErrorCode.TEMPORAL_INVALID)
    assert (error.text, error.position, error.fragment) == (f"*@{written}", 2, written)


def test_an_unknown_kind_is_a_value_error_and_a_kind_not_a_str_a_type_error() -> None:
    with pytest.raises(UCXLParseError) as caught:
        Temporal("newest")  # type: ignore[arg-type]
    error = caught.value
    assert (error.field, error.code, error.text, error.position) == (
        "temporal",
        ErrorCode.TEMPORAL_INVALID,
        "newest",
        0,
    )
    assert error.reason == (
        "unknown kind; expected one of 'latest', 'earliest', 'version', 'back', 'forward', 'at'"
    )
    for kind in (3, ["latest"], None):
        with pytest.raises(TypeError, match="Temporal\\(\\) kind must be a str, one of 'latest'"):
            Temporal(kind)  # type: ignore[arg-type]


def test_temporal_is_immutable_and_hashable() -> None:
    temporal = Temporal.parse("*~3")
    with pytest.raises(AttributeError):
        temporal.n = 4  # type: ignore[misc]
    assert {Temporal.parse("#"), Temporal.parse("*^")} == {Temporal("latest")}
    assert repr(temporal) == "Temporal('*~3')"
    assert temporal != "*~3"


# The resolution table of the reference, with n = 5 versions stored.
@pytest.mark.parametrize(
    ("token", "version"),
    [
        ("*^", 5),
        ("#", 5),
        ("*~", 1),
        ("*~1", 1),
        ("*~5", 5),
        ("~~0", 5),
        ("~~1", 4),
        ("~~4", 1),
        ("^^0", 1),
        ("^^1", 2),
        ("^^4", 5),
    ],
)
def test_resolution_table(token: str, version: int) -> None:
    assert Temporal.parse(token).resolve(5) == version


@pytest.mark.parametrize("token", ["*~0", "*~6", "~~5", "~~6", "^^5", "^^99"])
def test_out_of_range_selectors(token: str) -> None:
    with pytest.raises(TemporalRangeError) as caught:
        Temporal.parse(token).resolve(5)
    error = caught.value
    assert error.code == ErrorCode.TEMPORAL_INVALID
    assert isinstance(error, IndexError)
    assert (error.selector, error.count) == (str(Temporal.parse(token)), 5)
    assert "5 versions" in str(error)


@given(st.integers(1, 50), st.integers(0, 60))
def test_back_and_forward_mirror_each_other(count: int, steps: int) -> None:
    back = Temporal("back", n=steps)
    forward = Temporal("forward", n=steps)
    if steps < count:
        assert back.resolve(count) + forward.resolve(count) == count + 1
    else:
        with pytest.raises(TemporalRangeError):
            back.resolve(count)
        with pytest.raises(TemporalRangeError):
            forward.resolve(count)


def test_no_versions_is_not_found() -> None:
    with pytest.raises(NotFoundError) as caught:
        Temporal.parse("*^").resolve(0)
    assert caught.value.code == ErrorCode.NOT_FOUND
    assert isinstance(caught.value, LookupError)


def stamps(*hours: int) -> list[datetime]:
    return [datetime(2025, 1, 1, hour, tzinfo=UTC) for hour in hours]


@pytest.mark.parametrize(
    ("token", "version"),
    [
        ("*@2025-01-01T01:00:00Z", 1),  # exactly at version 1
        ("*@2025-01-01T01:59:59Z", 1),
        ("*@2025-01-01T02:00:00Z", 3),  # versions 2 and 3 share an instant: the newest wins
        ("*@2025-01-01T04:00:00+01:00", 3),  # 03:00 UTC
        ("*@2025-01-01T09:00:00Z", 4),
        ("2030-01-01T00:00:00", 4),
    ],
)
def test_at_selects_the_newest_version_stored_at_or_before(token: str, version: int) -> None:
    assert Temporal.parse(token).resolve(4, stamps(1, 2, 2, 5)) == version


def test_at_before_the_first_version_is_out_of_range() -> None:
    with pytest.raises(TemporalRangeError, match="before the first version"):
        Temporal.parse("*@2025-01-01T00:59:59Z").resolve(2, stamps(1, 2))


def test_resolve_validates_its_arguments() -> None:
    at = Temporal.parse("*@2025-01-01T00:00:00Z")
    with pytest.raises(TypeError, match="count must be an int"):
        Temporal.parse("*^").resolve("3")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="count must be an int"):
        Temporal.parse("*^").resolve(True)
    with pytest.raises(ValueError, match="count must be 0 or more"):
        Temporal.parse("*^").resolve(-1)
    with pytest.raises(ValueError, match="needs the versions' timestamps"):
        at.resolve(2)
    with pytest.raises(ValueError, match="timestamps has 1 entries, but count is 2"):
        at.resolve(2, stamps(1))
    with pytest.raises(ValueError, match=r"timestamps\[1\] must be a timezone-aware datetime"):
        at.resolve(2, [datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2)])
    with pytest.raises(TypeError, match=r"timestamps\[1\] must be a timezone-aware .*, got str"):
        at.resolve(2, [datetime(2025, 1, 1, tzinfo=UTC), "2025-01-02"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"timestamps must be a sequence of datetimes, .* got int"):
        at.resolve(1, 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"timestamps must be a sequence of datetimes, .* got str"):
        at.resolve(1, "2025-01-01T00:00:00Z")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must not decrease"):
        at.resolve(2, stamps(2, 1))
    # Non-"at" selectors do not need timestamps, and ignore them.
    assert Temporal.parse("~~1").resolve(2, stamps(1, 2)) == 1


@pytest.mark.parametrize("token", ["*^", "*~", "*~3", "~~0", "^^2", "*@2025-01-01T00:00:00.5Z"])
def test_selectors_pickle_and_copy(token: str) -> None:
    temporal = Temporal.parse(token)
    for again in (
        pickle.loads(pickle.dumps(temporal)),
        copy.copy(temporal),
        copy.deepcopy(temporal),
    ):
        assert type(again) is Temporal
        assert again == temporal
        assert (again.kind, again.n, again.at) == (temporal.kind, temporal.n, temporal.at)
