"""The exception hierarchy: codes, built-in bases, and pickling across processes."""

from __future__ import annotations

import pickle

import pytest

from pytest_bzzz import (
    ErrorCode,
    NotFoundError,
    TemporalRangeError,
    UCXLAddress,
    UCXLError,
    UCXLParseError,
)


def parse_error() -> UCXLParseError:
    with pytest.raises(UCXLParseError) as caught:
        UCXLAddress.parse("ucxl://agent:role@my project:task")
    return caught.value


def test_codes_are_strings_of_the_ucxi_convention() -> None:
    assert ErrorCode.INVALID_ADDRESS == "UCXL-400-INVALID_ADDRESS"
    assert ErrorCode.TEMPORAL_INVALID == "UCXL-400-TEMPORAL_INVALID"
    assert ErrorCode.FORBIDDEN == "UCXL-403-FORBIDDEN"
    assert ErrorCode.NOT_FOUND == "UCXL-404-NOT_FOUND"
    assert ErrorCode.SERVICE_UNAVAILABLE == "UCXL-503-SERVICE_UNAVAILABLE"
    assert ErrorCode.TIMEOUT == "UCXL-504-TIMEOUT"


def test_hierarchy() -> None:
    assert issubclass(UCXLParseError, UCXLError)
    assert issubclass(UCXLParseError, ValueError)
    assert issubclass(NotFoundError, UCXLError)
    assert issubclass(NotFoundError, LookupError)
    assert issubclass(TemporalRangeError, UCXLError)
    assert issubclass(TemporalRangeError, IndexError)


def test_base_error_takes_any_known_code() -> None:
    error = UCXLError("role may not write", code="UCXL-403-FORBIDDEN")
    assert error.code is ErrorCode.FORBIDDEN
    with pytest.raises(ValueError, match="UCXL-999-NOPE"):
        UCXLError("x", code="UCXL-999-NOPE")


@pytest.mark.parametrize(
    "error",
    [
        parse_error(),
        NotFoundError("nothing under ucxl://a:b@c:d"),
        TemporalRangeError("out of range", selector="*~9", count=3),
        UCXLError("forbidden", code=ErrorCode.FORBIDDEN),
    ],
    ids=lambda error: type(error).__name__,
)
def test_errors_pickle_intact(error: UCXLError) -> None:
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is type(error)
    assert str(restored) == str(error)
    assert restored.args == error.args
    assert vars(restored) == vars(error)
    assert restored.code == error.code


def test_parse_error_carries_its_facts() -> None:
    error = parse_error()
    assert error.field == "project"
    assert error.fragment == "my project"
    assert error.position == 18
    assert error.text == "ucxl://agent:role@my project:task"
    assert error.reason == "only letters, digits, '_' and '-' are allowed (found ' ')"
    assert error.code == ErrorCode.INVALID_ADDRESS


def test_long_fragments_and_inputs_are_cut_short_in_messages() -> None:
    text = "ucxl://" + "a" * 200 + " b:c@d:e"
    with pytest.raises(UCXLParseError) as caught:
        UCXLAddress.parse(text)
    message = str(caught.value)
    assert "..." in message
    assert len(message) < 300
    assert caught.value.fragment == "a" * 200 + " b"
