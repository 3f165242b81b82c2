"""The fake UCXI node's request rates, each against a yardstick in the same process.

Run from the project root:

    python benchmarks/bench_ucxi.py

- **in process**: ``httpx.Client(transport=httpx.WSGITransport(app=UCXIApp))``
  reading one stored envelope (``GET /ucxi/v1/get?address=...``) against a
  minimal WSGI application that returns a fixed JSON body (the very bytes the
  node answers that request with) through the same transport, with the same
  client, path and query. Both sides pay httpx and its WSGI transport; the
  node's side also pays the WSGI adapter, routing, parsing the address, the
  world's pipeline and record of calls, ``retrieve``, the envelope's JSON
  (its content in base64), the response envelope, a request id, and its own
  record of requests.
- **over loopback**: one keep-alive ``http.client.HTTPConnection`` (the
  thinnest client, so that the ratio is the servers', not the client's)
  making the same requests of ``UCXIServer`` serving that application, and
  of the standard library's ``http.server.ThreadingHTTPServer`` whose handler
  returns the same fixed JSON body, speaking HTTP/1.1 with Nagle's algorithm
  off (``protocol_version = "HTTP/1.1"``, ``disable_nagle_algorithm = True``)
  so that it is not stalled by delayed acknowledgements. Each side pays the
  client and the loopback round trip; the node's side pays everything the
  in-process figure does, in place of ``BaseHTTPRequestHandler``'s parsing.
  ``UCXIServer`` serving a handler that returns the fixed body is printed
  too, with no goal: what the server alone costs.
- **50 concurrent clients**: 50 threads connect at once (a barrier before the
  connects), each makes its requests on its own keep-alive connection;
  every error (refused or reset connection, timeout, a status other than
  200) is counted. The goal is none.

Each rate is the best of ``--repeat`` short runs, the yardstick's and the
node's interleaved run by run, so that a busy moment of a shared machine
slows one run of each rather than one side of a ratio.
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import httpx

from pytest_bzzz import MockBZZZ, UCXIApp, UCXIServer, World
from pytest_bzzz.ucxi import Request, Response

ADDRESS = "ucxl://gpt4:architect@bzzz:v2/decisions/api.json"
PATH = "/ucxi/v1/get"
QUERY = f"address={ADDRESS}"
TARGET = f"{PATH}?{QUERY}"
CONTENT = b'{"style": "rest", "versioned": true, "pagination": "cursor"}'
GOAL = 0.5  # at least half the yardstick's requests per second, in process and over loopback
CLIENTS = 50


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def node() -> tuple[World, UCXIApp, bytes]:
    """The fake node, holding one envelope, and the body it answers ``GET TARGET`` with."""
    world = World(seed=1)
    bzzz = MockBZZZ(world)
    bzzz.store(ADDRESS, CONTENT, content_type="application/json")
    app = UCXIApp(bzzz, world)
    body = app.handle(Request("GET", PATH, QUERY)).body
    app.reset()
    return world, app, body


def fixed_wsgi(body: bytes) -> Callable[..., Iterable[bytes]]:
    """The in-process yardstick: a WSGI application that returns ``body``."""
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", headers)
        return [body]

    return app


class Fixed:
    """A UCXIServer handler that returns the fixed body: the server's own cost, for scale."""

    def __init__(self, body: bytes) -> None:
        self._response = Response(200, (("Content-Type", "application/json"),), body)

    def handle(self, request: Request) -> Response:
        return self._response


def threading_server(body: bytes) -> http.server.ThreadingHTTPServer:
    """The loopback yardstick: ThreadingHTTPServer answering ``body``, HTTP/1.1, Nagle off."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def in_process_rates(count: int, repeat: int) -> tuple[float, float]:
    """Requests per second through httpx's WSGI transport: (yardstick, node)."""
    world, app, body = node()
    clients = {
        "fixed": httpx.Client(transport=httpx.WSGITransport(app=fixed_wsgi(body))),
        "node": httpx.Client(transport=httpx.WSGITransport(app=app)),
    }
    url = f"http://node{TARGET}"
    for client in clients.values():  # warm up; both answer the same envelope (but its id)
        answer = client.get(url).content
        assert len(answer) == len(body)
        assert answer[:40] == body[:40]
    times: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(repeat):
        for name, client in clients.items():
            get = client.get
            times[name].append(best(lambda get=get: [get(url) for _ in range(count)], 1))
    for client in clients.values():
        client.close()
    world.close()
    return count / min(times["fixed"]), count / min(times["node"])


def _session(port: int, count: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for _ in range(count):
            connection.request("GET", TARGET)
            answer = connection.getresponse()
            answer.read()
            if answer.status != 200:
                raise RuntimeError(f"status {answer.status}")
    finally:
        connection.close()


def loopback_rates(count: int, repeat: int) -> tuple[float, float, float]:
    """Requests per second over one keep-alive connection: (ThreadingHTTPServer, node, fixed)."""
    world, app, body = node()
    yardstick = threading_server(body)
    with UCXIServer(app, latency_scale=0) as ucxi, UCXIServer(Fixed(body)) as fixed:
        ports = {"threading": yardstick.server_address[1], "node": ucxi.port, "fixed": fixed.port}
        for port in ports.values():
            _session(port, 50)  # warm up
        times: dict[str, list[float]] = {name: [] for name in ports}
        for _ in range(repeat):
            for name, port in ports.items():
                times[name].append(best(lambda port=port: _session(port, count), 1))
    yardstick.shutdown()
    yardstick.server_close()
    world.close()
    return tuple(count / min(times[name]) for name in ("threading", "node", "fixed"))  # type: ignore[return-value]


def concurrent(requests_each: int) -> tuple[int, int, float]:
    """50 clients at once, each on its own connection: (requests answered, errors, seconds)."""
    world, app, _ = node()
    errors: list[BaseException] = []
    done = [0]
    lock = threading.Lock()
    with UCXIServer(app, latency_scale=0) as server:
        barrier = threading.Barrier(CLIENTS + 1)

        def client() -> None:
            barrier.wait()
            try:
                _session(server.port, requests_each)
            except BaseException as error:
                with lock:
                    errors.append(error)
            else:
                with lock:
                    done[0] += requests_each

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        barrier.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - began
    world.close()
    return done[0], len(errors), seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000, help="requests per timed run")
    parser.add_argument("--repeat", type=int, default=20, help="runs; the best is kept")
    parser.add_argument(
        "--concurrent-requests", type=int, default=100, help="requests each of the 50 clients makes"
    )
    args = parser.parse_args(argv)

    print(
        f"UCXI node benchmark: GET {PATH}?address=<one stored envelope>, "
        f"{args.count:,} requests per run, best of {args.repeat}"
    )
    fixed, ours = in_process_rates(args.count, args.repeat)
    verdict = "meets" if ours / fixed >= GOAL else "MISSES"
    print(
        f"  in process (httpx WSGITransport): node {ours:>8,.0f}/s vs fixed-JSON WSGI app "
        f"{fixed:>8,.0f}/s  ratio {ours / fixed:.2f} ({verdict} {GOAL:.2f})"
    )
    threading_rate, ours, server_only = loopback_rates(args.count, args.repeat)
    verdict = "meets" if ours / threading_rate >= GOAL else "MISSES"
    print(
        f"  loopback, one keep-alive connection: node {ours:>8,.0f}/s vs ThreadingHTTPServer "
        f"(HTTP/1.1, Nagle off) {threading_rate:>8,.0f}/s  ratio {ours / threading_rate:.2f} "
        f"({verdict} {GOAL:.2f})"
    )
    print(
        f"  {'':<36} UCXIServer, fixed-JSON handler {server_only:>8,.0f}/s  ratio "
        f"{server_only / threading_rate:.2f} (no goal: the server alone)"
    )
    answered, errors, seconds = concurrent(args.concurrent_requests)
    verdict = "meets" if errors == 0 else "MISSES"
    print(
        f"  {CLIENTS} concurrent clients, {args.concurrent_requests} requests each: "
        f"{answered:,} answered in {seconds:.2f} s ({answered / seconds:,.0f}/s), "
        f"errors = {errors} ({verdict} 0)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
