"""The network side of the pytest plugin, as users meet it.

Fixtures, markers, bad input, seeds and reproducing failures, determinism,
pytest-xdist, pytest-asyncio, the plugin's hooks and ``-p no:bzzz``. Each test
runs pytest on small test files with ``pytester``; precedence between markers,
command line, environment and ini has its own module, ``test_precedence.py``.
"""

from __future__ import annotations

import os
import re

# Imported once here: the hypothesis plugin imports hypothesis at the end of every
# in-process pytester run, which costs about a second each time unless it is loaded.
import hypothesis  # noqa: F401
import pytest

import pytest_bzzz

pytest_plugins = ["pytester"]

ASYNCIO_INI = "asyncio_default_fixture_loop_scope = function"
HEADER = re.compile(r"^bzzz: seed=(\d+), .*; reproduce with --bzzz-seed=(\d+)$", re.MULTILINE)
SEED_LINE = re.compile(r"SEED (\S+) (\d+)")


@pytest.fixture(autouse=True)
def _no_bzzz_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runs read os.environ: start each test without any (PYTEST_)BZZZ_* variable."""
    for name in list(os.environ):
        if name.startswith(("BZZZ_", "PYTEST_BZZZ_")):
            monkeypatch.delenv(name)


def literal(text: str) -> str:
    """An fnmatch pattern that matches exactly ``text``."""
    return re.sub(r"([*?[])", r"[\1]", text)


def header_seed(result: pytest.RunResult) -> int:
    """The session seed the report header shows (checking both numbers in it agree)."""
    match = HEADER.search(result.stdout.str())
    assert match is not None, result.stdout.str()
    assert match[1] == match[2]
    return int(match[1])


def printed_seeds(result: pytest.RunResult) -> dict[str, int]:
    """``SEED <nodeid> <seed>`` lines printed by the inner tests (run with -s)."""
    return {m[1]: int(m[2]) for m in SEED_LINE.finditer(result.stdout.str())}


def failure_blocks(result: pytest.RunResult) -> dict[str, str]:
    """Each failed test's block of the FAILURES part of the report, by test name."""
    text = result.stdout.str()
    assert "= FAILURES =" in text, text
    failures = text.split("= FAILURES =", 1)[1].split("short test summary info", 1)[0]
    parts = re.split(r"^_+ (\S+) _+$", failures, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def has_bzzz_section(block: str) -> bool:
    return re.search(r"^-+ bzzz -+$", block, re.MULTILINE) is not None


PRINT_SEED = """
import pytest

def test_{name}(bzzz_network, request):
    print("SEED", request.node.nodeid, bzzz_network.seed)
"""


# -- fixtures ---------------------------------------------------------------------------


def test_fixtures_give_a_world_and_a_dht_on_that_same_world(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        import pytest_bzzz

        def test_first(bzzz_network, mock_dht):
            assert isinstance(bzzz_network, pytest_bzzz.World)
            assert isinstance(mock_dht, pytest_bzzz.MockDHT)
            assert mock_dht.world is bzzz_network
            mock_dht.put_value("k", b"v")
            assert bzzz_network.storage.get("k") == b"v"
            assert [call.op for call in bzzz_network.calls()] == ["put_value"]

        def test_second_gets_a_fresh_world(mock_dht):
            with pytest.raises(pytest_bzzz.NotFoundError):
                mock_dht.get_value("k")
            assert mock_dht.world.clock.now() == 0
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_fixtures_are_function_scoped(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="module")
        def shared(bzzz_network):
            return bzzz_network

        def test_shared(shared):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ScopeMismatch: You tried to access the function scoped fixture bzzz_network "
            "with a module scoped request object*"
        ]
    )


# -- markers ----------------------------------------------------------------------------


def test_markers_are_registered_with_their_signature(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(
        [
            literal("@pytest.mark.latency(ms, *, jitter=0, distribution='uniform'): ") + "*",
            literal("@pytest.mark.flaky_network(rate, *, ops=None): ") + "*",
            literal(
                "@pytest.mark.bzzz(*, seed=None, clock='virtual', timeout=None, "
                "record_calls=10000, backend='memory'): "
            )
            + "*",
        ],
        consecutive=False,
    )


def test_markers_are_known_under_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.latency(10)
        @pytest.mark.flaky_network(0.1)
        @pytest.mark.bzzz(seed=1)
        def test_marked(bzzz_network):
            pass
        """
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("marker", "latency", "jitter", "distribution"),
    [
        ("latency(250)", 0.25, 0.0, "uniform"),
        ("latency(0.5)", 0.0005, 0.0, "uniform"),
        ('latency("250ms")', 0.25, 0.0, "uniform"),
        ('latency("1.5s")', 1.5, 0.0, "uniform"),
        ('latency(100, jitter="10ms", distribution="normal")', 0.1, 0.01, "normal"),
        ('latency("2s", jitter=500)', 2.0, 0.5, "uniform"),
    ],
)
def test_latency_marker_takes_milliseconds_or_a_unit(
    pytester: pytest.Pytester, marker: str, latency: float, jitter: float, distribution: str
) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.{marker}
        def test_latency(bzzz_network):
            conditions = bzzz_network.conditions
            assert conditions.latency == pytest.approx({latency!r})
            assert conditions.jitter == pytest.approx({jitter!r})
            assert conditions.distribution == {distribution!r}
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_latency_marker_makes_operations_take_simulated_time(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.latency(250)
        def test_latency(mock_dht, bzzz_network):
            mock_dht.put_value("k", b"v")
            assert mock_dht.get_value("k") == b"v"
            assert bzzz_network.clock.now() == pytest.approx(0.5)
            assert [call.latency for call in mock_dht.calls()] == pytest.approx([0.25, 0.25])

        @pytest.mark.latency(100, jitter=50)
        def test_jitter(mock_dht):
            for i in range(50):
                mock_dht.put_value(f"k{i}", b"v")
            latencies = [call.latency for call in mock_dht.calls()]
            assert all(0.05 <= latency <= 0.15 for latency in latencies)
            assert len(set(latencies)) > 1
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_flaky_network_marker_sets_rate_and_operations(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_bzzz import NetworkError

        @pytest.mark.flaky_network(0.25)
        def test_rate(bzzz_network):
            assert bzzz_network.conditions.failure_rate == 0.25
            assert bzzz_network.conditions.failure_ops is None

        @pytest.mark.flaky_network("10%")
        def test_percentage(bzzz_network):
            assert bzzz_network.conditions.failure_rate == pytest.approx(0.1)

        @pytest.mark.flaky_network(1, ops=["get_value"])
        def test_ops(mock_dht, bzzz_network):
            assert bzzz_network.conditions.failure_rate == 1
            assert bzzz_network.conditions.failure_ops == frozenset({"get_value"})
            mock_dht.put_value("k", b"v")
            mock_dht.provide("k", "12D3KooWProvider")
            with pytest.raises(NetworkError):
                mock_dht.get_value("k")
            assert [call.outcome for call in mock_dht.calls()] == ["ok", "ok", "failed"]

        @pytest.mark.flaky_network(1)
        def test_everything_fails(mock_dht):
            with pytest.raises(NetworkError):
                mock_dht.put_value("k", b"v")
            with pytest.raises(NetworkError):
                mock_dht.find_providers("k")
        """
    )
    pytester.runpytest().assert_outcomes(passed=4)


def test_bzzz_marker_sets_seed_clock_timeout_and_record(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_bzzz import NetworkTimeout

        @pytest.mark.bzzz(seed=1234, clock="real", timeout="1.5s", record_calls=3)
        def test_all(bzzz_network):
            assert bzzz_network.seed == 1234
            assert bzzz_network.clock.mode == "real"
            assert bzzz_network.conditions.timeout == 1.5

        @pytest.mark.bzzz(clock="virtual", timeout=100)
        @pytest.mark.latency(500)
        def test_timeout(mock_dht, bzzz_network):
            assert bzzz_network.clock.mode == "virtual"
            assert bzzz_network.conditions.timeout == pytest.approx(0.1)
            with pytest.raises(NetworkTimeout):
                mock_dht.put_value("k", b"v")
            assert bzzz_network.clock.now() == pytest.approx(0.1)

        @pytest.mark.bzzz(record_calls=3)
        def test_record(mock_dht):
            for i in range(5):
                mock_dht.put_value(f"k{i}", b"v")
            assert [call.key for call in mock_dht.calls()] == ["k2", "k3", "k4"]
            assert mock_dht.stats.total == 5

        @pytest.mark.bzzz(record_calls=0)
        def test_no_record(mock_dht):
            mock_dht.put_value("k", b"v")
            assert mock_dht.stats.total == 1
            with pytest.raises(RuntimeError, match="the record of calls is off"):
                mock_dht.calls()
        """
    )
    pytester.runpytest().assert_outcomes(passed=4)


def test_markers_apply_to_modules_and_classes_closest_first(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = [pytest.mark.latency(100, jitter=20), pytest.mark.flaky_network(0.5)]

        def test_module(bzzz_network):
            assert bzzz_network.conditions.latency == pytest.approx(0.1)
            assert bzzz_network.conditions.jitter == pytest.approx(0.02)
            assert bzzz_network.conditions.failure_rate == 0.5

        @pytest.mark.latency(50)
        def test_own_latency_keeps_module_jitter(bzzz_network):
            assert bzzz_network.conditions.latency == pytest.approx(0.05)
            assert bzzz_network.conditions.jitter == pytest.approx(0.02)

        @pytest.mark.flaky_network(0)
        def test_flaky_network_0_switches_failures_off(mock_dht, bzzz_network):
            assert bzzz_network.conditions.failure_rate == 0
            for i in range(20):
                mock_dht.put_value(f"k{i}", b"v")

        @pytest.mark.latency(300)
        class TestClass:
            def test_class(self, bzzz_network):
                assert bzzz_network.conditions.latency == pytest.approx(0.3)
                assert bzzz_network.conditions.jitter == pytest.approx(0.02)
                assert bzzz_network.conditions.failure_rate == 0.5

            @pytest.mark.latency(0, jitter=0)
            def test_latency_0_switches_latency_off(self, mock_dht, bzzz_network):
                assert bzzz_network.conditions.latency == 0
                assert bzzz_network.conditions.jitter == 0
                mock_dht.set_failure_rate(0)
                mock_dht.put_value("k", b"v")
                assert bzzz_network.clock.now() == 0
        """
    )
    pytester.runpytest().assert_outcomes(passed=5)


def test_latency_0_switches_a_wider_latency_with_jitter_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.latency(100, jitter=20)

        @pytest.mark.latency(0)
        def test_no_latency(mock_dht, bzzz_network):
            for i in range(20):
                mock_dht.put_value(f"k{i}", b"v")
            assert [call.latency for call in mock_dht.calls()] == [0.0] * 20
            assert bzzz_network.clock.now() == 0
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


# -- bad input --------------------------------------------------------------------------

DURATION = "expected a number of milliseconds (250) or a string with a unit ('250ms', '1.5s')"
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
        ("latency()", f"missing the argument 'ms'; the signature is {LATENCY_SIGNATURE}"),
        ("latency(100, 20)", f"takes 1 positional argument; the signature is {LATENCY_SIGNATURE}"),
        ("latency(100, jiter=20)", "unknown argument 'jiter'; accepted: ms, jitter, distribution"),
        ("latency(100, ms=200)", "'ms' is given twice"),
        ('latency("fast")', f"ms: {DURATION}, got 'fast'"),
        ("latency(-5)", "ms: must be 0 or more, got -5"),
        ('latency(100, jitter="1h")', f"jitter: {DURATION}, got '1h'"),
        (
            'latency(100, distribution="pareto")',
            "distribution: expected 'uniform' or 'normal', got 'pareto'",
        ),
        (
            "bzzz(5)",
            "takes 0 positional arguments; the signature is "
            "bzzz(*, seed=None, clock='virtual', timeout=None, record_calls=10000, "
            "backend='memory')",
        ),
        (
            'bzzz(colour="red")',
            "unknown argument 'colour'; accepted: seed, clock, timeout, record_calls, backend",
        ),
        ('bzzz(clock="fake")', "clock: expected 'virtual' or 'real', got 'fake'"),
        ('bzzz(timeout="soon")', f"timeout: {DURATION}, got 'soon'"),
        ("bzzz(timeout=-5)", "timeout: must be 0 or more, got -5"),
        ("bzzz(seed=-1)", "seed: expected a whole number from 0 to 4294967295, got -1"),
        (
            "bzzz(seed=4294967296)",
            "seed: expected a whole number from 0 to 4294967295, got 4294967296",
        ),
        ("bzzz(seed=1.5)", "seed: expected a whole number from 0 to 4294967295, got 1.5"),
        ("bzzz(record_calls=-1)", "record_calls: expected a whole number, 0 or more, got -1"),
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
            ["--bzzz-jitter=1h"], {}, "",
            f"jitter '1h' from the command line (--bzzz-jitter): {DURATION}, got '1h'",
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
            "must be between 0 and 1, got '200%'",
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


# -- seeds ------------------------------------------------------------------------------


def test_header_shows_the_session_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(bzzz_network): pass")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    header_seed(result)
    result = pytester.runpytest("--bzzz-seed=31337")
    assert header_seed(result) == 31337
    result.stdout.fnmatch_lines(
        ["bzzz: seed=31337, from the command line (--bzzz-seed); reproduce with --bzzz-seed=31337"]
    )
    result = pytester.runpytest("-q", "--bzzz-seed=31337")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*bzzz: seed=*")


def test_session_seed_decides_every_test_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PRINT_SEED.format(name="a") + PRINT_SEED.format(name="b"))
    first = printed_seeds(pytester.runpytest("-s", "--bzzz-seed=1000"))
    again = printed_seeds(pytester.runpytest("-s", "--bzzz-seed=1000"))
    other = printed_seeds(pytester.runpytest("-s", "--bzzz-seed=1001"))
    assert set(first) == {"test_session_seed_decides_every_test_seed.py::test_a",
                          "test_session_seed_decides_every_test_seed.py::test_b"}  # fmt: skip
    assert first == again
    assert len(set(first.values())) == 2, "two tests got the same seed"
    assert set(other.values()).isdisjoint(first.values())


def test_seed_last_reuses_the_previous_runs_seed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(PRINT_SEED.format(name="a"))
    first = pytester.runpytest("-s", "--bzzz-seed=last")  # nothing recorded yet: a fresh one
    first.assert_outcomes(passed=1)
    second = pytester.runpytest("-s", "--bzzz-seed=last")
    assert header_seed(second) == header_seed(first)
    assert printed_seeds(second) == printed_seeds(first)
    assert header_seed(pytester.runpytest("--bzzz-seed=777")) == 777
    assert header_seed(pytester.runpytest("--bzzz-seed=last")) == 777
    monkeypatch.setenv("PYTEST_BZZZ_SEED", "last")
    assert header_seed(pytester.runpytest()) == 777


def test_seed_last_needs_the_cache(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(bzzz_network): pass")
    result = pytester.runpytest("-p", "no:cacheprovider", "--bzzz-seed=last")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            literal(
                "ERROR: bzzz: seed 'last' from the command line (--bzzz-seed) needs pytest's "
                "cache to remember the previous run's seed, but the cacheprovider plugin is "
                "disabled (-p no:cacheprovider); give a seed as a number instead"
            )
        ]
    )


def test_everything_else_works_without_the_cache(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.latency(100)
        @pytest.mark.flaky_network(0.5, ops=["get_value"])
        def test_marked(mock_dht, bzzz_network):
            mock_dht.put_value("k", b"v")
            assert bzzz_network.clock.now() == pytest.approx(0.1)

        @pytest.mark.bzzz(seed=5)
        def test_fails(bzzz_network):
            assert bzzz_network.seed == 6
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    header_seed(result)
    assert has_bzzz_section(failure_blocks(result)["test_fails"])
    result = pytester.runpytest("-p", "no:cacheprovider", "--bzzz-seed=12")
    assert header_seed(result) == 12


def test_bzzz_marker_sets_the_test_seed_exactly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.bzzz(seed=0)
        def test_zero(bzzz_network):
            assert bzzz_network.seed == 0

        @pytest.mark.bzzz(seed=4294967295)
        def test_largest(bzzz_network):
            assert bzzz_network.seed == 4294967295

        @pytest.mark.bzzz(seed=42)
        def test_42(mock_dht):
            assert mock_dht.world.seed == 42
        """
    )
    pytester.runpytest("--bzzz-seed=7").assert_outcomes(passed=3)
    pytester.runpytest("--bzzz-seed=8").assert_outcomes(passed=3)


def test_test_seed_does_not_depend_on_selection_or_order(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_one=PRINT_SEED.format(name="a") + PRINT_SEED.format(name="b"),
        test_two=PRINT_SEED.format(name="c"),
    )
    everything = printed_seeds(pytester.runpytest("-s", "--bzzz-seed=99"))
    assert len(set(everything.values())) == 3
    selected = printed_seeds(pytester.runpytest("-s", "--bzzz-seed=99", "-k", "test_b"))
    assert selected == {"test_one.py::test_b": everything["test_one.py::test_b"]}
    reordered = pytester.runpytest(
        "-s", "--bzzz-seed=99", "test_two.py", "test_one.py::test_b", "test_one.py::test_a"
    )
    assert list(printed_seeds(reordered)) == [
        "test_two.py::test_c",
        "test_one.py::test_b",
        "test_one.py::test_a",
    ]
    assert printed_seeds(reordered) == everything


# -- the report of a failure ------------------------------------------------------------


def test_failure_report_has_a_bzzz_section(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_uses_the_plugin(mock_dht, bzzz_network):
            mock_dht.put_value("k", b"v")
            assert False, f"seed was {bzzz_network.seed}"

        def test_plain():
            assert False

        @pytest.mark.bzzz(seed=7)
        def test_fixed_seed(bzzz_network):
            assert False
        """
    )
    result = pytester.runpytest("--bzzz-seed=4242", "--bzzz-latency=100")
    result.assert_outcomes(failed=3)
    seed = re.search(r"AssertionError: seed was (\d+)", result.stdout.str())
    assert seed is not None
    result.stdout.fnmatch_lines(
        [
            "*_ test_uses_the_plugin _*",
            "*- bzzz -*",
            f"test seed: {seed[1]} (session seed 4242)",
            literal(
                "reproduce: rerun with --bzzz-seed=4242, "
                f"or add @pytest.mark.bzzz(seed={seed[1]}) to the test"
            ),
            "conditions: latency 100ms",
            "clock: virtual, at 0.1s *",
            "stats: 1 calls (put_value=1); 0 failed, 0 timed out, 0 not found, 0 cancelled; "
            "0.1 simulated seconds",
            "backend: memory",
            "*_ test_plain _*",
            "*_ test_fixed_seed _*",
            "*- bzzz -*",
            "test seed: 7 (session seed 4242)",
            literal("reproduce: the test's seed is fixed by @pytest.mark.bzzz(seed=7)"),
        ]
    )
    blocks = failure_blocks(result)
    assert has_bzzz_section(blocks["test_uses_the_plugin"])
    assert not has_bzzz_section(blocks["test_plain"])
    assert has_bzzz_section(blocks["test_fixed_seed"])


def test_no_section_for_passing_tests_or_tests_without_the_plugin(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        def test_passes(mock_dht):
            mock_dht.put_value("k", b"v")

        def test_plain_fails():
            assert False
        """
    )
    result = pytester.runpytest("-rA")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.no_fnmatch_line("*- bzzz -*")


REPLAY = """
import pytest
from pytest_bzzz import NetworkError, NotFoundError

{marker}
@pytest.mark.flaky_network(0.5)
@pytest.mark.latency(100, jitter=50)
def test_replay(mock_dht, bzzz_network):
    for i in range(20):
        try:
            mock_dht.put_value(f"k{{i % 3}}", b"v")
            mock_dht.get_value(f"k{{i % 4}}")
        except (NetworkError, NotFoundError):
            pass
    for call in mock_dht.calls():
        print("CALL", call.op, call.key, call.outcome, repr(call.latency), repr(call.at))
    assert False, f"seed was {{bzzz_network.seed}}"
"""


def call_lines(result: pytest.RunResult) -> list[str]:
    """The ``CALL ...`` lines the inner test printed (with -s, the first follows the file name)."""
    return [line[line.index("CALL ") :] for line in result.outlines if "CALL " in line]


def test_both_ways_shown_to_reproduce_a_failure_do(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_replay=REPLAY.format(marker=""))
    first = pytester.runpytest("--bzzz-seed=2024")
    first.assert_outcomes(failed=1)
    match = re.search(
        r"^reproduce: rerun with --bzzz-seed=(\d+), or add @pytest.mark.bzzz\(seed=(\d+)\)",
        first.stdout.str(),
        re.MULTILINE,
    )
    assert match is not None
    assert match[1] == "2024"
    calls = call_lines(first)
    assert {"CALL put_value k0 ok", "CALL put_value k0 failed"} <= {
        " ".join(line.split()[:4]) for line in calls
    }
    assert call_lines(pytester.runpytest(f"--bzzz-seed={match[1]}")) == calls
    pytester.makepyfile(test_replay=REPLAY.format(marker=f"@pytest.mark.bzzz(seed={match[2]})"))
    assert call_lines(pytester.runpytest("--bzzz-seed=1")) == calls


# -- determinism ------------------------------------------------------------------------


def test_same_seed_same_outcomes_and_latencies_in_separate_processes(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_bzzz import NetworkError, NotFoundError

        @pytest.mark.flaky_network(0.5)
        @pytest.mark.latency(100, jitter=50)
        def test_many(mock_dht):
            for i in range(100):
                try:
                    mock_dht.put_value(f"k{i % 7}", b"v")
                except NetworkError:
                    pass
                try:
                    mock_dht.get_value(f"k{i * 3 % 11}")
                except (NetworkError, NotFoundError):
                    pass
            for call in mock_dht.calls():
                print("CALL", call.op, call.key, call.outcome, repr(call.latency), repr(call.at))
        """
    )
    runs = []
    for hash_seed in ("0", "1", "2"):  # also across different str hashing
        monkeypatch.setenv("PYTHONHASHSEED", hash_seed)
        result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider", "--bzzz-seed=5")
        result.assert_outcomes(passed=1)
        runs.append(call_lines(result))
    assert len(runs[0]) == 200
    assert runs[0] == runs[1] == runs[2]
    outcomes = {line.split()[3] for line in runs[0]}
    assert {"ok", "failed", "not_found"} <= outcomes
    latencies = {float(line.split()[4]) for line in runs[0]}
    assert len(latencies) > 100
    assert all(0.05 <= latency <= 0.15 for latency in latencies)


# -- pytest-xdist -----------------------------------------------------------------------


def test_xdist_workers_use_the_controllers_seed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        """
        import os
        import pytest

        @pytest.mark.parametrize("i", range(4))
        def test_seed(bzzz_network, pytestconfig, i):
            out = pytestconfig.rootpath / os.environ["SEEDS_OUT"]
            out.mkdir(exist_ok=True)
            (out / f"{i}.txt").write_text(str(bzzz_network.seed))

        def test_fails(bzzz_network):
            assert False
        """
    )
    monkeypatch.setenv("SEEDS_OUT", "xdist")
    distributed = pytester.runpytest_subprocess("-n", "2")
    distributed.assert_outcomes(passed=4, failed=1)
    distributed.stdout.fnmatch_lines(["*2 workers [[]5 items[]]*"])
    seed = header_seed(distributed)
    distributed.stdout.fnmatch_lines(
        [literal(f"reproduce: rerun with --bzzz-seed={seed}, or add @pytest.mark.bzzz(") + "*"]
    )
    monkeypatch.setenv("SEEDS_OUT", "plain")
    pytester.runpytest(f"--bzzz-seed={seed}").assert_outcomes(passed=4, failed=1)

    def seeds(name: str) -> dict[str, str]:
        return {path.name: path.read_text() for path in (pytester.path / name).iterdir()}

    assert len(seeds("plain")) == 4
    assert len(set(seeds("plain").values())) == 4
    assert seeds("xdist") == seeds("plain")


# -- pytest-asyncio ---------------------------------------------------------------------


def test_async_tests_run_in_simulated_time(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import pytest
        from pytest_bzzz import NetworkError

        @pytest.mark.asyncio
        @pytest.mark.latency(500)
        async def test_latency(mock_dht, bzzz_network):
            loop = asyncio.get_running_loop()
            start = loop.time()
            assert bzzz_network.clock.now() == 0
            await mock_dht.aput_value("k", b"v")
            assert bzzz_network.clock.now() == pytest.approx(0.5)
            assert loop.time() - start == pytest.approx(0.5)
            assert await mock_dht.aget_value("k") == b"v"
            assert bzzz_network.clock.now() == pytest.approx(1.0)
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(mock_dht.aget_value("k"), timeout=0.1)
            assert bzzz_network.clock.now() == pytest.approx(1.1)
            assert loop.time() - start == pytest.approx(1.1)
            assert [call.outcome for call in mock_dht.calls()] == ["ok", "ok", "cancelled"]
            await asyncio.sleep(60)
            assert bzzz_network.clock.now() == pytest.approx(61.1)

        @pytest.mark.asyncio
        async def test_loop_follows_the_world_clock_from_the_first_line(bzzz_network):
            await asyncio.sleep(3600)
            assert bzzz_network.clock.now() == pytest.approx(3600)

        @pytest.mark.asyncio
        @pytest.mark.flaky_network(1, ops=["get_value"])
        async def test_get_value_covers_aget_value(mock_dht):
            await mock_dht.aput_value("k", b"v")
            with pytest.raises(NetworkError):
                await mock_dht.aget_value("k")
            assert await mock_dht.afind_providers("k") == []

        def test_sync_still_works(mock_dht):
            mock_dht.put_value("k", b"v")
            assert mock_dht.get_value("k") == b"v"
        """
    )
    result = pytester.runpytest("-W", "error")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["asyncio: mode=*STRICT*"])


# -- hooks ------------------------------------------------------------------------------


def test_conditions_hook_changes_the_tests_world(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        def pytest_bzzz_conditions(item, conditions):
            if item.name == "test_slow":
                return conditions.replace(latency=0.25)
            if item.name == "test_marked":
                return conditions.replace(jitter=conditions.latency / 2)
            return None
        """
    )
    pytester.makepyfile(
        """
        import pytest

        def test_slow(mock_dht, bzzz_network):
            assert bzzz_network.conditions.latency == 0.25
            mock_dht.put_value("k", b"v")
            assert bzzz_network.clock.now() == pytest.approx(0.25)

        @pytest.mark.latency(100)
        def test_marked(bzzz_network):
            assert bzzz_network.conditions.latency == pytest.approx(0.1)
            assert bzzz_network.conditions.jitter == pytest.approx(0.05)

        def test_untouched(bzzz_network):
            assert bzzz_network.conditions.latency == 0
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_world_created_hook_can_arrange_data(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        def pytest_bzzz_world_created(item, world):
            world.storage.put("seeded", b"x")
        """
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.flaky_network(0.5)
        def test_seeded(mock_dht):
            assert "seeded" in mock_dht.world.storage
            mock_dht.set_failure_rate(0)
            assert mock_dht.get_value("seeded") == b"x"
            assert len(mock_dht.calls()) == 1
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_make_world_hook_can_replace_the_world(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest_bzzz

        def pytest_bzzz_make_world(item, settings):
            if item.name == "test_custom":
                return pytest_bzzz.World(seed=123, conditions=settings.conditions)
            return None
        """
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.latency(100)
        def test_custom(bzzz_network, mock_dht):
            assert bzzz_network.seed == 123
            assert mock_dht.world is bzzz_network
            assert bzzz_network.conditions.latency == pytest.approx(0.1)

        def test_default(bzzz_network):
            assert bzzz_network.seed != 123
        """
    )
    pytester.runpytest("--bzzz-seed=1").assert_outcomes(passed=2)


def test_conditions_hook_returning_something_else_fails_the_setup(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        def pytest_bzzz_conditions(item, conditions):
            if item.name == "test_bad":
                return {"latency": 0.25}
            return None
        """
    )
    pytester.makepyfile(
        """
        def test_bad(bzzz_network):
            pass

        def test_good(bzzz_network):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at setup of test_bad _*",
            literal(
                "bzzz: a pytest_bzzz_conditions hook returned {'latency': 0.25}, "
                "not a NetworkConditions"
            ),
        ]
    )


def test_conftest_hooks_apply_only_to_tests_below_them(pytester: pytest.Pytester) -> None:
    pytester.mkpydir("slow")
    pytester.mkpydir("fast")
    (pytester.path / "slow" / "conftest.py").write_text(
        "def pytest_bzzz_conditions(item, conditions):\n"
        "    return conditions.replace(latency=0.25)\n"
    )
    (pytester.path / "slow" / "test_slow.py").write_text(
        "def test_slow(bzzz_network):\n    assert bzzz_network.conditions.latency == 0.25\n"
    )
    (pytester.path / "fast" / "test_fast.py").write_text(
        "def test_fast(bzzz_network):\n    assert bzzz_network.conditions.latency == 0\n"
    )
    pytester.runpytest("slow", "fast").assert_outcomes(passed=2)


# -- -p no:bzzz -------------------------------------------------------------------------


def test_disabled_plugin_has_no_fixtures_and_no_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_fixture="""
        def test_fixture(mock_dht):
            pass
        """,
        test_marked="""
        import pytest

        @pytest.mark.latency(5)
        def test_marked():
            pass
        """,
    )
    # In a subprocess: pytest remembers known marker names for the life of the process.
    result = pytester.runpytest_subprocess(
        "-p", "no:bzzz", "--strict-markers", "--continue-on-collection-errors"
    )
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR collecting test_marked.py _*",
            "*'latency' not found in `markers` configuration option*",
            "*_ ERROR at setup of test_fixture _*",
            "*fixture 'mock_dht' not found*",
        ],
        consecutive=False,
    )
    result.stdout.no_fnmatch_line("bzzz: seed=*")

    result = pytester.runpytest("-p", "no:bzzz", "--markers")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.no_fnmatch_line("@pytest.mark.latency*")
    result.stdout.no_fnmatch_line("@pytest.mark.flaky_network*")
    result.stdout.no_fnmatch_line("@pytest.mark.bzzz*")

    # Enabled, the markers are known; the one on a test that makes no world is warned about.
    pytester.runpytest("--strict-markers", "-W", "default").assert_outcomes(passed=2, warnings=1)


# -- running the plugin in-process several times ----------------------------------------


def test_in_process_runs_share_classes(pytester: pytest.Pytester) -> None:
    # The outer run must be a fresh process that has not imported pytest_bzzz's modules.
    pytester.makepyfile(
        test_outer='''
        pytest_plugins = ["pytester"]

        def test_twice(pytester):
            pytester.makeini("[pytest]\\nasyncio_default_fixture_loop_scope = function\\n")
            pytester.makepyfile(
                """
                from pytest_bzzz import MockDHT

                def test_inner(bzzz_network):
                    MockDHT(bzzz_network).put_value("k", b"v")
                """
            )
            pytester.runpytest().assert_outcomes(passed=1)
            pytester.runpytest().assert_outcomes(passed=1)
        '''
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "test_outer.py")
    result.assert_outcomes(passed=1)
