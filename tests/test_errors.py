"""The exception hierarchy: codes, built-in bases, and pickling across processes."""

from __future__ import annotations

import copy
import pickle
import traceback

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
    with pytest.raises(ValueError, match="UCXL-999-NOPE") as caught:
        UCXLError("x", code="UCXL-999-NOPE")
    assert str(caught.value) == (
        "UCXLError code 'UCXL-999-NOPE' is not a UCXL error code; accepted: " + ", ".join(ErrorCode)
    )
    with pytest.raises(
        TypeError, match=r"^NotFoundError code must be an ErrorCode or its str, got"
    ):
        NotFoundError("x", code=404)  # type: ignore[arg-type]


PUBLIC_CLASSES = [ErrorCode, UCXLError, UCXLParseError, NotFoundError, TemporalRangeError]


@pytest.mark.parametrize("cls", PUBLIC_CLASSES, ids=lambda cls: cls.__name__)
def test_classes_report_their_public_module(cls: type) -> None:
    assert cls.__module__ == "pytest_bzzz"
    assert repr(cls) in (f"<class 'pytest_bzzz.{cls.__name__}'>", f"<enum '{cls.__name__}'>")


def test_tracebacks_name_the_public_class() -> None:
    shown = traceback.format_exception_only(NotFoundError("nothing under ucxl://a:b@c:d"))
    assert shown == ["pytest_bzzz.NotFoundError: nothing under ucxl://a:b@c:d\n"]


@pytest.mark.parametrize("code", list(ErrorCode), ids=str)
def test_codes_pickle_and_copy_as_themselves(code: ErrorCode) -> None:
    assert b"pytest_bzzz._ucxl" not in pickle.dumps(code)
    assert pickle.loads(pickle.dumps(code)) is code
    assert copy.copy(code) is code
    assert copy.deepcopy(code) is code


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
def test_errors_pickle_and_copy_intact(error: UCXLError) -> None:
    # pickle writes the class as pytest_bzzz.<Name>, having checked that the
    # package's __getattr__ gives that very class back.
    for restored in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):
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
