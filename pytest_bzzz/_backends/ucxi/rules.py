"""Every rule of the fake UCXI node that a real node might do otherwise, in one table.

BZZZ documents some of its HTTP interface (the envelopes, the base path, the
operation set, a few codes) and leaves the rest to its code, which we cannot
read for every version. What the fake does where the real rule is unknown is
a guess; a user who knows their node's real behaviour changes it here,
without patching: ``UCXIRules(success_code="UCXL-200-OK")``,
``UCXIRules(routes={"put": Route("/store", ("PUT", "POST"))})``.

Each field says whether its default is **[real]** (stated by BZZZ's own
documentation or code) or **[chosen]** (our best reading), as the API note
does. ``routes``, ``codes`` and ``messages`` take only what changes: what
they are given is laid over the defaults, and the rules hold the whole table.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final, Literal, TypeAlias, get_args

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused rule ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = [
    "CODES",
    "MESSAGES",
    "ROUTES",
    "MissingParam",
    "OnTimeout",
    "Route",
    "UCXIRules",
    "Unhealthy",
]

OnTimeout: TypeAlias = Literal["answer", "drop"]
_ON_TIMEOUT: Final = get_args(OnTimeout)
Unhealthy: TypeAlias = Literal["every_operation_fails", "peer_down"]
_UNHEALTHY: Final = get_args(Unhealthy)
MissingParam: TypeAlias = Literal["INVALID_ADDRESS", "BAD_REQUEST"]
_MISSING_PARAM: Final = get_args(MissingParam)

_METHOD = re.compile(r"[A-Z]+\Z")
_CODE = re.compile(r"UCXL-([1-5][0-9][0-9])-[A-Z][A-Z0-9_]*\Z")
_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+\Z")  # an HTTP token: a header's name

CODES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "SUCCESS": "UCXL-200-SUCCESS",  # real; RUSTLE spells it UCXL-200-OK
        "CREATED": "UCXL-201-CREATED",  # real
        "ACCEPTED": "UCXL-202-ACCEPTED",  # real
        "BAD_REQUEST": "UCXL-400-BAD_REQUEST",  # real
        "INVALID_ADDRESS": "UCXL-400-INVALID_ADDRESS",  # real
        "INVALID_PAYLOAD": "UCXL-400-INVALID_PAYLOAD",  # real
        "TEMPORAL_INVALID": "UCXL-400-TEMPORAL_INVALID",  # real
        "FORBIDDEN": "UCXL-403-FORBIDDEN",  # chosen
        "NOT_FOUND": "UCXL-404-NOT_FOUND",  # real
        "RESOLUTION_FAILED": "UCXL-404-RESOLUTION_FAILED",  # real
        "METHOD_NOT_ALLOWED": "UCXL-405-METHOD_NOT_ALLOWED",  # real
        "CONFLICT": "UCXL-409-CONFLICT",  # chosen
        "PAYLOAD_TOO_LARGE": "UCXL-413-PAYLOAD_TOO_LARGE",  # chosen
        "INTERNAL_ERROR": "UCXL-500-INTERNAL_ERROR",  # chosen spelling
        "SERVICE_UNAVAILABLE": "UCXL-503-SERVICE_UNAVAILABLE",  # real in the RUSTLE browser
        "TIMEOUT": "UCXL-504-TIMEOUT",  # chosen
    }
)
"""Each code the node answers, by its role: the note's table of codes."""

MESSAGES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "SUCCESS": "Request completed successfully",  # real
        "CREATED": "Resource created",
        "ACCEPTED": "Request accepted for processing",
        "BAD_REQUEST": "Bad request",
        "INVALID_ADDRESS": "Invalid UCXL address format",  # real
        "INVALID_PAYLOAD": "Invalid request payload",
        "TEMPORAL_INVALID": "Invalid temporal segment",
        "FORBIDDEN": "Access denied",
        "NOT_FOUND": "Resource not found",
        "RESOLUTION_FAILED": "UCXL address resolution failed",
        "METHOD_NOT_ALLOWED": "Method not allowed",
        "CONFLICT": "Resource already exists",
        "PAYLOAD_TOO_LARGE": "Payload too large",
        "INTERNAL_ERROR": "Internal server error",
        "SERVICE_UNAVAILABLE": "Service unavailable",
        "TIMEOUT": "Timed out",
    }
)
"""The message each code carries, by role (all chosen but the two marked real)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Route:
    """Where one endpoint is served: its ``path`` under the base path, and its ``methods``.

    ``methods`` is one method name or several, in upper case (``"GET"``,
    ``("PUT", "POST")``). With ``UCXIRules.head`` on, a route with ``GET``
    answers ``HEAD`` too, without a body.
    """

    path: str
    methods: tuple[str, ...]

    def __post_init__(self) -> None:
        path, methods = self.path, self.methods
        given: object = methods  # typed as the tuple it becomes; a str or a list is accepted
        if not isinstance(path, str):
            raise TypeError(f"Route path must be a str, got {type(path).__name__} {path!r}")
        if not path.startswith("/") or any(char in path for char in "?# \t\r\n"):
            raise ValueError(
                f"Route path must start with '/' and hold no '?', '#' or whitespace, got {path!r}"
            )
        names = (given,) if isinstance(given, str) else given
        if not isinstance(names, Iterable):
            raise TypeError(
                f"Route methods must be a method name or several, got {type(methods).__name__}"
            )
        names = tuple(names)
        for name in names:
            if not isinstance(name, str) or not _METHOD.match(name):
                raise ValueError(
                    f"Route methods must be HTTP method names in upper case ('GET', 'PUT'), "
                    f"got {name!r}"
                )
        if not names or len(set(names)) != len(names):
            raise ValueError(f"Route methods must name each method once, and at least one: {names}")
        object.__setattr__(self, "methods", names)


ROUTES: Final[Mapping[str, Route]] = MappingProxyType(
    {
        "get": Route("/get", ("GET",)),  # real path
        "put": Route("/put", ("PUT",)),
        "post": Route("/post", ("POST",)),
        "delete": Route("/delete", ("DELETE",)),
        "announce": Route("/announce", ("POST",)),
        "discover": Route("/discover", ("GET",)),  # real path
        "navigate": Route("/navigate", ("GET",)),
        "status": Route("/status", ("GET",)),  # real path
        "health": Route("/health", ("GET",)),
    }
)
"""The endpoints, by operation: the operation set is real; paths but three, and methods, chosen."""


def _overlay(field: str, given: object, defaults: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(given, Mapping):
        raise TypeError(
            f"UCXIRules {field} must be a mapping of what changes, got {type(given).__name__}"
        )
    unknown = sorted(map(str, set(given) - set(defaults)))
    if unknown:
        raise ValueError(f"UCXIRules {field}: unknown keys {unknown}; known: {', '.join(defaults)}")
    return {**defaults, **given}


def _text(field: str, value: object, *, pattern: re.Pattern[str] | None = None) -> str:
    if not isinstance(value, str):
        raise TypeError(f"UCXIRules {field} must be a str, got {type(value).__name__} {value!r}")
    if not value or (pattern is not None and not pattern.match(value)):
        raise ValueError(f"UCXIRules {field} must be a non-empty token, got {value!r}")
    return value


CHOSEN_STATUSES: Final = frozenset({"FORBIDDEN", "CONFLICT", "PAYLOAD_TOO_LARGE", "TIMEOUT"})
"""The roles whose HTTP status is chosen, not known: a user may give them another (4xx, 5xx)."""


def _code(role: str, code: object, field: str) -> str:
    if not isinstance(code, str):
        raise TypeError(f"UCXIRules {field} must be a str, got {type(code).__name__} {code!r}")
    match = _CODE.match(code)
    wanted = CODES[role].split("-")[1]
    if role in CHOSEN_STATUSES:
        if match is None or match.group(1)[0] not in "45":
            raise ValueError(
                f"UCXIRules {field} must be written UCXL-NNN-NAME (an HTTP error status, 4xx "
                f"or 5xx, which the response then has; {role}'s is chosen: {wanted} by "
                f"default), then a name in upper case, got {code!r}"
            )
    elif match is None or match.group(1) != wanted:
        raise ValueError(
            f"UCXIRules {field} must be written UCXL-{wanted}-NAME (the HTTP status of "
            f"{role}, which is known, then a name in upper case), got {code!r}"
        )
    return code


@dataclasses.dataclass(frozen=True, slots=True)
class UCXIRules:
    """The rules the fake UCXI node follows; each can be changed. Immutable; see :meth:`replace`.

    - ``base_path``: the prefix of every route [real: ``/ucxi/v1``]; ``""``
      for none.
    - ``success_code``: the spelling of success [real: ``UCXL-200-SUCCESS``;
      the RUSTLE browser spells it ``UCXL-200-OK``].
    - ``routes``: each endpoint's :class:`Route` by operation (``get``,
      ``put``, ``post``, ``delete``, ``announce``, ``discover``, ``navigate``,
      ``status``, ``health``) [the operations real; the paths ``/get``,
      ``/discover``, ``/status`` real; the others and every method chosen].
    - ``address_param``, ``pattern_param``: the query parameters holding an
      address and a discovery pattern; ``address_param`` also names the
      address field of announce's JSON body [chosen: ``address``, ``pattern``].
    - ``capability_field``: the capability field of announce's JSON body
      [chosen: ``capability``].
    - ``codes``: the codes by role, other than success (see :data:`CODES`)
      [real, but for FORBIDDEN, CONFLICT, PAYLOAD_TOO_LARGE, INTERNAL_ERROR's
      spelling and TIMEOUT: chosen]. The HTTP status is the number in the
      code [real]: a code whose status is known keeps it, and FORBIDDEN,
      CONFLICT, PAYLOAD_TOO_LARGE and TIMEOUT, whose statuses are chosen, may
      take any 4xx or 5xx (``{"CONFLICT": "UCXL-400-EXISTS"}`` answers a
      conflict 400).
    - ``messages``: each code's message, by role (see :data:`MESSAGES`)
      [chosen, but for SUCCESS and INVALID_ADDRESS: real].
    - ``max_body``: the largest request body accepted, in bytes; a larger one
      is answered 413 [chosen: 1 MiB].
    - ``max_json_depth``: how deeply a JSON body may nest; deeper is answered
      400 INVALID_PAYLOAD [chosen: 100].
    - ``announce_status``: 200 (SUCCESS) or 202 (ACCEPTED) [chosen: 200].
    - ``on_timeout``: a request whose operation times out in the world gets
      ``"answer"``, a 504 once the timeout has passed, or ``"drop"``, no
      answer at all (the server closes the connection; the in-process ASGI and
      WSGI adapters, which have no connection to close, answer the 504)
      [chosen: ``"answer"``].
    - ``head``: whether ``HEAD`` is ``GET`` without a body on every ``GET``
      route (else it is answered 405) [chosen: on].
    - ``source``: the ``source`` of error envelopes [real: ``ucxi-server``].
    - ``request_id_header``: the header an incoming request id is read from
      and every response's id is written to [chosen: ``X-Request-ID``].
    - ``max_request_id``: the longest incoming request id used verbatim (in
      characters, printable ASCII); a longer one is replaced by a fresh id
      [chosen: 200].
    - ``put_created_status``: what a put that creates a new address answers,
      201 (CREATED) or 200 (SUCCESS); a put of a new version is always 200
      [chosen: 201].
    - ``missing_param``: the role answered when the ``address`` (or
      ``pattern``) parameter is missing, ``"INVALID_ADDRESS"`` (with
      ``parse_error`` naming the parameter) or ``"BAD_REQUEST"`` [chosen:
      ``"INVALID_ADDRESS"``].
    - ``unhealthy_when``: what makes ``/health`` answer 503, any of
      ``"every_operation_fails"`` (the world's failure rate is 1 on every
      operation) and ``"peer_down"`` (the node's own peer is paused or
      killed, so every operation fails at once); ``()`` keeps it 200
      [chosen: both]. Neither draws from a random stream.
    """

    base_path: str = "/ucxi/v1"
    success_code: str = CODES["SUCCESS"]
    routes: Mapping[str, Route] = dataclasses.field(default_factory=lambda: ROUTES)
    address_param: str = "address"
    pattern_param: str = "pattern"
    capability_field: str = "capability"
    codes: Mapping[str, str] = dataclasses.field(default_factory=dict)
    messages: Mapping[str, str] = dataclasses.field(default_factory=lambda: MESSAGES)
    max_body: int = 1 << 20
    max_json_depth: int = 100
    announce_status: Literal[200, 202] = 200
    on_timeout: OnTimeout = "answer"
    head: bool = True
    source: str = "ucxi-server"
    request_id_header: str = "X-Request-ID"
    max_request_id: int = 200
    put_created_status: Literal[200, 201] = 201
    missing_param: MissingParam = "INVALID_ADDRESS"
    unhealthy_when: tuple[Unhealthy, ...] = _UNHEALTHY

    def __post_init__(self) -> None:
        set_field = object.__setattr__
        base = self.base_path
        if not isinstance(base, str):
            raise TypeError(f"UCXIRules base_path must be a str, got {type(base).__name__}")
        if base and (not base.startswith("/") or base.endswith("/") or "?" in base):
            raise ValueError(
                "UCXIRules base_path must start with '/' and not end with one (or be '' for "
                f"none), got {base!r}"
            )
        _code("SUCCESS", self.success_code, "success_code")
        routes = _overlay("routes", self.routes, ROUTES)
        for name, route in routes.items():
            if not isinstance(route, Route):
                raise TypeError(
                    f"UCXIRules routes[{name!r}] must be a Route, got {type(route).__name__}"
                )
        claimed: dict[tuple[str, str], str] = {}
        for name, route in routes.items():
            for method in route.methods:
                other = claimed.setdefault((route.path, method), name)
                if other != name:
                    raise ValueError(
                        f"UCXIRules routes: {method} {route.path} is claimed by both "
                        f"{other!r} and {name!r}"
                    )
        set_field(self, "routes", MappingProxyType(routes))
        if isinstance(self.codes, Mapping) and "SUCCESS" in self.codes:
            raise ValueError("UCXIRules codes: give the spelling of success as success_code=")
        codes = _overlay("codes", self.codes, {k: v for k, v in CODES.items() if k != "SUCCESS"})
        for role, code in codes.items():
            _code(role, code, f"codes[{role!r}]")
        set_field(self, "codes", MappingProxyType(codes))
        messages = _overlay("messages", self.messages, MESSAGES)
        for role, message in messages.items():
            if not isinstance(message, str):
                raise TypeError(
                    f"UCXIRules messages[{role!r}] must be a str, got {type(message).__name__}"
                )
            if not message:
                raise ValueError(f"UCXIRules messages[{role!r}] must not be empty")
        set_field(self, "messages", MappingProxyType(messages))
        for field in ("address_param", "pattern_param", "capability_field", "source"):
            _text(field, getattr(self, field))
        _text("request_id_header", self.request_id_header, pattern=_NAME)
        for field in ("max_body", "max_json_depth", "max_request_id"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(
                    f"UCXIRules {field} must be an int, got {type(value).__name__} {value!r}"
                )
            least = 0 if field == "max_body" else 1
            if value < least:
                raise ValueError(f"UCXIRules {field} must be {least} or more, got {value}")
        if self.announce_status not in (200, 202) or isinstance(self.announce_status, bool):
            raise ValueError(
                f"UCXIRules announce_status must be 200 or 202, got {self.announce_status!r}"
            )
        if self.put_created_status not in (200, 201) or isinstance(self.put_created_status, bool):
            raise ValueError(
                f"UCXIRules put_created_status must be 200 or 201, got {self.put_created_status!r}"
            )
        if self.missing_param not in _MISSING_PARAM:
            raise ValueError(
                "UCXIRules missing_param must be 'INVALID_ADDRESS' or 'BAD_REQUEST', got "
                f"{self.missing_param!r}"
            )
        given: object = self.unhealthy_when  # a str or a list is accepted, as Route's methods
        names = (given,) if isinstance(given, str) else given
        if not isinstance(names, Iterable):
            raise TypeError(
                f"UCXIRules unhealthy_when must be a tuple of {_UNHEALTHY}, got "
                f"{type(given).__name__}"
            )
        names = tuple(names)
        unknown = [name for name in names if name not in _UNHEALTHY]
        if unknown:
            raise ValueError(
                f"UCXIRules unhealthy_when: unknown conditions {unknown}; known: "
                f"{', '.join(_UNHEALTHY)}"
            )
        set_field(self, "unhealthy_when", tuple(dict.fromkeys(names)))
        if self.on_timeout not in _ON_TIMEOUT:
            raise ValueError(
                f"UCXIRules on_timeout must be 'answer' or 'drop', got {self.on_timeout!r}"
            )
        if not isinstance(self.head, bool):
            raise TypeError(f"UCXIRules head must be a bool, got {type(self.head).__name__}")

    def code(self, role: str) -> str:
        """The code answered for ``role`` (``"SUCCESS"``, ``"NOT_FOUND"``, ...)."""
        return self.success_code if role == "SUCCESS" else self.codes[role]

    def path(self, operation: str) -> str:
        """The full path of an operation's route: ``rules.path("get") == "/ucxi/v1/get"``."""
        return self.base_path + self.routes[operation].path

    def replace(self, **changes: Any) -> UCXIRules:
        """A copy with the given fields changed (validated, and laid over the current table)."""
        return dataclasses.replace(self, **changes)

    def __hash__(self) -> int:
        return hash(
            tuple(
                tuple(sorted(value.items())) if isinstance(value, Mapping) else value
                for value in (getattr(self, field.name) for field in dataclasses.fields(self))
            )
        )
