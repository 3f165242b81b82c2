"""Network conditions and the units people write them in."""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_bzzz import MockDHT, NetworkConditions, World
from pytest_bzzz._kernel.units import format_seconds, parse_duration, parse_rate

pytest_plugins = ["pytester"]


@pytest.mark.parametrize(
    ("written", "seconds"),
    [(250, 0.25), (0, 0.0), (1.5, 0.0015), ("250", 0.25), ("250ms", 0.25), ("1.5s", 1.5),
     (" 2 s ", 2.0), ("0.5ms", 0.0005), ("1e3", 1.0)],
)  # fmt: skip
def test_durations_written_by_hand_are_milliseconds_unless_a_unit_says(
    written: object, seconds: float
) -> None:
    assert parse_duration(written) == pytest.approx(seconds)


@pytest.mark.parametrize("written", ["abc", "5 minutes", True, None, [1], "nan", "inf", "--5"])
def test_bad_durations(written: object) -> None:
    with pytest.raises(ValueError, match="expected"):
        parse_duration(written)


@pytest.mark.parametrize("written", ["-5", -5, "-1ms", " -2 s", -0.5, "-1e3"])
def test_a_negative_duration_is_a_number_that_must_be_0_or_more(written: object) -> None:
    with pytest.raises(ValueError, match="must be 0 or more") as caught:
        parse_duration(written)
    assert str(caught.value) == f"must be 0 or more, got {written!r}"


@pytest.mark.parametrize("written", [float("inf"), float("nan"), "1e999"])
def test_a_duration_must_be_finite(written: object) -> None:
    with pytest.raises(ValueError, match="must be a finite duration, 0 or more"):
        parse_duration(written)


@pytest.mark.parametrize(
    ("written", "seconds"),
    [("-0", 0.0), (-0.0, 0.0), ("250MS", 0.25), ("1.5S", 1.5), ("2Ms", 0.002)],
)
def test_units_are_read_in_any_case_and_minus_zero_is_zero(written: object, seconds: float) -> None:
    parsed = parse_duration(written)
    assert parsed == seconds
    assert str(parsed) == str(seconds)  # not "-0.0"


@pytest.mark.parametrize(
    ("written", "rate"), [(0, 0.0), (1, 1.0), ("0.25", 0.25), ("10%", 0.1), (0.5, 0.5)]
)
def test_rates(written: object, rate: float) -> None:
    assert parse_rate(written) == pytest.approx(rate)


@pytest.mark.parametrize("written", [1.5, -0.1, "x", "150%", float("nan"), True, None])
def test_bad_rates(written: object) -> None:
    with pytest.raises(ValueError, match=r"between 0(%)? and 1(00%)?"):
        parse_rate(written)


def test_format_seconds() -> None:
    assert format_seconds(0.25) == "250ms"
    assert format_seconds(1.5) == "1.5s"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"latency": -1}, ValueError, "latency must be a finite number of seconds"),
        ({"latency": "1"}, TypeError, "latency must be a number of seconds, got str"),
        ({"jitter": float("inf")}, ValueError, "jitter must be a finite"),
        ({"timeout": -0.1}, ValueError, "timeout must be a finite"),
        ({"failure_rate": 2}, ValueError, "failure_rate must be between 0 and 1"),
        ({"failure_rate": "x"}, TypeError, "failure_rate must be a number"),
        ({"distribution": "pareto"}, ValueError, "distribution must be one of normal, uniform"),
        ({"failure_ops": "get_value"}, TypeError, "not the str 'get_value'"),
        ({"failure_ops": ["get_vaule"]}, ValueError, "unknown operation 'get_vaule'"),
        ({"failure_ops": ["aget_value"]}, ValueError, "covers its async twin"),
        ({"failure_ops": [3]}, TypeError, "operation names must be str"),
    ],
)
def test_conditions_are_validated(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        NetworkConditions(**kwargs)  # type: ignore[arg-type]


def test_conditions_are_immutable_values() -> None:
    conditions = NetworkConditions(latency=0.1, failure_ops=["get_value"])  # type: ignore[arg-type]
    assert conditions.failure_ops == frozenset({"get_value"})
    assert conditions.replace(latency=0.2).latency == 0.2
    assert conditions.latency == 0.1
    with pytest.raises(AttributeError):
        conditions.latency = 1  # type: ignore[misc]


@given(
    st.floats(0, 10),
    st.floats(0, 10),
    st.sampled_from(["uniform", "normal"]),
    st.integers(0, 2**32 - 1),
)
def test_drawn_latency_is_never_negative_and_uniform_stays_in_range(
    latency: float, jitter: float, distribution: str, seed: int
) -> None:
    conditions = NetworkConditions(latency=latency, jitter=jitter, distribution=distribution)  # type: ignore[arg-type]
    rng = random.Random(seed)
    for _ in range(20):
        drawn = conditions.draw_latency(rng)
        assert drawn >= 0
        if distribution == "uniform":
            assert max(0.0, latency - jitter) - 1e-9 <= drawn <= latency + jitter + 1e-9


def test_no_jitter_draws_nothing() -> None:
    rng = random.Random(1)
    state = rng.getstate()
    assert NetworkConditions(latency=0.3).draw_latency(rng) == 0.3
    assert rng.getstate() == state


def test_normal_jitter_spreads_around_the_latency() -> None:
    conditions = NetworkConditions(latency=1.0, jitter=0.1, distribution="normal")
    rng = random.Random(3)
    draws = [conditions.draw_latency(rng) for _ in range(2000)]
    assert sum(draws) / len(draws) == pytest.approx(1.0, abs=0.02)
    assert any(d > 1.2 for d in draws)  # a uniform draw could never exceed 1.1


def test_describe() -> None:
    assert NetworkConditions().describe() == "a perfect network (no latency, no failures)"
    conditions = NetworkConditions(
        latency=0.25,
        jitter=0.05,
        failure_rate=0.1,
        failure_ops=frozenset({"get_value"}),
        timeout=1.5,
    )
    assert conditions.describe() == (
        "latency 250ms ± 50ms (uniform), failure rate 0.1 on get_value, timeout 1.5s"
    )


def test_describe_each_part_alone() -> None:
    assert NetworkConditions(latency=2).describe() == "latency 2s"
    assert NetworkConditions(failure_rate=0.5).describe() == "failure rate 0.5"
    assert NetworkConditions(timeout=0.1).describe() == "timeout 100ms"


# -- the Python API: a value of the wrong type is a TypeError, a bad value a ValueError ------

WRONG_TYPES = {
    "latency": ["1", None, True, b"1", [1]],
    "jitter": ["1", None, False, {}],
    "distribution": [3, None, b"uniform", ["uniform"], True],
    "failure_rate": ["0.1", "10%", None, True],
    "failure_ops": ["get_value", 3, 1.5, True, [3], [None], [["get_value"]]],
    "timeout": ["1s", True, [1]],
    "ambiguous_timeouts": [1, "yes", None, 0.0],
    "max_record_size": ["1MiB", True, 1.5, [1]],
}
BAD_VALUES = {
    "latency": [-1, -0.001, float("inf"), float("nan")],
    "jitter": [-1, float("-inf")],
    "distribution": ["pareto", "Uniform", ""],
    "failure_rate": [-0.1, 1.5, 10, float("nan")],
    "failure_ops": [["get_vaule"], ["aget_value"], [], set(), frozenset(), ()],
    "timeout": [-1, float("inf")],
    "ambiguous_timeouts": [],  # a bool has no value out of range
    "max_record_size": [0, -1],
}


@pytest.mark.parametrize(
    ("field", "value"),
    [(field, value) for field, values in WRONG_TYPES.items() for value in values],
)
def test_each_field_refuses_a_wrong_type_with_a_type_error_naming_it(
    field: str, value: object
) -> None:
    with pytest.raises(TypeError) as caught:
        NetworkConditions(**{field: value})  # type: ignore[arg-type]
    assert str(caught.value).startswith(field)


@pytest.mark.parametrize(
    ("field", "value"), [(field, value) for field, values in BAD_VALUES.items() for value in values]
)
def test_each_field_refuses_a_bad_value_with_a_value_error_naming_it(
    field: str, value: object
) -> None:
    with pytest.raises(ValueError, match=field):
        NetworkConditions(**{field: value})  # type: ignore[arg-type]


def test_every_field_is_checked_by_both_tests() -> None:
    fields = [field.name for field in dataclasses.fields(NetworkConditions)]
    assert list(WRONG_TYPES) == fields
    assert list(BAD_VALUES) == fields


def test_replace_checks_as_the_constructor_does() -> None:
    with pytest.raises(TypeError, match=r"^distribution must be a str"):
        NetworkConditions().replace(distribution=None)
    with pytest.raises(ValueError, match=r"^failure_ops must name at least one operation"):
        NetworkConditions(failure_rate=0.5).replace(failure_ops=set())


def test_an_empty_failure_ops_is_refused_and_says_what_to_give_instead() -> None:
    with pytest.raises(ValueError, match="failure_ops") as caught:
        NetworkConditions(failure_rate=0.1, failure_ops=set())  # type: ignore[arg-type]
    assert str(caught.value) == (
        "failure_ops must name at least one operation (an empty set would switch failures off "
        "unnoticed): leave it None for every operation, or give failure_rate=0 for no failures"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"failure_ops": 3}, "failure_ops must be a collection of operation names, or None for "
         "every operation, got int"),
        ({"failure_ops": ["get_vaule"]}, "unknown operation 'get_vaule'; known operations: "),
        ({"failure_ops": [["get_value"]]}, "failure_ops: operation names must be str, got list "
         "['get_value']"),
        ({"distribution": None}, "distribution must be a str, 'uniform' or 'normal', got NoneType"),
        ({"timeout": "1s"}, "timeout must be a number of seconds, or None for none, got str "
         "'1s'; write 1.0"),
        ({"latency": "250ms"}, "latency must be a number of seconds, got str '250ms'; write 0.25"),
        ({"failure_rate": "10%"}, "failure_rate must be a number from 0 to 1, got str"),
    ],
)  # fmt: skip
def test_conditions_messages(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises((TypeError, ValueError)) as caught:
        NetworkConditions(**kwargs)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


def test_conditions_take_any_iterable_of_names_and_keep_none_for_all() -> None:
    names = (name for name in ["get_value", "put_value"])
    conditions = NetworkConditions(failure_rate=0.5, failure_ops=names)  # type: ignore[arg-type]
    assert conditions.failure_ops == frozenset({"get_value", "put_value"})
    assert conditions.describe() == "failure rate 0.5 on get_value, put_value"
    assert NetworkConditions(failure_ops=None).failure_ops is None


def test_an_unknown_operation_says_which_field_takes_the_names() -> None:
    with pytest.raises(ValueError, match="unknown operation") as caught:
        NetworkConditions(failure_rate=0.5, failure_ops={"astore"})
    assert str(caught.value).startswith(
        "unknown operation 'astore' ('store' covers its async twin 'astore'); known operations: "
    )
    assert str(caught.value).endswith(
        "; failure_ops takes these names, or None for every operation"
    )


# -- advice that fits the case, in the words the caller wrote -------------------------------


def test_an_empty_failure_ops_with_no_failure_rate_does_not_advise_a_rate_of_0() -> None:
    with pytest.raises(ValueError, match="failure_ops") as caught:
        NetworkConditions(failure_ops=set())  # type: ignore[arg-type]
    assert str(caught.value) == (
        "failure_ops must name at least one operation, or be None for every operation; with "
        "failure_rate 0 no operation fails anyway: leave failure_ops out"
    )


@pytest.mark.parametrize(
    ("rate", "ops", "error", "message"),
    [
        (0.1, [], ValueError,
         "ops must name at least one operation (an empty collection would switch failures off "
         "unnoticed): leave ops out to keep the operations the failures are limited to, give "
         "ops=None for every operation, or a rate of 0 for no failures"),
        (0, [], ValueError,
         "ops must name at least one operation, or be None for every operation; with the rate 0 "
         "no operation fails anyway: leave ops out"),
        (0.1, "get_value", TypeError,
         "ops must be a collection of operation names, or None for every operation, not the str "
         "'get_value' (for one operation: ops=['get_value'])"),
        (0.1, [1], TypeError, "ops: operation names must be str, got int 1"),
        (0.1, ["nope"], ValueError, "unknown operation 'nope'; known operations: "),
    ],
)  # fmt: skip
def test_set_failure_rate_words_its_errors_for_ops(
    rate: float, ops: object, error: type[Exception], message: str
) -> None:
    dht = MockDHT(World(seed=1))
    with pytest.raises(error) as caught:
        dht.set_failure_rate(rate, ops=ops)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)
    assert "failure_ops" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "meant", "note"),
    [("PUT_VALUE", "put_value", ""), ("Get_Value", "get_value", ""),
     ("APUT_VALUE", "put_value", ", and 'put_value' covers 'aput_value'")],
)  # fmt: skip
def test_an_operation_in_another_case_suggests_the_name(name: str, meant: str, note: str) -> None:
    expected = (
        f"unknown operation {name!r}: did you mean {meant!r}? (operation names are in lower "
        f"case{note})"
    )
    with pytest.raises(ValueError, match="did you mean") as caught:
        NetworkConditions(failure_rate=0.5, failure_ops={name})
    assert str(caught.value).startswith(expected)
    with pytest.raises(ValueError, match="did you mean") as caught:
        MockDHT(World(seed=1)).set_failure_rate(0.5, ops=[name])
    assert str(caught.value).startswith(expected)
    with pytest.raises(ValueError, match="did you mean") as caught:
        World(seed=1).calls(name)
    assert str(caught.value) == expected


@pytest.mark.parametrize(("written", "message"), [
    ("150%", "must be between 0% and 100%, got '150%'"),
    ("-5%", "must be between 0% and 100%, got '-5%'"),
    (1.5, "must be between 0 and 1, got 1.5"),
])  # fmt: skip
def test_a_refused_rate_says_its_range_in_the_units_it_was_written_in(
    written: object, message: str
) -> None:
    with pytest.raises(ValueError, match="must be between") as caught:
        parse_rate(written)
    assert str(caught.value) == message


# -- a refused value ends at the user's line -------------------------------------------------


def test_a_value_refused_through_replace_ends_at_the_users_line(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        from pytest_bzzz import NetworkConditions

        def test_replace():
            NetworkConditions().replace(latency=-1)

        def test_set_failure_rate(mock_dht):
            mock_dht.set_failure_rate(0.5, ops=["nope"])

        def test_set_network_latency(mock_dht):
            mock_dht.set_network_latency(-1)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=3)
    output = result.stdout.str()
    assert "dataclasses.py" not in output
    assert "pytest_bzzz/" not in output
    result.stdout.fnmatch_lines(
        [
            ">       NetworkConditions().replace(latency=-1)",
            "E       ValueError: latency must be * 0 or more, got -1",
            '>       mock_dht.set_failure_rate(0.5, ops=[[]"nope"[]])',
            "E       ValueError: unknown operation 'nope'; *",
            ">       mock_dht.set_network_latency(-1)",
            "E       ValueError: latency must be * 0 or more, got -1",
        ]
    )


def test_replace_refuses_an_unknown_field_naming_the_fields() -> None:
    with pytest.raises(TypeError) as caught:
        NetworkConditions().replace(latncy=1)
    assert str(caught.value) == (
        "NetworkConditions has no field 'latncy'; its fields: latency, jitter, distribution, "
        "failure_rate, failure_ops, timeout, ambiguous_timeouts, max_record_size"
    )
