"""Where settings are written, as users meet it: every value checked, TOML numbers, the prefix.

- every value given is checked, also one that a higher place overrides;
- pytest 9's native TOML tables take numbers, as the classic ini text takes text;
- the environment's variables are ``PYTEST_BZZZ_<NAME>``; the former ``BZZZ_<NAME>``
  still work, with a deprecation warning;
- messages: quotes copied from TOML into an ini file, words in any case.
"""

from __future__ import annotations

import json
import re

# Imported once here: the hypothesis plugin imports hypothesis at the end of every
# in-process pytester run, which costs about a second each time unless it is loaded.
import hypothesis  # noqa: F401
import pytest

pytest_plugins = ["pytester"]

ASYNCIO = "asyncio_default_fixture_loop_scope"
REPORTER = """
import json

def test_it(bzzz_network):
    conditions = bzzz_network.conditions
    print("RESOLVED " + json.dumps({
        "latency": conditions.latency,
        "jitter": conditions.jitter,
        "failure_rate": conditions.failure_rate,
        "timeout": conditions.timeout,
        "clock": bzzz_network.clock.mode,
    }))
"""
RESOLVED = re.compile(r"RESOLVED (\{.*\})")


def resolved(result: pytest.RunResult) -> dict[str, object]:
    assert result.ret == pytest.ExitCode.OK, result.stdout.str() + result.stderr.str()
    match = RESOLVED.search(result.stdout.str())
    assert match is not None, result.stdout.str()
    values: dict[str, object] = json.loads(match[1])
    return values


def literal(text: str) -> str:
    """An fnmatch pattern that matches exactly ``text``."""
    return re.sub(r"([*?[])", r"[\1]", text)


def usage_error(result: pytest.RunResult, message: str) -> None:
    """The run stopped before any test with ``ERROR: bzzz: <message>``, and no traceback."""
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()
    result.stderr.fnmatch_lines([literal(f"ERROR: bzzz: {message}")])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


# -- every value given is checked -----------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "ini", "args", "message"),
    [
        ({"BZZZ_LATENCY": "fast"}, "", ["--bzzz-latency=100"],
         "latency 'fast' from the BZZZ_LATENCY environment variable: expected a number of "
         "milliseconds (250) or a string with a unit ('250ms', '1.5s'), got 'fast'"),
        ({"PYTEST_BZZZ_LATENCY": "fast"}, "", ["--bzzz-latency=100"],
         "latency 'fast' from the PYTEST_BZZZ_LATENCY environment variable: expected a number of "
         "milliseconds (250) or a string with a unit ('250ms', '1.5s'), got 'fast'"),
        ({}, "bzzz_failure_rate = lots", ["--bzzz-failure-rate=0.5"],
         "failure_rate 'lots' from the bzzz_failure_rate ini option: expected a number between "
         "0 and 1 (or a percentage such as '10%'), got 'lots'"),
        ({"PYTEST_BZZZ_CLOCK": "real"}, "bzzz_clock = wall", [],
         "clock 'wall' from the bzzz_clock ini option: expected 'virtual' or 'real', got 'wall'"),
        ({"PYTEST_BZZZ_SEED": "1", "BZZZ_SEED": "x"}, "", [],
         "seed 'x' from the BZZZ_SEED environment variable: expected a whole number from 0 to "
         "4294967295, got 'x'"),
    ],
)  # fmt: skip
def test_a_bad_value_is_an_error_even_under_one_that_wins(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    ini: str,
    args: list[str],
    message: str,
) -> None:
    pytester.makeini(f"[pytest]\n{ASYNCIO} = function\n{ini}\n")
    pytester.makepyfile(REPORTER)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    usage_error(pytester.runpytest(*args), message)


# -- numbers in TOML, text in ini files ---------------------------------------------------------

NUMBERS = {"latency": 0.25, "jitter": 0.0025, "failure_rate": 0.1, "timeout": 2.0}
NATIVE = "bzzz_latency = 250\nbzzz_jitter = 2.5\nbzzz_failure_rate = 0.1\nbzzz_timeout = 2000\n"


@pytest.mark.skipif(pytest.version_tuple[:2] < (9, 2), reason="numbers in TOML: pytest 9.2+")
def test_the_native_tool_pytest_table_takes_numbers(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml(f'[tool.pytest]\n{ASYNCIO} = "function"\n{NATIVE}')
    pytester.makepyfile(REPORTER)
    result = pytester.runpytest("-s", "-p", "no:cacheprovider")
    assert resolved(result) == {**NUMBERS, "clock": "virtual"}
    assert "pyproject.toml" in result.stdout.str()  # the file pytest read


@pytest.mark.skipif(pytest.version_tuple[:2] < (9, 2), reason="numbers in TOML: pytest 9.2+")
def test_a_pytest_toml_file_takes_numbers(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", pytest=f'[pytest]\n{ASYNCIO} = "function"\n{NATIVE}')
    pytester.makepyfile(REPORTER)
    assert resolved(pytester.runpytest("-s", "-p", "no:cacheprovider")) == {
        **NUMBERS,
        "clock": "virtual",
    }


@pytest.mark.parametrize(
    "config",
    [
        f"[pytest]\n{ASYNCIO} = function\n{NATIVE}",  # the classic ini text
        # pytest's ini_options table: TOML, whose values pytest hands over as text
        f'[tool.pytest.ini_options]\n{ASYNCIO} = "function"\n{NATIVE}',
    ],
)
def test_ini_text_and_the_ini_options_table_take_numbers_as_text(
    pytester: pytest.Pytester, config: str
) -> None:
    if config.startswith("[tool."):
        pytester.makepyprojecttoml(config)
    else:
        pytester.makeini(config)
    pytester.makepyfile(REPORTER)
    assert resolved(pytester.runpytest("-s", "-p", "no:cacheprovider")) == {
        **NUMBERS,
        "clock": "virtual",
    }


def test_an_override_on_the_command_line_is_text(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(REPORTER)
    result = pytester.runpytest("-s", "-p", "no:cacheprovider", "-o", "bzzz_latency=250")
    assert resolved(result)["latency"] == 0.25


@pytest.mark.skipif(pytest.version_tuple[:2] < (9, 2), reason="booleans in TOML: pytest 9.2+")
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("bzzz_ambiguous_timeouts = true", True),
        ("bzzz_ambiguous_timeouts = false", False),
        ("bzzz_ambiguous_timeouts = 1", True),
        ('bzzz_ambiguous_timeouts = "on"', True),
    ],
)
def test_the_native_table_takes_a_boolean_for_an_on_off_setting(
    pytester: pytest.Pytester, line: str, expected: bool
) -> None:
    pytester.makepyprojecttoml(f'[tool.pytest]\n{ASYNCIO} = "function"\n{line}\n')
    pytester.makepyfile(
        """
        def test_it(bzzz_network):
            print("AMBIGUOUS", bzzz_network.conditions.ambiguous_timeouts)
        """
    )
    result = pytester.runpytest("-s", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines([f"*AMBIGUOUS {expected}"])


@pytest.mark.skipif(pytest.version_tuple[:2] < (9, 2), reason="booleans in TOML: pytest 9.2+")
@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("bzzz_latency = true",
         "latency = true from the bzzz_latency ini option: a boolean (true or false) is not a "
         "value of this setting; accepted: a number of milliseconds (250) or a string with a "
         "unit ('250ms', '1.5s')"),
        ("bzzz_failure_rate = false",
         "failure_rate = false from the bzzz_failure_rate ini option: a boolean (true or false) "
         "is not a value of this setting; accepted: a number from 0 to 1 (or a percentage such "
         "as '10%')"),
        ("bzzz_record_calls = true",
         "record_calls = true from the bzzz_record_calls ini option: a boolean (true or false) "
         "is not a value of this setting; accepted: a whole number, 0 or more (0 keeps no "
         "record)"),
    ],
)  # fmt: skip
def test_a_toml_boolean_where_a_number_is_meant_is_a_clear_usage_error(
    pytester: pytest.Pytester, line: str, message: str
) -> None:
    pytester.makepyprojecttoml(f'[tool.pytest]\n{ASYNCIO} = "function"\n{line}\n')
    pytester.makepyfile(REPORTER)
    usage_error(pytester.runpytest(), message)


@pytest.mark.skipif(pytest.version_tuple[:2] < (9, 2), reason="numbers in TOML: pytest 9.2+")
def test_a_toml_value_of_another_type_is_a_clear_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml(f'[tool.pytest]\n{ASYNCIO} = "function"\nbzzz_latency = [1]\n')
    pytester.makepyfile(REPORTER)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: bzzz: latency from the bzzz_latency ini option: *pyproject.toml: config "
            "option 'bzzz_latency' expects one of string | int | float | bool, got list: [[]1]; "
            "accepted: a number of milliseconds (250) or a string with a unit ('250ms', '1.5s')"
        ]
    )


@pytest.mark.skipif(pytest.version_tuple[:2] < (9, 0), reason="native TOML tables: pytest 9+")
def test_where_pytest_reads_only_text_a_toml_number_says_what_to_do(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As pytest 9.0 and 9.1 do: their ini options take only text, also in a TOML table."""
    from pytest_bzzz.plugin import options

    monkeypatch.setattr(options, "_INI_TYPE", None)
    pytester.makepyprojecttoml(f'[tool.pytest]\n{ASYNCIO} = "function"\nbzzz_latency = 250\n')
    pytester.makepyfile(REPORTER)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: bzzz: latency from the bzzz_latency ini option: *pyproject.toml: config "
            "option 'bzzz_latency' expects a string, got int: 250; accepted: a number of "
            "milliseconds (250) or a string with a unit ('250ms', '1.5s') (pytest * reads only "
            "text here: write it in quotes, or use pytest 9.2 or later)"
        ]
    )


def test_quotes_copied_from_toml_into_an_ini_file_are_pointed_out(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(f'[pytest]\n{ASYNCIO} = function\nbzzz_timeout = "2s"\n')
    pytester.makepyfile(REPORTER)
    usage_error(
        pytester.runpytest(),
        "timeout '\"2s\"' from the bzzz_timeout ini option: expected a number of milliseconds "
        "(250) or a string with a unit ('250ms', '1.5s'), got '\"2s\"'; an ini file takes "
        "values without quotes: bzzz_timeout = 2s",
    )


# -- messages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bzzz-latency=-1"],
         "latency '-1' from the command line (--bzzz-latency): must be 0 or more, got '-1'"),
        (["--bzzz-failure-rate=10"],
         "failure_rate '10' from the command line (--bzzz-failure-rate): must be between 0 and "
         "1, got '10'; did you mean '10%'?"),
    ],
)  # fmt: skip
def test_messages_of_the_command_line(
    pytester: pytest.Pytester, args: list[str], message: str
) -> None:
    pytester.makepyfile(REPORTER)
    usage_error(pytester.runpytest(*args), message)


def test_words_are_read_in_any_case(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(REPORTER)
    result = pytester.runpytest("-s", "-p", "no:cacheprovider", "--bzzz-clock=REAL")
    assert resolved(result)["clock"] == "real"


# -- PYTEST_BZZZ_<NAME>, and the deprecated BZZZ_<NAME> --------------------------------------


def test_the_variables_are_prefixed_pytest_bzzz(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(REPORTER)
    monkeypatch.setenv("PYTEST_BZZZ_LATENCY", "40")
    monkeypatch.setenv("BZZZ_LOG_LEVEL", "debug")  # the BZZZ node's own: left alone
    result = pytester.runpytest("-s", "-p", "no:cacheprovider")
    assert resolved(result)["latency"] == 0.04
    result.stdout.no_fnmatch_line("*Warning*")


def test_a_deprecated_variable_still_works_and_says_its_new_name(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(REPORTER)
    monkeypatch.setenv("BZZZ_LATENCY", "30")
    monkeypatch.setenv("BZZZ_JITTER", "1")
    monkeypatch.setenv("PYTEST_BZZZ_JITTER", "2")
    result = pytester.runpytest("-s", "-p", "no:cacheprovider", "-W", "default")
    assert resolved(result) == {
        "latency": 0.03,  # the former name still works
        "jitter": 0.002,  # the new name wins
        "failure_rate": 0.0,
        "timeout": None,
        "clock": "virtual",
    }
    result.stdout.fnmatch_lines(
        [
            "*BzzzDeprecationWarning: the environment variable BZZZ_LATENCY is deprecated: "
            "rename it PYTEST_BZZZ_LATENCY (the BZZZ_ prefix belongs to the BZZZ node's own "
            "configuration)",
            "*BzzzDeprecationWarning: the environment variable BZZZ_JITTER is deprecated, and "
            "overridden by PYTEST_BZZZ_JITTER, which is also set (its value is still checked, "
            "and a bad one is an error): remove BZZZ_JITTER",
        ],
        consecutive=False,
    )


def test_a_deprecated_variable_under_filterwarnings_error_is_a_usage_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini(f"[pytest]\n{ASYNCIO} = function\nfilterwarnings = error\n")
    pytester.makepyfile(REPORTER)
    monkeypatch.setenv("BZZZ_SEED", "3")
    usage_error(
        pytester.runpytest(),
        "the environment variable BZZZ_SEED is deprecated: rename it PYTEST_BZZZ_SEED (the "
        "BZZZ_ prefix belongs to the BZZZ node's own configuration) (BzzzDeprecationWarning, "
        "an error under the warnings filters)",
    )


def test_a_misspelt_variable_is_warned_about_with_the_name_it_resembles(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(REPORTER)
    monkeypatch.setenv("PYTEST_BZZZ_LATNECY", "5")
    result = pytester.runpytest("-W", "default")
    result.stdout.fnmatch_lines(
        [
            "*PytestConfigWarning: the environment variable PYTEST_BZZZ_LATNECY is not one "
            "of pytest-bzzz's, and is ignored; did you mean PYTEST_BZZZ_LATENCY? (they are "
            "PYTEST_BZZZ_AMBIGUOUS_TIMEOUTS, PYTEST_BZZZ_BACKEND, *)"
        ]
    )
    pytester.makeini(f"[pytest]\n{ASYNCIO} = function\nfilterwarnings = error\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: bzzz: the environment variable PYTEST_BZZZ_LATNECY is not one of "
            "pytest-bzzz's, and is ignored; did you mean PYTEST_BZZZ_LATENCY? (they are *) "
            "(PytestConfigWarning, an error under the warnings filters)"
        ]
    )


def test_help_names_the_new_variables(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    text = " ".join(" ".join(result.stdout.lines).split())  # help text is wrapped
    assert "(env PYTEST_BZZZ_LATENCY, ini bzzz_latency)" in text
    assert "env BZZZ_" not in text
