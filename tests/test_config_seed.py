"""The session seed across runs: what is recorded for ``last``, reused by ``--lf``, and said.

- a run records its seed at its end, and only if a test of it made a simulated world:
  ``pytest --help``, ``--collect-only`` or a run of other tests leave the recorded seed alone;
- a rerun of the previous run's failures (``--lf``, ``--ff``, ``--sw``) with no seed given
  reuses the previous run's seed;
- the report header says where the seed came from.
"""

from __future__ import annotations

import re

# Imported once here: the hypothesis plugin imports hypothesis at the end of every
# in-process pytester run, which costs about a second each time unless it is loaded.
import hypothesis  # noqa: F401
import pytest

pytest_plugins = ["pytester"]

HEADER = re.compile(r"^bzzz: seed=(\d+), (.*); reproduce with --bzzz-seed=(\d+)$", re.MULTILINE)
WORLD_TESTS = """
def test_with_a_world(bzzz_network):
    pass

def test_without_a_world():
    pass
"""
FAILING = """
import os

def test_fails_until_fixed(bzzz_network):
    assert os.environ.get("FIXED")

def test_passes(bzzz_network):
    pass
"""


def header(result: pytest.RunResult) -> tuple[int, str]:
    """The session seed the report header shows, and where it says the seed came from."""
    match = HEADER.search(result.stdout.str())
    assert match is not None, result.stdout.str()
    assert match[1] == match[3]
    return int(match[1]), match[2]


def last_seed(pytester: pytest.Pytester) -> int:
    """The seed ``--bzzz-seed=last`` picks now (run on a test that makes no world)."""
    probe = pytester.makepyfile(test_probe="def test_probe():\n    pass\n")
    seed, source = header(pytester.runpytest("--bzzz-seed=last", "test_probe.py"))
    probe.unlink()
    assert source == "the previous run's (--bzzz-seed=last)"
    return seed


# -- what is recorded ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--collect-only"],
        ["--markers"],
        ["--fixtures"],
        ["-k", "without_a_world"],  # tests ran, none with a world
        ["--bzzz-seed=4", "-k", "without_a_world"],
    ],
)
def test_a_run_that_makes_no_world_leaves_the_recorded_seed(
    pytester: pytest.Pytester, args: list[str]
) -> None:
    pytester.makepyfile(WORLD_TESTS)
    pytester.runpytest("--bzzz-seed=777").assert_outcomes(passed=2)
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert last_seed(pytester) == 777


def test_a_run_whose_tests_make_a_world_records_its_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(WORLD_TESTS)
    pytester.runpytest("--bzzz-seed=777").assert_outcomes(passed=2)
    pytester.runpytest("--bzzz-seed=778", "-k", "with_a_world").assert_outcomes(passed=1)
    assert last_seed(pytester) == 778
    fresh = pytester.runpytest("-k", "with_a_world")  # also a fresh seed, even a failed run's
    assert last_seed(pytester) == header(fresh)[0]


def test_under_xdist_the_controller_records_what_its_workers_used(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(WORLD_TESTS)
    pytester.runpytest("-n", "2", "-p", "xdist", "--bzzz-seed=555").assert_outcomes(passed=2)
    assert last_seed(pytester) == 555
    distributed = pytester.runpytest("-n", "2", "-p", "xdist", "-k", "without_a_world")
    distributed.assert_outcomes(passed=1)
    assert last_seed(pytester) == 555
    pytester.runpytest("-n", "2", "-p", "xdist", "--bzzz-seed=556").assert_outcomes(passed=2)
    assert last_seed(pytester) == 556


# -- a rerun of the previous run's failures -------------------------------------------------------


@pytest.mark.parametrize("rerun", ["--lf", "--ff", "--sw", "--sw-skip"])
def test_a_rerun_reuses_the_previous_runs_seed(pytester: pytest.Pytester, rerun: str) -> None:
    pytester.makepyfile(FAILING)
    first = pytester.runpytest(*(["--sw"] if rerun.startswith("--sw") else []))
    seed, source = header(first)
    assert source.startswith("fresh")  # --sw: "fresh: no previous run's seed is recorded"
    again = pytester.runpytest(rerun)
    assert header(again) == (seed, f"the previous run's (reused for {rerun})")


def test_a_rerun_keeps_a_seed_given_by_hand(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(FAILING)
    pytester.runpytest("--bzzz-seed=10").assert_outcomes(passed=1, failed=1)
    assert header(pytester.runpytest("--lf", "--bzzz-seed=11")) == (
        11,
        "from the command line (--bzzz-seed)",
    )
    monkeypatch.setenv("PYTEST_BZZZ_SEED", "12")
    assert header(pytester.runpytest("--lf")) == (
        12,
        "from the PYTEST_BZZZ_SEED environment variable",
    )


def test_a_fixed_failure_is_rerun_with_the_seed_it_failed_with(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(FAILING)
    failed = pytester.runpytest()
    failed.assert_outcomes(passed=1, failed=1)
    monkeypatch.setenv("FIXED", "1")
    rerun = pytester.runpytest("--lf")
    rerun.assert_outcomes(passed=1)
    assert header(rerun)[0] == header(failed)[0]
    assert header(pytester.runpytest("--lf"))[0] == header(failed)[0]  # --lf: then all, same seed


def test_stepwise_reset_starts_over_with_a_fresh_seed(pytester: pytest.Pytester) -> None:
    if pytest.version_tuple[:2] < (8, 4):
        pytest.skip("--sw-reset is new in pytest 8.4")
    pytester.makepyfile(FAILING)
    pytester.runpytest("--sw", "--bzzz-seed=20").assert_outcomes(failed=1)
    assert header(pytester.runpytest("--sw"))[1] == "the previous run's (reused for --sw)"
    assert header(pytester.runpytest("--sw-reset"))[1] == "fresh"


def test_a_rerun_with_nothing_recorded_gets_a_fresh_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(FAILING)
    assert header(pytester.runpytest("--lf"))[1] == "fresh: no previous run's seed is recorded"


# -- the header says where the seed came from -------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "ini", "source"),
    [
        ([], {}, "", "fresh"),
        (["--bzzz-seed=5"], {}, "", "from the command line (--bzzz-seed)"),
        ([], {"PYTEST_BZZZ_SEED": "5"}, "", "from the PYTEST_BZZZ_SEED environment variable"),
        ([], {}, "bzzz_seed = 5", "from the bzzz_seed ini option"),
        (["--bzzz-seed=last"], {}, "", "fresh: no previous run's seed is recorded"),
    ],
)
def test_the_header_says_where_the_seed_came_from(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    ini: str,
    source: str,
) -> None:
    pytester.makeini(f"[pytest]\nasyncio_default_fixture_loop_scope = function\n{ini}\n")
    pytester.makepyfile(WORLD_TESTS)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=2)
    seed, said = header(result)
    assert said == source
    if source != "fresh" and not source.startswith("fresh:"):
        assert seed == 5
    result.stdout.fnmatch_lines([f"bzzz: seed={seed}, {source}; reproduce with --bzzz-seed={seed}"])
