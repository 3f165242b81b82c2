"""UCXIServer with real HTTP clients: keep-alive, HEAD, delays, drops, concurrency, start and stop.

The application here is a stub (``Echo``) whose answers the tests choose
through the query string; ``tests/test_ucxi_server_app.py`` serves the real
one. The helpers at the top are shared by the other ``test_ucxi_server*``
modules.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import requests

from pytest_bzzz._backends.ucxi.http import Request, Response
from pytest_bzzz._backends.ucxi.server import UCXIServer

JSON = (("Content-Type", "application/json"),)
_ERROR_KEYS = {"code", "message", "source", "path", "request_id", "timestamp"}


class Echo:
    """A stub application: answers with the request as JSON.

    The query chooses the answer: ``delay=<seconds>``, ``drop=1``, ``close=1``,
    ``boom=1`` (raise), ``status=<n>``. Every request is kept, with the name
    of the server thread that handled it (one per connection).
    """

    def __init__(self) -> None:
        self.requests: list[tuple[Request, str]] = []
        self._lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        with self._lock:
            self.requests.append((request, threading.current_thread().name))
        query = dict(urllib.parse.parse_qsl(request.query))
        if "boom" in query:
            raise RuntimeError("a secret the client must not see")
        document = {
            "method": request.method,
            "path": request.path,
            "query": request.query,
            "headers": dict(request.headers),
            "body": request.body.decode("latin-1"),
        }
        return Response(
            int(query.get("status", 200)),
            JSON,
            json.dumps(document).encode(),
            delay=float(query.get("delay", 0)),
            close="close" in query,
            drop="drop" in query,
        )

    @property
    def threads(self) -> list[str]:
        return [thread for _, thread in self.requests]


@pytest.fixture
def app() -> Echo:
    return Echo()


@pytest.fixture
def server(app: Echo) -> Iterator[UCXIServer]:
    with UCXIServer(app) as running:
        yield running


def exchange(server: UCXIServer, data: bytes, *, half_close: bool = False) -> bytes:
    """Send raw bytes and read everything until the server closes the connection."""
    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def parse(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """One response: status, headers (lower-case names), body (as framed by Content-Length)."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    version, status, _ = status_line.split(" ", 2)
    assert version == "HTTP/1.1"
    headers = {name.lower(): value.strip() for name, _, value in (x.partition(":") for x in lines)}
    length = int(headers.get("content-length", len(rest)))
    return int(status), headers, rest[:length]


def error_of(body: bytes, code: str, request_id: str | None = None) -> dict[str, Any]:
    """The error envelope in ``body``, checked against the UCXI note's shape.

    Its request id is ``request_id``, or a fresh one when that is ``None``.
    """
    document = json.loads(body)
    assert list(document) == ["error"]
    error: dict[str, Any] = document["error"]
    assert error["code"] == code
    assert _ERROR_KEYS <= set(error) <= _ERROR_KEYS | {"details", "cause"}
    assert error["source"] == "ucxi-server"
    if request_id is None:
        assert re.fullmatch(r"[0-9]{8}-[0-9]{6}-[0-9a-f]{8}", error["request_id"])
    else:
        assert error["request_id"] == request_id
    assert re.fullmatch(r"[0-9-]{10}T[0-9:]{8}\.[0-9]{3}Z", error["timestamp"])
    assert b"Traceback" not in body
    return error


# -- clients --------------------------------------------------------------------------------


def test_http_client_keeps_one_connection_alive(server: UCXIServer, app: Echo) -> None:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    for number in range(5):
        connection.request("POST", f"/ucxi/v1/put?n={number}", body=b"x" * number)
        response = connection.getresponse()
        document = json.loads(response.read())
        assert response.status == 200
        assert response.getheader("Connection") == "keep-alive"
        assert (document["query"], document["body"]) == (f"n={number}", "x" * number)
    connection.close()
    assert len(app.threads) == 5
    assert len(set(app.threads)) == 1  # one server thread: one connection


def test_requests_session_reuses_its_connection(server: UCXIServer, app: Echo) -> None:
    with requests.Session() as session:
        answers = [
            session.get(f"{server.url}/a%20b", params={"i": i}, timeout=30) for i in range(4)
        ]
    assert [a.json()["path"] for a in answers] == ["/a b"] * 4  # the path arrives decoded
    assert all(a.headers["Content-Type"] == "application/json" for a in answers)
    assert "Date" in answers[0].headers
    assert len(set(app.threads)) == 1


def test_httpx_sends_bodies_and_headers(server: UCXIServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        put = client.put("/put", content=b"\x00\xffbinary", headers={"X-Request-ID": "abc"})
        streamed = client.post("/post", content=iter([b"chunk", b"ed"]))  # chunked on the wire
    assert put.json()["body"] == "\x00\xffbinary"
    assert put.json()["headers"]["x-request-id"] == "abc"
    assert streamed.json()["headers"]["transfer-encoding"] == "chunked"
    assert streamed.json()["body"] == "chunked"


def test_urllib_gets_answers_and_errors(server: UCXIServer) -> None:
    with urllib.request.urlopen(f"{server.url}/get?x=1", timeout=30) as answer:
        assert json.loads(answer.read())["query"] == "x=1"
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{server.url}/boom?boom=1", timeout=30)
    error_of(caught.value.read(), "UCXL-500-INTERNAL_ERROR")


def test_head_sends_no_body_but_the_length_get_would(server: UCXIServer) -> None:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    connection.request("GET", "/same")
    get = connection.getresponse()
    body = get.read()
    connection.request("HEAD", "/same")
    head = connection.getresponse()
    assert head.read() == b""
    connection.request("GET", "/same")  # the connection's framing survived the HEAD
    after = connection.getresponse().read()
    connection.close()
    # Echo gives its body for HEAD too (with "HEAD" in it): the server drops it, keeps its length.
    assert int(head.getheader("Content-Length")) == len(body) + 1
    assert json.loads(after)["method"] == "GET"


def test_head_without_a_body_claims_no_length() -> None:
    class Bodiless:
        def handle(self, request: Request) -> Response:
            return Response(200, JSON, b"")

    class Announced:
        def handle(self, request: Request) -> Response:
            return Response(200, (*JSON, ("Content-Length", "42")), b"")

    for app, length in ((Bodiless(), None), (Announced(), "42")):
        with UCXIServer(app) as server:
            status, headers, body = parse(exchange(server, _head_request()))
        assert (status, headers.get("content-length"), body) == (200, length, b"")


def _head_request() -> bytes:
    return b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"


# -- many clients ---------------------------------------------------------------------------


def test_fifty_simultaneous_clients_are_all_served(server: UCXIServer) -> None:
    start = threading.Barrier(50)

    def client(number: int) -> list[int]:
        start.wait(timeout=60)
        connection = http.client.HTTPConnection(server.host, server.port, timeout=60)
        statuses = []
        for round_ in range(3):
            connection.request("GET", f"/c{number}?r={round_}")
            response = connection.getresponse()
            assert json.loads(response.read())["path"] == f"/c{number}"
            statuses.append(response.status)
        connection.close()
        return statuses

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(client, range(50)))
    assert results == [[200, 200, 200]] * 50


def test_fifty_connects_at_once_wait_in_the_backlog(app: Echo) -> None:
    with UCXIServer(app) as server:
        sockets = [
            socket.create_connection((server.host, server.port), timeout=30) for _ in range(50)
        ]
        for sock in sockets:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answers = [b"".join(iter(lambda s=sock: s.recv(65536), b"")) for sock in sockets]
        for sock in sockets:
            sock.close()
    assert all(answer.startswith(b"HTTP/1.1 200 OK\r\n") for answer in answers)


def test_beyond_max_connections_a_client_gets_503(app: Echo) -> None:
    with UCXIServer(app, max_connections=1) as server:
        held = http.client.HTTPConnection(server.host, server.port, timeout=30)
        held.request("GET", "/held")
        held.getresponse().read()  # the one connection is open and counted
        status, _, body = parse(exchange(server, b""))
        held.close()
    assert status == 503
    assert error_of(body, "UCXL-503-SERVICE_UNAVAILABLE")["details"] == {
        "reason": "too many open connections"
    }


# -- what the application asks: failures, delays, drops, closes --------------------------------


def test_an_exception_in_the_application_is_a_500_envelope(
    server: UCXIServer, caplog: pytest.LogCaptureFixture
) -> None:
    with requests.Session() as session:
        failed = session.get(f"{server.url}/ucxi/v1/get?boom=1", timeout=30)
        after = session.get(f"{server.url}/fine", timeout=30)  # the connection stays usable
    assert failed.status_code == 500
    error = error_of(failed.content, "UCXL-500-INTERNAL_ERROR")
    assert error["path"] == "/ucxi/v1/get"
    assert error["details"] == {"exception": "RuntimeError"}  # as UCXIApp's own 500 says it
    assert b"secret" not in failed.content
    assert after.status_code == 200
    assert "a secret the client must not see" in caplog.text  # for whoever runs the server


@pytest.mark.parametrize(
    "answer",
    [
        "not a response",
        Response(99),
        Response(200, (("Bad Name", "v"),)),
        Response(200, (("X-Injected", "a\r\nSet-Cookie: b"),)),
        Response(200, (("X-Wide", "\u20ac"),)),
        Response(200, body="text"),  # type: ignore[arg-type]
        Response(200, delay=float("nan")),
        Response(200, delay=-1.0),
    ],
    ids=repr,
)
def test_a_response_that_cannot_be_sent_is_a_500(answer: object) -> None:
    class Broken:
        def handle(self, request: Request) -> Any:
            return answer

    with UCXIServer(Broken()) as server:
        status, _, body = parse(
            exchange(server, b"GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        )
    assert status == 500
    assert error_of(body, "UCXL-500-INTERNAL_ERROR")["path"] == "/x"


def test_a_delay_is_spent_before_answering_and_scaled(app: Echo) -> None:
    with UCXIServer(app) as server:
        began = time.monotonic()
        assert requests.get(f"{server.url}/slow?delay=0.3", timeout=60).status_code == 200
        assert time.monotonic() - began >= 0.3
        server.latency_scale = 2
        began = time.monotonic()
        requests.get(f"{server.url}/slow?delay=0.2", timeout=60)
        assert time.monotonic() - began >= 0.4
    with UCXIServer(app, latency_scale=0) as server:
        began = time.monotonic()
        requests.get(f"{server.url}/slow?delay=300", timeout=120)
        assert time.monotonic() - began < 100  # five minutes, scaled to nothing


def test_a_delay_blocks_no_other_connection_and_stop_ends_it(app: Echo) -> None:
    server = UCXIServer(app).start()
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(requests.get, f"{server.url}/slow?delay=600", timeout=900)
        while len(app.requests) < 1:  # the slow request has reached the application
            time.sleep(0.01)
        assert requests.get(f"{server.url}/quick", timeout=30).status_code == 200
        assert not slow.done()
        began = time.monotonic()
        server.stop()
        assert time.monotonic() - began < 300  # the ten minutes' delay did not hold stop()
        with pytest.raises(requests.ConnectionError):
            slow.result()


def test_drop_answers_nothing_and_closes(server: UCXIServer) -> None:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    connection.request("GET", "/lost?drop=1")
    with pytest.raises(http.client.RemoteDisconnected):
        connection.getresponse()
    connection.close()
    assert exchange(server, b"GET /?drop=1 HTTP/1.1\r\nHost: x\r\n\r\n") == b""


def test_close_answers_then_closes(server: UCXIServer) -> None:
    raw = exchange(server, b"GET /?close=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /never HTTP/1.1\r\n\r\n")
    status, headers, _ = parse(raw)
    assert (status, headers["connection"]) == (200, "close")
    assert b"/never" not in raw


def test_statuses_without_a_body(server: UCXIServer) -> None:
    status, headers, body = parse(
        exchange(server, b"GET /?status=204&close=1 HTTP/1.1\r\nHost: x\r\n\r\n")
    )
    assert (status, "content-length" in headers, body) == (204, False, b"")
