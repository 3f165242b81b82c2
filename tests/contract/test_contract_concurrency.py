"""Concurrency: many callers at once, from threads, asyncio and trio, lose nothing."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
import trio

from pytest_bzzz import DHT, World

pytestmark = pytest.mark.bzzz(peers=3)


def test_concurrent_puts_from_threads_are_all_stored(peers: list[DHT]) -> None:
    keys = [f"contract/threads/{index}" for index in range(40)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda key: peers[0].put_value(key, key.encode()), keys))

    assert [peers[1].get_value(key) for key in keys] == [key.encode() for key in keys]


def test_concurrent_puts_and_gets_from_asyncio_tasks(peers: list[DHT]) -> None:
    keys = [f"contract/asyncio/{index}" for index in range(30)]

    async def scenario() -> list[bytes]:
        await asyncio.gather(*(peers[0].aput_value(key, key.encode()) for key in keys))
        return await asyncio.gather(*(peers[2].aget_value(key) for key in keys))

    assert asyncio.run(scenario()) == [key.encode() for key in keys]


def test_concurrent_puts_and_gets_from_trio_tasks(peers: list[DHT]) -> None:
    keys = [f"contract/trio/{index}" for index in range(30)]
    found: dict[str, bytes] = {}

    async def read(key: str) -> None:
        found[key] = await peers[1].aget_value(key)

    async def scenario() -> None:
        async with trio.open_nursery() as nursery:
            for key in keys:
                nursery.start_soon(peers[0].aput_value, key, key.encode())
        async with trio.open_nursery() as nursery:
            for key in keys:
                nursery.start_soon(read, key)

    trio.run(scenario)

    assert found == {key: key.encode() for key in keys}


def test_concurrent_providers_of_one_key_are_all_found(
    peers: list[DHT], bzzz_network: World
) -> None:
    ids = sorted(peer.id for peer in bzzz_network.peers)

    async def scenario() -> None:
        await asyncio.gather(
            *(
                dht.aprovide("contract/shared", peer.id)
                for dht, peer in zip(peers, bzzz_network.peers, strict=True)
            )
        )

    asyncio.run(scenario())

    from .test_contract_providers import eventually_providers

    assert sorted(eventually_providers(peers[1], "contract/shared", set(ids))) == ids
