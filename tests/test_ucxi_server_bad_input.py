"""UCXIServer against requests that are not valid HTTP: 400 or 413 envelopes, never a crash.

Each bad request is answered with a UCXL error envelope and the connection
closed (or, for bytes that are not HTTP at all, just closed), and the server
goes on answering everyone else; the fuzz test at the end sends a few hundred
random inputs and checks exactly that.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import re
import socket
import struct
from collections.abc import Iterator

import pytest
import requests

from pytest_bzzz._backends.ucxi.server import UCXIServer
from tests.test_ucxi_server import Echo, error_of, exchange, parse

GOOD = b"GET /fine HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"


@pytest.fixture
def app() -> Echo:
    return Echo()


@pytest.fixture
def server(app: Echo) -> Iterator[UCXIServer]:
    with UCXIServer(app, max_body=1000, max_header=4096) as running:
        yield running


def assert_bad_request(raw: bytes, reason: str = "") -> None:
    status, headers, body = parse(raw)
    assert status == 400
    assert headers["connection"] == "close"
    assert headers["content-type"] == "application/json"
    error = error_of(body, "UCXL-400-BAD_REQUEST")
    assert error["message"] == "Bad request"
    assert reason in error["details"]["reason"]


def assert_still_serving(server: UCXIServer) -> None:
    status, _, body = parse(exchange(server, GOOD))
    assert (status, json.loads(body)["path"]) == (200, "/fine")


@pytest.mark.parametrize(
    ("request_line", "reason"),
    [
        (b"GET", "malformed request line"),
        (b"GET /", "malformed request line"),
        (b"GET  / HTTP/1.1", "malformed request line"),
        (b"GET / HTTP/1.1 extra", "malformed request line"),
        (b"G(T / HTTP/1.1", "malformed method"),
        (b"GET path HTTP/1.1", "must be a path or an absolute URL"),
        (b"GET http:///path HTTP/1.1", "without a host"),
        (b"GET /a#b HTTP/1.1", "fragment"),
        (b"GET /\xe9 HTTP/1.1", "malformed request target"),
        (b"GET /\x01 HTTP/1.1", "control character"),
    ],
)
def test_bad_request_lines_are_400(server: UCXIServer, request_line: bytes, reason: str) -> None:
    assert_bad_request(exchange(server, request_line + b"\r\nHost: x\r\n\r\n"), reason)
    assert_still_serving(server)


@pytest.mark.parametrize(
    ("version", "reason"),
    [
        (b"HTTP/2.0", "unsupported HTTP version 'HTTP/2.0'"),
        (b"HTTP/1.2", "unsupported HTTP version"),
        (b"HTTP/0.9", "unsupported HTTP version"),
        (b"HTTP/1", "malformed HTTP version"),
        (b"http/1.1", "malformed HTTP version"),
        (b"HTTP/1.1x", "malformed HTTP version"),
    ],
)
def test_unknown_http_versions_are_400(server: UCXIServer, version: bytes, reason: str) -> None:
    assert_bad_request(exchange(server, b"GET / " + version + b"\r\nHost: x\r\n\r\n"), reason)


def test_the_absolute_form_of_a_target_is_served(server: UCXIServer) -> None:
    raw = exchange(
        server, b"GET http://node:8080/p%2Fq?x=1 HTTP/1.1\r\nHost: node\r\n\r\n", half_close=True
    )
    document = json.loads(parse(raw)[2])
    assert (document["path"], document["query"]) == ("/p/q", "x=1")


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (b"Host: x\r\nNo colon here\r\n", "malformed header field"),
        (b"Host: x\r\nName : value\r\n", "malformed header field"),
        (b"Host: x\r\nX-A: 1\r\n folded\r\n", "obsolete line folding"),
        (b"Host: x\r\nX-A: a\x00b\r\n", "control character"),
        (b"Host: x\r\nX-A: a\rb\r\n", "bare CR"),
        (b"X-A: 1\r\n", "exactly one Host"),
        (b"Host: x\r\nHost: y\r\n", "exactly one Host"),
        (b"Host: x\r\n" + b"X-A: 1\r\n" * 100, "more than 100 header fields"),
    ],
)
def test_malformed_header_fields_are_400(server: UCXIServer, fields: bytes, reason: str) -> None:
    assert_bad_request(exchange(server, b"GET / HTTP/1.1\r\n" + fields + b"\r\n"), reason)


def test_oversized_heads_are_400_before_they_end(server: UCXIServer) -> None:
    head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 5000  # no end in sight
    assert_bad_request(exchange(server, head), "over 4096 bytes")
    whole = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 4090 + b"\r\n\r\n"
    assert_bad_request(exchange(server, whole), "over 4096 bytes")
    assert_still_serving(server)


def test_default_header_limit_is_64_kib(app: Echo) -> None:
    with UCXIServer(app) as server:
        big = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (65 << 10) + b"\r\n\r\n"
        assert_bad_request(exchange(server, big), "over 65536 bytes")
        fits = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " + b"a" * (60 << 10)
        assert parse(exchange(server, fits + b"\r\n\r\n"))[0] == 200


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (b"Content-Length: abc", "malformed Content-Length"),
        (b"Content-Length: -1", "malformed Content-Length"),
        (b"Content-Length: +5", "malformed Content-Length"),
        (b"Content-Length: 0x10", "malformed Content-Length"),
        (b"Content-Length:", "malformed Content-Length"),
        (b"Content-Length: \xd9\xa3", "malformed Content-Length"),
        (b"Content-Length: 5, 6", "conflicting Content-Length"),
        (b"Content-Length: 5\r\nContent-Length: 6", "conflicting Content-Length"),
        (b"Content-Length: 5\r\nTransfer-Encoding: chunked", "both Content-Length and"),
        (b"Transfer-Encoding: gzip, chunked", "unsupported Transfer-Encoding"),
        (b"Transfer-Encoding: identity", "unsupported Transfer-Encoding"),
    ],
)
def test_bad_body_framing_is_400(server: UCXIServer, fields: bytes, reason: str) -> None:
    raw = exchange(server, b"POST / HTTP/1.1\r\nHost: x\r\n" + fields + b"\r\n\r\nhello")
    assert_bad_request(raw, reason)


def test_repeated_equal_content_lengths_are_one(server: UCXIServer) -> None:
    raw = exchange(
        server,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
        half_close=True,
    )
    assert json.loads(parse(raw)[2])["body"] == "ok"


def test_transfer_encoding_in_http10_is_400(server: UCXIServer) -> None:
    raw = exchange(server, b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    assert_bad_request(raw, "HTTP/1.0")


@pytest.mark.parametrize(
    "body",
    [b"zz\r\n", b"5\r\nhello!!\r\n0\r\n\r\n", b"1" * 17 + b"\r\n", b"5\r\n" + b"x" * 5000],
    ids=["not hex", "longer than its size", "size too long", "no line end"],
)
def test_malformed_chunks_are_400(server: UCXIServer, body: bytes) -> None:
    raw = exchange(
        server, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body
    )
    assert_bad_request(raw)


# -- bodies over the limit -----------------------------------------------------------------


def test_a_body_over_the_limit_is_413_before_it_is_read(server: UCXIServer, app: Echo) -> None:
    # Only the head is sent: the answer comes without the server waiting for the body.
    raw = exchange(
        server, b"PUT /ucxi/v1/put HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n"
    )
    status, headers, body = parse(raw)
    assert (status, headers["connection"]) == (413, "close")
    error = error_of(body, "UCXL-413-PAYLOAD_TOO_LARGE")
    assert error["message"] == "Payload too large"
    assert error["path"] == "/ucxi/v1/put"
    assert error["details"] == {"limit": 1000, "length": 5000000}
    assert app.requests == []


def test_a_413_comes_instead_of_100_continue(server: UCXIServer) -> None:
    raw = exchange(
        server,
        b"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\nExpect: 100-continue\r\n"
        b"X-Request-ID: mine\r\n\r\n",
    )
    assert b"100 Continue" not in raw
    status, headers, body = parse(raw)
    assert (status, headers["x-request-id"]) == (413, "mine")
    error_of(body, "UCXL-413-PAYLOAD_TOO_LARGE", request_id="mine")


def test_a_chunked_body_over_the_limit_is_413(server: UCXIServer) -> None:
    chunks = b"200\r\n" + b"x" * 512 + b"\r\n" + b"300\r\n"  # the second chunk would pass 1000
    raw = exchange(
        server, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
    )
    assert parse(raw)[0] == 413


def test_a_client_that_sends_its_whole_big_body_still_reads_the_413(server: UCXIServer) -> None:
    answer = requests.put(f"{server.url}/put", data=b"x" * 200_000, timeout=60)
    assert answer.status_code == 413
    error_of(answer.content, "UCXL-413-PAYLOAD_TOO_LARGE")


def test_a_body_at_the_limit_is_accepted(server: UCXIServer) -> None:
    assert (
        len(requests.put(f"{server.url}/put", data=b"x" * 1000, timeout=60).json()["body"]) == 1000
    )


# -- not HTTP, half a request, and fuzz ----------------------------------------------------


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS ClientHello
        b"\x00\x00\x00\x00",
        b"\xff" * 100,
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",  # HTTP/2's preface
        b"hello there\n",
    ],
)
def test_garbage_is_answered_400_or_closed(server: UCXIServer, garbage: bytes) -> None:
    raw = exchange(server, garbage)
    if raw:
        assert_bad_request(raw)
    assert_still_serving(server)


def test_clients_that_leave_mid_request_harm_no_one(server: UCXIServer) -> None:
    other = http.client.HTTPConnection(server.host, server.port, timeout=30)
    other.request("GET", "/before")
    assert other.getresponse().read()
    for partial in (
        b"GET /half",
        b"GET / HTTP/1.1\r\nHost: x\r\n",
        b"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc",
    ):
        assert exchange(server, partial, half_close=True) == b""
        sock = socket.create_connection((server.host, server.port), timeout=30)
        sock.sendall(partial)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()  # a reset, not a goodbye
    other.request("GET", "/after")  # the same keep-alive connection as before
    assert b"/after" in other.getresponse().read()
    other.close()


def _request_like(rng: random.Random) -> bytes:
    """Text that looks like a request, with a random piece broken."""
    pieces = {
        "method": rng.choice([b"GET", b"PUT", b"POST", b"HEAD", b"DELETE", b"G T", b"", b"\xff"]),
        "target": rng.choice([b"/", b"/ucxi/v1/get?address=x", b"*", b"http://h/p", b"", b"/%zz"]),
        "version": rng.choice([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/2", b"HTTP/1.1\r", b""]),
        "fields": rng.sample(
            [
                b"Host: x",
                b"Content-Length: 3",
                b"Content-Length: 99999999999999999999",
                b"Content-Length: -3",
                b"Transfer-Encoding: chunked",
                b"Expect: 100-continue",
                b"Connection: close",
                b"Connection: keep-alive",
                b"X-Request-ID: \x7f",
                b" folded",
                b"Bad Header: v",
                b": no name",
            ],
            rng.randint(0, 5),
        ),
        "end": rng.choice([b"\r\n", b"\n", b"\r"]),
        "body": rng.choice([b"", b"abc", b"3\r\nabc\r\n0\r\n\r\n", rng.randbytes(20)]),
    }
    end = pieces["end"]
    head = b" ".join([pieces["method"], pieces["target"], pieces["version"]])
    text = end.join([head, *pieces["fields"], b"", pieces["body"]])
    if rng.random() < 0.3:  # and a few bytes flipped
        data = bytearray(text)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        text = bytes(data)
    return text


def test_fuzz_the_server_keeps_answering(
    server: UCXIServer, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(20240128)
    caplog.set_level(logging.ERROR, logger="pytest_bzzz.ucxi")
    for case in range(300):
        data = rng.randbytes(rng.randint(1, 200)) if case % 3 == 0 else _request_like(rng)
        raw = exchange(server, data, half_close=True)  # half-closed: nothing waits for more
        assert raw == b"" or re.match(rb"HTTP/1\.1 [1-5][0-9][0-9] ", raw), (data, raw)
        assert b"Traceback" not in raw, (data, raw)
    assert caplog.records == []  # the server itself never failed
    assert_still_serving(server)


def test_a_bad_request_line_is_refused_before_the_head_ends(server: UCXIServer) -> None:
    # Neither the empty line that ends the head nor a half-close: the line alone is enough.
    assert_bad_request(exchange(server, b"GET / HTTP/3\r\nHost: x\r\n"), "HTTP/3")


def test_trailer_fields_are_limited_as_heads_are(server: UCXIServer) -> None:
    trailers = b"0\r\n" + b"X-T: aaaaaaaaaa\r\n" * 300 + b"\r\n"  # 5 KiB of trailers, over 4 KiB
    raw = exchange(
        server, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + trailers
    )
    assert_bad_request(raw, "trailer fields over 4096 bytes")


@pytest.mark.parametrize(
    ("head", "echoed"),
    [
        (b"GET /ucxi/v1/health?x=1 HTTP/1.1\r\nX-Request-ID: mine-7\r\n\r\n", True),  # no Host
        (b"GET /ucxi/v1/health?x=1 HTTP/9.9\r\nHost: x\r\nX-Request-ID: mine-7\r\n\r\n", False),
        (
            b"PUT /ucxi/v1/health?x=1 HTTP/1.1\r\nHost: x\r\nX-Request-ID: mine-7\r\n"
            b"Content-Length: -5\r\n\r\n",
            True,
        ),
    ],
    ids=["no host", "version", "content length"],
)
def test_a_refused_request_whose_line_was_read_is_answered_with_its_path(
    server: UCXIServer, head: bytes, echoed: bool
) -> None:
    # The note: ``path`` is the request path without the query. The client's id is echoed
    # once its header was read (an unknown version stops at the request line).
    status, _, body = parse(exchange(server, head))
    error = json.loads(body)["error"]
    assert (status, error["code"], error["path"]) == (
        400,
        "UCXL-400-BAD_REQUEST",
        "/ucxi/v1/health",
    )
    assert (error["request_id"] == "mine-7") is echoed
    assert_still_serving(server)
