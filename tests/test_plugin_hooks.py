"""The plugin's hooks: pytest_bzzz_conditions, _world_created and _make_world."""

from __future__ import annotations

import pytest

from tests._plugin_helpers import (
    literal,
)

pytest_plugins = ["pytester"]


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
