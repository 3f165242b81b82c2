"""The fake UCXI node's rules: their defaults, changing them, refusing bad ones; and a property.

The property: whatever method, path, query, headers and body a client sends,
the node answers one JSON envelope whose code carries the response's status,
and never a 500.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_bzzz import MockBZZZ, NetworkConditions, World
from pytest_bzzz._backends.ucxi.app import UCXIApp
from pytest_bzzz._backends.ucxi.http import Request
from pytest_bzzz._backends.ucxi.rules import CODES, MESSAGES, ROUTES, Route, UCXIRules
from tests.test_ucxi_app import API, call_over


@pytest.fixture
def world() -> Iterator[World]:
    with World(seed=9) as world:
        yield world


@pytest.fixture
def bzzz(world: World) -> MockBZZZ:
    return MockBZZZ(world)


def test_the_defaults_are_the_notes() -> None:
    rules = UCXIRules()
    assert (rules.base_path, rules.success_code, rules.source) == (
        "/ucxi/v1",
        "UCXL-200-SUCCESS",
        "ucxi-server",
    )
    assert rules.path("get") == "/ucxi/v1/get"
    assert {name: (route.path, route.methods) for name, route in rules.routes.items()} == {
        "get": ("/get", ("GET",)),
        "put": ("/put", ("PUT",)),
        "post": ("/post", ("POST",)),
        "delete": ("/delete", ("DELETE",)),
        "announce": ("/announce", ("POST",)),
        "discover": ("/discover", ("GET",)),
        "navigate": ("/navigate", ("GET",)),
        "status": ("/status", ("GET",)),
        "health": ("/health", ("GET",)),
    }
    assert (rules.address_param, rules.pattern_param, rules.capability_field) == (
        "address",
        "pattern",
        "capability",
    )
    assert (rules.max_body, rules.announce_status, rules.on_timeout, rules.head) == (
        1 << 20,
        200,
        "answer",
        True,
    )
    assert (
        rules.max_request_id,
        rules.put_created_status,
        rules.missing_param,
        rules.unhealthy_when,
    ) == (200, 201, "INVALID_ADDRESS", ("every_operation_fails", "peer_down"))
    assert rules.code("CONFLICT") == "UCXL-409-CONFLICT"
    assert rules.messages["INVALID_ADDRESS"] == "Invalid UCXL address format"
    assert set(CODES) == set(MESSAGES)
    assert rules == UCXIRules()
    assert hash(rules) == hash(UCXIRules())


def test_changed_rules_are_laid_over_the_defaults() -> None:
    rules = UCXIRules(
        routes={"put": Route("/store", ("PUT", "POST"))}, messages={"CONFLICT": "Exists"}
    )
    assert rules.routes["put"] == Route("/store", ("PUT", "POST"))
    assert rules.routes["get"] == ROUTES["get"]
    assert (rules.messages["CONFLICT"], rules.messages["SUCCESS"]) == (
        "Exists",
        MESSAGES["SUCCESS"],
    )
    assert rules.replace(success_code="UCXL-200-OK").routes == rules.routes
    assert Route("/x", "GET").methods == ("GET",)


def test_a_node_with_other_rules(world: World, bzzz: MockBZZZ) -> None:
    rules = UCXIRules(
        base_path="/api",
        success_code="UCXL-200-OK",
        routes={"put": Route("/store", ("PUT", "POST")), "get": Route("/content", "GET")},
        address_param="ucxl",
        codes={"CONFLICT": "UCXL-409-ALREADY_EXISTS"},
        messages={"SUCCESS": "OK"},
        announce_status=202,
        head=False,
        request_id_header="X-Trace",
    )
    call = call_over("wsgi", UCXIApp(bzzz, world, rules=rules), base="http://node/api")
    created = call("POST", "store", params={"ucxl": API}, content=b"x")
    assert created.json()["response"]["code"] == "UCXL-201-CREATED"
    response = call("GET", "content", params={"ucxl": API}, headers={"x-trace": "t-1"})
    assert response.json()["response"]["code"] == "UCXL-200-OK"
    assert response.json()["response"]["message"] == "OK"
    assert (response.headers["x-trace"], response.json()["response"]["request_id"]) == (
        "t-1",
        "t-1",
    )
    assert call("GET", "http://node/ucxi/v1/get", params={"ucxl": API}).status_code == 404
    assert call("HEAD", "content", params={"ucxl": API}).status_code == 405
    body = call("POST", "announce", json={"ucxl": API, "capability": 1}).json()["response"]
    assert body["code"] == "UCXL-202-ACCEPTED"
    bzzz.delete(API)
    bzzz.store(API, "back")
    body = call("POST", "post", params={"ucxl": API}, content=b"y").json()["error"]
    assert body["code"] == "UCXL-409-ALREADY_EXISTS"


def test_a_chosen_code_may_take_another_http_status(world: World, bzzz: MockBZZZ) -> None:
    """The HTTP status is the number in the code: a chosen code's number is the user's."""
    rules = UCXIRules(codes={"CONFLICT": "UCXL-400-EXISTS", "TIMEOUT": "UCXL-503-TIMED_OUT"})
    call = call_over("wsgi", UCXIApp(bzzz, world, rules=rules))
    bzzz.store(API, "there")
    response = call("POST", "post", params={"address": API}, content=b"y")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "UCXL-400-EXISTS")
    world.conditions = NetworkConditions(latency=2.0, timeout=1.0)
    response = call("GET", "get", params={"address": API})
    assert (response.status_code, response.json()["error"]["code"]) == (503, "UCXL-503-TIMED_OUT")


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"base_path": "ucxi"}, ValueError, "base_path must start with '/'"),
        ({"base_path": "/ucxi/"}, ValueError, "not end with one"),
        ({"base_path": None}, TypeError, "base_path must be a str"),
        ({"success_code": "UCXL-201-OK"}, ValueError, "success_code must be written UCXL-200-NAME"),
        ({"success_code": "ucxl-200-ok"}, ValueError, "UCXL-200-NAME"),
        (
            {"routes": {"fetch": Route("/fetch", "GET")}},
            ValueError,
            r"unknown keys \['fetch'\]; known: get, put",
        ),
        (
            {"routes": {"put": Route("/get", "GET")}},
            ValueError,
            "GET /get is claimed by both 'get' and 'put'",
        ),
        ({"routes": {"put": "/put"}}, TypeError, r"routes\['put'\] must be a Route"),
        ({"routes": [("put", "/put")]}, TypeError, "routes must be a mapping of what changes"),
        (
            {"codes": {"SUCCESS": "UCXL-200-OK"}},
            ValueError,
            "give the spelling of success as success_code=",
        ),
        (
            {"codes": {"NOT_FOUND": "UCXL-410-GONE"}},
            ValueError,
            r"codes\['NOT_FOUND'\] must be written UCXL-404-NAME \(the HTTP status of NOT_FOUND, "
            "which is known",
        ),
        (
            {"codes": {"CONFLICT": "UCXL-200-CONFLICT"}},
            ValueError,
            r"codes\['CONFLICT'\] must be written UCXL-NNN-NAME \(an HTTP error status, 4xx or "
            "5xx",
        ),
        ({"messages": {"CONFLICT": ""}}, ValueError, r"messages\['CONFLICT'\] must not be empty"),
        ({"messages": {"CONFLICT": 1}}, TypeError, r"messages\['CONFLICT'\] must be a str"),
        ({"address_param": ""}, ValueError, "address_param must be a non-empty token"),
        (
            {"request_id_header": "X Request"},
            ValueError,
            "request_id_header must be a non-empty token",
        ),
        ({"max_body": -1}, ValueError, "max_body must be 0 or more"),
        ({"max_body": 1.5}, TypeError, "max_body must be an int"),
        ({"max_json_depth": 0}, ValueError, "max_json_depth must be 1 or more"),
        ({"announce_status": 201}, ValueError, "announce_status must be 200 or 202"),
        ({"on_timeout": "hang"}, ValueError, "on_timeout must be 'answer' or 'drop'"),
        ({"head": "yes"}, TypeError, "head must be a bool"),
        ({"max_request_id": 0}, ValueError, "max_request_id must be 1 or more"),
        ({"max_request_id": "200"}, TypeError, "max_request_id must be an int"),
        ({"put_created_status": 202}, ValueError, "put_created_status must be 200 or 201"),
        ({"put_created_status": True}, ValueError, "put_created_status must be 200 or 201"),
        (
            {"missing_param": "NOT_FOUND"},
            ValueError,
            "missing_param must be 'INVALID_ADDRESS' or 'BAD_REQUEST'",
        ),
        (
            {"unhealthy_when": ("peer_gone",)},
            ValueError,
            r"unhealthy_when: unknown conditions \['peer_gone'\]; known: every_operation_fails",
        ),
        ({"unhealthy_when": 1}, TypeError, "unhealthy_when must be a tuple of"),
    ],
)
def test_bad_rules_are_refused(
    changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        UCXIRules(**changes)


def test_the_inferred_behaviours_are_rules(world: World, bzzz: MockBZZZ) -> None:
    rules = UCXIRules(put_created_status=200, missing_param="BAD_REQUEST", max_request_id=8)
    call = call_over("wsgi", UCXIApp(bzzz, world, rules=rules))
    put = call("PUT", "put", params={"address": API}, content=b"x")
    assert (put.status_code, put.json()["response"]["code"]) == (200, "UCXL-200-SUCCESS")
    missing = call("GET", "get")
    assert (missing.status_code, missing.json()["error"]["code"]) == (400, "UCXL-400-BAD_REQUEST")
    assert missing.json()["error"]["details"] == {
        "field": "address",
        "parse_error": "missing query parameter 'address'",
    }
    fits = call("GET", "status", headers={"X-Request-ID": "12345678"})
    assert fits.headers["x-request-id"] == "12345678"
    too_long = call("GET", "status", headers={"X-Request-ID": "123456789"})
    assert too_long.headers["x-request-id"] != "123456789"
    assert UCXIRules(unhealthy_when="peer_down").unhealthy_when == ("peer_down",)  # type: ignore[arg-type]
    assert UCXIRules(unhealthy_when=["peer_down", "peer_down"]).unhealthy_when == ("peer_down",)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "methods", "message"),
    [
        ("get", ("GET",), "must start with '/'"),
        ("/a?b", ("GET",), "hold no '\\?'"),
        ("/a", ("get",), "upper case"),
        ("/a", (), "at least one"),
        ("/a", ("GET", "GET"), "each method once"),
        ("/a", 5, "a method name or several"),
    ],
)
def test_bad_routes_are_refused(path: str, methods: Any, message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        Route(path, methods)


# -- the property: every request gets one envelope, never a 500 ---------------------------

ROUTE_PATHS = [UCXIRules().path(name) for name in ROUTES]
ADDRESSES = [API, API + "*~1", API + "*~9", "ucxl://any:any@any:any/**", "invalid", "ucxl://a:b@c"]
SAFE = string.ascii_letters + string.digits + "-._~/%:@*^#"

methods = st.sampled_from(
    ["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"]
) | st.from_regex(r"\A[A-Z]{1,8}\Z")
paths = st.sampled_from(ROUTE_PATHS) | st.text(SAFE, max_size=30).map(lambda text: "/" + text)
values = st.sampled_from(ADDRESSES) | st.text(max_size=40)
queries = st.dictionaries(st.sampled_from(["address", "pattern", "x"]), values, max_size=3)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
bodies = (
    st.binary(max_size=64)
    | json_values.map(lambda value: json.dumps(value).encode())
    | st.fixed_dictionaries({"address": values, "capability": json_values}).map(
        lambda v: json.dumps(v).encode()
    )
)
content_types = st.sampled_from(
    ["application/json", "text/plain", "application/json; charset=utf-8", ""]
)


def check(status: int, body: bytes, method: str) -> None:
    assert status != 500
    if method == "HEAD":
        assert body == b""
        return
    ((_, envelope),) = json.loads(body).items()
    assert int(envelope["code"].split("-")[1]) == status


@settings(
    derandomize=True, max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(method=methods, path=paths, query=queries, content_type=content_types, body=bodies)
def test_every_request_gets_an_envelope_over_wsgi(
    method: str, path: str, query: dict[str, str], content_type: str, body: bytes
) -> None:
    with World(seed=1) as world:
        bzzz = MockBZZZ(world)
        bzzz.store(API, "x")
        bzzz.announce(API, {"k": 1})
        app = UCXIApp(bzzz, world, rules=UCXIRules(max_body=48))
        with httpx.Client(transport=httpx.WSGITransport(app=app)) as client:
            url = httpx.URL("http://node" + path).copy_with(params=query)
            headers = {"content-type": content_type} if content_type else {}
            response = client.request(method, url, content=body, headers=headers)
        check(response.status_code, response.content, method)
        assert app.errors == []


@settings(derandomize=True, max_examples=300, deadline=None)
@given(
    method=methods | st.text(max_size=8),
    path=paths | st.text(max_size=30),
    query=st.text(max_size=60),
    headers=st.dictionaries(
        st.sampled_from(["content-type", "content-length", "x-request-id"]), st.text(max_size=20)
    ),
    body=bodies,
)
def test_every_request_gets_an_envelope_in_process(
    method: str, path: str, query: str, headers: dict[str, str], body: bytes
) -> None:
    with World(seed=1) as world:
        bzzz = MockBZZZ(world)
        bzzz.store(API, "x")
        app = UCXIApp(bzzz, world)
        response = app.handle(Request(method, path, query, headers, body))
        check(response.status, response.body, method)
        assert app.errors == []


def test_the_last_resort_answer_is_an_error_envelope_with_its_code_s_status() -> None:
    """What the node answers when writing the usual envelope failed itself."""
    from pytest_bzzz._backends.ucxi.responses import last_resort

    response = last_resort(UCXIRules(codes={"INTERNAL_ERROR": "UCXL-500-BROKEN"}))
    assert response.status == 500
    assert json.loads(response.body) == {
        "error": {
            "code": "UCXL-500-BROKEN",
            "message": "Internal server error",
            "source": "ucxi-server",
        }
    }
