"""Settings resolved as plain data: defaults, command line over environment over ini, markers."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pytest_bzzz import NetworkConditions
from pytest_bzzz._settings import (
    SETTINGS,
    MarkerUse,
    SettingError,
    Sourced,
    deprecated_variables,
    parse_session_seed,
    resolve_session,
    resolve_test,
    unknown_variables,
)
from tests._settings_helpers import session, use


def test_defaults() -> None:
    resolved = resolve_test(session(), [], "t.py::test_x", 7)
    assert resolved.conditions == NetworkConditions()
    assert (resolved.clock, resolved.record_calls, resolved.seed) == ("virtual", 10_000, 7)
    assert not resolved.seed_from_marker
    assert resolved.session_seed == 42
    assert resolved.sources["latency"] == "by default"


def test_every_configurable_setting_has_an_option_an_env_var_and_an_ini_name() -> None:
    names = {
        setting.name: (setting.option, setting.env, setting.deprecated_env, setting.ini)
        for setting in SETTINGS
    }
    assert names["latency"] == (
        "--bzzz-latency",
        "PYTEST_BZZZ_LATENCY",
        "BZZZ_LATENCY",
        "bzzz_latency",
    )
    assert names["failure_rate"] == (
        "--bzzz-failure-rate",
        "PYTEST_BZZZ_FAILURE_RATE",
        "BZZZ_FAILURE_RATE",
        "bzzz_failure_rate",
    )
    assert names["record_calls"] == (
        "--bzzz-record-calls",
        "PYTEST_BZZZ_RECORD_CALLS",
        "BZZZ_RECORD_CALLS",
        "bzzz_record_calls",
    )


@pytest.mark.parametrize(
    ("cli", "env", "ini", "latency", "source"),
    [
        ({"latency": "30"}, {"PYTEST_BZZZ_LATENCY": "20"}, {"bzzz_latency": "10"}, 0.03,
         "command line"),
        ({}, {"PYTEST_BZZZ_LATENCY": "20"}, {"bzzz_latency": "10"}, 0.02,
         "from the PYTEST_BZZZ_LATENCY environment"),
        ({}, {"PYTEST_BZZZ_LATENCY": " "}, {"bzzz_latency": "10"}, 0.01,
         "bzzz_latency ini option"),
        ({}, {}, {"bzzz_latency": "1.5s"}, 1.5, "bzzz_latency ini option"),
        ({"latency": None}, {}, {}, 0.0, "by default"),
        # the deprecated name: below the new one, above the ini file
        ({}, {"BZZZ_LATENCY": "20"}, {"bzzz_latency": "10"}, 0.02,
         "from the BZZZ_LATENCY environment"),
        ({}, {"BZZZ_LATENCY": "20", "PYTEST_BZZZ_LATENCY": "40"}, {}, 0.04,
         "from the PYTEST_BZZZ_LATENCY environment"),
        # a number from a native TOML table ([tool.pytest]), as pytest 9.2 hands it over
        ({}, {}, {"bzzz_latency": 250}, 0.25, "bzzz_latency ini option"),
        ({}, {}, {"bzzz_latency": 2.5}, 0.0025, "bzzz_latency ini option"),
    ],
)  # fmt: skip
def test_command_line_over_environment_over_ini_over_default(
    cli: dict[str, Any], env: dict[str, str], ini: dict[str, str], latency: float, source: str
) -> None:
    values = resolve_session(cli, env, ini)
    assert values["latency"].value == pytest.approx(latency)
    assert source in values["latency"].source


@pytest.mark.parametrize(
    ("cli", "env", "ini", "message"),
    [
        (
            {"latency": "fast"},
            {},
            {},
            "latency 'fast' from the command line (--bzzz-latency): expected a number of "
            "milliseconds (250) or a string with a unit ('250ms', '1.5s'), got 'fast'",
        ),
        (
            {},
            {"PYTEST_BZZZ_FAILURE_RATE": "2"},
            {},
            "failure_rate '2' from the PYTEST_BZZZ_FAILURE_RATE environment variable: "
            "must be between 0 and 1, got '2'",
        ),
        (
            {},
            {},
            {"bzzz_clock": "wall"},
            "clock 'wall' from the bzzz_clock ini option: expected 'virtual' or 'real', got 'wall'",
        ),
        ({"record_calls": "-1"}, {}, {}, "record_calls '-1' from the command line"),
        ({"distribution": "pareto"}, {}, {}, "expected 'uniform' or 'normal'"),
        ({"timeout": "soon"}, {}, {}, "timeout 'soon' from the command line"),
    ],
)
def test_bad_configured_values_say_what_where_and_what_is_accepted(
    cli: dict[str, Any], env: dict[str, str], ini: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingError, match=re.escape(message)):
        resolve_session(cli, env, ini)


def test_timeout_can_be_switched_off_in_text() -> None:
    assert resolve_session({"timeout": "off"}, {}, {})["timeout"].value is None
    assert resolve_session({"timeout": "None"}, {}, {})["timeout"].value is None
    assert resolve_session({"timeout": "250"}, {}, {})["timeout"].value == 0.25


def test_closest_marker_wins_per_setting() -> None:
    markers = [
        use("latency", 50),
        use("latency", 10, jitter=5, distribution="normal", where="on module test_m.py"),
    ]
    resolved = resolve_test(session(), markers, "t.py::test_x", 1)
    conditions = resolved.conditions
    assert (conditions.latency, conditions.jitter, conditions.distribution) == (
        0.05,
        0.005,
        "normal",
    )
    assert resolved.sources["latency"] == "from @pytest.mark.latency(50) on test_x"
    assert "on module test_m.py" in resolved.sources["jitter"]


def test_markers_override_the_command_line_only_where_written() -> None:
    configured = session(cli={"jitter": "20", "latency": "100", "clock": "real"})
    resolved = resolve_test(configured, [use("latency", 50)], "t.py::test_x", 1)
    assert (resolved.conditions.latency, resolved.conditions.jitter) == (0.05, 0.02)
    assert resolved.clock == "real"


def test_zero_switches_a_wider_setting_off() -> None:
    markers = [
        use("latency", 0),
        use("flaky_network", 0),
        use("flaky_network", 0.5, ops=["get_value"], where="on class TestX"),
        use("latency", 100, where="on class TestX"),
    ]
    conditions = resolve_test(session(), markers, "t.py::TestX::test_x", 1).conditions
    assert (conditions.latency, conditions.failure_rate) == (0, 0)
    assert conditions.failure_ops == frozenset({"get_value"})


def test_seed_marker_sets_the_test_seed_exactly() -> None:
    resolved = resolve_test(session(), [use("bzzz", seed=123)], "t.py::test_x", 7)
    assert (resolved.seed, resolved.seed_from_marker) == (123, True)
    class_level = [use("bzzz", seed=None), use("bzzz", seed=5, where="on class TestX")]
    assert resolve_test(session(), class_level, "t.py::test_x", 7).seed == 5


def test_bzzz_marker_settings() -> None:
    marker = use("bzzz", clock="real", timeout="1.5s", record_calls=5)
    resolved = resolve_test(session(cli={"timeout": "100"}), [marker], "t.py::test_x", 1)
    assert (resolved.clock, resolved.conditions.timeout, resolved.record_calls) == ("real", 1.5, 5)
    off = resolve_test(session(cli={"timeout": "100"}), [use("bzzz", timeout=None)], "t", 1)
    assert off.conditions.timeout is None


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            use("flaky_network", 1.5),
            "@pytest.mark.flaky_network(1.5) on test_x: rate: must be between 0 and 1, got 1.5",
        ),
        (
            use("latency", "fast"),
            "@pytest.mark.latency('fast') on test_x: ms: expected a number of milliseconds",
        ),
        (use("latency"), "@pytest.mark.latency() on test_x: missing the argument 'ms'"),
        (use("latency", 1, 2), "takes 1 positional argument; the signature is"),
        (use("bzzz", 1), "takes 0 positional arguments"),
        (use("latency", 5, ms=5), "'ms' is given twice"),
        (
            use("latency", 5, jiter=1),
            "unknown argument 'jiter'; accepted: ms, jitter, distribution",
        ),
        (use("flaky_network", 0.1, ops=["get_vaule"]), "unknown operation 'get_vaule'"),
        (use("flaky_network", 0.1, ops=[1]), "operation names must be str"),
        (use("flaky_network", 0.1, ops=3), "expected a list of operation names"),
        (use("bzzz", clock="fast"), "clock: expected 'virtual' or 'real'"),
        (use("bzzz", seed=-3), "seed: expected a whole number from 0 to 4294967295"),
        (use("bzzz", seed="x"), "seed: expected a whole number"),
        (use("bzzz", record_calls=True), "record_calls: expected a whole number"),
        (use("latency", 5, where="on module test_m.py", jitter=-1), "on module test_m.py: jitter"),
    ],
)
def test_bad_marker_arguments_name_marker_argument_and_accepted_values(
    marker: MarkerUse, message: str
) -> None:
    with pytest.raises(SettingError, match=re.escape(message)):
        resolve_test(session(), [marker], "t.py::test_x", 1)


def test_ops_as_comma_separated_text() -> None:
    marker = use("flaky_network", 0.2, ops="get_value, provide")
    conditions = resolve_test(session(), [marker], "t", 1).conditions
    assert conditions.failure_ops == frozenset({"get_value", "provide"})


def test_session_seed_text() -> None:
    assert parse_session_seed("17", "from the command line") == 17
    with pytest.raises(SettingError, match="seed 'x' from the command line: expected a whole"):
        parse_session_seed("x", "from the command line")


def test_text_values_for_each_kind_of_setting() -> None:
    values = resolve_session({"clock": "virtual", "record_calls": "5"}, {}, {})
    assert (values["clock"].value, values["record_calls"].value) == ("virtual", 5)
    marker = use("flaky_network", 0.3, ops=None)
    assert resolve_test(session(), [marker], "t", 1).conditions.failure_ops is None


# -- the environment's prefix: PYTEST_BZZZ_, with the former BZZZ_ still read ---------------


def test_deprecated_variables_say_what_to_do() -> None:
    env = {
        "BZZZ_LATENCY": "10",
        "BZZZ_SEED": "1",
        "PYTEST_BZZZ_SEED": "2",
        "BZZZ_JITTER": " ",  # empty: not set
        "BZZZ_LOG_LEVEL": "debug",  # the BZZZ node's own: none of the plugin's business
        "BZZZ_OPS": "get_value",  # ops is no configurable setting
    }
    assert deprecated_variables(env) == [
        "the environment variable BZZZ_SEED is deprecated, and overridden by PYTEST_BZZZ_SEED, "
        "which is also set (its value is still checked, and a bad one is an error): remove "
        "BZZZ_SEED",
        "the environment variable BZZZ_LATENCY is deprecated: rename it PYTEST_BZZZ_LATENCY "
        "(the BZZZ_ prefix belongs to the BZZZ node's own configuration)",
    ]
    assert deprecated_variables({"PYTEST_BZZZ_LATENCY": "10"}) == []
    values = resolve_session({}, env, {})
    assert values["latency"] == Sourced(0.01, "from the BZZZ_LATENCY environment variable")
    assert values["seed"] == Sourced(2, "from the PYTEST_BZZZ_SEED environment variable")


def test_unknown_variables_are_named_with_the_one_they_resemble() -> None:
    env = {
        "PYTEST_BZZZ_LATENCY": "10",  # a setting's
        "PYTEST_BZZZ_SEEDS": "1",
        "PYTEST_BZZZ_XYZZY": "1",
        "BZZZ_LOG_LEVEL": "debug",  # not the plugin's prefix
    }
    notes = unknown_variables(env)
    assert len(notes) == 2
    assert notes[0].startswith(
        "the environment variable PYTEST_BZZZ_SEEDS is not one of pytest-bzzz's, and is "
        "ignored; did you mean PYTEST_BZZZ_SEED? (they are PYTEST_BZZZ_AMBIGUOUS_TIMEOUTS, "
    )
    assert notes[1].startswith(
        "the environment variable PYTEST_BZZZ_XYZZY is not one of pytest-bzzz's, and is "
        "ignored; (they are "
    )


def test_every_configurable_setting_has_both_names_of_its_variable() -> None:
    for setting in SETTINGS:
        assert setting.env == "PYTEST_" + setting.deprecated_env
        assert setting.deprecated_env == "BZZZ_" + setting.name.upper()


def test_a_deprecated_variable_under_the_new_one_is_overridden_not_ignored() -> None:
    """Its bad value still stops the run, so the warning must not call it ignored."""
    env = {"BZZZ_LATENCY": "fast", "PYTEST_BZZZ_LATENCY": "50"}
    (note,) = deprecated_variables(env)
    assert "ignored" not in note
    assert "overridden by PYTEST_BZZZ_LATENCY" in note
    assert "its value is still checked" in note
    with pytest.raises(SettingError, match="latency 'fast' from the BZZZ_LATENCY environment"):
        resolve_session({}, env, {})
