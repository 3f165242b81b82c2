"""Fuzzing the real fake node: ``UCXIApp`` behind ``UCXIServer``, on a socket, with hypothesis.

``test_ucxi_server_bad_input`` fuzzes the server alone (over a stub
application); here the whole node answers: random bytes, requests with a
broken piece, and well-formed requests with random methods, paths, queries,
headers and bodies. Every answer must be a UCXL envelope of the note's shape
(one key, ``response`` or ``error``, with exactly the note's members, the code
carrying the HTTP status, a request id and a timestamp of the note's forms),
never HTML or a traceback, and never a 500; afterwards the node still serves.

Hypothesis is derandomized (the same examples on every run) and the number of
examples bounded, so the test takes a second or two and cannot fail by luck.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_bzzz import MockBZZZ, World
from pytest_bzzz._backends.ucxi.app import UCXIApp
from pytest_bzzz._backends.ucxi.rules import ROUTES, UCXIRules
from pytest_bzzz._backends.ucxi.server import UCXIServer
from tests.test_ucxi_app import API, REQUEST_ID, TIMESTAMP

CODE = re.compile(r"UCXL-([1-5][0-9][0-9])-[A-Z][A-Z0-9_]*\Z")
STATUS_LINE = re.compile(rb"HTTP/1\.1 ([1-5][0-9][0-9]) ")
RESPONSE_KEYS = {"code", "message", "request_id", "timestamp"}
ERROR_KEYS = RESPONSE_KEYS | {"source", "path"}
OPTIONAL = {"response": {"data", "details"}, "error": {"details", "cause"}}

ADDRESSES = [
    API,
    API + "*~1",
    "ucxl://gpt4:architect@bzzz:v2/*~abc/decisions/api.json",
    "ucxl://gpt4:architect@bzzz:v2/~~-1/x",
    "ucxl://any:any@any:any/**",
    "invalid-address",
    "ucxl://a:b@c",
    "",
]
PATHS = [UCXIRules().path(name) for name in ROUTES] + ["/", "/ucxi/v1", "/other", "*"]


class Failures(logging.Handler):
    """Keeps the records the server logs: it logs only a failure of its own."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def failures() -> Iterator[Failures]:
    handler = Failures()
    logger = logging.getLogger("pytest_bzzz.ucxi")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@pytest.fixture(scope="module")
def server(failures: Failures) -> Iterator[UCXIServer]:
    with World(seed=3) as world:
        bzzz = MockBZZZ(world)
        bzzz.store(API, "stored")
        bzzz.announce(API, {"k": 1})
        app = UCXIApp(bzzz, world, rules=UCXIRules(max_body=2048))
        with UCXIServer(app, latency_scale=0, max_header=4096) as running:
            yield running


def exchange(server: UCXIServer, data: bytes) -> bytes:
    """Send ``data``, half-close, and read everything until the server closes."""
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(data)
        with contextlib.suppress(OSError):  # closed already: what it sent is still to read
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:  # a server that closes with unread input resets
            pass
    return b"".join(chunks)


def check_envelope(status: int, headers: dict[str, str], body: bytes, given_id: str | None) -> None:
    """The body is one UCXL envelope of the note's shape, for ``status``."""
    assert b"Traceback" not in body, body
    assert b"<html" not in body.lower(), body
    assert headers["content-type"] == "application/json"
    document: dict[str, Any] = json.loads(body)
    assert len(document) == 1, document
    ((key, envelope),) = document.items()
    assert key == ("response" if status < 400 else "error"), document
    required = RESPONSE_KEYS if key == "response" else ERROR_KEYS
    assert required <= set(envelope) <= required | OPTIONAL[key], document
    for optional in OPTIONAL[key]:
        assert envelope.get(optional, "absent") not in (None, {}, []), document
    match = CODE.match(envelope["code"])
    assert match is not None, document
    assert int(match.group(1)) == status, document
    assert isinstance(envelope["message"], str)
    assert envelope["message"]
    if key == "error":
        assert envelope["source"] == "ucxi-server"
        assert isinstance(envelope["path"], str)
    request_id = envelope["request_id"]
    assert request_id == headers["x-request-id"]
    assert request_id == given_id or REQUEST_ID.match(request_id), (request_id, given_id)
    assert TIMESTAMP.match(envelope["timestamp"])


def check_answer(raw: bytes, *, head: bool, given_id: str | None) -> None:
    """Nothing (the connection closed), or one response whose body is an envelope."""
    if not raw:
        return
    assert b"Traceback" not in raw, raw
    match = STATUS_LINE.match(raw)
    assert match is not None, raw
    status = int(match.group(1))
    assert status != 500, raw  # an unexpected exception: a fault of the fake
    head_text, _, rest = raw.partition(b"\r\n\r\n")
    lines = head_text.decode("latin-1").split("\r\n")[1:]
    headers = {name.lower(): value.strip() for name, _, value in (x.partition(":") for x in lines)}
    length = int(headers["content-length"])
    if head and status < 400:
        assert rest == b""
        return
    if head and not rest:  # a HEAD refused: no body either
        return
    assert len(rest) >= length, raw
    check_envelope(status, headers, rest[:length], given_id)


# -- what is sent -------------------------------------------------------------------------

methods = st.sampled_from(["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"]) | st.from_regex(
    r"\A[A-Z]{1,7}\Z"
)
query_values = st.sampled_from([API, API, *ADDRESSES]) | st.text(max_size=30)
queries = st.dictionaries(st.sampled_from(["address", "pattern", "x"]), query_values, max_size=2)
json_bodies = st.fixed_dictionaries(
    {"address": query_values, "capability": st.integers() | st.text(max_size=5)}
).map(lambda value: json.dumps(value).encode())
bodies = st.binary(max_size=64) | json_bodies | st.just(b"x" * 3000)  # the last over max_body
request_ids = (
    st.none() | st.sampled_from(["trace-1", "x" * 201, "a b"]) | st.from_regex(r"\A[ -~]{1,20}\Z")
)
content_types = st.sampled_from([None, "application/json", "text/plain"])


@st.composite
def well_formed(draw: st.DrawFn) -> tuple[bytes, bool, str | None]:
    """A valid HTTP/1.1 request with random contents: the bytes, whether HEAD, its request id."""
    if draw(st.booleans()):  # a route with one of its own methods: mostly answered 2xx or 4xx
        route = draw(st.sampled_from(list(ROUTES.values())))
        method = draw(st.sampled_from(route.methods))
        path = UCXIRules().base_path + route.path
    else:
        method, path = draw(methods), draw(st.sampled_from(PATHS))
    query = requests.models.RequestEncodingMixin._encode_params(draw(queries))
    target = path + (f"?{query}" if query else "")
    body = draw(bodies) if method not in ("GET", "HEAD") else b""
    lines = [f"{method} {target} HTTP/1.1", "Host: node", f"Content-Length: {len(body)}"]
    content_type = draw(content_types)
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    request_id = draw(request_ids)
    if request_id is not None:
        lines.append(f"X-Request-ID: {request_id}")
    usable = request_id is not None and len(request_id) <= 200 and request_id.isprintable()
    head = "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n"
    return head + body, method == "HEAD", request_id if usable else None


broken_pieces = st.fixed_dictionaries(
    {
        "method": st.sampled_from([b"GET", b"PUT", b"G T", b"", b"\xff"]),
        "target": st.sampled_from([b"/ucxi/v1/get?address=x", b"/ucxi/v1/health", b"", b"/%zz"]),
        "version": st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/2", b""]),
        "fields": st.lists(
            st.sampled_from(
                [
                    b"Host: x",
                    b"Content-Length: 3",
                    b"Content-Length: -3",
                    b"Content-Length: 99999999999999999999",
                    b"Transfer-Encoding: chunked",
                    b"X-Request-ID: \x7f",
                    b" folded",
                    b": no name",
                ]
            ),
            max_size=4,
        ),
        "body": st.binary(max_size=20),
    }
)


def broken(pieces: dict[str, Any]) -> bytes:
    head = b" ".join([pieces["method"], pieces["target"], pieces["version"]])
    return b"\r\n".join([head, *pieces["fields"], b"", pieces["body"]])


inputs = (
    well_formed()
    | well_formed()
    | broken_pieces.map(lambda pieces: (broken(pieces), False, None))
    | st.binary(min_size=1, max_size=200).map(lambda data: (data, False, None))
)


@settings(
    derandomize=True,
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=inputs)
def fuzz(server: UCXIServer, case: tuple[bytes, bool, str | None]) -> None:
    data, head, given_id = case
    check_answer(exchange(server, data), head=head, given_id=given_id)


def test_fuzz_the_node_answers_envelopes_and_keeps_serving(
    server: UCXIServer, failures: Failures
) -> None:
    fuzz(server)
    # After the fuzz (one test: under pytest -n, two could run on two workers' servers), the
    # node has kept every request answerable, met no unexpected exception, and logged no
    # failure of its own.

    app = server.app
    assert isinstance(app, UCXIApp)
    assert app.errors == []
    assert len(server.requests) > 100  # the fuzz reached the application
    # An address of its own: the fuzz may well have deleted API.
    fresh = "ucxl://gpt4:architect@bzzz:v2/after/the-fuzz.json"
    stored = requests.put(
        f"{server.base_url}/put", params={"address": fresh}, data=b"{}", timeout=10
    )
    assert stored.ok
    answer = requests.get(f"{server.base_url}/get", params={"address": fresh}, timeout=10)
    assert answer.status_code == 200
    assert answer.json()["response"]["data"]["content"] is not None
    assert failures.records == []
