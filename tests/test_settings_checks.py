"""Every configured value is checked, and bad ones get messages that say what was meant."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pytest_bzzz._settings import SettingError, Sourced, resolve_session

# -- every value given is checked, also one that a higher place overrides ---------------------


@pytest.mark.parametrize(
    ("cli", "env", "ini", "message"),
    [
        ({"latency": "100"}, {"PYTEST_BZZZ_LATENCY": "fast"}, {},
         "latency 'fast' from the PYTEST_BZZZ_LATENCY environment variable: expected a number"),
        ({"latency": "100"}, {}, {"bzzz_latency": "fast"},
         "latency 'fast' from the bzzz_latency ini option: expected a number"),
        ({}, {"PYTEST_BZZZ_CLOCK": "real"}, {"bzzz_clock": "wall"},
         "clock 'wall' from the bzzz_clock ini option: expected 'virtual' or 'real'"),
        ({}, {"PYTEST_BZZZ_JITTER": "1", "BZZZ_JITTER": "lots"}, {},
         "jitter 'lots' from the BZZZ_JITTER environment variable: expected a number"),
        ({"seed": "1"}, {}, {"bzzz_seed": "x"}, "seed 'x' from the bzzz_seed ini option"),
        # the first bad one, in the order of precedence
        ({"failure_rate": "2"}, {"PYTEST_BZZZ_FAILURE_RATE": "3"}, {"bzzz_failure_rate": "4"},
         "failure_rate '2' from the command line"),
        ({"failure_rate": "0.5"}, {"PYTEST_BZZZ_FAILURE_RATE": "3"}, {"bzzz_failure_rate": "4"},
         "failure_rate '3' from the PYTEST_BZZZ_FAILURE_RATE environment variable"),
    ],
)  # fmt: skip
def test_a_bad_value_is_an_error_even_where_a_higher_place_overrides_it(
    cli: dict[str, Any], env: dict[str, str], ini: dict[str, object], message: str
) -> None:
    with pytest.raises(SettingError, match=re.escape(message)):
        resolve_session(cli, env, ini)


def test_last_below_a_seed_that_wins_is_a_good_value_and_needs_no_cache() -> None:
    values = resolve_session({"seed": "5"}, {"PYTEST_BZZZ_SEED": "last"}, {"bzzz_seed": "last"})
    assert values["seed"] == Sourced(5, "from the command line (--bzzz-seed)")


def test_an_xdist_workers_controller_decides_without_reading_the_rest_again() -> None:
    values = resolve_session({"seed": "last"}, {}, {}, controller={"seed": 3}, previous=None)
    assert values["seed"] == Sourced(3, "from the xdist controller")


# -- messages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cli", "env", "ini", "message"),
    [
        ({"latency": "-1"}, {}, {},
         "latency '-1' from the command line (--bzzz-latency): must be 0 or more, got '-1'"),
        ({"timeout": "-2s"}, {}, {}, "timeout '-2s' from the command line (--bzzz-timeout): "
         "must be 0 or more, got '-2s'"),
        ({"jitter": "1e999"}, {}, {}, "must be a finite duration, 0 or more, got '1e999'"),
        ({"failure_rate": "10"}, {}, {}, "failure_rate '10' from the command line "
         "(--bzzz-failure-rate): must be between 0 and 1, got '10'; did you mean '10%'?"),
        ({}, {}, {"bzzz_failure_rate": 50}, "failure_rate 50 from the bzzz_failure_rate ini "
         "option: must be between 0 and 1, got 50; did you mean '50%'?"),
        ({}, {}, {"bzzz_timeout": '"2s"'}, "timeout '\"2s\"' from the bzzz_timeout ini option: "
         "expected a number of milliseconds (250) or a string with a unit ('250ms', '1.5s'), "
         "got '\"2s\"'; an ini file takes values without quotes: bzzz_timeout = 2s"),
        ({}, {}, {"bzzz_seed": "'last'"}, "an ini file takes values without quotes: "
         "bzzz_seed = last"),
        ({}, {"PYTEST_BZZZ_CLOCK": "'real'"}, {}, "write it without the quotes: real"),
    ],
)  # fmt: skip
def test_messages_say_what_is_wrong_and_what_was_probably_meant(
    cli: dict[str, Any], env: dict[str, str], ini: dict[str, object], message: str
) -> None:
    with pytest.raises(SettingError) as caught:
        resolve_session(cli, env, ini)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "ini",
    [{"bzzz_failure_rate": "150%"}, {"bzzz_failure_rate": "101"}, {"bzzz_failure_rate": "1%0"},
     {"bzzz_timeout": '"soon"'}, {"bzzz_timeout": "'2s\""}, {"bzzz_timeout": '"'}],
)  # fmt: skip
def test_no_hint_where_none_would_help(ini: dict[str, object]) -> None:
    with pytest.raises(SettingError) as caught:
        resolve_session({}, {}, ini)
    assert "did you mean" not in str(caught.value)
    assert "quotes" not in str(caught.value)


def test_the_cache_message_reads_as_english() -> None:
    with pytest.raises(SettingError, match="give a seed as a number instead"):
        resolve_session({"seed": "last"}, {}, {}, previous=None)


@pytest.mark.parametrize(
    ("cli", "name", "value"),
    [
        ({"clock": "REAL"}, "clock", "real"),
        ({"clock": " Virtual "}, "clock", "virtual"),
        ({"distribution": "Normal"}, "distribution", "normal"),
        ({"backend": "MEMORY"}, "backend", "memory"),
        ({"timeout": "OFF"}, "timeout", None),
        ({"latency": "250MS"}, "latency", 0.25),
        ({"latency": "1.5S"}, "latency", 1.5),
    ],
)
def test_words_are_read_in_any_case(cli: dict[str, Any], name: str, value: object) -> None:
    assert resolve_session(cli, {}, {})[name].value == value
