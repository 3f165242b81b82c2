"""The simulation's settings on real hosts: applied around the real calls or refused, never ignored.

``replication``, ``value_ttl`` and ``provider_ttl`` are libp2p's own on real
hosts: another value fails the setup of the test's DHT, naming the value and
where it came from. An ``at`` marker's action runs on a real clock before the
next operation (as on the memory backend), and is refused on a virtual one,
which real operations do not move. Collected only where the contract runs on
libp2p (see ``conftest.py``); each inner run starts a network of its own.
"""

from __future__ import annotations

import pytest

from pytest_bzzz import World
from pytest_bzzz._backends.libp2p import Libp2pBackend, UnsupportedOnLibp2p
from tests._plugin_helpers import literal

MEMORY = "run this test on the memory backend (@pytest.mark.bzzz(backend='memory'))"


def test_settings_real_hosts_cannot_apply_are_refused_naming_the_marker(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.bzzz(replication=1)
        def test_replication(mock_dht):
            pass

        @pytest.mark.bzzz(value_ttl="10s", provider_ttl="1h")
        def test_lifetimes(mock_dht):
            pass

        @pytest.mark.bzzz(replication=3)
        def test_every_host_keeps_a_copy_either_way(mock_dht):
            mock_dht.put_value("k", b"v")

        @pytest.mark.bzzz(backend="memory", replication=1, value_ttl="10s")
        def test_on_the_memory_backend(mock_dht, bzzz_network):
            mock_dht.put_value("k", b"v")
            bzzz_network.clock.advance(11)
            assert mock_dht.calls()[0].outcome == "ok"
        """
    )

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p", "-p", "no:randomly")

    result.assert_outcomes(passed=2, errors=2)
    result.stdout.fnmatch_lines(
        [
            literal(
                "bzzz: backend 'libp2p' cannot build mock_dht: replication 1 (from "
                "@pytest.mark.bzzz(replication=1) on test_replication): real libp2p hosts keep "
                "a copy of each value on every one of the network's 3 hosts closest to its key "
                "(libp2p's k = 20), which no setting changes; the libp2p backend takes a "
                f"replication of 3 or more only; {MEMORY}"
            )
            + "*",
            literal(
                "bzzz: backend 'libp2p' cannot build mock_dht: value_ttl 10s (from "
                "@pytest.mark.bzzz(value_ttl='10s', provider_ttl='1h') on test_lifetimes): on "
                "real libp2p hosts a value lives libp2p's own lifetime, 36 h of real time, which "
                "no setting changes; provider_ttl 3600s (from "
                "@pytest.mark.bzzz(value_ttl='10s', provider_ttl='1h') on test_lifetimes): on "
                "real libp2p hosts a provider record lives libp2p's own lifetime, 48 h of real "
                f"time, which no setting changes; {MEMORY}"
            )
            + "*",
        ],
        consecutive=False,
    )
    assert "Traceback" not in result.stdout.str()
    assert "During handling" not in result.stdout.str()  # no chain of errors into the plugin


def test_settings_of_the_run_are_refused_naming_the_option_variable_or_ini_key(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile("def test_dht(mock_dht):\n    pass\n")
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\nbzzz_provider_ttl = 7200s\n"
    )
    monkeypatch.setenv("PYTEST_BZZZ_VALUE_TTL", "300s")

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p", "--bzzz-replication=2")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "bzzz: backend 'libp2p' cannot build mock_dht: "
            "replication 2 (from the command line (--bzzz-replication)): *; "
            "value_ttl 300s (from the PYTEST_BZZZ_VALUE_TTL environment variable): *; "
            "provider_ttl 7200s (from the bzzz_provider_ttl ini option): *; "
            f"{literal(MEMORY)}*"
        ]
    )


def test_an_at_marker_on_the_virtual_clock_is_refused_naming_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.bzzz(peers=2)
        @pytest.mark.at(200, "kill", "peer-1")
        def test_scheduled(mock_dht):
            pass

        @pytest.mark.bzzz(peers=2)
        @pytest.mark.at(0, "kill", "peer-1")
        def test_due_at_once_runs_at_once(mock_dht, bzzz_network):
            assert bzzz_network.status("peer-1") == "killed"
        """
    )

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p")

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            literal(
                "bzzz: backend 'libp2p' cannot build mock_dht: @pytest.mark.at(200, 'kill', "
                "'peer-1') on test_scheduled: kill(peer-1) is due at 200ms of the world's "
                "virtual clock, which real operations on the libp2p backend do not move (in async "
                "code, it follows the real time they take), so it would never run, or run at a "
                "time that depends on the machine; with a real clock "
                "(@pytest.mark.bzzz(clock='real')) it runs "
                "before the first operation that begins 200ms or more into the test; "
                f"{MEMORY}"
            )
            + "*"
        ]
    )


def test_an_at_marker_on_a_real_clock_runs_before_the_next_operation_as_on_the_mock(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import time

        import pytest

        from pytest_bzzz import NetworkError

        @pytest.mark.parametrize(
            "backend",
            [pytest.param(name, marks=pytest.mark.bzzz(backend=name)) for name in
             ("memory", "libp2p")],
        )
        @pytest.mark.bzzz(peers=3, clock="real")
        @pytest.mark.at("500ms", "kill", "peer-1")
        @pytest.mark.at("1h", "kill", "peer-2")
        def test_killed_when_due(mock_dht, bzzz_network, backend):
            while bzzz_network.clock.now() < 0.5:
                time.sleep(0.01)
            mock_dht.put_value("k", b"v")  # what is due runs first
            assert [bzzz_network.status(p) for p in ("peer-1", "peer-2")] == ["killed", "live"]
            assert [(f.action, f.detail) for f in bzzz_network.faults] == [("kill", "peer-1")]
            with pytest.raises(NetworkError):
                mock_dht.on("peer-1").get_value("k")
            assert mock_dht.on("peer-2").get_value("k") == b"v"
        """
    )

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p", "-v")

    result.assert_outcomes(passed=2)


def test_the_backend_checks_a_world_without_the_plugin() -> None:
    backend = Libp2pBackend(hosts=2)  # never started: the check needs no hosts
    with World(peers=1, replication=2) as world:
        backend.check_world(world)  # as many copies as hosts: libp2p's own
    with World(peers=1, replication=1) as world, pytest.raises(UnsupportedOnLibp2p) as caught:
        backend.check_world(world)
    assert str(caught.value).startswith("replication 1: real libp2p hosts keep a copy")


def test_the_report_counts_real_seconds_on_the_libp2p_backend(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_fails(mock_dht):
            mock_dht.put_value("k", b"v")
            assert False

        @pytest.mark.bzzz(backend="memory")
        def test_fails_on_the_mock(mock_dht):
            mock_dht.put_value("k", b"v")
            assert False
        """
    )

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p", "-p", "no:randomly")

    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ test_fails _*",
            "stats: 1 calls (put_value=1); 0 failed, * cancelled; 0 simulated seconds, * real "
            "seconds",
            "backend: libp2p",
            "*_ test_fails_on_the_mock _*",
            "stats: 1 calls (put_value=1); 0 failed, * cancelled; 0 simulated seconds",
            "backend: memory",
        ]
    )
