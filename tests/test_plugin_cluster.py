"""Worlds of many peers from pytest: peers, replication and TTL settings, the partition marker."""

from __future__ import annotations

import pytest

from ._plugin_helpers import literal

pytest_plugins = ["pytester"]


def test_peers_from_the_marker_and_from_the_command_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.bzzz(peers=5, replication=2)
        def test_marker(bzzz_network):
            assert [p.name for p in bzzz_network.peers] == [
                "local", "peer-1", "peer-2", "peer-3", "peer-4"
            ]
            assert bzzz_network.replication == 2

        def test_option(bzzz_network, mock_dht):
            assert len(bzzz_network.peers) == 3
            mock_dht.put_value("k", b"v")
            assert len(bzzz_network.holders("k")) == 3
        """
    )
    result = pytester.runpytest("--bzzz-peers=3", "-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_peers_and_ttls_from_the_ini_file_and_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
        "bzzz_value_ttl = 10s\nbzzz_provider_ttl = 2min\n"
    )
    monkeypatch.setenv("PYTEST_BZZZ_PEERS", "4")
    pytester.makepyfile(
        """
        import pytest
        from pytest_bzzz import NotFoundError

        def test_settings(bzzz_network, mock_dht):
            assert len(bzzz_network.peers) == 4
            assert (bzzz_network.value_ttl, bzzz_network.provider_ttl) == (10.0, 120.0)
            mock_dht.put_value("k", b"v")
            bzzz_network.clock.advance(10)
            with pytest.raises(NotFoundError):
                mock_dht.get_value("k")

        @pytest.mark.bzzz(value_ttl="1h")
        def test_marker_wins(bzzz_network):
            assert bzzz_network.value_ttl == 3600.0
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


def test_the_partition_marker_splits_the_world_from_the_start(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_bzzz import NotFoundError

        @pytest.mark.bzzz(peers=4)
        @pytest.mark.partition(["local", "peer-1"], ["peer-2"])
        def test_split(bzzz_network, mock_dht):
            assert bzzz_network.can_reach("local", "peer-1")
            assert not bzzz_network.can_reach("local", "peer-2")
            assert not bzzz_network.can_reach("peer-2", "peer-3")  # peer-3: the rest's group
            mock_dht.put_value("k", b"v")
            with pytest.raises(NotFoundError):
                mock_dht.on("peer-3").get_value("k")
            bzzz_network.heal()
            assert mock_dht.on("peer-3").get_value("k") == b"v"
            assert [e.action for e in bzzz_network.faults] == ["partition", "heal"]
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def errors_that_test_only(pytester: pytest.Pytester, marker: str, problem: str) -> None:
    """A bad ``marker`` fails its own test's setup with ``problem``, and no other test."""
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.bzzz(peers=3)
        @pytest.mark.{marker}
        def test_x(bzzz_network):
            pass

        def test_y(bzzz_network):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*bzzz: *" + literal(problem) + "*"])
    assert "Traceback" not in result.stdout.str()
    assert "pytest_bzzz/" not in result.stdout.str()


@pytest.mark.parametrize(
    ("marker", "problem"),
    [
        (
            'partition(["peer-9"])',
            "@pytest.mark.partition(['peer-9']) on test_x: no peer named 'peer-9' in this world",
        ),
        (
            'partition(["peer-1"], ["peer-1"])',
            "peer 'peer-1' is in group 1 and in group 2: a peer may be in one group only",
        ),
        ('partition("peer-1")', "group 1 must be a list of peer names, got 'peer-1'"),
        ("partition([1])", "group 1 must hold peer names (str), got 1"),
        ("partition()", "takes at least one group of peers"),
        ('partition(["peer-1"], heal=True)', "takes groups of peers only, by position, not heal="),
    ],
)
def test_a_bad_partition_marker_errors_that_test_only(
    pytester: pytest.Pytester, marker: str, problem: str
) -> None:
    errors_that_test_only(pytester, marker, problem)


def test_a_partition_marker_on_a_test_without_a_world_is_warned_about(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.partition(["peer-1"])
        def test_x():
            pass
        """
    )
    # Its peers are checked against the settings' (peer-1 needs two peers) even here.
    result = pytester.runpytest("-W", "default", "--bzzz-peers=2")  # warnings are errors here
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        ["*" + literal("@pytest.mark.partition(['peer-1']) has no effect") + "*"]
    )


def test_the_partition_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.partition(*groups): the test's world starts split*"])


def test_a_failing_test_of_many_peers_reports_its_faults(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.bzzz(peers=3, seed=7)
        def test_x(bzzz_network):
            bzzz_network.kill("peer-2")
            bzzz_network.at(30, "revive", "peer-2")
            assert False
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*seed: 7*",
            "*peers: 3 (1 paused or killed)*",
            "*0s kill(peer-2)*",
            "*30s revive(peer-2)*",
        ]
    )


def test_a_scheduled_action_that_fails_after_the_last_operation_fails_the_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        def test_x(bzzz_network):
            def explode():
                raise RuntimeError("the cable was cut twice")
            bzzz_network.at(5, explode)
            bzzz_network.clock.advance(6)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*bzzz: a scheduled action failed, and no operation of the test came after it to "
            "raise it:*",
            "*at 5s, *explode(): RuntimeError: the cable was cut twice*",
        ]
    )


def test_heartbeat_and_election_timeout_are_settings(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\nbzzz_heartbeat = 2s\n"
    )
    monkeypatch.setenv("PYTEST_BZZZ_ELECTION_TIMEOUT", "6s")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.bzzz(peers=3)
        def test_configured(bzzz_network):
            assert (bzzz_network.heartbeat, bzzz_network.election_timeout) == (2.0, 6.0)
            bzzz_network.wait_for_leader()
            assert 6.0 <= bzzz_network.clock.now() < 9.0  # one timeout, with its jitter

        @pytest.mark.bzzz(peers=3, heartbeat="1s", election_timeout="3s")
        def test_marker_wins(bzzz_network):
            assert (bzzz_network.heartbeat, bzzz_network.election_timeout) == (1.0, 3.0)
            bzzz_network.wait_for_leader()
            assert bzzz_network.clock.now() < 4.5
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


def test_a_heartbeat_not_shorter_than_the_timeout_names_both_sources(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.bzzz(election_timeout="4s")
        def test_marker(bzzz_network):
            pass

        def test_plain(bzzz_network):
            pass
        """
    )
    result = pytester.runpytest("--bzzz-heartbeat=15s", "-p", "no:randomly")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            literal(
                "ERROR: bzzz: heartbeat 15s (from the command line (--bzzz-heartbeat)) must be "
                "shorter than election_timeout 15s (by default): followers would time out "
                "between two heartbeats"
            )
        ]
    )
    result = pytester.runpytest("--bzzz-heartbeat=5s", "-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            literal(
                "bzzz: test_a_heartbeat_not_shorter_than_the_timeout_names_both_sources.py::"
                "test_marker: heartbeat 5s (from the command line (--bzzz-heartbeat)) must be "
                "shorter than election_timeout 4s (from @pytest.mark.bzzz(election_timeout='4s') "
                "on test_marker): followers would time out between two heartbeats"
            )
        ]
    )


def test_each_fault_and_its_undoing_from_a_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_bzzz import NetworkError, NotFoundError

        pytestmark = pytest.mark.bzzz(peers=4, seed=3, replication=1)

        def test_cut_and_heal(bzzz_network, mock_dht):
            bzzz_network.cut("local", "peer-1", both_ways=False)
            assert not bzzz_network.can_reach("local", "peer-1")
            assert bzzz_network.can_reach("peer-1", "local")
            bzzz_network.heal()
            assert bzzz_network.can_reach("local", "peer-1")
            assert [str(f).split(" ", 1)[1] for f in bzzz_network.faults] == [
                "cut(local -> peer-1)", "heal()"
            ]

        def reader(bzzz_network, key):
            holders = bzzz_network.holders(key)
            return next(p for p in bzzz_network.peers if p not in holders)

        def test_isolate_and_heal(bzzz_network, mock_dht):
            mock_dht.on("peer-2").put_value("k", b"v")
            other = reader(bzzz_network, "k")
            bzzz_network.isolate(other)
            with pytest.raises(NotFoundError, match=f"that {other.name} can reach"):
                mock_dht.on(other).get_value("k")
            bzzz_network.heal()
            assert mock_dht.on(other).get_value("k") == b"v"

        def test_pause_and_revive(bzzz_network, mock_dht):
            mock_dht.on("peer-1").put_value("k", b"v")
            bzzz_network.pause("peer-1")
            with pytest.raises(NetworkError, match="from peer-1, which is paused"):
                mock_dht.on("peer-1").get_value("k")
            bzzz_network.revive("peer-1")
            assert mock_dht.on("peer-1").get_value("k") == b"v"  # a pause keeps the data

        def test_kill_and_revive(bzzz_network, mock_dht):
            mock_dht.on("peer-1").put_value("k", b"v")
            other = reader(bzzz_network, "k")
            for peer in bzzz_network.holders("k"):
                bzzz_network.kill(peer)
            with pytest.raises(NotFoundError, match="killed while holding it"):
                mock_dht.on(other).get_value("k")
            for peer in bzzz_network.peers:
                bzzz_network.revive(peer)
            with pytest.raises(NotFoundError):
                mock_dht.on(other).get_value("k")  # a kill loses the data
            assert bzzz_network.status("peer-1") == "live"

        @pytest.mark.bzzz(replication=4)
        def test_link_and_its_removal(bzzz_network, mock_dht):
            bzzz_network.link("local", "peer-1", latency="2s", failure_rate=0.0)
            bzzz_network.link("local", "peer-2", latency="2s")
            bzzz_network.link("local", "peer-3", latency="2s")
            mock_dht.put_value("k", b"v")
            assert bzzz_network.clock.now() == pytest.approx(2.0)
            for peer in ("peer-1", "peer-2", "peer-3"):
                bzzz_network.link("local", peer)
            mock_dht.get_value("k")
            assert bzzz_network.clock.now() == pytest.approx(2.0)
            assert bzzz_network.faults[-1].detail == "local <-> peer-3: as the world's"
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=5)


def test_world_at_in_an_async_test(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        """
        import asyncio
        import pytest
        from pytest_bzzz import NetworkError, NotFoundError

        @pytest.mark.asyncio
        @pytest.mark.bzzz(peers=4, seed=5)
        async def test_partition_at_5s_heal_at_20s(bzzz_network, mock_dht):
            await mock_dht.aput_value("k", b"v")
            bzzz_network.at(5, "isolate", "local")
            bzzz_network.at("20s", "heal")
            await asyncio.sleep(6)
            assert bzzz_network.clock.now() == pytest.approx(6)
            assert not bzzz_network.can_reach("local", "peer-1")
            await asyncio.sleep(14)
            assert bzzz_network.can_reach("local", "peer-1")
            assert [(f.at, f.action) for f in bzzz_network.faults] == [
                (5.0, "isolate"), (20.0, "heal")
            ]

        @pytest.mark.asyncio
        @pytest.mark.latency(2000)
        @pytest.mark.bzzz(peers=4, seed=5)
        async def test_a_caller_killed_mid_operation(bzzz_network, mock_dht):
            bzzz_network.at(1, "kill", "local")
            with pytest.raises(NetworkError, match="local was killed at 1s, before the operation"):
                await mock_dht.aput_value("k", b"v")
            assert bzzz_network.holders("k") == []
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "-W", "error")
    result.assert_outcomes(passed=2)


def test_await_for_leader_raises_timeout_error_in_async_code(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.asyncio
        @pytest.mark.bzzz(peers=4)
        async def test_no_majority(bzzz_network):
            bzzz_network.partition(["local", "peer-1"])  # 2 and 2: no side has 3 of 4
            with pytest.raises(TimeoutError, match="no leader with a majority after waiting 60s"):
                await bzzz_network.await_for_leader(timeout="1min")
            assert bzzz_network.clock.now() == pytest.approx(60)
            assert bzzz_network.leader is None
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "-W", "error")
    result.assert_outcomes(passed=1)


def test_a_scheduled_failure_raised_by_an_operation_stays_in_the_report(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_bzzz import ScheduledActionError

        @pytest.mark.bzzz(peers=3, seed=7)
        def test_x(bzzz_network, mock_dht):
            def explode():
                raise RuntimeError("the cable was cut twice")
            bzzz_network.at(5, explode)
            bzzz_network.clock.advance(6)
            with pytest.raises(ScheduledActionError):
                mock_dht.put_value("k", b"v")
            assert False
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*failed at 5s: *explode(): RuntimeError: the cable was cut twice "
            "(raised by the next operation, or at teardown when none came)*",
        ]
    )


def test_the_faults_marker_starts_a_world_with_peers_down(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = [pytest.mark.bzzz(peers=5), pytest.mark.faults(kill=["peer-4"])]

        @pytest.mark.faults(pause="peer-1", isolate=["peer-3"])
        def test_down(bzzz_network):
            status = {p.name: bzzz_network.status(p) for p in bzzz_network.peers}
            assert status == {
                "local": "live", "peer-1": "paused", "peer-2": "live", "peer-3": "live",
                "peer-4": "killed",
            }
            assert not bzzz_network.can_reach("local", "peer-3")
            assert bzzz_network.can_reach("local", "peer-2")
            bzzz_network.revive("peer-1")
            bzzz_network.heal()
            assert bzzz_network.can_reach("local", "peer-3")
            assert bzzz_network.can_reach("local", "peer-1")

        def test_the_modules_alone(bzzz_network):
            assert bzzz_network.status("peer-4") == "killed"
            assert bzzz_network.status("peer-1") == "live"
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_the_at_marker_schedules_faults(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.bzzz(peers=3)
        @pytest.mark.at("5s", "partition", ["local", "peer-1"], ["peer-2"])
        @pytest.mark.at(20000, "heal")  # a number is milliseconds, as in every marker
        def test_split_then_healed(bzzz_network):
            assert [s.at for s in bzzz_network.scheduled] == [5.0, 20.0]
            assert bzzz_network.can_reach("local", "peer-2")
            bzzz_network.clock.advance(5)
            assert not bzzz_network.can_reach("local", "peer-2")
            bzzz_network.clock.advance(15)
            assert bzzz_network.can_reach("local", "peer-2")
            assert [f.action for f in bzzz_network.faults] == ["partition", "heal"]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_an_at_marker_setup_has_passed_on_a_real_clock_runs_at_once(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.bzzz(peers=2, clock="real")
        @pytest.mark.at(0, "kill", "peer-1")  # passed by the time the marker is applied
        def test_killed_from_the_start(bzzz_network):
            assert bzzz_network.status("peer-1") == "killed"
            assert [f.action for f in bzzz_network.faults] == ["kill"]

        @pytest.mark.bzzz(peers=3, clock="real")
        @pytest.mark.at(0.001, "heal")  # a microsecond: applied first, due last
        @pytest.mark.at(0, "partition", ["peer-1"])
        def test_passed_times_run_in_their_order(bzzz_network):
            assert bzzz_network.scheduled == []  # (both due by now, whatever setup took)
            assert [f.action for f in bzzz_network.faults] == ["partition", "heal"]
            assert bzzz_network.can_reach("local", "peer-1")
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("marker", "problem"),
    [
        (
            'faults(kill=["nope"])',
            "@pytest.mark.faults(kill=['nope']) on test_x: no peer named 'nope' in this world",
        ),
        (
            'faults("peer-1")',
            "@pytest.mark.faults('peer-1') on test_x: takes peers by keyword only: kill=[...], "
            "pause=[...], isolate=[...]",
        ),
        (
            'faults(stop=["peer-1"])',
            "unknown argument 'stop'; accepted: kill, pause, isolate",
        ),
        ("faults(kill=[1])", "kill takes peer names (str), got 1"),
        (
            'faults(kill="peer-1", pause="peer-1")',
            "@pytest.mark.faults(kill='peer-1', pause='peer-1') on test_x: names peer 'peer-1' "
            "in both kill and pause; a peer starts killed or paused, not both",
        ),
        (
            'faults(kill=["peer-1", "peer-1"])',
            "@pytest.mark.faults(kill=['peer-1', 'peer-1']) on test_x: names peer 'peer-1' "
            "twice in kill; name it once",
        ),
        ("faults()", "names no peer; give kill=, pause= or isolate="),
        ('at("soon", "heal")', "@pytest.mark.at('soon', 'heal') on test_x: time: expected"),
        ('at("5s")', "takes a time and an action, such as at('5s', 'partition', ['peer-1'])"),
        ('at("5s", "explode")', "no fault named 'explode'; the faults are partition, heal"),
        ('at("5s", "kill", "nope")', "no peer named 'nope' in this world"),
        ('at("5s", "heal", when=1)', "takes its time, action and the action's arguments"),
    ],
)
def test_a_bad_fault_marker_errors_that_test_only(
    pytester: pytest.Pytester, marker: str, problem: str
) -> None:
    errors_that_test_only(pytester, marker, problem)


def test_fault_markers_on_a_test_without_a_world_are_checked_and_warned_about(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.faults(kill="peer-1")
        @pytest.mark.at("1s", "heal")
        def test_x():
            pass

        @pytest.mark.at("later", "heal")
        def test_bad():
            pass
        """
    )
    result = pytester.runpytest("-W", "default", "--bzzz-peers=2")  # warnings are errors here
    result.assert_outcomes(passed=1, errors=1, warnings=2)
    result.stdout.fnmatch_lines(
        [
            "*" + literal("@pytest.mark.faults(kill='peer-1') has no effect") + "*",
            "*" + literal("@pytest.mark.at('1s', 'heal') has no effect") + "*",
        ],
        consecutive=False,
    )
    result.stdout.fnmatch_lines(["*" + literal("@pytest.mark.at('later', 'heal')") + "*time:*"])


def test_the_fault_markers_are_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.faults(*, kill=(), pause=(), isolate=()): the test's world starts*",
            "@pytest.mark.at(time, action, *args): at this world time*",
        ],
        consecutive=False,
    )
