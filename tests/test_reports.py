"""What a user reads when a test fails: tracebacks that end at their line, reports, JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest


def test_a_simulated_failure_ends_at_the_users_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.flaky_network(1.0)
        def test_failure(mock_dht):
            mock_dht.put_value("k", b"v")

        def test_missing(mock_dht):
            mock_dht.get_value("nope")

        def test_refused(mock_dht):
            mock_dht.put_value("k", "text")

        def test_retrieve(mock_bzzz):
            mock_bzzz.retrieve("ucxl://a:b@c:d/x.json")

        @pytest.mark.bzzz(timeout=10)
        @pytest.mark.latency(50)
        async def test_timeout(mock_dht):
            await mock_dht.aget_value("k")
        """
    )
    result = pytester.runpytest("-o", "asyncio_mode=auto")
    result.assert_outcomes(failed=5)
    output = result.stdout.str()
    assert "pytest_bzzz/" not in output  # no frame of the plugin's, no source of it
    result.stdout.fnmatch_lines(
        [
            '>       mock_dht.put_value("k", b"v")',
            "E       pytest_bzzz.NetworkError: simulated network failure: put_value('k') failed *",
            "test_a_simulated_failure_ends_at_the_users_line.py:5: NetworkError",
            "E       pytest_bzzz*.NotFoundError: no value under 'nope'",
            "E       TypeError: value must be bytes *",
            "E       pytest_bzzz*.NotFoundError: nothing was ever stored under *",
            "E       pytest_bzzz.NetworkTimeout: simulated timeout: get_value('k') took longer *",
        ]
    )


def test_full_trace_shows_the_plugins_frames(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_missing(mock_dht):
            mock_dht.get_value("nope")
        """
    )
    result = pytester.runpytest("--full-trace")
    result.assert_outcomes(failed=1)
    assert "pytest_bzzz/_kernel/pipeline.py" in result.stdout.str()


def test_junit_xml_carries_the_seeds_and_how_to_reproduce(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_world(bzzz_network):
            assert False

        @pytest.mark.bzzz(seed=7)
        def test_fixed(mock_dht):
            pass

        def test_plain():
            pass
        """
    )
    result = pytester.runpytest("--junitxml=report.xml", "--bzzz-seed=4242")
    result.assert_outcomes(passed=2, failed=1)
    cases = {
        case.get("name"): {prop.get("name"): prop.get("value") for prop in case.iter("property")}
        for case in ET.parse(pytester.path / "report.xml").iter("testcase")
    }
    world = cases["test_world"]
    assert world["bzzz_session_seed"] == "4242"
    assert world["bzzz_reproduce"] == (
        f"rerun with --bzzz-seed=4242, or add @pytest.mark.bzzz(seed={world['bzzz_seed']}) "
        "to the test"
    )
    assert cases["test_fixed"] == {
        "bzzz_seed": "7",
        "bzzz_session_seed": "4242",
        "bzzz_reproduce": "the test's seed is fixed by @pytest.mark.bzzz(seed=7)",
    }
    assert cases["test_plain"] == {}


def test_junit_xml_carries_the_session_seed_when_no_test_made_a_world(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile("def test_plain():\n    assert False\n")
    result = pytester.runpytest("--junitxml=report.xml", "--bzzz-seed=4242")
    result.assert_outcomes(failed=1)
    (suite,) = ET.parse(pytester.path / "report.xml").iter("testsuite")
    properties = {p.get("name"): p.get("value") for p in suite.findall("properties/property")}
    assert properties == {"bzzz_session_seed": "4242"}


def test_junit_xml_properties_cross_from_xdist_workers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_world(mock_dht):\n    pass\n")
    result = pytester.runpytest("-n", "2", "-p", "xdist", "--junitxml=report.xml")
    result.assert_outcomes(passed=1)
    report = ET.parse(pytester.path / "report.xml")
    names = [prop.get("name") for case in report.iter("testcase") for prop in case.iter("property")]
    assert names == ["bzzz_seed", "bzzz_session_seed", "bzzz_reproduce"]
    (suite,) = report.iter("testsuite")
    seeds = [p.get("value") for p in suite.findall("properties/property")]
    assert len(seeds) == 1
    assert f"bzzz: seed={seeds[0]}," in result.stdout.str()  # the header's seed


def test_a_tests_world_is_let_go_once_its_reports_are_made(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import weakref

        WORLDS = []

        def pytest_bzzz_world_created(item, world):
            WORLDS.append(weakref.ref(world))
        """
    )
    pytester.makepyfile(
        """
        import gc
        from conftest import WORLDS

        def test_stores(mock_dht):
            mock_dht.put_value("big", bytes(10_000_000))

        def test_stores_too(mock_bzzz):
            mock_bzzz.store("ucxl://a:b@c:d/big", bytes(10_000_000))

        def test_the_others_are_gone():
            gc.collect()
            assert [ref() for ref in WORLDS] == [None, None]
        """
    )
    # In a subprocess: an in-process run records every hook call, with its world. (A
    # failing test's world lives on a little longer: pytest keeps the last failure's
    # traceback, with its frames, in sys.last_traceback for debuggers.)
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=3)


def test_assertion_messages_reach_subclasses_of_the_address(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from pytest_bzzz import UCXLAddress

        class Mine(UCXLAddress):
            __slots__ = ()

        def test_compare():
            assert Mine.parse("ucxl://a:b@c:d/x") == Mine.parse("ucxl://a:b@c:e/x")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Differing UCXLAddress fields:", "*  task: 'd' != 'e'"])


def test_a_refused_address_or_condition_ends_at_the_users_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from pytest_bzzz import NetworkConditions, UCXLAddress

        def test_address():
            UCXLAddress.parse("ucxl://a:b@c")

        def test_conditions():
            NetworkConditions(latency=-1)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    assert "pytest_bzzz/" not in result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "E       pytest_bzzz.UCXLParseError: task '' at 12: *",
            "E       ValueError: latency must be * 0 or more, got -1",
        ]
    )
