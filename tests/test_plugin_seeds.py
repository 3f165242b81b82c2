"""Seeds: the session seed, each test's seed, determinism, and pytest-xdist's workers."""

from __future__ import annotations

import re

import pytest

from tests._plugin_helpers import (
    call_lines,
    failure_blocks,
    has_bzzz_section,
    literal,
)

pytest_plugins = ["pytester"]

HEADER = re.compile(r"^bzzz: seed=(\d+), .*; reproduce with --bzzz-seed=(\d+)$", re.MULTILINE)
SEED_LINE = re.compile(r"SEED (\S+) (\d+)")


def header_seed(result: pytest.RunResult) -> int:
    """The session seed the report header shows (checking both numbers in it agree)."""
    match = HEADER.search(result.stdout.str())
    assert match is not None, result.stdout.str()
    assert match[1] == match[2]
    return int(match[1])


def printed_seeds(result: pytest.RunResult) -> dict[str, int]:
    """``SEED <nodeid> <seed>`` lines printed by the inner tests (run with -s)."""
    return {m[1]: int(m[2]) for m in SEED_LINE.finditer(result.stdout.str())}


PRINT_SEED = """
import pytest

def test_{name}(bzzz_network, request):
    print("SEED", request.node.nodeid, bzzz_network.seed)
"""


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
