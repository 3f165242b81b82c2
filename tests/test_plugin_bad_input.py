"""Bad marker arguments and bad configuration, as the plugin reports them to users."""

from __future__ import annotations

import pytest

import pytest_bzzz
from tests._plugin_helpers import (
    literal,
)

pytest_plugins = ["pytester"]

ASYNCIO_INI = "asyncio_default_fixture_loop_scope = function"


# -- bad input --------------------------------------------------------------------------

DURATION = "expected a number of milliseconds (250) or a string with a unit ('250ms', '1.5s')"
SIZE = (
    "expected a size in bytes: a whole number, or with a unit ('1MiB', '512KiB', '1000B'), "
    "or None for no limit"
)
LATENCY_SIGNATURE = "latency(ms, *, jitter=0, distribution='uniform')"
OPERATIONS = "known operations: " + ", ".join(sorted(pytest_bzzz.OPERATIONS))


@pytest.mark.parametrize(
    ("marker", "problem"),
    [
        ("flaky_network(1.5)", "rate: must be between 0 and 1, got 1.5; did you mean '1.5%'?"),
        ("flaky_network(-0.1)", "rate: must be between 0 and 1, got -0.1"),
        (
            'flaky_network("often")',
            "rate: expected a number between 0 and 1 (or a percentage such as '10%'), "
            "got 'often'",
        ),
        ("flaky_network()", "missing the argument 'rate'; the signature is "
                            "flaky_network(rate, *, ops=None)"),
        ("flaky_network(0.5, retries=3)", "unknown argument 'retries'; accepted: rate, ops"),
        ('flaky_network(0.5, ops=["get"])', f"ops: unknown operation 'get'; {OPERATIONS}"),
        (
            'flaky_network(0.5, ops=["aget_value"])',
            "ops: unknown operation 'aget_value' ('get_value' covers its async twin "
            f"'aget_value'); {OPERATIONS}",
        ),
        (
            'flaky_network(0.1, ops=["PUT_VALUE"])',
            "ops: unknown operation 'PUT_VALUE': did you mean 'put_value'? (operation names are "
            "in lower case)",
        ),
        ('flaky_network("150%")', "rate: must be between 0% and 100%, got '150%'"),
        ("latency()", f"missing the argument 'ms'; the signature is {LATENCY_SIGNATURE}"),
        ("latency(100, 20)", f"takes 1 positional argument; the signature is {LATENCY_SIGNATURE}"),
        ("latency(100, jiter=20)", "unknown argument 'jiter'; accepted: ms, jitter, distribution"),
        ("latency(100, ms=200)", "'ms' is given twice"),
        ('latency("fast")', f"ms: {DURATION}, got 'fast'"),
        ("latency(-5)", "ms: must be 0 or more, got -5"),
        ('latency(100, jitter="1y")', f"jitter: {DURATION}, got '1y'"),
        (
            'latency(100, distribution="pareto")',
            "distribution: expected 'uniform' or 'normal', got 'pareto'",
        ),
        (
            "bzzz(5)",
            "takes 0 positional arguments; the signature is "
            "bzzz(*, seed=None, clock='virtual', timeout=None, ambiguous_timeouts=False, "
            "max_record_size=None, record_calls=10000, "
            "backend='memory', peers=1, replication=20, value_ttl='36h', provider_ttl='48h', "
            "heartbeat='5s', election_timeout='15s')",
        ),
        (
            'bzzz(colour="red")',
            "unknown argument 'colour'; accepted: seed, clock, timeout, ambiguous_timeouts, "
            "max_record_size, record_calls, backend, "
            "peers, replication, value_ttl, provider_ttl, heartbeat, election_timeout",
        ),
        ('bzzz(clock="fake")', "clock: expected 'virtual' or 'real', got 'fake'"),
        ("bzzz(peers=0)", "peers: expected a whole number, 1 or more, got 0"),
        ('bzzz(value_ttl="forever")', f"value_ttl: {DURATION}, got 'forever'"),
        ("bzzz(heartbeat=0)", "heartbeat: must be more than 0, got 0"),
        ('bzzz(election_timeout="-1s")', "election_timeout: must be 0 or more, got '-1s'"),
        ('bzzz(timeout="soon")', f"timeout: {DURATION}, got 'soon'"),
        ("bzzz(timeout=-5)", "timeout: must be 0 or more, got -5"),
        ("bzzz(seed=-1)", "seed: expected a whole number from 0 to 4294967295, got -1"),
        (
            "bzzz(seed=4294967296)",
            "seed: expected a whole number from 0 to 4294967295, got 4294967296",
        ),
        ("bzzz(seed=1.5)", "seed: expected a whole number from 0 to 4294967295, got 1.5"),
        ("bzzz(record_calls=-1)", "record_calls: expected a whole number, 0 or more, got -1"),
        (
            'bzzz(ambiguous_timeouts="maybe")',
            "ambiguous_timeouts: expected true or false (also yes/no, on/off, 1/0), got 'maybe'",
        ),
        ('bzzz(max_record_size="huge")', f"max_record_size: {SIZE}, got 'huge'"),
        (
            "bzzz(max_record_size=0)",
            "max_record_size: must be 1 byte or more (or None for no limit), got 0",
        ),
    ],
)  # fmt: skip
def test_bad_marker_argument_errors_that_test_only(
    pytester: pytest.Pytester, marker: str, problem: str
) -> None:
    pytester.makepyfile(
        test_bad=f"""
        import pytest

        @pytest.mark.{marker}
        def test_x(bzzz_network):
            pass

        def test_other(mock_dht):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    written = marker.replace('"', "'")  # the message shows the arguments' repr
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at setup of test_x _*",
            literal(f"bzzz: @pytest.mark.{written} on test_x: {problem}"),
        ]
    )
    result.stdout.fnmatch_lines(["ERROR test_bad.py::test_x - Failed: bzzz: @pytest.mark.*"])


def test_bad_marker_on_a_module_or_class_names_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bad_module="""
        import pytest

        pytestmark = pytest.mark.flaky_network(2)

        def test_a(bzzz_network):
            pass
        """,
        test_bad_class="""
        import pytest

        @pytest.mark.latency(100, jitter="lots")
        class TestNetwork:
            def test_b(self, bzzz_network):
                pass

        def test_outside(bzzz_network):
            pass
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(
        [
            literal(
                "bzzz: @pytest.mark.latency(100, jitter='lots') on class TestNetwork: "
                f"jitter: {DURATION}, got 'lots'"
            ),
            literal(
                "bzzz: @pytest.mark.flaky_network(2) on module test_bad_module.py: "
                "rate: must be between 0 and 1, got 2; did you mean '2%'?"
            ),
        ]
    )


@pytest.mark.parametrize(
    ("args", "env", "ini", "message"),
    [
        (
            ["--bzzz-failure-rate=2"], {}, "",
            "failure_rate '2' from the command line (--bzzz-failure-rate): "
            "must be between 0 and 1, got '2'; did you mean '2%'?",
        ),
        (
            ["--bzzz-latency=-5"], {}, "",
            "latency '-5' from the command line (--bzzz-latency): must be 0 or more, got '-5'",
        ),
        (
            ["--bzzz-jitter=1y"], {}, "",
            f"jitter '1y' from the command line (--bzzz-jitter): {DURATION}, got '1y'",
        ),
        (
            ["--bzzz-distribution=pareto"], {}, "",
            "distribution 'pareto' from the command line (--bzzz-distribution): "
            "expected 'uniform' or 'normal', got 'pareto'",
        ),
        (
            ["--bzzz-clock=fast"], {}, "",
            "clock 'fast' from the command line (--bzzz-clock): "
            "expected 'virtual' or 'real', got 'fast'",
        ),
        (
            ["--bzzz-timeout=soon"], {}, "",
            f"timeout 'soon' from the command line (--bzzz-timeout): {DURATION}, got 'soon'",
        ),
        (
            ["--bzzz-ambiguous-timeouts=maybe"], {}, "",
            "ambiguous_timeouts 'maybe' from the command line (--bzzz-ambiguous-timeouts): "
            "expected true or false (also yes/no, on/off, 1/0), got 'maybe'",
        ),
        (
            ["--bzzz-max-record-size=1.5MiB"], {}, "",
            "max_record_size '1.5MiB' from the command line (--bzzz-max-record-size): "
            f"{SIZE}, got '1.5MiB'",
        ),
        (
            [], {"PYTEST_BZZZ_MAX_RECORD_SIZE": "0"}, "",
            "max_record_size '0' from the PYTEST_BZZZ_MAX_RECORD_SIZE environment variable: "
            "must be 1 byte or more (or None for no limit), got '0'",
        ),
        (
            ["--bzzz-record-calls=-1"], {}, "",
            "record_calls '-1' from the command line (--bzzz-record-calls): "
            "expected a whole number, 0 or more, got '-1'",
        ),
        (
            ["--bzzz-seed=abc"], {}, "",
            "seed 'abc' from the command line (--bzzz-seed): "
            "expected a whole number from 0 to 4294967295, got 'abc'",
        ),
        (
            ["--bzzz-seed=4294967296"], {}, "",
            "seed '4294967296' from the command line (--bzzz-seed): "
            "expected a whole number from 0 to 4294967295, got '4294967296'",
        ),
        (
            [], {"PYTEST_BZZZ_FAILURE_RATE": "1.5"}, "",
            "failure_rate '1.5' from the PYTEST_BZZZ_FAILURE_RATE environment variable: "
            "must be between 0 and 1, got '1.5'; did you mean '1.5%'?",
        ),
        (
            [], {"PYTEST_BZZZ_FAILURE_RATE": "abc"}, "",
            "failure_rate 'abc' from the PYTEST_BZZZ_FAILURE_RATE environment variable: "
            "expected a number between 0 and 1 (or a percentage such as '10%'), got 'abc'",
        ),
        (
            [], {"PYTEST_BZZZ_LATENCY": "fast"}, "",
            "latency 'fast' from the PYTEST_BZZZ_LATENCY environment variable: "
            f"{DURATION}, got 'fast'",
        ),
        (
            [], {"PYTEST_BZZZ_JITTER": "-3"}, "",
            "jitter '-3' from the PYTEST_BZZZ_JITTER environment variable: "
            "must be 0 or more, got '-3'",
        ),
        (
            [], {"PYTEST_BZZZ_DISTRIBUTION": "pareto"}, "",
            "distribution 'pareto' from the PYTEST_BZZZ_DISTRIBUTION environment variable: "
            "expected 'uniform' or 'normal', got 'pareto'",
        ),
        (
            [], {"PYTEST_BZZZ_CLOCK": "wall"}, "",
            "clock 'wall' from the PYTEST_BZZZ_CLOCK environment variable: "
            "expected 'virtual' or 'real', got 'wall'",
        ),
        (
            [], {"PYTEST_BZZZ_TIMEOUT": "later"}, "",
            f"timeout 'later' from the PYTEST_BZZZ_TIMEOUT environment variable: {DURATION}, "
            "got 'later'",
        ),
        (
            [], {"PYTEST_BZZZ_RECORD_CALLS": "many"}, "",
            "record_calls 'many' from the PYTEST_BZZZ_RECORD_CALLS environment variable: "
            "expected a whole number, 0 or more, got 'many'",
        ),
        (
            [], {"PYTEST_BZZZ_SEED": "x"}, "",
            "seed 'x' from the PYTEST_BZZZ_SEED environment variable: "
            "expected a whole number from 0 to 4294967295, got 'x'",
        ),
        (
            [], {}, "bzzz_latency = 5 parsecs",
            f"latency '5 parsecs' from the bzzz_latency ini option: {DURATION}, "
            "got '5 parsecs'",
        ),
        (
            [], {}, "bzzz_failure_rate = 200%",
            "failure_rate '200%' from the bzzz_failure_rate ini option: "
            "must be between 0% and 100%, got '200%'",
        ),
        (
            ["--bzzz-failure-rate=150%"], {}, "",
            "failure_rate '150%' from the command line (--bzzz-failure-rate): "
            "must be between 0% and 100%, got '150%'",
        ),
        (
            [], {}, "bzzz_clock = sundial",
            "clock 'sundial' from the bzzz_clock ini option: "
            "expected 'virtual' or 'real', got 'sundial'",
        ),
        (
            [], {}, "bzzz_seed = nope",
            "seed 'nope' from the bzzz_seed ini option: "
            "expected a whole number from 0 to 4294967295, got 'nope'",
        ),
    ],
)  # fmt: skip
def test_bad_configuration_is_a_usage_error(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    ini: str,
    message: str,
) -> None:
    pytester.makeini(f"[pytest]\n{ASYNCIO_INI}\n{ini}\n")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    pytester.makepyfile("def test_x(bzzz_network): pass")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([literal(f"ERROR: bzzz: {message}")])
