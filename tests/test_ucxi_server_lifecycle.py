"""UCXIServer's life: start, stop, restart, ports, limits, and the arguments it refuses."""

from __future__ import annotations

import math
import socket
import subprocess
import sys
import time

import pytest
import requests

from pytest_bzzz._backends.ucxi.http import Request, Response
from pytest_bzzz._backends.ucxi.server import UCXIServer
from tests.test_ucxi_server import Echo


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_port_zero_picks_a_free_port_at_start() -> None:
    server = UCXIServer(Echo())
    with pytest.raises(RuntimeError, match="chosen when the server starts"):
        _ = server.url
    assert "port chosen at start" in repr(server)
    with server:
        assert server.port > 0
        assert server.host == "127.0.0.1"
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.running
        assert repr(server) == f"<UCXIServer {server.url} running>"
        assert requests.get(server.url, timeout=30).status_code == 200
    assert not server.running


def test_a_given_port_is_used() -> None:
    for _attempt in range(5):  # another process may take the probed port first
        port = _free_port()
        server = UCXIServer(Echo(), port=port)
        assert server.port == port
        try:
            server.start()
        except OSError:
            continue
        try:
            assert requests.get(f"http://127.0.0.1:{port}/x", timeout=30).json()["path"] == "/x"
        finally:
            server.stop()
        return
    pytest.fail("no free port found")


def test_a_busy_port_is_an_error_that_names_it() -> None:
    with UCXIServer(Echo()) as first:
        second = UCXIServer(Echo(), port=first.port)
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{first.port}"):
            second.start()
        assert not second.running


def test_stop_is_idempotent_and_restart_keeps_the_port() -> None:
    server = UCXIServer(Echo())
    server.stop()  # never started: nothing to do
    server.start()
    port = server.port
    with pytest.raises(RuntimeError, match="already running"):
        server.start()
    server.stop()
    server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/", timeout=30)
    assert server.url == f"http://127.0.0.1:{port}"  # still known when stopped
    with server:  # a node's restart: clients' URL still valid
        assert server.port == port
        assert requests.get(f"{server.url}/again", timeout=30).status_code == 200


def test_stop_closes_open_connections() -> None:
    server = UCXIServer(Echo()).start()
    idle = socket.create_connection((server.host, server.port), timeout=30)
    idle.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    answer = idle.recv(65536)
    server.stop()
    rest = b""
    while chunk := idle.recv(65536):  # the server closed it: end of stream, no hang
        rest += chunk
    idle.close()
    assert answer.startswith(b"HTTP/1.1 200 OK")
    assert rest == b""


def test_an_idle_connection_is_closed_after_the_idle_timeout() -> None:
    with UCXIServer(Echo(), idle_timeout=0.2) as server:
        sock = socket.create_connection((server.host, server.port), timeout=60)
        began = time.monotonic()
        assert sock.recv(1) == b""  # closed by the server, not by the client's 60 s
        sock.close()
        assert time.monotonic() - began >= 0.2


def test_the_server_runs_outside_pytest() -> None:
    code = (
        "import json, urllib.request\n"
        "from pytest_bzzz._backends.ucxi.http import Response\n"
        "from pytest_bzzz.ucxi import UCXIServer\n"
        "class App:\n"
        "    def handle(self, request):\n"
        "        return Response(200, (), request.path.encode())\n"
        "with UCXIServer(App()) as server:\n"
        "    print(urllib.request.urlopen(server.url + '/here').read().decode())\n"
        "import sys; print('pytest' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split() == ["/here", "False"]


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"app": object()}, TypeError, "handle"),
        ({"host": ""}, TypeError, "host"),
        ({"port": -1}, ValueError, "port"),
        ({"port": 65536}, ValueError, "port"),
        ({"port": "80"}, TypeError, "port must be an int"),
        ({"latency_scale": math.nan}, ValueError, "latency_scale"),
        ({"latency_scale": -1}, ValueError, "latency_scale"),
        ({"max_body": 1.5}, TypeError, "max_body"),
        ({"max_header": 10}, ValueError, "max_header"),
        ({"idle_timeout": 0}, ValueError, "idle_timeout"),
        ({"max_connections": 0}, ValueError, "max_connections"),
        ({"max_connections": True}, TypeError, "max_connections"),
    ],
)
def test_bad_arguments_are_refused_with_their_name(
    arguments: dict[str, object], error: type[Exception], message: str
) -> None:
    app = arguments.pop("app", Echo())
    with pytest.raises(error, match=message):
        UCXIServer(app, **arguments)  # type: ignore[arg-type]


def test_latency_scale_is_checked_when_set() -> None:
    server = UCXIServer(Echo(), latency_scale=0)
    server.latency_scale = 2.5
    assert server.latency_scale == 2.5
    with pytest.raises(ValueError, match="latency_scale"):
        server.latency_scale = math.inf


def test_max_body_and_app_are_checked_when_set() -> None:
    server = UCXIServer(Echo())
    assert server.max_body == 1 << 20  # a handler without rules: 1 MiB
    server.max_body = 5
    assert server.max_body == 5
    with pytest.raises(TypeError, match="max_body"):
        server.max_body = 1.5  # type: ignore[assignment]
    with pytest.raises(ValueError, match="max_body"):
        server.max_body = -1
    with pytest.raises(TypeError, match="handle"):
        server.app = object()  # type: ignore[assignment]


def test_base_url_and_requests_come_from_the_application() -> None:
    class Plain:
        def handle(self, request: Request) -> Response:
            return Response(200)

    with UCXIServer(Plain()) as server:
        assert server.base_url == server.url  # no rules, no base path
        with pytest.raises(AttributeError, match="Plain keeps no record of requests"):
            _ = server.requests


def _keep_alive(server: UCXIServer) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=30)
    sock.sendall(b"GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
    assert sock.recv(65536).startswith(b"HTTP/1.1 200 OK")
    return sock


def test_a_running_server_is_pointed_at_another_app() -> None:
    first, second = Echo(), Echo()
    with UCXIServer(first) as server:
        held = _keep_alive(server)
        server.app = second
        held.sendall(b"GET /second HTTP/1.1\r\nHost: x\r\n\r\n")  # the next request: the new app
        assert held.recv(65536).startswith(b"HTTP/1.1 200 OK")
        held.close()
        assert requests.get(f"{server.url}/third", timeout=30).status_code == 200
    assert [request.path for request, _ in first.requests] == ["/first"]
    assert [request.path for request, _ in second.requests] == ["/second", "/third"]


def test_close_connections_ends_them_all_and_keeps_listening() -> None:
    app = Echo()
    with UCXIServer(app, latency_scale=1) as server:
        port = server.port
        idle = _keep_alive(server)
        waiting = socket.create_connection((server.host, server.port), timeout=30)
        waiting.sendall(b"GET /slow?delay=60 HTTP/1.1\r\nHost: x\r\n\r\n")  # a minute's delay
        deadline = time.monotonic() + 30  # until the application has it, waiting out its delay
        while not any(request.path == "/slow" for request, _ in app.requests):
            assert time.monotonic() < deadline, "the delayed request never reached the application"
            time.sleep(0.005)
        began = time.monotonic()
        server.close_connections()
        assert time.monotonic() - began < 30  # the minute was never waited out
        for sock in (idle, waiting):
            assert sock.recv(65536) == b""  # closed, and the delayed answer never sent
            sock.close()
        assert server.port == port
        assert requests.get(f"{server.url}/after", timeout=30).status_code == 200
