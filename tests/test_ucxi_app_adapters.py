"""The UCXI application as ASGI and as WSGI: the protocols' own messages, and virtual time.

Over ASGI, the async twins run on the event loop, which follows the world's
virtual clock: concurrent requests overlap in simulated time. Both adapters
refuse a body over the limit from its declared length, without reading it.
"""

from __future__ import annotations

import asyncio
import inspect
import io
from collections.abc import Iterator, MutableMapping
from typing import Any

import httpx
import pytest

from pytest_bzzz import MockBZZZ, NetworkConditions, World
from pytest_bzzz._backends.ucxi.app import UCXIApp
from pytest_bzzz._backends.ucxi.http import Request, Response
from pytest_bzzz._backends.ucxi.rules import UCXIRules
from tests.test_ucxi_app import API, answer

Message = MutableMapping[str, Any]


@pytest.fixture
def world() -> Iterator[World]:
    with World(seed=5) as world:
        yield world


@pytest.fixture
def bzzz(world: World) -> MockBZZZ:
    return MockBZZZ(world)


@pytest.fixture
def app(bzzz: MockBZZZ, world: World) -> UCXIApp:
    return UCXIApp(bzzz, world, rules=UCXIRules(max_body=16))


def run_asgi(app: Any, scope: Message, incoming: list[Message]) -> list[Message]:
    """Run one ASGI connection; what the app sent. Receiving past ``incoming`` fails the test."""
    sent: list[Message] = []

    async def receive() -> Message:
        assert incoming, "the app read more than it was sent"
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def http_scope(
    method: str, path: str, query: bytes = b"", headers: list[Any] | None = None
) -> Message:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query,
        "headers": headers or [],
    }


def test_concurrent_requests_overlap_on_the_virtual_clock(
    world: World, bzzz: MockBZZZ, app: UCXIApp
) -> None:
    for n in range(3):
        bzzz.store(f"{API}{n}", "x")
    world.conditions = NetworkConditions(latency=0.5)

    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://node/ucxi/v1") as client:
            gets = [client.get("get", params={"address": f"{API}{n}"}) for n in range(3)]
            return await asyncio.gather(*gets)

    responses = asyncio.run(main())
    assert [response.status_code for response in responses] == [200, 200, 200]
    assert world.clock.now() == 0.5  # three reads of 0.5 s at once: 0.5 s
    assert [request.at for request in app.requests] == [0.0, 0.0, 0.0]


def test_lifespan_is_answered(app: UCXIApp) -> None:
    incoming: list[Message] = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent = run_asgi(app, {"type": "lifespan"}, incoming)
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]


def test_a_websocket_is_refused(app: UCXIApp) -> None:
    sent = run_asgi(app, {"type": "websocket", "path": "/"}, [{"type": "websocket.connect"}])
    assert sent == [{"type": "websocket.close", "code": 1003}]


def test_asgi_refuses_a_declared_oversized_body_without_reading_it(
    app: UCXIApp, bzzz: MockBZZZ
) -> None:
    scope = http_scope(
        "PUT", "/ucxi/v1/put", f"address={API}".encode(), [(b"content-length", b"17")]
    )
    start, body = run_asgi(app.asgi, scope, [])
    assert start["status"] == 413
    assert (b"content-length", str(len(body["body"])).encode()) in start["headers"]
    assert b"UCXL-413-PAYLOAD_TOO_LARGE" in body["body"]
    assert bzzz.stats.total == 0


def test_asgi_stops_reading_a_streamed_body_past_the_limit(app: UCXIApp) -> None:
    chunks: list[Message] = [
        {"type": "http.request", "body": b"x" * 10, "more_body": True},
        {"type": "http.request", "body": b"x" * 10, "more_body": True},
        {"type": "http.request", "body": b"never read", "more_body": False},
    ]
    start, _ = run_asgi(app, http_scope("PUT", "/ucxi/v1/put", f"address={API}".encode()), chunks)
    assert start["status"] == 413
    assert len(chunks) == 1


def test_asgi_answers_no_one_when_the_client_leaves(app: UCXIApp) -> None:
    assert run_asgi(app, http_scope("PUT", "/ucxi/v1/put"), [{"type": "http.disconnect"}]) == []


def test_asgi_head_has_no_body_and_the_length_of_get(app: UCXIApp) -> None:
    start, body = run_asgi(app, http_scope("HEAD", "/ucxi/v1/health"), [{"type": "http.request"}])
    assert start["status"] == 200
    assert body["body"] == b""
    _, got = run_asgi(app, http_scope("GET", "/ucxi/v1/health"), [{"type": "http.request"}])
    lengths = [value for name, value in start["headers"] if name == b"content-length"]
    assert lengths == [str(len(got["body"])).encode()]  # RFC 9110: the length GET would send


class Unreadable(io.BytesIO):
    def read(self, size: int | None = -1) -> bytes:
        raise AssertionError("the app read a body it should have refused")


def wsgi_environ(method: str, path: str, query: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "wsgi.input": io.BytesIO(),
        **extra,
    }


def run_wsgi(app: Any, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    seen: list[Any] = []
    body = b"".join(app(environ, lambda status, headers: seen.extend([status, headers])))
    return seen[0], seen[1], body


def test_wsgi_refuses_a_declared_oversized_body_without_reading_it(app: UCXIApp) -> None:
    environ = wsgi_environ(
        "PUT", "/ucxi/v1/put", f"address={API}", CONTENT_LENGTH="17", **{"wsgi.input": Unreadable()}
    )
    status, headers, body = run_wsgi(app.wsgi, environ)
    assert status == "413 Request Entity Too Large"
    assert ("Content-Length", str(len(body))) in headers
    assert b"UCXL-413-PAYLOAD_TOO_LARGE" in body


def test_wsgi_reads_a_utf8_path_and_the_headers(app: UCXIApp, bzzz: MockBZZZ) -> None:
    environ = wsgi_environ(
        "PUT",
        "/ucxi/v1/put",
        f"address={API}",
        CONTENT_TYPE="text/plain",
        CONTENT_LENGTH="2",
        HTTP_X_REQUEST_ID="trace-1",
        **{"wsgi.input": io.BytesIO(b"hi")},
    )
    status, headers, _ = run_wsgi(app, environ)
    assert status == "201 Created"
    assert ("X-Request-ID", "trace-1") in headers
    assert bzzz.retrieve(API).content_type == "text/plain"
    # PEP 3333: the path's bytes, decoded as Latin-1; the app reads them as UTF-8.
    path = "/ucxi/v1/caf\u00e9".encode().decode("latin-1")
    _, _, body = run_wsgi(app, wsgi_environ("GET", path))
    assert '"path":"/ucxi/v1/caf\u00e9"' in body.decode()


def test_wsgi_answers_a_broken_environ_with_a_500(app: UCXIApp) -> None:
    status, _, body = run_wsgi(app, {"REQUEST_METHOD": "GET", "PATH_INFO": 5})
    assert status == "500 Internal Server Error"
    assert b"UCXL-500-INTERNAL_ERROR" in body
    assert len(app.errors) == 1


def test_the_app_is_wsgi_with_two_arguments_and_asgi_with_three(app: UCXIApp) -> None:
    assert inspect.iscoroutinefunction(app.asgi)  # what uvicorn looks for
    with httpx.Client(transport=httpx.WSGITransport(app=app)) as client:
        answer(client.get("http://node/ucxi/v1/health"), "UCXL-200-SUCCESS")
    with pytest.raises(
        TypeError, match=r"called as WSGI, app\(environ, start_response\), or as ASGI"
    ):
        app()  # type: ignore[call-overload]


def test_the_app_checks_what_it_is_given(bzzz: MockBZZZ, world: World) -> None:
    with pytest.raises(TypeError, match="UCXIApp needs a connector"):
        UCXIApp(object(), world)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="UCXIApp needs the connector's World"):
        UCXIApp(bzzz, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rules must be a UCXIRules"):
        UCXIApp(bzzz, world, rules={"base_path": "/"})  # type: ignore[arg-type]


@pytest.mark.parametrize("declared", ["17", "9" * 5000])
def test_handle_refuses_a_declared_length_over_the_limit(app: UCXIApp, declared: str) -> None:
    """What a server that has not read the body hands over: the app answers 413 from the header."""
    request = Request("PUT", "/ucxi/v1/put", f"address={API}", {"content-length": declared})
    assert app.handle(request).status == 413
    assert app.errors == []


def test_ahandle_runs_the_async_twins_on_the_loop(world: World, app: UCXIApp) -> None:
    world.conditions = NetworkConditions(latency=0.25)

    async def main() -> Response:
        return await app.ahandle(Request("PUT", "/ucxi/v1/put", f"address={API}", {}, b"x"))

    start = world.clock.now()
    response = asyncio.run(main())
    assert (response.status, response.delay) == (201, 0.25)
    assert world.clock.now() == start + 0.25
