"""The libp2p backend as a user meets it: ``--bzzz-backend=libp2p`` behind the usual fixtures.

Collected only where the contract runs on libp2p (see ``conftest.py``). Each
inner run starts a network of its own (a few tenths of a second).
"""

from __future__ import annotations

import asyncio
import json
import runpy
from pathlib import Path
from typing import Any

import pytest

from pytest_bzzz import NetworkError, NotFoundError, World
from pytest_bzzz._backends.libp2p import DEFAULT_HOSTS, Libp2pBackend, UnsupportedOnLibp2p
from pytest_bzzz._backends.libp2p.network import NetworkClosed
from pytest_bzzz._backends.registry import DEFAULT_LIBP2P_HOSTS
from tests._plugin_helpers import literal

BENCHMARKS = Path(__file__).parent.parent.parent / "benchmarks"


def test_the_backend_default_is_the_settings_default() -> None:
    assert DEFAULT_HOSTS == DEFAULT_LIBP2P_HOSTS


def test_mock_dht_is_backed_by_real_hosts_and_each_test_has_its_own_keys(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_bzzz import NotFoundError

        def test_first(mock_dht):
            assert type(mock_dht).__name__ == "Libp2pDHT"
            mock_dht.put_value("shared/key", b"first test")
            assert mock_dht.get_value("shared/key") == b"first test"

        def test_second(mock_dht):
            with pytest.raises(NotFoundError):
                mock_dht.get_value("shared/key")
            mock_dht.put_value("shared/key", b"second test")
            assert [c.outcome for c in mock_dht.calls()] == ["not_found", "ok"]
        """
    )

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p", "-p", "no:randomly")

    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "bzzz: backend=libp2p, from the command line (--bzzz-backend), "
            "3 py-libp2p hosts on 127.0.0.1"
        ]
    )


def test_the_header_says_each_xdist_worker_has_its_hosts(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile("def test_dht(mock_dht):\n    mock_dht.put_value('k', b'v')\n")

    result = pytester.runpytest_subprocess("--bzzz-backend=libp2p", "-n", "2", "-p", "no:randomly")

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["bzzz: backend=libp2p, *, 3 py-libp2p hosts on 127.0.0.1 in each xdist worker"]
    )


def test_bzzz_use_real_dht_switches_the_backend(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        "def test_dht(mock_dht):\n    assert type(mock_dht).__name__ == 'Libp2pDHT'\n"
    )
    monkeypatch.setenv("BZZZ_USE_REAL_DHT", "true")

    result = pytester.runpytest_inprocess()

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["bzzz: backend=libp2p, from the BZZZ_USE_REAL_DHT environment variable, 3 py-libp2p *"]
    )


def test_a_world_with_more_peers_than_hosts_is_refused_with_the_setting_to_raise(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.bzzz(peers=3)
        def test_dht(mock_dht):
            pass
        """
    )

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p", "--bzzz-libp2p-hosts=2")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "bzzz: backend 'libp2p' cannot build mock_dht: the world has 3 peers, but the "
            "libp2p backend runs 2 hosts, "
            "one per peer: raise the number of hosts (--bzzz-libp2p-hosts=3) or run this test "
            "on the memory backend*"
        ]
    )


def test_conditions_are_applied_around_the_real_calls(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_bzzz import NetworkError, NetworkTimeout

        @pytest.mark.latency(30)
        def test_latency_is_waited_for_real(mock_dht):
            mock_dht.put_value("k", b"v")
            assert mock_dht.calls()[0].latency >= 0.03

        @pytest.mark.flaky_network(1.0, ops=["get_value"])
        def test_failures_are_drawn_before_the_call(mock_dht):
            mock_dht.put_value("k", b"v")
            with pytest.raises(NetworkError, match="drawn before the real call"):
                mock_dht.get_value("k")

        @pytest.mark.latency(500)
        def test_a_timeout_bounds_the_call_in_real_time(mock_dht):
            with pytest.raises(NetworkTimeout, match="it may still have been applied"):
                mock_dht.put_value("k", b"v", timeout=0.05)
            assert [c.outcome for c in mock_dht.calls()] == ["timeout"]
        """
    )

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p")

    result.assert_outcomes(passed=3)


def test_faults_real_hosts_cannot_take_are_refused_where_they_are_asked_for(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.bzzz(peers=3)
        def test_partition(mock_dht, bzzz_network):
            bzzz_network.partition(["local"], ["peer-1", "peer-2"])

        @pytest.mark.bzzz(peers=2)
        def test_pause(mock_bzzz, bzzz_network):
            bzzz_network.pause("peer-1")
        """
    )

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p")

    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*UnsupportedOnLibp2p: a partition cannot be applied to real libp2p hosts on "
            "loopback; run this test on the memory backend (@pytest.mark.bzzz(backend='memory'))*",
            "*UnsupportedOnLibp2p: pausing peer-1: a real libp2p host cannot be frozen and thawed*",
        ]
    )


def test_faults_from_markers_are_refused_by_the_marker_not_kept(
    pytester: pytest.Pytester,
) -> None:
    """A marker's fault real hosts cannot take fails the test's setup: it is not kept."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.bzzz(peers=3)
        @pytest.mark.partition(["local"], ["peer-1"])
        def test_partitioned(mock_dht):
            pass

        @pytest.mark.bzzz(peers=3)
        @pytest.mark.faults(pause="peer-1")
        def test_paused(mock_dht):
            pass

        @pytest.mark.bzzz(peers=3)
        @pytest.mark.faults(kill="peer-2")
        def test_killed(mock_dht, bzzz_network):
            assert bzzz_network.status("peer-2") == "killed"  # a host can be stopped
        """
    )

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p")

    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(
        [
            literal(
                "bzzz: backend 'libp2p' cannot build mock_dht: a partition cannot be applied to "
                "real libp2p hosts on loopback"
            )
            + "*",
            literal(
                "bzzz: backend 'libp2p' cannot build mock_dht: pausing peer-1: a real libp2p host "
                "cannot be frozen and thawed"
            )
            + "*",
        ],
        consecutive=False,
    )


def test_async_tests_await_the_real_calls_on_asyncio_and_trio(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        import pytest
        import trio

        @pytest.mark.asyncio
        async def test_asyncio(mock_dht):
            await asyncio.gather(*(mock_dht.aput_value(f"k{i}", b"v") for i in range(10)))
            assert await mock_dht.aget_value("k9") == b"v"

        @pytest.mark.trio
        async def test_trio(mock_dht):
            async with trio.open_nursery() as nursery:
                for i in range(10):
                    nursery.start_soon(mock_dht.aput_value, f"k{i}", b"v")
            assert await mock_dht.aget_value("k9") == b"v"
        """
    )

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p")

    result.assert_outcomes(passed=2)


def test_each_xdist_worker_runs_a_network_of_its_own(pytester: pytest.Pytester) -> None:
    """One network per session per worker: its tests share it, and no two workers share one."""
    pytester.makepyfile(
        """
        import json
        import os
        import pytest

        @pytest.mark.parametrize("n", range(8))
        def test_dht(mock_dht, n):
            mock_dht.put_value("k", str(n).encode())
            assert mock_dht.get_value("k") == str(n).encode()
            seen = {
                "worker": os.environ["PYTEST_XDIST_WORKER"],
                "pid": os.getpid(),
                "hosts": mock_dht._network.peer_ids,
            }
            with open(f"seen-{n}.json", "w") as out:
                json.dump(seen, out)
        """
    )

    result = pytester.runpytest_subprocess("--bzzz-backend=libp2p", "-n", "2", "-p", "no:randomly")

    result.assert_outcomes(passed=8)
    seen = [json.loads((pytester.path / f"seen-{n}.json").read_text()) for n in range(8)]
    by_worker: dict[str, list[dict[str, Any]]] = {}
    for test in seen:
        by_worker.setdefault(test["worker"], []).append(test)
    assert sorted(by_worker) == ["gw0", "gw1"]  # xdist hands each worker some of the 8 tests
    networks = {}
    for worker, tests in by_worker.items():
        assert len({test["pid"] for test in tests}) == 1
        hosts = {tuple(test["hosts"]) for test in tests}
        assert len(hosts) == 1, f"{worker}'s tests ran on {len(hosts)} networks, not one"
        (networks[worker],) = hosts
        assert len(set(networks[worker])) == DEFAULT_HOSTS
    assert not set(networks["gw0"]) & set(networks["gw1"]), "two workers shared hosts"


def test_a_reset_world_starts_from_an_empty_namespace() -> None:
    backend = Libp2pBackend(hosts=2)
    try:
        with World(peers=2) as world:
            dht = backend.dht(world)
            dht.put_value("k", b"before")
            before = backend.namespace_of(world)

            dht.reset()

            assert backend.namespace_of(world) != before
            with pytest.raises(NotFoundError):
                dht.get_value("k")
    finally:
        backend.close()


def test_a_provider_that_is_not_a_peer_is_refused_with_the_peers_listed() -> None:
    backend = Libp2pBackend(hosts=1)
    try:
        with World() as world:
            dht = backend.dht(world)
            with pytest.raises(ValueError, match=literal(f"peers: local={world.local_peer.id}")):
                dht.provide("k", "QmSomebodyElse")
    finally:
        backend.close()


def test_a_refused_fault_leaves_the_world_as_it_was() -> None:
    backend = Libp2pBackend(hosts=2)
    try:
        with World(peers=2) as world:
            dht = backend.dht(world)
            with pytest.raises(UnsupportedOnLibp2p):
                world.cut("local", "peer-1")
            assert world.can_reach("local", "peer-1")
            dht.put_value("k", b"v")
            assert dht.on("peer-1").get_value("k") == b"v"
    finally:
        backend.close()


def test_the_benchmark_prints_both_backends_side_by_side(
    capsys: pytest.CaptureFixture[str],
) -> None:
    module = runpy.run_path(str(BENCHMARKS / "bench_libp2p.py"), run_name="bench")

    assert module["main"](["--ops", "3", "--hosts", "2"]) == 0

    output = capsys.readouterr().out
    assert "libp2p network: started in" in output
    for label in ("put_value", "get_value (another peer)", "provide", "find_providers"):
        assert label in output
    assert output.count("x raw py-libp2p") == 2


def test_the_go_mocks_knobs_set_the_worlds_conditions(two_hosts: Libp2pBackend) -> None:
    with World(peers=2) as world:
        dht = two_hosts.dht(world)

        dht.set_network_latency(0.02, jitter=0.01)
        dht.set_failure_rate(1.0, ops=["provide"])

        assert (world.conditions.latency, world.conditions.jitter) == (0.02, 0.01)
        with pytest.raises(NetworkError, match="drawn before the real call"):
            dht.provide("k", world.local_peer.id)
        dht.put_value("k", b"v")
        assert dht.calls("put_value")[0].latency >= 0.01
        assert (dht.stats["provide"], dht.stats.failures) == (1, 1)
        assert (dht.world, dht.peer, dht.on("peer-1").peer.name) == (
            world,
            world.local_peer,
            "peer-1",
        )
        with pytest.raises(ValueError, match="rate must be between 0 and 1"):
            dht.set_failure_rate(2)
        with pytest.raises(TypeError, match="rate must be a number"):
            dht.set_failure_rate("often")  # type: ignore[arg-type]


def test_a_revived_peer_comes_back_empty_on_a_fresh_host(two_hosts: Libp2pBackend) -> None:
    with World(peers=2) as world:
        dht = two_hosts.dht(world)
        before = two_hosts.network.peer_ids[1]
        dht.on("peer-1").put_value("k", b"v")

        world.kill("peer-1")
        world.revive("peer-1")

        assert two_hosts.network.peer_ids[1] != before
        assert dht.on("peer-1").get_value("k") == b"v"  # from host 0, which kept its copy
        with pytest.raises(UnsupportedOnLibp2p, match=r"per-link conditions \(world.link\)"):
            world.link("local", "peer-1", latency=0.1)
        assert dht.get_value("k") == b"v"


def test_an_async_call_cancelled_by_its_caller_is_recorded_as_cancelled(
    two_hosts: Libp2pBackend,
) -> None:
    with World(peers=2) as world:
        dht = two_hosts.dht(world)
        dht.set_network_latency(0.5)

        async def scenario() -> None:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(dht.aput_value("k", b"v"), 0.05)

        asyncio.run(scenario())

        assert [call.outcome for call in dht.calls()] == ["cancelled"]


def test_a_closed_network_refuses_new_operations() -> None:
    backend = Libp2pBackend(hosts=1)
    with World() as world:
        dht = backend.dht(world)
        backend.close()

        with pytest.raises(NetworkClosed, match="closed"):
            dht.put_value("k", b"v")


def test_many_concurrent_puts_all_reach_the_other_hosts(two_hosts: Libp2pBackend) -> None:
    # A host resets inbound streams beyond 12 at a time, and the put reports success anyway:
    # the backend admits a few operations at a time, so that every value is replicated.
    with World(peers=2) as world:
        dht = two_hosts.dht(world)
        keys = [f"burst/{index}" for index in range(60)]

        async def burst() -> None:
            await asyncio.gather(*(dht.aput_value(key, key.encode()) for key in keys))

        asyncio.run(burst())
        world.kill("local")  # the writer's own copies are gone: only replicas answer

        reader = dht.on("peer-1")
        assert [reader.get_value(key) for key in keys] == [key.encode() for key in keys]


def test_libp2p_logs_nothing_into_the_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_fails_after_some_traffic(mock_dht):
            for index in range(20):
                mock_dht.put_value(f"k{index}", b"v")
                mock_dht.find_providers(f"k{index}")
            assert False
        """
    )

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p", "-rA")

    result.assert_outcomes(failed=1)
    assert "libp2p." not in result.stdout.str()
    assert "libp2p." not in result.stderr.str()
