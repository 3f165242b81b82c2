"""The bzzz section of a failure's report, and that both ways it shows to reproduce work."""

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
