"""Markers on tests that make no simulated world: checked as any other, and warned about.

A test that uses none of the plugin's fixtures makes no world, so nothing reads
its markers; they are checked at its setup all the same (a bad argument is an
error of the test), and each one written on the test itself gets a
``BzzzMarkerWarning``: it has no effect. Markers of a class or a module apply
to all of their tests, some of which may well make no world: they are checked,
and not warned about.
"""

from __future__ import annotations

# Imported once here: the hypothesis plugin imports hypothesis at the end of every
# in-process pytester run, which costs about a second each time unless it is loaded.
import hypothesis  # noqa: F401
import pytest

from pytest_bzzz.plugin.markers import BzzzMarkerWarning

pytest_plugins = ["pytester"]

INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
NO_EFFECT = (
    "has no effect: the test makes no simulated world (it requests neither bzzz_network nor a "
    "fixture that does, such as mock_dht or mock_bzzz); request one, or remove the marker"
)


def run(pytester: pytest.Pytester, tests: str, *args: str, ini: str = "") -> pytest.RunResult:
    """Run ``tests`` with pytest's usual warnings filters (this suite's makes warnings errors)."""
    pytester.makeini(INI + ini)
    pytester.makepyfile(tests)
    return pytester.runpytest("-p", "no:cacheprovider", "-W", "default", *args)


def test_a_bad_marker_on_a_test_without_a_world_is_an_error_of_that_test(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.latency("fast")
        def test_bad():
            pass

        @pytest.mark.flaky_network(0.1, ops=[])
        def test_no_ops():
            pass

        def test_unmarked():
            pass
        """,
    )
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at setup of test_bad _*",
            "bzzz: @pytest.mark.latency('fast') on test_bad: ms: expected a number of "
            "milliseconds (250) or a string with a unit ('250ms', '1.5s'), got 'fast'",
            "*_ ERROR at setup of test_no_ops _*",
            "bzzz: @pytest.mark.flaky_network(0.1, ops=[]) on test_no_ops: ops: no operation is "
            "named; leave ops out (or give ops=None) for every operation, or give "
            "flaky_network(0) to switch failures off",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert "pytest_bzzz" not in result.stdout.str()


def test_a_good_marker_on_a_test_without_a_world_is_warned_about(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.latency(100)
        @pytest.mark.bzzz(seed=3)
        def test_plain():
            pass

        @pytest.mark.latency(100)
        def test_with_a_world(mock_dht):
            pass

        @pytest.mark.latency(100)
        @pytest.mark.usefixtures("bzzz_network")
        def test_with_a_world_it_does_not_name():
            pass

        @pytest.mark.skip(reason="not today")
        @pytest.mark.latency(100)
        def test_skipped():
            pass
        """,
    )
    result.assert_outcomes(passed=3, skipped=1, warnings=2)
    result.stdout.fnmatch_lines(
        [
            "*test_a_good_marker_on_a_test_without_a_world_is_warned_about.py::test_plain",
            f"*: BzzzMarkerWarning: @pytest.mark.latency(100) on test_plain {NO_EFFECT}",
            f"*: BzzzMarkerWarning: @pytest.mark.bzzz(seed=3) on test_plain {NO_EFFECT}",
        ]
    )


def test_markers_of_a_class_or_module_are_checked_not_warned_about(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        import pytest

        pytestmark = pytest.mark.latency(100)

        def test_module_level():
            pass

        @pytest.mark.flaky_network(0.5)
        class TestSome:
            def test_class_level(self):
                pass

        @pytest.mark.bzzz(clock="wall")
        class TestBad:
            def test_bad_class_marker(self):
                pass

            def test_bad_class_marker_with_a_world(self, bzzz_network):
                pass
        """,
    )
    result.assert_outcomes(passed=2, errors=2)
    assert "BzzzMarkerWarning" not in result.stdout.str()
    message = "bzzz: @pytest.mark.bzzz(clock='wall') on class TestBad: clock: expected"
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at setup of TestBad.test_bad_class_marker _*",
            f"{message}*",
            "*_ ERROR at setup of TestBad.test_bad_class_marker_with_a_world _*",
            f"{message}*",
        ]
    )


def test_under_filterwarnings_error_the_warning_fails_the_test_without_a_traceback(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.latency(100)
        def test_plain():
            pass

        @pytest.mark.latency(100)
        @pytest.mark.filterwarnings("ignore::pytest.PytestWarning")
        def test_allowed():
            pass
        """,
        "-W",
        "error",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at setup of test_plain _*",
            f"bzzz: @pytest.mark.latency(100) on test_plain {NO_EFFECT} (BzzzMarkerWarning, an "
            "error under the warnings filters)",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_the_warning_is_a_pytest_warning() -> None:
    assert issubclass(BzzzMarkerWarning, pytest.PytestWarning)


def test_a_peer_the_world_would_not_know_is_an_error_without_a_world_as_with_one(
    pytester: pytest.Pytester,
) -> None:
    """The peers of ``partition``, ``faults`` and ``at`` are checked against ``peers``."""
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.partition(["nobody"])
        def test_partition():
            pass

        @pytest.mark.faults(kill=["peer-9"])
        def test_faults():
            pass

        @pytest.mark.faults(kill=["peer-9"])
        def test_faults_with_a_world(bzzz_network):
            pass

        @pytest.mark.at("5s", "kill", "peer-3")
        def test_at():
            pass

        @pytest.mark.bzzz(peers=4)
        @pytest.mark.at("5s", "kill", "peer-3")
        @pytest.mark.partition(["local", "peer-1"])
        def test_known_peers():
            pass
        """,
        "--bzzz-peers=3",
    )
    result.assert_outcomes(passed=1, errors=4, warnings=3)
    output = result.stdout.str()
    unknown = "in this world; its peers are local, peer-1, peer-2"
    result.stdout.fnmatch_lines(
        [
            f"bzzz: @pytest.mark.partition(['nobody']) on test_partition: no peer named "
            f"'nobody' {unknown}",
            f"bzzz: @pytest.mark.faults(kill=['peer-9']) on test_faults: no peer named 'peer-9' "
            f"{unknown}",
            f"bzzz: @pytest.mark.faults(kill=['peer-9']) on test_faults_with_a_world: no peer "
            f"named 'peer-9' {unknown}",
            f"bzzz: @pytest.mark.at('5s', 'kill', 'peer-3') on test_at: no peer named 'peer-3' "
            f"{unknown}",
        ]
    )
    result.stdout.fnmatch_lines(
        [f"*: BzzzMarkerWarning: @pytest.mark.at('5s', 'kill', 'peer-3') {NO_EFFECT}"]
    )
    assert "Traceback" not in output
