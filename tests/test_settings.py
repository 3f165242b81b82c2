"""Settings as plain data: the table, sources, precedence (the seed's too), merge, messages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pytest_bzzz import NetworkConditions
from pytest_bzzz._settings import (
    MARKERS,
    SETTINGS,
    MarkerUse,
    SessionSettings,
    Setting,
    SettingError,
    Sourced,
    check_markers,
    deprecated_variables,
    parse_session_seed,
    resolve_session,
    resolve_test,
)
from pytest_bzzz._settings.table import derive_markers


def session(
    cli: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    ini: dict[str, str] | None = None,
) -> SessionSettings:
    return SessionSettings(seed=42, values=resolve_session(cli or {}, env or {}, ini or {}))


def use(name: str, *args: Any, where: str = "on test_x", **kwargs: Any) -> MarkerUse:
    return MarkerUse(name, args, kwargs, where)


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


# -- the table: markers' signatures and help lines, options' help -------------------------

MARKER_HELP = {
    "latency": "latency(ms, *, jitter=0, distribution='uniform'): simulate network latency for "
    "the test, class or module. A number is milliseconds; a string may carry a unit "
    "('250ms', '1.5s'). latency(0) switches a wider latency off.",
    "flaky_network": "flaky_network(rate, *, ops=None): each operation fails with NetworkError "
    "with probability rate (0 to 1); ops limits it to the named operations. "
    "flaky_network(0) switches a wider one off.",
    "bzzz": "bzzz(*, seed=None, clock='virtual', timeout=None, record_calls=10000, "
    "backend='memory'): the test's seed (exactly this one), clock ('virtual' or 'real'), "
    "operation timeout (milliseconds or with a unit), call record size and backend (the "
    "built-in one is 'memory').",
}


def test_marker_help_lines_are_derived_from_the_rows() -> None:
    """What ``pytest --markers`` shows, after ``@pytest.mark.``."""
    assert {name: marker.help for name, marker in MARKERS.items()} == MARKER_HELP
    assert MARKERS["latency"].positional == ("ms",)
    assert MARKERS["latency"].keywords == ("jitter", "distribution")
    assert MARKERS["bzzz"].positional == ()
    assert MARKERS["bzzz"].arguments == ("seed", "clock", "timeout", "record_calls", "backend")


def test_every_marker_argument_is_a_setting_of_the_table() -> None:
    by_marker = {
        name: [setting.name for setting in SETTINGS if setting.marker == name] for name in MARKERS
    }
    assert by_marker == {
        "latency": ["latency", "jitter", "distribution"],
        "flaky_network": ["failure_rate", "ops"],
        "bzzz": ["seed", "clock", "timeout", "record_calls", "backend"],
    }
    assert MARKERS["flaky_network"].setting("rate").name == "failure_rate"


def test_a_new_row_is_all_a_new_marker_argument_needs() -> None:
    backend = Setting("backend", str, "memory", "a backend's name", "the backend", marker="bzzz")
    markers = derive_markers(
        [("bzzz", "what it does."), ("latency", "how slow.")],
        [*SETTINGS[:1], Setting("latency", float, 0.0, "", "", marker="latency", argument="ms",
                                positional=True), backend],
    )  # fmt: skip
    assert markers["bzzz"].help == "bzzz(*, seed=None, backend='memory'): what it does."
    assert markers["latency"].signature == "latency(ms)"
    assert backend.option_help == (
        "the backend: a backend's name (env PYTEST_BZZZ_BACKEND, ini bzzz_backend)"
    )
    assert (backend.option, backend.dest, backend.option_metavar) == (
        "--bzzz-backend",
        "bzzz_backend",
        "BACKEND",
    )


def test_the_table_refuses_a_row_of_no_known_marker() -> None:
    with pytest.raises(ValueError, match="setting 'x': no marker 'nope'"):
        derive_markers([("bzzz", "")], [Setting("x", str, "", "", "", marker="nope")])
    with pytest.raises(ValueError, match="positional, but of no marker"):
        derive_markers([], [Setting("x", str, "", "", "", positional=True)])
    twice = Setting("y", str, "", "", "", marker="bzzz", argument="x")
    with pytest.raises(ValueError, match="repeat"):
        derive_markers([("bzzz", "")], [Setting("x", str, "", "", "", marker="bzzz"), twice])


def test_the_seed_is_a_row_like_every_other() -> None:
    seed = next(setting for setting in SETTINGS if setting.name == "seed")
    assert (seed.option, seed.dest, seed.env, seed.ini, seed.option_metavar) == (
        "--bzzz-seed",
        "bzzz_seed",
        "PYTEST_BZZZ_SEED",
        "bzzz_seed",
        "N|last",
    )
    assert seed.option_help == (
        "session seed every test's seed derives from: a whole number from 0 to 4294967295, "
        "or 'last' for the previous run's (env PYTEST_BZZZ_SEED, ini bzzz_seed)"
    )
    assert seed.ini_help == (
        "pytest-bzzz: session seed every test's seed derives from "
        "(a whole number from 0 to 4294967295, or 'last' for the previous run's)"
    )
    assert [setting.name for setting in SETTINGS if setting.per_run] == ["seed"]
    assert [setting.name for setting in SETTINGS if not setting.configurable] == ["ops"]


# -- the session seed's precedence ----------------------------------------------------------


class FakeCache:
    """Reads the previous run's values as ``resolve_session`` asks for them, by setting name."""

    def __init__(self, **recorded: object) -> None:
        self.recorded = recorded
        self.asked: list[str] = []

    def __call__(self, name: str) -> object:
        self.asked.append(name)
        return self.recorded.get(name)


@pytest.mark.parametrize(
    ("controller", "cli", "env", "ini", "seed", "source"),
    [
        ({"seed": 5}, {"seed": "1"}, {"PYTEST_BZZZ_SEED": "2"}, {"bzzz_seed": "3"}, 5,
         "from the xdist controller"),
        (None, {"seed": "1"}, {"PYTEST_BZZZ_SEED": "2"}, {"bzzz_seed": "3"}, 1,
         "from the command line (--bzzz-seed)"),
        ({}, {"seed": None}, {"PYTEST_BZZZ_SEED": "2"}, {"bzzz_seed": "3"}, 2,
         "from the PYTEST_BZZZ_SEED environment variable"),
        (None, {}, {"PYTEST_BZZZ_SEED": "  "}, {"bzzz_seed": "3"}, 3,
         "from the bzzz_seed ini option"),
        (None, {"seed": "last"}, {"PYTEST_BZZZ_SEED": "2"}, {}, 777,
         "the previous run's (--bzzz-seed=last)"),
        (None, {}, {"PYTEST_BZZZ_SEED": " last "}, {"bzzz_seed": "3"}, 777,
         "the previous run's (--bzzz-seed=last)"),
        (None, {}, {"BZZZ_SEED": "LAST"}, {"bzzz_seed": "3"}, 777,
         "the previous run's (--bzzz-seed=last)"),
        (None, {}, {}, {"bzzz_seed": "last"}, 777, "the previous run's (--bzzz-seed=last)"),
    ],
)  # fmt: skip
def test_session_seed_from_controller_command_line_environment_ini_or_last(
    controller: dict[str, object] | None,
    cli: dict[str, Any],
    env: dict[str, str],
    ini: dict[str, str],
    seed: int,
    source: str,
) -> None:
    cache = FakeCache(seed=777)
    values = resolve_session(cli, env, ini, controller=controller, previous=cache)
    assert (values["seed"].value, values["seed"].source) == (seed, source)
    assert cache.asked == (["seed"] if seed == 777 else [])
    assert SessionSettings.from_values(values).seed == seed


@pytest.mark.parametrize("recorded", [None, "x", -1, 2**32, True])
def test_last_without_a_recorded_seed_is_a_fresh_one(recorded: object) -> None:
    values = resolve_session({"seed": "last"}, {}, {}, previous=FakeCache(seed=recorded))
    assert values["seed"].source == "fresh: no previous run's seed is recorded"
    assert 0 <= values["seed"].value < 2**32


def test_a_fresh_seed_when_nothing_gives_one() -> None:
    cache = FakeCache(seed=777)
    values = resolve_session({}, {}, {}, previous=cache)
    assert values["seed"].source == "fresh"
    assert 0 <= values["seed"].value < 2**32
    assert cache.asked == []


@pytest.mark.parametrize(
    ("cli", "env", "ini", "source"),
    [
        ({"seed": "last"}, {}, {}, "from the command line (--bzzz-seed)"),
        ({}, {"PYTEST_BZZZ_SEED": "last"}, {}, "from the PYTEST_BZZZ_SEED environment variable"),
        ({}, {"BZZZ_SEED": "last"}, {}, "from the BZZZ_SEED environment variable"),
        ({}, {}, {"bzzz_seed": "last"}, "from the bzzz_seed ini option"),
    ],
)
def test_last_needs_a_memory_of_the_previous_run(
    cli: dict[str, Any], env: dict[str, str], ini: dict[str, str], source: str
) -> None:
    message = (
        f"seed 'last' {source} needs pytest's cache to remember the previous run's seed, but "
        "the cacheprovider plugin is disabled (-p no:cacheprovider); give a seed as a number "
        "instead"
    )
    with pytest.raises(SettingError) as caught:
        resolve_session(cli, env, ini, previous=None)
    assert str(caught.value) == message


def test_a_bad_session_seed_names_where_it_came_from() -> None:
    with pytest.raises(SettingError, match=re.escape("seed 'x' from the xdist controller")):
        resolve_session({}, {}, {}, controller={"seed": "x"})
    with pytest.raises(SettingError, match=re.escape("seed 'later' from the command line")):
        resolve_session({"seed": "later"}, {}, {}, previous=FakeCache())


def test_the_seed_is_decided_before_the_other_settings() -> None:
    """As the seed's option was read first before: its error is the one reported."""
    with pytest.raises(SettingError, match=r"^seed 'x'"):
        resolve_session({"seed": "x", "latency": "fast"}, {}, {})


# -- each test's seed -------------------------------------------------------------------------


def test_a_tests_seed_and_where_it_came_from() -> None:
    values = resolve_session({"seed": "9"}, {}, {})
    configured = SessionSettings.from_values(values)
    derived = resolve_test(configured, [], "t.py::test_x", 7)
    assert (derived.seed, derived.session_seed, derived.seed_from_marker) == (7, 9, False)
    assert derived.sources["seed"] == (
        "derived from the session seed, from the command line (--bzzz-seed)"
    )
    assert derived.values["seed"] == 7
    marked = resolve_test(configured, [use("bzzz", seed=3)], "t.py::test_x", 7)
    assert (marked.seed, marked.seed_from_marker) == (3, True)
    assert marked.sources["seed"] == "from @pytest.mark.bzzz(seed=3) on test_x"
    assert marked.values["clock"] == "virtual"


def test_a_markers_seed_none_is_not_written() -> None:
    resolved = resolve_test(session(), [use("bzzz", seed=None)], "t.py::test_x", 7)
    assert (resolved.seed, resolved.seed_from_marker) == (7, False)


def test_every_markers_seed_is_checked_as_every_other_argument() -> None:
    wider = [use("bzzz", seed=1), use("bzzz", seed=-1, where="on module test_m.py")]
    with pytest.raises(SettingError, match=re.escape("(seed=-1) on module test_m.py: seed:")):
        resolve_test(session(), wider, "t.py::test_x", 7)


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
        "the environment variable BZZZ_SEED is deprecated, and ignored since PYTEST_BZZZ_SEED "
        "is set: remove BZZZ_SEED",
        "the environment variable BZZZ_LATENCY is deprecated: rename it PYTEST_BZZZ_LATENCY "
        "(the BZZZ_ prefix belongs to the BZZZ node's own configuration)",
    ]
    assert deprecated_variables({"PYTEST_BZZZ_LATENCY": "10"}) == []
    values = resolve_session({}, env, {})
    assert values["latency"] == Sourced(0.01, "from the BZZZ_LATENCY environment variable")
    assert values["seed"] == Sourced(2, "from the PYTEST_BZZZ_SEED environment variable")


def test_every_configurable_setting_has_both_names_of_its_variable() -> None:
    for setting in SETTINGS:
        assert setting.env == "PYTEST_" + setting.deprecated_env
        assert setting.deprecated_env == "BZZZ_" + setting.name.upper()


# -- a rerun of the previous run's failures (--lf) reuses its seed ---------------------------


def test_a_rerun_reuses_the_previous_runs_seed_when_nothing_gives_one() -> None:
    cache = FakeCache(seed=777)
    values = resolve_session({}, {}, {}, previous=cache, rerun="--lf")
    assert values["seed"] == Sourced(777, "the previous run's (reused for --lf)")
    assert values["latency"] == Sourced(0.0, "by default")  # only what is remembered


@pytest.mark.parametrize(
    ("cli", "env", "ini", "seed"),
    [
        ({"seed": "5"}, {}, {}, 5),
        ({}, {"PYTEST_BZZZ_SEED": "6"}, {}, 6),
        ({}, {}, {"bzzz_seed": "7"}, 7),
        ({}, {}, {"bzzz_seed": "last"}, 777),
    ],
)
def test_a_rerun_keeps_a_seed_given_by_hand(
    cli: dict[str, Any], env: dict[str, str], ini: dict[str, object], seed: int
) -> None:
    values = resolve_session(cli, env, ini, previous=FakeCache(seed=777), rerun="--ff")
    assert values["seed"].value == seed
    assert "reused" not in values["seed"].source


@pytest.mark.parametrize("previous", [FakeCache(), FakeCache(seed="junk"), None])
def test_a_rerun_without_a_recorded_seed_gets_a_fresh_one(previous: FakeCache | None) -> None:
    values = resolve_session({}, {}, {}, previous=previous, rerun="--sw")
    assert values["seed"].source == "fresh: no previous run's seed is recorded"


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


# -- markers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("ms", [0, 0.0, "0", "0ms", " 0 s ", "0.0"])
def test_latency_0_in_any_spelling_switches_a_wider_jitter_off(ms: object) -> None:
    configured = session(cli={"latency": "100", "jitter": "20"})
    resolved = resolve_test(configured, [use("latency", ms)], "t.py::test_x", 1)
    assert (resolved.conditions.latency, resolved.conditions.jitter) == (0, 0)
    assert resolved.sources["jitter"] == f"from @pytest.mark.latency({ms!r}) on test_x"
    own = resolve_test(configured, [use("latency", ms, jitter="5")], "t.py::test_x", 1)
    assert own.conditions.jitter == 0.005
    wider = [use("latency", ms), use("latency", 50, jitter=10, where="on module test_m.py")]
    assert resolve_test(configured, wider, "t.py::test_x", 1).conditions.jitter == 0


@pytest.mark.parametrize("ops", [[], (), set(), frozenset(), "", " , "])
def test_an_empty_ops_is_refused(ops: object) -> None:
    marker = use("flaky_network", 0.1, ops=ops)
    with pytest.raises(SettingError) as caught:
        resolve_test(session(), [marker], "t.py::test_x", 1)
    assert str(caught.value) == (
        f"@pytest.mark.flaky_network(0.1, ops={ops!r}) on test_x: ops: no operation is named; "
        "leave ops out (or give ops=None) for every operation, or give flaky_network(0) to "
        "switch failures off"
    )


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (use("flaky_network", "10"),
         "rate: must be between 0 and 1, got '10'; did you mean '10%'?"),
        (use("flaky_network", 10), "rate: must be between 0 and 1, got 10; did you mean '10%'?"),
        (use("flaky_network", 12.5), "got 12.5; did you mean '12.5%'?"),
        (use("latency", -1), "ms: must be 0 or more, got -1"),
        (use("latency", "-1ms"), "ms: must be 0 or more, got '-1ms'"),
        (use("flaky_network", 0.1, ops=[["get_value"]]),
         "ops: operation names must be str, got list ['get_value']"),
    ],
)  # fmt: skip
def test_marker_messages(marker: MarkerUse, message: str) -> None:
    with pytest.raises(SettingError) as caught:
        resolve_test(session(), [marker], "t.py::test_x", 1)
    assert str(caught.value).endswith(message)


def test_words_in_markers_are_read_in_any_case() -> None:
    marker = use("bzzz", clock="Real", backend="Memory")
    resolved = resolve_test(session(), [marker, use("latency", 1, distribution="NORMAL")], "t", 1)
    assert (resolved.clock, resolved.backend, resolved.conditions.distribution) == (
        "real",
        "memory",
        "normal",
    )


def test_check_markers_checks_what_resolve_test_would() -> None:
    check_markers([use("latency", 5), use("bzzz", seed=None, where="on class TestX")])
    with pytest.raises(SettingError, match=re.escape("on class TestX: clock: expected")):
        check_markers([use("latency", 5), use("bzzz", clock="wall", where="on class TestX")])
    with pytest.raises(SettingError, match="unknown argument 'jiter'"):
        check_markers([use("latency", 5, jiter=1)])


def test_a_marker_use_as_written() -> None:
    assert use("latency", 5, jitter="1ms").text == "@pytest.mark.latency(5, jitter='1ms') on test_x"
