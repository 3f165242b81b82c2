"""What the shared session server answers between tests: the note's envelope, ids and clock.

Between two tests no world serves, so ``_Between`` answers 503 with the world
the server last served: its clock for the timestamp (a virtual clock stands
where the test left it, so a seeded run reproduces the answer), a request id
of the note's form from a stream of its seed, or the client's own id.

The names are imported from ``pytest_bzzz.ucxi``, which loads the whole fake
node: a module that imported only part of it would leave the in-process
``pytester`` runs of other modules a stale submodule (``from . import local``
finds the package's attribute, not the fresh module).
"""

from __future__ import annotations

import json
import re
from typing import Any

from pytest_bzzz import World
from pytest_bzzz.plugin.ucxi import _Between
from pytest_bzzz.ucxi import Request, Response

REQUEST_ID = re.compile(r"[0-9]{8}-[0-9]{6}-[0-9a-f]{8}\Z")


def _error(response: Response) -> dict[str, Any]:
    error: dict[str, Any] = json.loads(response.body)["error"]
    assert dict(response.headers)["X-Request-ID"] == error["request_id"]
    return error


def test_between_tests_the_answer_follows_the_note() -> None:
    with World(seed=4) as world:
        world.clock.advance(61.25)
        between = _Between(world)
        response = between.handle(Request("GET", "/ucxi/v1/get"))
        error = _error(response)
        assert (response.status, error["code"]) == (503, "UCXL-503-SERVICE_UNAVAILABLE")
        assert REQUEST_ID.match(error["request_id"])
        assert error["request_id"].startswith("20250101-000101-")  # the world clock, in UTC
        assert error["timestamp"] == "2025-01-01T00:01:01.250Z"
        assert (error["source"], error["path"]) == ("ucxi-server", "/ucxi/v1/get")
        # Reproducible: the same seed, the same ids, in the same order.
        first, second = _Between(world), _Between(world)
        ids = [_error(b.handle(Request("GET", "/")))["request_id"] for b in (first, first)]
        assert [_error(second.handle(Request("GET", "/")))["request_id"] for _ in ids] == ids
        assert len(set(ids)) == 2
        # The client's id, verbatim; an unusable one replaced.
        traced = between.handle(Request("GET", "/", headers={"x-request-id": "trace-7"}))
        assert _error(traced)["request_id"] == "trace-7"
        long = between.handle(Request("GET", "/", headers={"x-request-id": "x" * 201}))
        assert REQUEST_ID.match(_error(long)["request_id"])


def test_between_tests_before_any_test_it_stamps_the_virtual_start() -> None:
    between = _Between()
    error = _error(between.handle(Request("GET", "/")))
    assert error["timestamp"] == "2025-01-01T00:00:00.000Z"
    assert error["request_id"].startswith("20250101-000000-")
    refused = between.refuse("BAD_REQUEST", None, details={"reason": "bad"})
    error = _error(refused)
    assert (refused.status, error["code"], error["path"]) == (400, "UCXL-400-BAD_REQUEST", "")
    assert REQUEST_ID.match(error["request_id"])
