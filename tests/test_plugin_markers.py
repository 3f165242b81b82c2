"""The plugin's fixtures and its markers (latency, flaky_network, bzzz), run with pytester."""

from __future__ import annotations

import pytest

from tests._plugin_helpers import (
    literal,
)

pytest_plugins = ["pytester"]


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
                "ambiguous_timeouts=False, max_record_size=None, record_calls=10000, "
                "backend='memory', peers=1, replication=20, "
                "value_ttl='36h', provider_ttl='48h', heartbeat='5s', "
                "election_timeout='15s'): "
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
