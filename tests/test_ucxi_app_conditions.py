"""The UCXI application under network conditions; its request ids, records and unexpected errors.

Network conditions reach HTTP through the connector's operations: a failure
is a 503, a timeout a 504 once the timeout has passed (or no answer), and the
simulated time a request took is its ``delay``. Serving HTTP draws nothing
from the world's random stream, so it changes no outcome of a seeded test.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from pytest_bzzz import MockBZZZ, NetworkConditions, NetworkError, World
from pytest_bzzz._backends.ucxi.app import UCXIApp
from pytest_bzzz._backends.ucxi.http import Request, Response
from pytest_bzzz._backends.ucxi.rules import UCXIRules
from tests.test_ucxi_app import API, REQUEST_ID, answer, call_over


def put(address: str = API, body: bytes = b"x") -> Request:
    return Request("PUT", "/ucxi/v1/put", f"address={address}", {}, body)


def get(address: str = API, headers: dict[str, str] | None = None) -> Request:
    return Request("GET", "/ucxi/v1/get", f"address={address}", headers or {})


def body_of(response: Response) -> dict[str, Any]:
    document = json.loads(response.body)
    ((_, body),) = document.items()
    assert isinstance(body, dict)
    return body


@pytest.fixture
def world() -> Iterator[World]:
    with World(seed=11) as world:
        yield world


@pytest.fixture
def bzzz(world: World) -> MockBZZZ:
    return MockBZZZ(world)


@pytest.fixture
def app(bzzz: MockBZZZ, world: World) -> UCXIApp:
    return UCXIApp(bzzz, world)


@pytest.mark.parametrize("transport", ["wsgi", "asgi"])
def test_a_failing_network_answers_503_and_stores_nothing(
    world: World, app: UCXIApp, bzzz: MockBZZZ, transport: str
) -> None:
    world.conditions = NetworkConditions(failure_rate=1.0)
    call = call_over(transport, app)
    error = answer(
        call("PUT", "put", params={"address": API}, content=b"x"), "UCXL-503-SERVICE_UNAVAILABLE"
    )
    assert error["message"] == "Service unavailable"
    assert error["details"] == {"operation": "store"}
    assert error["cause"]["code"] == "UCXL-503-SERVICE_UNAVAILABLE"
    assert error["cause"]["message"].startswith("simulated network failure: store(")
    assert [call.outcome for call in bzzz.calls()] == ["failed"]
    world.conditions = NetworkConditions()
    answer(call("GET", "get", params={"address": API}), "UCXL-404-NOT_FOUND")


def test_latency_moves_the_world_clock_and_is_the_delay(world: World, app: UCXIApp) -> None:
    world.conditions = NetworkConditions(latency=0.25)
    response = app.handle(put())
    assert (response.status, response.delay) == (201, 0.25)
    assert world.clock.now() == 0.25
    stamp = body_of(response)["timestamp"]
    assert stamp == "2025-01-01T00:00:00.250Z"  # answered once the latency has passed
    posted = app.handle(Request("POST", "/ucxi/v1/post", f"address={API}x", {}, b"y"))
    assert (posted.status, posted.delay) == (201, 0.5)  # a read to check, then the store
    assert app.handle(Request("GET", "/ucxi/v1/health")).delay == 0  # crosses no network
    assert world.clock.now() == 0.75


def test_the_delay_is_none_on_a_real_clock() -> None:
    with World(seed=1, clock="real") as world:
        response = UCXIApp(MockBZZZ(world), world).handle(put())
        assert (response.status, response.delay) == (201, 0.0)


@pytest.mark.parametrize("transport", ["wsgi", "asgi"])
def test_a_timeout_answers_504_once_the_timeout_has_passed(
    world: World, app: UCXIApp, bzzz: MockBZZZ, transport: str
) -> None:
    world.conditions = NetworkConditions(latency=2.0, timeout=0.5)
    response = app.handle(put())
    assert (response.status, response.delay, response.drop) == (504, 0.5, False)
    body = body_of(response)
    assert (body["code"], body["message"]) == ("UCXL-504-TIMEOUT", "Timed out")
    assert body["details"] == {"operation": "store", "timeout": 0.5}
    error = answer(
        call_over(transport, app)("GET", "get", params={"address": API}), "UCXL-504-TIMEOUT"
    )
    assert error["details"]["operation"] == "retrieve"
    assert world.clock.now() == 1.0
    assert len(world.content) == 0


def test_a_timeout_may_get_no_answer_at_all(world: World, bzzz: MockBZZZ) -> None:
    app = UCXIApp(bzzz, world, rules=UCXIRules(on_timeout="drop"))
    world.conditions = NetworkConditions(latency=2.0, timeout=0.5)
    response = app.handle(put())
    assert (response.drop, response.delay) == (True, 0.5)
    assert app.requests[-1].dropped
    # In process there is no connection to drop: the adapters answer the 504.
    answer(call_over("wsgi", app)("GET", "get", params={"address": API}), "UCXL-504-TIMEOUT")


def test_health_fails_only_when_every_operation_fails(world: World, app: UCXIApp) -> None:
    health = Request("GET", "/ucxi/v1/health")
    for conditions, status in [
        (NetworkConditions(failure_rate=0.99), 200),
        (NetworkConditions(failure_rate=1.0, failure_ops={"store"}), 200),
        (NetworkConditions(latency=5.0, timeout=1.0), 200),
        (NetworkConditions(failure_rate=1.0), 503),
    ]:
        world.conditions = conditions
        assert app.handle(health).status == status
    body = body_of(app.handle(health))
    assert body["code"] == "UCXL-503-SERVICE_UNAVAILABLE"
    assert body["details"]["status"] == "unhealthy"
    assert world.stats.total == 0


def outcomes(world: World, requests: list[Request], *, http: bool) -> list[str]:
    """What a flaky network does to the same puts, sent over HTTP or made on the mock."""
    bzzz = MockBZZZ(world)
    if not http:
        for request in requests:
            if request.path.endswith("/put"):
                with contextlib.suppress(NetworkError):
                    bzzz.store(request.query.removeprefix("address="), request.body)
        return [call.outcome for call in world.calls()]
    app = UCXIApp(bzzz, world)
    for request in requests:
        app.handle(request)
    return [call.outcome for call in world.calls()]


def test_serving_http_changes_no_outcome_of_the_seed() -> None:
    requests = [put(f"{API}{n}") for n in range(20)]
    mixed = [
        item
        for request in requests
        for item in (request, Request("GET", "/ucxi/v1/health"), Request("GET", "/ucxi/v1/status"))
    ]
    conditions = NetworkConditions(failure_rate=0.5)
    with (
        World(seed=3, conditions=conditions) as direct,
        World(seed=3, conditions=conditions) as served,
    ):
        expected = outcomes(direct, requests, http=False)
        assert outcomes(served, mixed, http=True) == expected
    assert "failed" in expected
    assert "ok" in expected


def ids(seed: int, count: int = 3) -> list[str]:
    with World(seed=seed) as world:
        app = UCXIApp(MockBZZZ(world), world)
        return [app.handle(get()).headers[1][1] for _ in range(count)]


def test_request_ids_are_reproducible_from_the_seed() -> None:
    assert ids(5) == ids(5)
    assert ids(5) != ids(6)
    assert all(REQUEST_ID.match(request_id) for request_id in ids(5))
    assert ids(5)[0].startswith("20250101-000000-")


def test_a_request_id_takes_the_world_clock_in_utc(world: World, app: UCXIApp) -> None:
    world.clock.advance(timedelta(days=1, hours=1, minutes=1, seconds=1.5).total_seconds())
    response = app.handle(get())
    assert dict(response.headers)["X-Request-ID"].startswith("20250102-010101-")
    assert body_of(response)["timestamp"] == "2025-01-02T01:01:01.500Z"


def test_an_incoming_request_id_is_used_verbatim(world: World, app: UCXIApp) -> None:
    given = app.handle(get(headers={"x-request-id": "trace-42"}))
    assert dict(given.headers)["X-Request-ID"] == "trace-42"
    assert body_of(given)["request_id"] == "trace-42"
    assert dict(app.handle(get()).headers)["X-Request-ID"] == ids(11, 1)[0]  # drew nothing
    for unusable in ["", "x" * 201, "caf\u00e9", "a\nb"]:
        request_id = dict(app.handle(get(headers={"x-request-id": unusable})).headers)[
            "X-Request-ID"
        ]
        assert REQUEST_ID.match(request_id)


def test_the_requests_are_recorded(app: UCXIApp) -> None:
    app.handle(
        Request("PUT", "/ucxi/v1/put", f"address={API}", {"content-type": "text/plain"}, b"hi")
    )
    app.handle(Request("GET", "/nowhere", "a=1"))
    first, second = app.requests
    assert (first.method, first.path, first.query, first.body) == (
        "PUT",
        "/ucxi/v1/put",
        f"address={API}",
        b"hi",
    )
    assert (first.headers, first.status, first.route, first.at) == (
        {"content-type": "text/plain"},
        201,
        "put",
        0.0,
    )
    assert REQUEST_ID.match(first.request_id)
    assert (second.status, second.route, second.dropped) == (404, None, False)
    app.reset()
    assert app.requests == []


def test_the_record_of_requests_is_bounded(world: World, bzzz: MockBZZZ) -> None:
    app = UCXIApp(bzzz, world, record_requests=3)
    for number in range(5):
        app.handle(get(f"{API}{number}"))
    assert app.record_requests == 3
    assert [request.query[-1] for request in app.requests] == ["2", "3", "4"]  # the newest
    status = body_of(app.handle(Request("GET", "/ucxi/v1/status")))
    assert status["data"]["requests"]["get"] == 5  # the counts cover every request


def test_a_record_of_none_keeps_no_request_but_every_error(world: World) -> None:
    app = UCXIApp(Broken(world), world, record_requests=0)
    assert app.handle(put()).status == 201
    assert app.handle(get()).status == 500
    assert (app.record_requests, app.requests, len(app.errors)) == (0, [], 1)


def test_the_default_record_is_the_worlds(app: UCXIApp) -> None:
    from pytest_bzzz import DEFAULT_RECORD_LIMIT

    assert app.record_requests == DEFAULT_RECORD_LIMIT == 10_000


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [(-1, ValueError, "got -1"), (1.5, TypeError, "got float 1.5"), (True, TypeError, "got bool")],
)
def test_a_bad_record_limit_is_refused(
    world: World, bzzz: MockBZZZ, value: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=f"record_requests must be an int, 0 or more, {match}"):
        UCXIApp(bzzz, world, record_requests=value)


def test_a_requests_delay_is_its_own_operations_time_whatever_else_moves_the_clock(
    world: World, bzzz: MockBZZZ, app: UCXIApp
) -> None:
    """Concurrent requests on one virtual clock: each delay counts only its own latency."""
    import threading

    world.conditions = NetworkConditions(latency=0.25)
    barrier = threading.Barrier(8)
    delays: list[float] = []

    def one(number: int) -> None:
        barrier.wait()
        response = app.handle(put(f"{API}{number}"))
        delays.append(response.delay)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert delays == [0.25] * 8  # one operation of 0.25 s each
    assert world.clock.now() == 2.0  # the world ran them one after the other
    world.clock.advance(100)  # the test (or a loop that follows the clock) moves it too
    assert app.handle(get(f"{API}1")).delay == 0.25


def test_a_post_spends_two_operations_and_a_timeout_its_limit(world: World, app: UCXIApp) -> None:
    world.conditions = NetworkConditions(latency=0.5)
    assert (
        app.handle(Request("POST", "/ucxi/v1/post", f"address={API}", {}, b"x")).delay == 1.0
    )  # a retrieve to check, then the store
    world.conditions = NetworkConditions(latency=3, timeout=1)
    timed_out = app.handle(get())
    assert (timed_out.status, timed_out.delay) == (504, 1.0)


def test_the_delay_is_zero_on_a_real_clock() -> None:
    with World(seed=1, clock="real", conditions=NetworkConditions(latency=0.01)) as world:
        response = UCXIApp(MockBZZZ(world), world).handle(put())
    assert (response.status, response.delay) == (201, 0.0)  # the time has passed already


class Broken(MockBZZZ):
    """A connector with a bug: reading raises what no connector should."""

    def retrieve(self, address: Any, *, timeout: float | None = None) -> Any:
        raise KeyError("a bug")

    async def aretrieve(self, address: Any, *, timeout: float | None = None) -> Any:
        raise KeyError("a bug")


@pytest.mark.parametrize("transport", ["wsgi", "asgi"])
def test_an_unexpected_error_is_a_500_kept_for_the_test(world: World, transport: str) -> None:
    app = UCXIApp(Broken(world), world)
    call = call_over(transport, app)
    response = call("GET", "get", params={"address": API})
    error = answer(response, "UCXL-500-INTERNAL_ERROR")
    assert error["message"] == "Internal server error"
    assert error["details"] == {"exception": "KeyError"}  # its class, never its message
    assert "a bug" not in response.text
    assert "Traceback" not in response.text
    assert [repr(error) for error in app.errors] == ["KeyError('a bug')"]
    answer(call("PUT", "put", params={"address": API}, content=b"x"), "UCXL-201-CREATED")
    assert len(app.errors) == 1


def test_handle_never_raises_even_on_what_is_not_a_request(app: UCXIApp) -> None:
    for bad in [object(), Request("GET", b"/ucxi/v1/get"), Request("GET", "/", headers=[])]:  # type: ignore[arg-type]
        response = app.handle(bad)  # type: ignore[arg-type]
        assert response.status == 500
        assert body_of(response)["code"] == "UCXL-500-INTERNAL_ERROR"
    assert [type(error) for error in app.errors] == [TypeError] * 3
