"""The UCXI endpoints that reach the network: get, put, post, delete, announce, discover, navigate.

Each endpoint is written once, as a generator: it checks the request, yields
each connector operation it needs (an :class:`Op`), receives the result (or
has the operation's exception thrown in) and returns an :class:`Answer`. The
application drives it with the connector's sync methods (``handle``: WSGI,
threaded servers) or with their async twins (``ahandle``: ASGI, on the
world's virtual clock through the event loop), as the mocks' sync and async
twins share one preparation. Bad input is answered before any operation, so
it costs no simulated time and draws nothing.

An ``Answer`` names a role (``"NOT_FOUND"``), not a code: the rules say how
each role is spelled, and what its message is.
"""

from __future__ import annotations

import json
import math
import urllib.parse
from collections.abc import Callable, Generator, Mapping
from types import MappingProxyType
from typing import Any, Final, NamedTuple, TypeAlias

from ..._kernel.errors import NetworkError, NetworkTimeout
from ..._ucxl.address import UCXLAddress
from ..._ucxl.envelope import Envelope, check_room
from ..._ucxl.errors import (
    ErrorCode,
    NotFoundError,
    TemporalRangeError,
    UCXLError,
    UCXLParseError,
)
from .envelopes import RawJSON
from .http import Request
from .rules import OnTimeout, UCXIRules

__all__ = ["ENDPOINTS", "Answer", "Exchange", "Op", "Program", "failure", "parse_query"]


# Why an endpoint takes no temporal segment (the end of its parse_error).
_STORE: Final = "versions are numbered by the node as it stores them"
_DELETE: Final = "a delete adds a tombstone after the latest version, whatever is asked"
_ANNOUNCE: Final = "a capability is announced for an address, not for one of its versions"
_DISCOVER: Final = "discovery matches announced addresses, which have no versions"


_NO_KWARGS: Final[Mapping[str, Any]] = MappingProxyType({})

# Op, Answer and Exchange are named tuples, not frozen dataclasses: each request makes a few of
# them, and a tuple is made in a tenth of the time.


class Op(NamedTuple):
    """A connector call an endpoint needs: the sync method's name (the async twin is ``a``+name).

    A ``local`` read (``network_status``) has no async twin and is called as
    it is. ``subject`` is the address the call is about, for error details.
    """

    name: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = _NO_KWARGS
    local: bool = False
    subject: str = ""


class Answer(NamedTuple):
    """What an endpoint answers: a role of the codes table, and what the envelope says."""

    role: str
    data: Mapping[str, Any] | RawJSON | None = None
    details: Mapping[str, Any] | None = None
    cause: Mapping[str, Any] | None = None
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False


class Exchange(NamedTuple):
    """One request on its way through an endpoint: the rules, the request, its query parameters."""

    rules: UCXIRules
    request: Request
    params: Mapping[str, str]


Program: TypeAlias = Generator[Op, Any, Answer]


def _unquoted(text: str) -> str:
    if "%" in text or "+" in text:
        return urllib.parse.unquote_plus(text, errors="replace")
    return text


def parse_query(query: str) -> dict[str, str]:
    """The query's parameters, percent-decoded as UTF-8; the first value of a repeated one.

    What ``urllib.parse.parse_qsl(query, keep_blank_values=True,
    errors="replace")`` reads (a test checks it on any text), without its
    cost on the parts that need no decoding.
    """
    params: dict[str, str] = {}
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            params.setdefault(_unquoted(name), _unquoted(value))
    return params


def invalid_address(
    field: str, given: str | None, problem: str, *, role: str = "INVALID_ADDRESS"
) -> Answer:
    """400 INVALID_ADDRESS: which field, the text as given (when there was one), and why."""
    details: dict[str, Any] = {"field": field}
    if given is not None:
        details["provided_address"] = given
    details["parse_error"] = problem
    return Answer(role, details=details)


def unparsed(field: str, text: str, error: UCXLParseError) -> Answer:
    """400 INVALID_ADDRESS for text the parser refused, naming the part that failed.

    The note's rule for a bad address (INVALID_ADDRESS, ``field``,
    ``provided_address``, ``parse_error``) holds whatever part failed. When
    only the temporal segment is wrong (``*~abc``), the parser's own code,
    ``UCXL-400-TEMPORAL_INVALID``, is kept in ``cause`` and the details name
    the segment (``invalid_part``, ``temporal_segment``), so a client can tell
    a bad version selector from a bad address without reading the message.
    """
    answer = invalid_address(field, text, str(error))
    if error.field != "temporal":
        return answer
    details = {
        **(answer.details or {}),
        "invalid_part": "temporal",
        "temporal_segment": error.fragment,
    }
    return answer._replace(details=details, cause=_cause(error))


def check_address(
    text: str, field: str, *, concrete: bool, unversioned: str = "", stored: bool = False
) -> UCXLAddress | Answer:
    """``text`` as an address, or the answer that refuses it (see :func:`invalid_address`)."""
    if not text.startswith("ucxl://"):
        return invalid_address(field, text, "address must start with 'ucxl://'")
    try:
        address = UCXLAddress.parse(text)
    except UCXLParseError as error:
        return unparsed(field, text, error)
    if concrete and address.is_pattern:
        return invalid_address(
            field,
            text,
            f"{str(address)!r} is a pattern (it holds a wildcard or a glob); "
            "a concrete address is needed here",
        )
    if unversioned and address.temporal is not None:
        return invalid_address(
            field,
            text,
            f"{str(address)!r} has a temporal segment ({address.temporal}); "
            f"{unversioned}: give it without one",
        )
    if stored:
        try:
            check_room(address)
        except ValueError as error:
            return invalid_address(field, text, str(error))
    return address


def _param_address(
    ex: Exchange, param: str, *, concrete: bool = True, unversioned: str = "", stored: bool = False
) -> UCXLAddress | Answer:
    text = ex.params.get(param)
    if text is None:
        problem = f"missing query parameter {param!r}"
        return invalid_address(param, None, problem, role=ex.rules.missing_param)
    return check_address(text, param, concrete=concrete, unversioned=unversioned, stored=stored)


def _invalid_payload(reason: str, **details: Any) -> Answer:
    return Answer("INVALID_PAYLOAD", details={"field": "body", "reason": reason, **details})


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the number {text[:20]} is out of range")
    return number


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth(value: Any, limit: int) -> int:
    """How deeply ``value`` nests, counted without recursion; stops once past ``limit``."""
    deepest, stack = 0, [(value, 1)]
    while stack and deepest <= limit:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def read_json(body: bytes, max_depth: int) -> tuple[Any, Answer | None]:
    """The body as JSON, or the 400 INVALID_PAYLOAD that refuses it."""
    try:
        value = json.loads(body.decode(), parse_float=_finite, parse_constant=_no_constant)
    except RecursionError:
        return None, _invalid_payload(f"the JSON nests deeper than {max_depth} levels")
    except ValueError as error:  # json.JSONDecodeError, UnicodeDecodeError, a refused number
        return None, _invalid_payload(f"the body is not JSON: {error}")
    if _depth(value, max_depth) > max_depth:
        return None, _invalid_payload(f"the JSON nests deeper than {max_depth} levels")
    return value, None


def _content(ex: Exchange) -> tuple[bytes, str | None] | Answer:
    """The content to store and its type (the request's ``Content-Type``, if any)."""
    body = ex.request.body
    content_type = ex.request.headers.get("content-type", "").strip() or None
    if (
        content_type is not None
        and content_type.split(";")[0].strip().lower() == "application/json"
    ):
        _, refusal = read_json(body, ex.rules.max_json_depth)
        if refusal is not None:
            return refusal
    return body, content_type


def envelope_data(envelope: Envelope, *, content: bool = True) -> dict[str, Any]:
    """The envelope as ``Envelope.to_json`` writes it (as a JSON object), maybe without content."""
    data: dict[str, Any] = json.loads(envelope.to_json())
    if not content:
        del data["content"]
    return data


def _cause(error: UCXLError) -> dict[str, Any]:
    return {"code": str(error.code), "message": str(error)}


def failure(error: Exception, subject: str, on_timeout: OnTimeout) -> Answer | None:
    """The answer to an exception a connector raised; ``None`` when it is unexpected (a 500)."""
    if isinstance(error, NetworkTimeout):
        details = {"operation": error.op, "timeout": error.timeout}
        return Answer("TIMEOUT", details=details, cause=_cause(error), drop=on_timeout == "drop")
    if isinstance(error, NetworkError):
        return Answer("SERVICE_UNAVAILABLE", details={"operation": error.op}, cause=_cause(error))
    if isinstance(error, UCXLParseError):
        return unparsed("address", error.text, error)
    if isinstance(error, TemporalRangeError):
        details = {"address": subject, "selector": error.selector, "versions": error.count}
        return Answer("TEMPORAL_INVALID", details=details, cause=_cause(error))
    if isinstance(error, UCXLError):  # NotFoundError, or another backend's FORBIDDEN, ...
        role = ErrorCode(error.code).name
        return Answer(role, details={"address": subject}, cause=_cause(error))
    if isinstance(error, (ValueError, TypeError)):  # an argument another connector refuses
        return Answer("BAD_REQUEST", details={"reason": str(error)})
    return None


# -- the endpoints ------------------------------------------------------------------------


def get(ex: Exchange) -> Program:
    address = _param_address(ex, ex.rules.address_param)
    if isinstance(address, Answer):
        return address
    envelope: Envelope = yield Op("retrieve", (address,), subject=str(address))
    return Answer("SUCCESS", data=RawJSON(envelope.to_json()))  # as to_json writes it, verbatim


def _store_parts(ex: Exchange) -> tuple[UCXLAddress, bytes, str | None] | Answer:
    address = _param_address(ex, ex.rules.address_param, unversioned=_STORE, stored=True)
    if isinstance(address, Answer):
        return address
    content = _content(ex)
    if isinstance(content, Answer):
        return content
    return (address, *content)


def put(ex: Exchange) -> Program:
    parts = _store_parts(ex)
    if isinstance(parts, Answer):
        return parts
    address, body, content_type = parts
    kwargs = {"content_type": content_type}
    envelope = yield Op("store", (address, body), kwargs, subject=str(address))
    new = envelope.version == 1 and ex.rules.put_created_status == 201
    role = "CREATED" if new else "SUCCESS"
    return Answer(role, data=envelope_data(envelope, content=False))


def post(ex: Exchange) -> Program:
    parts = _store_parts(ex)
    if isinstance(parts, Answer):
        return parts
    address, body, content_type = parts
    try:  # a deleted address has no content: posting creates it again
        yield Op("retrieve", (address,), subject=str(address))
    except NotFoundError:
        pass
    else:
        reason = "the address already has content: put adds a new version"
        return Answer("CONFLICT", details={"address": str(address), "reason": reason})
    kwargs = {"content_type": content_type}
    envelope = yield Op("store", (address, body), kwargs, subject=str(address))
    return Answer("CREATED", data=envelope_data(envelope, content=False))


def delete(ex: Exchange) -> Program:
    address = _param_address(ex, ex.rules.address_param, unversioned=_DELETE)
    if isinstance(address, Answer):
        return address
    tombstone = yield Op("delete", (address,), subject=str(address))
    return Answer("SUCCESS", data={"address": str(tombstone.address), "version": tombstone.version})


def announce(ex: Exchange) -> Program:
    rules = ex.rules
    fields = (rules.address_param, rules.capability_field)
    value, refusal = read_json(ex.request.body, rules.max_json_depth)
    if refusal is not None:
        return refusal
    if not isinstance(value, dict):
        return _invalid_payload(f"the body must be a JSON object with the fields {list(fields)}")
    missing = [field for field in fields if field not in value]
    if missing:
        return _invalid_payload(f"the body lacks the fields {missing}", missing=missing)
    text = value[fields[0]]
    if not isinstance(text, str):
        return _invalid_payload(f"the field {fields[0]!r} must be a string, the address")
    address = check_address(text, fields[0], concrete=True, unversioned=_ANNOUNCE)
    if isinstance(address, Answer):
        return address
    yield Op("announce", (address, value[fields[1]]), subject=str(address))
    status = yield Op("network_status", local=True)
    role = "SUCCESS" if rules.announce_status == 200 else "ACCEPTED"
    return Answer(role, data={"address": str(address), "peer": status.local_peer.id})


def discover(ex: Exchange) -> Program:
    pattern = _param_address(ex, ex.rules.pattern_param, concrete=False, unversioned=_DISCOVER)
    if isinstance(pattern, Answer):
        return pattern
    found = yield Op("discover", (pattern,), subject=str(pattern))
    results = [
        {"address": str(offer.address), "peer": offer.peer, "capability": offer.capability}
        for offer in found
    ]
    return Answer(
        "SUCCESS", data={"pattern": str(pattern), "results": results, "count": len(results)}
    )


def navigate(ex: Exchange) -> Program:
    address = _param_address(ex, ex.rules.address_param)
    if isinstance(address, Answer):
        return address
    subject = str(address)
    versions: list[Envelope] = yield Op("history", (address,), subject=subject)
    count, temporal = len(versions), address.temporal
    if not count:  # another backend's history may be empty rather than missing
        return Answer("NOT_FOUND", details={"address": subject})
    target = count
    if temporal is not None:
        try:
            target = temporal.resolve(count, [envelope.timestamp for envelope in versions])
        except (TemporalRangeError, NotFoundError) as error:
            return failure(error, subject, ex.rules.on_timeout) or Answer("NOT_FOUND")
    envelope = versions[target - 1]
    if envelope.deleted:
        reason = f"version {target} of {str(envelope.base_address)!r} is a tombstone"
        return Answer(
            "NOT_FOUND", details={"address": subject, "version": target, "reason": reason}
        )
    data = {
        "address": subject,
        "target_version": target,
        "max_version": count,
        "envelope": envelope_data(envelope),
    }
    return Answer("SUCCESS", data=data)


ENDPOINTS: Final[Mapping[str, Callable[[Exchange], Program]]] = MappingProxyType(
    {
        "get": get,
        "put": put,
        "post": post,
        "delete": delete,
        "announce": announce,
        "discover": discover,
        "navigate": navigate,
    }
)
"""The endpoints that reach the network, by operation; ``status`` and ``health`` are the app's."""
