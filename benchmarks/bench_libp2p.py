"""The libp2p backend against the mock, side by side in one run: operations per second.

Run from the project root, with the ``libp2p`` extra installed:

    python benchmarks/bench_libp2p.py [--ops 200] [--hosts 3]

Each operation (a put, a get by another peer, a get of a missing key, a
provide, a lookup of providers by another peer) runs ``--ops`` times on a
MockDHT world of ``--hosts`` peers and on the libp2p backend's network of
``--hosts`` hosts, in this one process, and the rates are printed with their
ratio. A second yardstick isolates what the backend adds to py-libp2p: the
same puts and gets submitted to the hosts directly (no argument checks, no
conditions, no record of calls). Also: how long the network takes to start
and stop, and what a test's world costs beyond its operations (a World, the
test's namespace and DHT, and closing them), on each backend.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from pytest_bzzz import DHT, MockDHT, NotFoundError, World


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>12,.0f}/s" if seconds else "           -"


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def operations(peers: list[DHT], world: World, ops: int, tag: str) -> dict[str, float]:
    """Seconds each operation took ``ops`` times on ``peers`` (peer 0 writes, peer 1 reads)."""
    writer, reader = peers[0], peers[1 % len(peers)]
    keys = [f"bench/{tag}/{index}" for index in range(ops)]
    provider = world.peers[0].id

    def missing() -> None:
        for key in keys:
            with contextlib.suppress(NotFoundError):
                reader.get_value(key + "/missing")

    return {
        "put_value": timed(lambda: [writer.put_value(key, b"x" * 64) for key in keys]),
        "get_value (another peer)": timed(lambda: [reader.get_value(key) for key in keys]),
        "get_value (missing)": timed(missing),
        "provide": timed(lambda: [writer.provide(key, provider) for key in keys]),
        "find_providers (another peer)": timed(lambda: [reader.find_providers(k) for k in keys]),
    }


def world_cost(make: Callable[[World], Any], hosts: int, count: int) -> float:
    """Seconds per test spent on a world and its DHT, beyond any operation."""

    def one() -> None:
        with World(peers=hosts) as world:
            make(world)

    return timed(lambda: [one() for _ in range(count)]) / count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=200, help="each operation's count")
    parser.add_argument("--hosts", type=int, default=3, help="peers and hosts")
    args = parser.parse_args(argv)
    try:
        from pytest_bzzz._backends.libp2p import Libp2pBackend
    except ImportError:
        print("needs the libp2p extra: python -m pip install 'pytest-bzzz[libp2p]'")
        return 1

    backend = Libp2pBackend(hosts=args.hosts)
    started = timed(lambda: backend.network)
    try:
        with World(peers=args.hosts) as mock_world, World(peers=args.hosts) as real_world:
            mock = MockDHT(mock_world)
            real = backend.dht(real_world)
            on_mock = operations([mock.on(p) for p in mock_world.peers], mock_world, args.ops, "m")
            on_real = operations([real.on(p) for p in real_world.peers], real_world, args.ops, "r")
            network = backend.network

            async def raw_put(dht: Any, key: str) -> None:
                await dht.put_value(f"/raw/{key}", b"x" * 64)

            async def raw_get(dht: Any, key: str) -> Any:
                return await dht.get_value(f"/raw/{key}")

            keys = [f"bench/raw/{index}" for index in range(args.ops)]
            raw = {
                "put_value": timed(
                    lambda: [network.submit(0, lambda d, k=k: raw_put(d, k)).result() for k in keys]
                ),
                "get_value (another peer)": timed(
                    lambda: [
                        network.submit(1 % args.hosts, lambda d, k=k: raw_get(d, k)).result()
                        for k in keys
                    ]
                ),
            }
        mock_cost = world_cost(MockDHT, args.hosts, 200)
        real_cost = world_cost(backend.dht, args.hosts, 200)
    finally:
        stopped = timed(backend.close)

    print(
        f"{args.hosts} peers / hosts, {args.ops} of each operation, Python {sys.version.split()[0]}"
    )
    print(f"libp2p network: started in {started:.2f} s, stopped in {stopped:.2f} s")
    print(
        f"{'operation':<30} {'mock':>14} {'libp2p':>14} {'libp2p slower':>13} {'raw py-libp2p':>14}"
    )
    for op, seconds in on_mock.items():
        real_seconds = on_real[op]
        ratio = real_seconds / seconds if seconds else float("inf")
        raw_rate = rate(args.ops, raw[op]) if op in raw else "              "
        print(
            f"{op:<30} {rate(args.ops, seconds)} {rate(args.ops, real_seconds)} "
            f"{ratio:>12,.0f}x {raw_rate}"
        )
    for op, seconds in raw.items():
        print(f"backend's overhead on {op}: {on_real[op] / seconds:.2f}x raw py-libp2p")
    print(
        f"a test's world and DHT, beyond its operations: mock {mock_cost * 1000:.3f} ms, "
        f"libp2p {real_cost * 1000:.3f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
