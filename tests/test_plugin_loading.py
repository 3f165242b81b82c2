"""The plugin switched off with -p no:bzzz, and loaded by several in-process runs."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


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
