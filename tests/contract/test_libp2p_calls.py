"""How a call on the libp2p backend ends: cancelled by its caller, refused by the network.

Collected only where the contract runs on libp2p (see ``conftest.py``). The
waits here are bounds, never the measure: a test polls until what it waits
for is so (within seconds), and a call that should be cut short is given far
longer (a minute) than the test waits for it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import anyio
import pytest
import trio

from pytest_bzzz import NetworkError, World
from pytest_bzzz._backends.libp2p import Libp2pBackend
from pytest_bzzz._backends.libp2p.network import MAX_CONCURRENT, Libp2pNetwork
from pytest_bzzz._backends.libp2p.operation import OperationCancelled

LONG = 60.0
"""Latency (real seconds) of a call that the test cancels long before it is made."""
BOUND = 10.0
"""Real seconds a test waits, at most, for what should happen at once."""


def until(condition: Callable[[], bool]) -> bool:
    """Poll ``condition`` until it holds (True) or BOUND seconds pass (False)."""
    deadline = time.monotonic() + BOUND
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


async def until_async(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + BOUND
    while not condition():
        assert time.monotonic() < deadline, "the call did not begin"
        await asyncio.sleep(0.01)


# -- cancelling ----------------------------------------------------------------------------


def test_cancelling_an_operation_cancels_the_call_where_it_runs(
    two_hosts: Libp2pBackend,
) -> None:
    network: Libp2pNetwork = two_hosts.network
    began, ended = threading.Event(), threading.Event()

    async def hang(dht: Any) -> None:
        began.set()
        try:
            await trio.sleep_forever()
        finally:
            ended.set()

    operation = network.begin(0, hang)
    assert began.wait(BOUND)

    operation.cancel()

    assert ended.wait(BOUND), "the call ran on after its operation was cancelled"
    with pytest.raises(OperationCancelled):
        operation.future.result(BOUND)
    assert until(lambda: network.in_flight == 0)


def test_an_operation_cancelled_before_it_begins_never_runs(two_hosts: Libp2pBackend) -> None:
    network = two_hosts.network
    ran = threading.Event()

    async def mark(dht: Any) -> None:
        ran.set()

    operation = network.begin(0, mark, delay=LONG)
    operation.cancel()

    assert until(lambda: network.in_flight == 0)
    assert not ran.is_set()


def test_an_asyncio_task_cancelled_stops_its_call(two_hosts: Libp2pBackend) -> None:
    network = two_hosts.network
    with World(peers=2) as world:
        dht = two_hosts.dht(world)
        dht.set_network_latency(LONG)

        async def scenario() -> None:
            task = asyncio.create_task(dht.aput_value("k", b"v"))
            await until_async(lambda: network.in_flight == 1)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(scenario())

        assert until(lambda: network.in_flight == 0), "the call still waits in the network"
        assert [call.outcome for call in dht.calls()] == ["cancelled"]


def test_a_trio_cancel_scope_stops_its_call(two_hosts: Libp2pBackend) -> None:
    network = two_hosts.network
    with World(peers=2) as world:
        dht = two_hosts.dht(world)
        dht.set_network_latency(LONG)

        async def scenario() -> None:
            with trio.CancelScope() as scope:
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(dht.aget_value, "k")
                    while network.in_flight != 1:
                        await trio.sleep(0.01)
                    scope.cancel()
            assert scope.cancelled_caught

        trio.run(scenario)

        assert until(lambda: network.in_flight == 0), "the call still waits in the network"
        assert [call.outcome for call in dht.calls()] == ["cancelled"]


def test_an_anyio_cancellation_stops_its_call(two_hosts: Libp2pBackend) -> None:
    network = two_hosts.network
    with World(peers=2) as world:
        dht = two_hosts.dht(world)
        dht.set_network_latency(LONG)

        async def scenario() -> None:
            async with anyio.create_task_group() as group:
                group.start_soon(dht.afind_providers, "k")
                while network.in_flight != 1:
                    await anyio.sleep(0.01)
                group.cancel_scope.cancel()

        anyio.run(scenario, backend="asyncio")

        assert until(lambda: network.in_flight == 0), "the call still waits in the network"
        assert [call.outcome for call in dht.calls()] == ["cancelled"]


# -- what the network refuses --------------------------------------------------------------


def test_a_provider_announcement_that_reaches_no_peer_fails(two_hosts: Libp2pBackend) -> None:
    provider_store = two_hosts.network._hosts[0].dht.provider_store

    async def refused(peer_id: object, key: bytes) -> bool:
        return False  # as when every ADD_PROVIDER message fails

    with World(peers=2) as world:
        dht = two_hosts.dht(world)
        provider_store._send_add_provider = refused
        try:
            with pytest.raises(
                NetworkError, match="the provider announcement reached none of the 1 other live"
            ):
                dht.provide("k", world.local_peer.id)
        finally:
            del provider_store._send_add_provider

        assert [(call.op, call.outcome) for call in dht.calls()] == [("provide", "failed")]
        dht.provide("k", world.local_peer.id)  # the real announcement, once more
        assert dht.calls()[-1].outcome == "ok"


def test_a_provider_alone_on_the_network_announces_to_itself() -> None:
    # With no other host, py-libp2p's provide reports failure; the record is the host's own,
    # as the mock keeps it on the writer alone: it is no failure.
    backend = Libp2pBackend(hosts=1)
    try:
        with World() as world:
            dht = backend.dht(world)

            dht.provide("k", world.local_peer.id)

            assert dht.find_providers("k") == [world.local_peer.id]
    finally:
        backend.close()


def test_a_call_whose_host_stops_before_it_is_made_is_a_network_error(
    two_hosts: Libp2pBackend,
) -> None:
    network = two_hosts.network
    admitted: list[int] = []

    async def hang(dht: Any) -> None:
        admitted.append(1)
        await trio.sleep_forever()

    with World(peers=2) as world:
        dht = two_hosts.dht(world)
        # The network admits MAX_CONCURRENT calls at a time: with as many hanging, the put waits
        # for its turn until they are cancelled, and its peer is killed meanwhile.
        hanging = [network.begin(0, hang) for _ in range(MAX_CONCURRENT)]
        assert until(lambda: len(admitted) == MAX_CONCURRENT)
        result: list[BaseException | None] = []

        def call() -> None:
            try:
                dht.on("peer-1").put_value("k", b"v")
            except BaseException as error:
                result.append(error)
            else:
                result.append(None)

        caller = threading.Thread(target=call)
        caller.start()
        assert until(lambda: network.in_flight == MAX_CONCURRENT + 1)
        world.kill("peer-1")
        for operation in hanging:
            operation.cancel()
        caller.join(BOUND)

        assert len(result) == 1
        assert isinstance(result[0], NetworkError)
        assert "the host of peer-1 stopped (the peer was killed)" in str(result[0])
        assert dht.calls()[-1].outcome == "failed"


# -- what the record counts ----------------------------------------------------------------


def test_the_hosts_calls_count_real_seconds_and_the_content_simulated_ones(
    two_hosts: Libp2pBackend,
) -> None:
    with World(seed=1) as world:
        dht = two_hosts.dht(world)
        started = time.monotonic()
        dht.put_value("k", b"v")
        assert dht.get_value("k") == b"v"
        spent = time.monotonic() - started

        stats = world.stats
        assert stats.simulated_seconds == 0
        assert 0 < stats.real_seconds <= spent  # the calls' own time, within the test's
        assert sum(call.latency for call in world.calls()) == stats.real_seconds
        assert stats.describe().endswith(
            f"0 simulated seconds, {stats.real_seconds:.6g} real seconds"
        )
