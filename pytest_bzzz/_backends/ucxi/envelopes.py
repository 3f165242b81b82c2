"""The UCXI response envelopes, written exactly as BZZZ writes them, and their request ids.

Every answer of the node is one JSON object with one top-level key,
``response`` or ``error``; optional members are left out rather than written
``null`` (BZZZ's server is Go, with ``omitempty``). Times come from the world
clock, never the wall clock, so a seeded run reproduces its envelopes.

Request ids are drawn from a random stream of their own, derived from the
world's seed: serving HTTP draws nothing from the world's stream, so whether
a test talks to the node over HTTP or to the mock directly, the same
operations fail.

Data that is JSON text already (a stored envelope, as ``Envelope.to_json``
writes it) is written into the response as it is (:class:`RawJSON`), rather
than parsed and written again: the bytes are the same, and a read costs one
encoding, not three.
"""

from __future__ import annotations

import functools
import json
import random
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any, Final, TypeGuard

from ..._kernel.seeds import derive_seed

__all__ = [
    "CONTENT_TYPE",
    "RawJSON",
    "RequestIds",
    "encode",
    "error_body",
    "format_timestamp",
    "status_of",
    "success_body",
    "usable_id",
]

CONTENT_TYPE: Final = "application/json"
"""The media type of every response body (JSON, so UTF-8)."""

_ID_STREAM: Final = "ucxi-request-ids"


class RawJSON(str):
    """The text of a JSON value, written into an envelope as it is (it is valid JSON already)."""

    __slots__ = ()


@functools.lru_cache(maxsize=64)  # a virtual clock stands still between operations
def format_timestamp(instant: datetime) -> str:
    """RFC 3339 in UTC, to the millisecond, with a final ``Z``: ``2024-01-28T14:30:52.123Z``."""
    instant = instant.astimezone(UTC)
    return f"{instant:%Y-%m-%dT%H:%M:%S}.{instant.microsecond // 1000:03d}Z"


def status_of(code: str) -> int:
    """The HTTP status a code carries: ``status_of("UCXL-404-NOT_FOUND") == 404``."""
    return int(code.split("-")[1])


class RequestIds:
    """Request ids: ``YYYYMMDD-HHMMSS-`` and 8 lowercase hex digits, or the one a client sent.

    The date and time are the instant given (the world clock's, in UTC); the
    digits come from ``random.Random(derive_seed(seed, "ucxi-request-ids"))``,
    so a run that makes its requests in the same order gets the same ids.
    Safe to share between threads.
    """

    def __init__(self, seed: int, *, stream: str = _ID_STREAM) -> None:
        self._random = random.Random(derive_seed(seed, stream))
        self._lock = threading.Lock()
        self._prefix: tuple[datetime | None, str] = (None, "")  # the last instant's, formatted

    def new(self, instant: datetime) -> str:
        """A fresh id for a request that arrived at ``instant``."""
        last, prefix = self._prefix
        if last != instant:
            prefix = f"{instant.astimezone(UTC):%Y%m%d-%H%M%S}-"
            self._prefix = (instant, prefix)  # one tuple: a racing thread sees either whole
        with self._lock:
            digits = self._random.getrandbits(32)
        return f"{prefix}{digits:08x}"

    def take(self, given: str | None, instant: datetime, limit: int) -> str:
        """The client's id when it sent a usable one, else a fresh one (drawn only then).

        A usable id is 1 to ``limit`` characters of printable ASCII (the
        rules' ``max_request_id``): what can be written back, verbatim, in a
        response header.
        """
        if given is not None and usable_id(given, limit):  # most requests send none
            return given
        return self.new(instant)


def usable_id(given: str | None, limit: int) -> TypeGuard[str]:
    """Whether a client's request id is used verbatim: 1 to ``limit`` printable ASCII characters."""
    return given is not None and 0 < len(given) <= limit and given.isascii() and given.isprintable()


def _plain(value: object) -> Any:
    """What ``json`` cannot write by itself: the read-only mappings of frozen JSON values."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def encode(document: Mapping[str, Any]) -> bytes:
    """A JSON document as UTF-8 bytes, compact, non-ASCII text kept as it is.

    A lone surrogate (which a request path decoded wrongly may hold) is not
    text: it is written as ``?``, so the body is always valid UTF-8.
    """
    return _dumps(document).encode("utf-8", "replace")


def _dumps(value: Any) -> str:
    return json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_plain
    )


def success_body(
    code: str,
    message: str,
    *,
    data: Mapping[str, Any] | RawJSON | None,
    details: Mapping[str, Any] | None,
    request_id: str,
    timestamp: datetime,
) -> bytes:
    """``{"response": {code, message, [data], [details], request_id, timestamp}}``."""
    if isinstance(data, RawJSON):  # JSON text already: spliced in as it is
        parts = [
            '{"response":{"code":',
            encode_basestring(code),
            ',"message":',
            encode_basestring(message),
            ',"data":',
            data,
        ]
        if details:
            parts += [',"details":', _dumps(details)]
        parts += [
            ',"request_id":',
            encode_basestring(request_id),
            ',"timestamp":"',
            format_timestamp(timestamp),
            '"}}',
        ]
        return "".join(parts).encode("utf-8", "replace")
    response: dict[str, Any] = {"code": code, "message": message}
    if data:
        response["data"] = data
    if details:
        response["details"] = details
    response["request_id"] = request_id
    response["timestamp"] = format_timestamp(timestamp)
    return encode({"response": response})


def error_body(
    code: str,
    message: str,
    *,
    details: Mapping[str, Any] | None,
    cause: Mapping[str, Any] | None,
    source: str,
    path: str,
    request_id: str,
    timestamp: datetime,
) -> bytes:
    """``{"error": {code, message, [details], [cause], source, path, request_id, timestamp}}``."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    if cause:
        error["cause"] = cause
    error["source"] = source
    error["path"] = path
    error["request_id"] = request_id
    error["timestamp"] = format_timestamp(timestamp)
    return encode({"error": error})
