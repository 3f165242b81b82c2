"""The UCXI application's endpoints, through httpx's WSGI and ASGI transports.

Every test runs twice: over ``httpx.WSGITransport`` (the sync twins) and over
``httpx.ASGITransport`` (the async twins, one ``asyncio.run`` per request).
The helpers at the top are shared with the other ``test_ucxi_app_*`` modules.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import hypothesis
import pytest
from hypothesis import strategies as st

from pytest_bzzz import MockBZZZ, World
from pytest_bzzz._backends.ucxi.app import UCXIApp
from pytest_bzzz._backends.ucxi.endpoints import parse_query
from pytest_bzzz._backends.ucxi.envelopes import encode
from pytest_bzzz._backends.ucxi.http import Request
from pytest_bzzz._backends.ucxi.rules import UCXIRules

API = "ucxl://gpt4:architect@bzzz:v2/decisions/api.json"
BASE = "http://node/ucxi/v1"
REQUEST_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{8}\Z")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")

Call = Callable[..., httpx.Response]


def call_over(transport: str, app: UCXIApp, base: str = BASE) -> Call:
    """``call(method, url, **httpx_options)`` over the WSGI or the ASGI transport."""
    if transport == "wsgi":

        def call(method: str, url: str, **options: Any) -> httpx.Response:
            with httpx.Client(transport=httpx.WSGITransport(app=app), base_url=base) as client:
                return client.request(method, url, **options)

        return call

    async def acall(method: str, url: str, **options: Any) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base) as client:
            return await client.request(method, url, **options)

    return lambda method, url, **options: asyncio.run(acall(method, url, **options))


def envelope(response: httpx.Response) -> tuple[str, dict[str, Any]]:
    """The envelope's key and body, after checking what every envelope must be."""
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert len(document) == 1
    ((key, body),) = document.items()
    assert key == ("response" if response.status_code < 400 else "error")
    assert int(body["code"].split("-")[1]) == response.status_code
    assert body["request_id"] == response.headers["x-request-id"]
    assert REQUEST_ID.match(body["request_id"])
    assert TIMESTAMP.match(body["timestamp"])
    for optional in ("data", "details", "cause"):
        assert body.get(optional, "absent") not in (None, {}, [])  # omitted, never null
    if key == "error":
        assert body["source"] == "ucxi-server"
        assert body["path"] == response.request.url.path
    return key, body


def answer(response: httpx.Response, code: str) -> dict[str, Any]:
    """The envelope's body, after checking its code."""
    _, body = envelope(response)
    assert body["code"] == code, body
    return body


@pytest.fixture
def world() -> Iterator[World]:
    with World(seed=7) as world:
        yield world


@pytest.fixture
def bzzz(world: World) -> MockBZZZ:
    return MockBZZZ(world)


@pytest.fixture
def app(bzzz: MockBZZZ, world: World) -> UCXIApp:
    return UCXIApp(bzzz, world)


@pytest.fixture(params=["wsgi", "asgi"])
def call(request: pytest.FixtureRequest, app: UCXIApp) -> Call:
    return call_over(request.param, app)


def test_get_answers_the_envelope_as_to_json_writes_it(call: Call, bzzz: MockBZZZ) -> None:
    stored = bzzz.store(API, {"style": "rest"}, metadata={"by": "claude"})
    body = answer(call("GET", "get", params={"address": API}), "UCXL-200-SUCCESS")
    assert body["message"] == "Request completed successfully"
    assert body["data"] == json.loads(stored.to_json())
    assert "details" not in body
    assert base64.b64decode(body["data"]["content"]) == b'{"style":"rest"}'


def test_get_reads_the_version_a_temporal_segment_selects(call: Call, bzzz: MockBZZZ) -> None:
    for text in ["one", "two"]:
        bzzz.store(API, text)
    body = answer(call("GET", "get", params={"address": API + "*~1"}), "UCXL-200-SUCCESS")
    assert body["data"]["version"] == 1
    error = answer(call("GET", "get", params={"address": API + "*~5"}), "UCXL-400-TEMPORAL_INVALID")
    assert error["details"] == {
        "address": API.replace("v2/", "v2/*~5/"),
        "selector": "*~5",
        "versions": 2,
    }
    assert error["cause"]["code"] == "UCXL-400-TEMPORAL_INVALID"


def test_get_of_nothing_or_of_a_deleted_address_is_not_found(call: Call, bzzz: MockBZZZ) -> None:
    body = answer(call("GET", "get", params={"address": API}), "UCXL-404-NOT_FOUND")
    assert body["details"] == {"address": API}
    assert "nothing was ever stored" in body["cause"]["message"]
    bzzz.store(API, "x")
    bzzz.delete(API)
    answer(call("GET", "get", params={"address": API}), "UCXL-404-NOT_FOUND")


def test_a_bad_address_says_which_field_what_was_given_and_why(call: Call) -> None:
    body = answer(
        call("GET", "get", params={"address": "invalid-address"}), "UCXL-400-INVALID_ADDRESS"
    )
    assert body["message"] == "Invalid UCXL address format"
    assert body["details"] == {
        "field": "address",
        "provided_address": "invalid-address",
        "parse_error": "address must start with 'ucxl://'",
    }
    body = answer(
        call("GET", "get", params={"address": "ucxl://a:b@c"}), "UCXL-400-INVALID_ADDRESS"
    )
    assert body["details"]["provided_address"] == "ucxl://a:b@c"
    assert body["details"]["parse_error"].startswith("task '' at 12: expected ':'")


BAD_TEMPORAL = "ucxl://gpt4:architect@bzzz:v2/*~abc/decisions/api.json"


@pytest.mark.parametrize(
    ("method", "route", "param"),
    [
        ("GET", "get", "address"),
        ("GET", "navigate", "address"),
        ("PUT", "put", "address"),
        ("POST", "post", "address"),
        ("DELETE", "delete", "address"),
        ("GET", "discover", "pattern"),
    ],
)
def test_a_malformed_temporal_segment_is_an_invalid_address_that_names_the_segment(
    call: Call, method: str, route: str, param: str
) -> None:
    # The note's bad-address rule (400 INVALID_ADDRESS, field, provided_address,
    # parse_error) holds; the parser's own TEMPORAL_INVALID is kept in the cause.
    body = answer(call(method, route, params={param: BAD_TEMPORAL}), "UCXL-400-INVALID_ADDRESS")
    details = body["details"]
    assert details["field"] == param
    assert details["provided_address"] == BAD_TEMPORAL
    assert details["parse_error"].startswith("temporal '*~abc' at 30: ")
    assert (details["invalid_part"], details["temporal_segment"]) == ("temporal", "*~abc")
    assert body["cause"]["code"] == "UCXL-400-TEMPORAL_INVALID"
    assert body["cause"]["message"] == details["parse_error"]


def test_another_bad_part_names_no_temporal_segment(call: Call) -> None:
    body = answer(
        call("GET", "get", params={"address": "ucxl://gpt4@bzzz:v2/x"}), "UCXL-400-INVALID_ADDRESS"
    )
    assert set(body["details"]) == {"field", "provided_address", "parse_error"}
    assert "cause" not in body


def test_a_missing_parameter_is_named(call: Call) -> None:
    body = answer(call("GET", "get"), "UCXL-400-INVALID_ADDRESS")
    assert body["details"] == {
        "field": "address",
        "parse_error": "missing query parameter 'address'",
    }
    body = answer(call("GET", "discover"), "UCXL-400-INVALID_ADDRESS")
    assert body["details"] == {
        "field": "pattern",
        "parse_error": "missing query parameter 'pattern'",
    }


@pytest.mark.parametrize(
    ("method", "route", "address", "problem"),
    [
        ("GET", "get", "ucxl://any:architect@bzzz:v2/x", "is a pattern"),
        ("GET", "navigate", "ucxl://gpt4:architect@bzzz:v2/*.json", "is a pattern"),
        ("PUT", "put", "ucxl://any:architect@bzzz:v2/x", "is a pattern"),
        ("PUT", "put", API + "*~2", "has a temporal segment (*~2)"),
        ("POST", "post", API + "*^", "has a temporal segment"),
        ("DELETE", "delete", API + "*~1", "has a temporal segment"),
        ("DELETE", "delete", "ucxl://gpt4:any@bzzz:v2/x", "is a pattern"),
        ("GET", "discover", "ucxl://any:any@any:any/*~1/**", "has a temporal segment"),
    ],
)
def test_temporal_segments_and_patterns_where_not_allowed(
    call: Call, bzzz: MockBZZZ, method: str, route: str, address: str, problem: str
) -> None:
    param = "pattern" if route == "discover" else "address"
    body = answer(call(method, route, params={param: address}), "UCXL-400-INVALID_ADDRESS")
    assert body["details"]["field"] == param
    assert body["details"]["provided_address"] == address
    assert problem in body["details"]["parse_error"]
    assert bzzz.stats.total == 0  # refused before the network


def test_put_creates_then_versions(call: Call, bzzz: MockBZZZ) -> None:
    first = call("PUT", "put", params={"address": API}, json={"style": "rest"})
    body = answer(first, "UCXL-201-CREATED")
    assert body["message"] == "Resource created"
    assert "content" not in body["data"]
    assert body["data"]["version"] == 1
    assert body["data"]["content_type"] == "application/json"
    headers = {"content-type": "text/markdown"}
    body = answer(
        call("PUT", "put", params={"address": API}, content=b"# API", headers=headers),
        "UCXL-200-SUCCESS",
    )
    assert body["data"]["version"] == 2
    stored = bzzz.retrieve(API)
    assert (stored.content, stored.content_type) == (b"# API", "text/markdown")
    assert body["data"] == {k: v for k, v in json.loads(stored.to_json()).items() if k != "content"}


def test_put_without_a_content_type_stores_bytes(call: Call, bzzz: MockBZZZ) -> None:
    answer(call("PUT", "put", params={"address": API}, content=b"\x89PNG"), "UCXL-201-CREATED")
    assert bzzz.retrieve(API).content_type == "application/octet-stream"


@pytest.mark.parametrize(
    "body", [b"{not json", b"", b"[NaN]", b"1e999", b"\xff", b"[" * 101 + b"]" * 101]
)
def test_a_json_body_that_is_not_json_is_an_invalid_payload(
    call: Call, bzzz: MockBZZZ, body: bytes
) -> None:
    headers = {"content-type": "application/json; charset=utf-8"}
    response = call("PUT", "put", params={"address": API}, content=body, headers=headers)
    error = answer(response, "UCXL-400-INVALID_PAYLOAD")
    assert error["message"] == "Invalid request payload"
    assert error["details"]["field"] == "body"
    assert bzzz.stats.total == 0


def test_post_creates_refuses_existing_content_and_recreates_deleted(
    call: Call, bzzz: MockBZZZ
) -> None:
    assert (
        answer(call("POST", "post", params={"address": API}, content=b"a"), "UCXL-201-CREATED")[
            "data"
        ]["version"]
        == 1
    )
    conflict = answer(
        call("POST", "post", params={"address": API}, content=b"b"), "UCXL-409-CONFLICT"
    )
    assert conflict["message"] == "Resource already exists"
    assert [envelope.content for envelope in bzzz.history(API)] == [b"a"]
    bzzz.delete(API)
    again = answer(call("POST", "post", params={"address": API}, content=b"c"), "UCXL-201-CREATED")
    assert again["data"]["version"] == 3
    assert bzzz.retrieve(API).content == b"c"


def test_delete_adds_a_tombstone(call: Call, bzzz: MockBZZZ) -> None:
    answer(call("DELETE", "delete", params={"address": API}), "UCXL-404-NOT_FOUND")
    bzzz.store(API, "x")
    body = answer(call("DELETE", "delete", params={"address": API}), "UCXL-200-SUCCESS")
    assert body["data"] == {"address": API.replace("v2/", "v2/*~2/"), "version": 2}
    assert bzzz.history(API)[-1].deleted
    answer(call("DELETE", "delete", params={"address": API}), "UCXL-404-NOT_FOUND")


def test_announce_then_discover(call: Call, bzzz: MockBZZZ) -> None:
    offer = {"address": API, "capability": {"context": 8192, "formats": ["chat"]}}
    body = answer(call("POST", "announce", json=offer), "UCXL-200-SUCCESS")
    assert body["data"] == {"address": API, "peer": bzzz.peer.id}
    assert bzzz.discover(API)[0].capability == {"context": 8192, "formats": ("chat",)}
    found = answer(
        call("GET", "discover", params={"pattern": "ucxl://any:architect@any:any/**"}),
        "UCXL-200-SUCCESS",
    )
    assert found["data"] == {
        "pattern": "ucxl://any:architect@any:any/**",
        "results": [{"address": API, "peer": bzzz.peer.id, "capability": offer["capability"]}],
        "count": 1,
    }
    none = answer(
        call("GET", "discover", params={"pattern": "ucxl://any:nobody@any:any/**"}),
        "UCXL-200-SUCCESS",
    )
    assert none["data"] == {"pattern": "ucxl://any:nobody@any:any/**", "results": [], "count": 0}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{", "the body is not JSON"),
        (b"[1]", "must be a JSON object"),
        (b'{"address": "ucxl://a:b@c:d/x"}', "lacks the fields ['capability']"),
        (b'{"capability": 1}', "lacks the fields ['address']"),
        (b'{"address": 5, "capability": 1}', "must be a string"),
    ],
)
def test_announce_refuses_a_bad_payload(
    call: Call, bzzz: MockBZZZ, body: bytes, reason: str
) -> None:
    error = answer(call("POST", "announce", content=body), "UCXL-400-INVALID_PAYLOAD")
    assert reason in error["details"]["reason"]
    assert bzzz.stats.total == 0


def test_announce_refuses_a_bad_address(call: Call) -> None:
    error = answer(
        call("POST", "announce", json={"address": "x", "capability": 1}), "UCXL-400-INVALID_ADDRESS"
    )
    assert error["details"] == {
        "field": "address",
        "provided_address": "x",
        "parse_error": "address must start with 'ucxl://'",
    }
    error = answer(
        call("POST", "announce", json={"address": API + "*~1", "capability": 1}),
        "UCXL-400-INVALID_ADDRESS",
    )
    assert "has a temporal segment" in error["details"]["parse_error"]


def test_navigate(call: Call, bzzz: MockBZZZ) -> None:
    answer(call("GET", "navigate", params={"address": API}), "UCXL-404-NOT_FOUND")
    first, second = bzzz.store(API, "one"), bzzz.store(API, "two")
    latest = answer(call("GET", "navigate", params={"address": API}), "UCXL-200-SUCCESS")["data"]
    assert latest == {
        "address": API,
        "target_version": 2,
        "max_version": 2,
        "envelope": json.loads(second.to_json()),
    }
    earliest = answer(call("GET", "navigate", params={"address": API + "*~"}), "UCXL-200-SUCCESS")[
        "data"
    ]
    assert (earliest["target_version"], earliest["envelope"]) == (1, json.loads(first.to_json()))
    answer(call("GET", "navigate", params={"address": API + "~~2"}), "UCXL-400-TEMPORAL_INVALID")
    bzzz.delete(API)
    answer(call("GET", "navigate", params={"address": API}), "UCXL-404-NOT_FOUND")
    assert (
        answer(call("GET", "navigate", params={"address": API + "~~1"}), "UCXL-200-SUCCESS")[
            "data"
        ]["target_version"]
        == 2
    )


def test_status(call: Call, bzzz: MockBZZZ, world: World) -> None:
    bzzz.store(API, "one")
    bzzz.store(API, "two")
    bzzz.announce(API, 1)
    world.add_peer("gpu-box")
    call("GET", "get", params={"address": API})
    world.clock.advance(90)
    data = answer(call("GET", "status"), "UCXL-200-SUCCESS")["data"]
    assert data["server"]["base_path"] == "/ucxi/v1"
    assert data["server"]["uptime"] == 90
    assert isinstance(data["server"]["version"], str)
    assert data["storage"] == {"addresses": 1, "versions": 2}
    assert data["resolver"] == {"announcements": 1}
    assert data["p2p"] == {"peer_id": bzzz.peer.id, "peers": 1, "status": "live"}
    assert data["requests"]["get"] == 1
    assert data["requests"]["status"] == 1


def test_health(call: Call) -> None:
    assert answer(call("GET", "health"), "UCXL-200-SUCCESS")["data"] == {"status": "healthy"}


@pytest.mark.parametrize(
    "path", ["/", "/ucxi/v1", "/ucxi/v1/nope", "/ucxi/v1/get/", "/ucxi/v2/get"]
)
def test_an_unknown_path_is_not_found(call: Call, path: str) -> None:
    body = answer(call("GET", "http://node" + path), "UCXL-404-NOT_FOUND")
    assert body["path"] == path


def test_a_wrong_method_is_refused_with_allow(call: Call) -> None:
    response = call("POST", "get", params={"address": API})
    body = answer(response, "UCXL-405-METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET, HEAD"
    assert body["details"] == {"method": "POST", "allowed": ["GET", "HEAD"]}
    assert call("GET", "put").headers["allow"] == "PUT"
    assert call("HEAD", "announce").status_code == 405


def test_head_is_get_without_a_body(call: Call, bzzz: MockBZZZ) -> None:
    bzzz.store(API, "x")
    head = call("HEAD", "get", params={"address": API})
    assert (head.status_code, head.content) == (200, b"")
    assert REQUEST_ID.match(head.headers["x-request-id"])
    assert call("HEAD", "get", params={"address": "nope"}).status_code == 400


def test_head_carries_the_content_length_of_get(call: Call, bzzz: MockBZZZ) -> None:
    """RFC 9110: a HEAD response's Content-Length is the length GET would have sent."""
    bzzz.store(API, "some content")
    for params in ({"address": API}, {"address": "nope"}):
        got = call("GET", "get", params=params, headers={"X-Request-ID": "same"})
        head = call("HEAD", "get", params=params, headers={"X-Request-ID": "same"})
        assert head.content == b""
        assert head.headers["content-length"] == str(len(got.content)) != "0"


@pytest.mark.parametrize("transport", ["wsgi", "asgi"])
def test_a_body_over_the_limit_is_refused(world: World, bzzz: MockBZZZ, transport: str) -> None:
    call = call_over(transport, UCXIApp(bzzz, world, rules=UCXIRules(max_body=8)))
    response = call("PUT", "put", params={"address": API}, content=b"123456789")
    error = answer(response, "UCXL-413-PAYLOAD_TOO_LARGE")
    assert error["message"] == "Payload too large"
    assert error["details"] == {"limit": 8, "length": 9}
    assert bzzz.stats.total == 0
    answer(call("PUT", "put", params={"address": API}, content=b"12345678"), "UCXL-201-CREATED")


@hypothesis.given(
    st.lists(
        st.tuples(
            st.text(alphabet="ab=&%+2Fé;\x00 ", max_size=6),
            st.text(alphabet="ab=&%+2Fé;\x00 ", max_size=6),
        ),
        max_size=4,
    ).map(lambda pairs: "&".join(f"{name}={value}" for name, value in pairs))
    | st.text(alphabet="ab=&%+2Fé;\x00 ", max_size=20)
)
def test_the_query_is_read_as_parse_qsl_reads_it(query: str) -> None:
    expected: dict[str, str] = {}
    for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True, errors="replace"):
        expected.setdefault(name, value)
    assert parse_query(query) == expected


def test_a_stored_envelope_is_served_exactly_as_to_json_writes_it(
    app: UCXIApp, bzzz: MockBZZZ
) -> None:
    stored = bzzz.store(API, {"naïve": [1.5, None, "\u2603"]}, metadata={"k": {"n": 10**20}})
    response = app.handle(Request("GET", "/ucxi/v1/get", f"address={API}"))
    document = json.loads(response.body)
    assert document["response"]["data"] == json.loads(stored.to_json())
    assert stored.to_json().encode() in response.body  # verbatim, not written again
    rewritten = encode({"response": document["response"]})
    assert response.body == rewritten  # the same bytes as writing the whole document
