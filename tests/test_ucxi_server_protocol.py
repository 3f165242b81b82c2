"""UCXIServer's HTTP/1.1: HTTP/1.0 connections, pipelining, 100-continue, chunked bodies."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator

import pytest

from pytest_bzzz._backends.ucxi.http import Request, Response
from pytest_bzzz._backends.ucxi.server import UCXIServer
from tests.test_ucxi_server import Echo, exchange, parse


@pytest.fixture
def server() -> Iterator[UCXIServer]:
    with UCXIServer(Echo()) as running:
        yield running


def test_http10_closes_unless_asked_to_keep_alive(server: UCXIServer) -> None:
    status, headers, _ = parse(exchange(server, b"GET /one HTTP/1.0\r\n\r\n"))
    assert (status, headers["connection"]) == (200, "close")
    kept = b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
    closing = b"GET /b HTTP/1.0\r\n\r\n"
    raw = exchange(server, kept + closing)  # both at once: the second is answered, then closed
    first, second = raw.split(b"HTTP/1.1 ")[1:]
    assert b"Connection: keep-alive" in first
    assert b'"path": "/a"' in first
    assert b"Connection: close" in second
    assert b'"path": "/b"' in second


def test_pipelined_requests_are_answered_in_order(server: UCXIServer) -> None:
    last = {0: b"X: y", 1: b"X: y", 2: b"Connection: close"}
    requests_ = b"".join(
        b"GET /%d HTTP/1.1\r\nHost: x\r\n%s\r\n\r\n" % (n, last[n]) for n in range(3)
    )
    raw = exchange(server, b"\r\n" + requests_)  # an empty line before a request is ignored
    paths = re.findall(rb'"path": "(/[0-9])"', raw)
    assert paths == [b"/0", b"/1", b"/2"]


def test_expect_100_continue_is_answered_before_the_body(server: UCXIServer) -> None:
    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        sock.sendall(
            b"PUT /put HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n"
            b"Connection: close\r\n\r\n"
        )
        interim = sock.recv(len(b"HTTP/1.1 100 Continue\r\n\r\n"))
        sock.sendall(b"hello")
        raw = b"".join(iter(lambda: sock.recv(65536), b""))
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    status, _, body = parse(raw)
    assert (status, json.loads(body)["body"]) == (200, "hello")


def test_chunked_bodies_are_decoded_with_extensions_and_trailers(server: UCXIServer) -> None:
    body = b"5;name=value\r\nhello\r\n1\r\n!\r\n0\r\nX-Trailer: t\r\n\r\n"
    raw = exchange(
        server,
        b"POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + body,
    )
    status, _, answer = parse(raw)
    assert (status, json.loads(answer)["body"]) == (200, "hello!")


def test_bare_line_feeds_end_lines_too(server: UCXIServer) -> None:
    status, _, body = parse(exchange(server, b"GET /lf HTTP/1.1\nHost: x\nConnection: close\n\n"))
    assert (status, json.loads(body)["path"]) == (200, "/lf")


def test_options_star_reaches_the_application(server: UCXIServer) -> None:
    raw = exchange(server, b"OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert json.loads(parse(raw)[2])["path"] == "*"


def test_a_chunked_body_may_wait_for_100_continue(server: UCXIServer) -> None:
    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"Expect: 100-continue\r\nConnection: close\r\n\r\n"
        )
        interim = sock.recv(len(b"HTTP/1.1 100 Continue\r\n\r\n"))
        sock.sendall(b"3\r\nabc\r\n0\r\n\r\n")
        raw = b"".join(iter(lambda: sock.recv(65536), b""))
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert json.loads(parse(raw)[2])["body"] == "abc"


def test_the_application_may_stop_the_server_from_a_request() -> None:
    class Stopper:
        server: UCXIServer

        def handle(self, request: Request) -> Response:
            self.server.stop()
            return Response(200)

    app = Stopper()
    app.server = UCXIServer(app).start()
    exchange(app.server, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # no deadlock, no hang
    assert not app.server.running
