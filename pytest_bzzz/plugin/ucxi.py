"""The fake UCXI node in tests: ``ucxi_app``, ``ucxi_server``, ``ucxi_session_server``, ``ucxi``.

- ``ucxi_app``: the UCXI application (``UCXIApp``) over the test's connector
  (``mock_bzzz``) on the test's world (``bzzz_network``), for clients that
  take a WSGI or ASGI application (``httpx.WSGITransport``), in process;
- ``ucxi_server``: that application served on 127.0.0.1 by a
  ``UCXIServer`` of the test's own, started for it and stopped after it;
- ``ucxi_session_server``: one server for the whole session (per xdist
  worker), pointed at each test's application in turn, for suites with many
  tests (starting a server costs a thread and a socket, about a millisecond).

Each test gets a fresh application on its fresh world, whichever fixture it
uses: its requests, errors, request ids and data are its own. Moving the
shared server from one test to the next resets what the server itself
holds: every open connection is closed (a keep-alive client of the earlier
test reconnects, to the new test's node), answers still waiting out their
delay are dropped, and the latency scale and body limit are the new test's.
Between tests it answers 503.

``@pytest.mark.ucxi(rules=..., latency_scale=..., record_requests=...,
fail_on_errors=...)`` sets them per test, class or module; the closest marker
wins, key by key, and a bad value fails the test's setup with a message that
says which key, which test and what is accepted. At teardown the test fails
if the application met an unexpected exception (``app.errors``: each was
answered 500), as pytest-httpx fails a test whose mocked responses went
unrequested: a broken fake must not pass as a client that handles a 500.

The plugin registers this module as a plugin of its own (``pytest_plugins``
in ``plugin/__init__.py``), so that it has a ``pytest_configure`` of its own
(it registers the marker). Like the rest of the plugin it imports the fake
node only when a test uses one of its fixtures.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import traceback
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

import pytest

from .markers import warn

if TYPE_CHECKING:
    from datetime import datetime

    from .._backends.interfaces import Connector
    from .._backends.ucxi.app import UCXIApp
    from .._backends.ucxi.http import Request, Response
    from .._backends.ucxi.rules import UCXIRules
    from .._backends.ucxi.server import UCXIServer
    from .._kernel.world import World

__all__ = [
    "MARKER",
    "UCXIOptions",
    "check_unused_marker",
    "pytest_configure",
    "ucxi_app",
    "ucxi_server",
    "ucxi_session_server",
]

MARKER: Final = "ucxi"
_FIXTURES: Final = frozenset({"ucxi_app", "ucxi_server", "ucxi_session_server"})
_BETWEEN_STREAM: Final = "ucxi-between-tests"  # the between-tests ids' own random stream
_DEFAULT_RECORD: Final = 10_000  # the world's DEFAULT_RECORD_LIMIT, without importing the kernel
_SIGNATURE: Final = (
    f"{MARKER}(*, rules=UCXIRules(), latency_scale=1.0, record_requests={_DEFAULT_RECORD}, "
    "fail_on_errors=True)"
)
_MARKER_HELP: Final = (
    f"{_SIGNATURE}: the fake UCXI node of the ucxi_app, ucxi_server and "
    "ucxi_session_server fixtures: its rules, the real seconds its servers spend per simulated "
    "second of latency, how many requests it records, and whether an unexpected exception "
    "fails the test at teardown."
)


@dataclasses.dataclass(frozen=True)
class UCXIOptions:
    """A test's options for the fake node, from its ``ucxi`` markers (the closest wins per key)."""

    rules: UCXIRules | None = None
    latency_scale: float = 1.0
    record_requests: int = _DEFAULT_RECORD
    fail_on_errors: bool = True


_OPTIONS_KEY = pytest.StashKey[UCXIOptions]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER_HELP)


def _fail(message: str) -> Any:
    __tracebackhide__ = True
    pytest.fail(f"bzzz: {message}", pytrace=False)


def _where(item: pytest.Item, node: Any) -> str:
    if isinstance(node, pytest.Module):
        return f"on module {node.name}"
    if isinstance(node, pytest.Class):
        return f"on class {node.name}"
    return f"on {item.name}"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{type(value).__name__}(...)"


def _written(args: tuple[object, ...], kwargs: Mapping[str, object]) -> str:
    """The marker as the user wrote it (long values shortened): ``ucxi(latency_scale=-1)``."""
    parts = [*map(_shown, args), *(f"{key}={_shown(value)}" for key, value in kwargs.items())]
    return f"{MARKER}({', '.join(parts)})"


def _check(key: str, value: object) -> tuple[object, str]:
    """The value the option takes, or what is wrong with it (``""`` when nothing is)."""
    if key == "rules":
        from .._backends.ucxi.rules import UCXIRules

        if isinstance(value, UCXIRules):
            return value, ""
        if isinstance(value, Mapping):
            fields = [field.name for field in dataclasses.fields(UCXIRules)]
            unknown = [key for key in value if key not in fields]
            if unknown:
                close = difflib.get_close_matches(str(unknown[0]), fields, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                return None, (
                    f"rules: no field {unknown[0]!r} in UCXIRules; {hint}its fields are "
                    f"{', '.join(fields)}"
                )
            try:
                return UCXIRules(**value), ""
            except (TypeError, ValueError) as error:
                return None, f"rules: {error}"
        return None, (
            "rules: expected a pytest_bzzz.UCXIRules (or a dict of its fields), "
            f"got {type(value).__name__} {_shown(value)}"
        )
    if key == "latency_scale":
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not (math.isfinite(value) and value >= 0)
        ):
            return None, (
                "latency_scale: expected a number, 0 or more (the real seconds a server spends "
                f"per simulated second; 0 answers at once), got {_shown(value)}"
            )
        return float(value), ""
    if key == "record_requests":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return None, (
                "record_requests: expected a whole number, 0 or more (0 records none), "
                f"got {_shown(value)}"
            )
        return value, ""
    if not isinstance(value, bool):
        return None, f"fail_on_errors: expected True or False, got {_shown(value)}"
    return value, ""


def options_of(item: pytest.Item) -> UCXIOptions:
    """The test's options, from its ``ucxi`` markers (checked once, then kept in its stash)."""
    __tracebackhide__ = True
    known = item.stash.get(_OPTIONS_KEY, None)
    if known is not None:
        return known
    fields = [field.name for field in dataclasses.fields(UCXIOptions)]
    chosen: dict[str, object] = {}
    for node, mark in item.iter_markers_with_node(MARKER):  # the closest first
        where = f"@pytest.mark.{_written(mark.args, mark.kwargs)} {_where(item, node)}"
        if mark.args:
            _fail(f"{where}: takes 0 positional arguments; the signature is {_SIGNATURE}")
        for key, value in mark.kwargs.items():
            if key not in fields:
                _fail(f"{where}: unknown argument {key!r}; accepted: {', '.join(fields)}")
            if key in chosen:
                continue  # a closer marker set it
            checked, problem = _check(key, value)
            if problem:
                _fail(f"{where}: {problem}")
            chosen[key] = checked
    options = UCXIOptions(**chosen)  # type: ignore[arg-type]  # each value checked above
    item.stash[_OPTIONS_KEY] = options
    return options


def check_unused_marker(item: pytest.Item) -> None:
    """Check the ``ucxi`` marker of a test that uses no fake node, and warn that it does nothing.

    Called at the test's setup, for a test with the marker, by the plugin's
    check of its other markers (``markers.MarkerCheck``), which walks a
    test's markers once for both: a bad argument is an error all the same,
    and a marker written on the test itself is warned about.
    """
    if not _FIXTURES.isdisjoint(getattr(item, "fixturenames", ())):
        return  # the fixture reads the markers, and reports a bad one
    options_of(item)
    if any(node is item for node, _ in item.iter_markers_with_node(MARKER)):
        warn(
            item,
            f"@pytest.mark.{MARKER} has no effect: the test uses no fake UCXI node (it requests "
            "none of ucxi_app, ucxi_server and ucxi_session_server); request one, or remove "
            "the marker",
        )


def _check_errors(app: UCXIApp, item: pytest.Item) -> None:
    """Fail the test if the application answered an unexpected exception with a 500."""
    __tracebackhide__ = True
    errors = app.errors
    if not errors:
        return
    lines = [
        f"the fake UCXI node met {len(errors)} unexpected exception(s) during {item.nodeid}, "
        "each answered 500 UCXL-500-INTERNAL_ERROR: a fault of the connector it serves "
        "(a backend of your own, or a test double) or of pytest-bzzz, not of the client:"
    ]
    for error in errors[:10]:
        lines.append(f"  {type(error).__name__}: {error}")
        frames = traceback.extract_tb(error.__traceback__)
        if frames:
            frame = frames[-1]
            lines.append(f"    raised at {frame.filename}:{frame.lineno}, in {frame.name}")
    if len(errors) > 10:
        lines.append(f"  ... and {len(errors) - 10} more (ucxi_app.errors lists them all)")
    lines.append(
        f"If the test provokes them on purpose, mark it @pytest.mark.{MARKER}"
        "(fail_on_errors=False) (see 'Unexpected exceptions' in the UCXI page of the docs)."
    )
    _fail("\n".join(lines))


@pytest.fixture
def ucxi_app(
    request: pytest.FixtureRequest, bzzz_network: World, mock_bzzz: Connector
) -> Iterator[UCXIApp]:
    """The fake UCXI node's application over ``mock_bzzz``, on the test's world; in process.

    Hand it to ``httpx.WSGITransport(app=...)`` or ``httpx.ASGITransport(app=...)``.
    It sees what ``mock_bzzz`` stores, and ``mock_bzzz`` what it stores.
    """
    __tracebackhide__ = True
    from .._backends.ucxi.app import UCXIApp

    options = options_of(request.node)
    app = (
        UCXIApp(mock_bzzz, bzzz_network, record_requests=options.record_requests)
        if options.rules is None
        else UCXIApp(
            mock_bzzz, bzzz_network, rules=options.rules, record_requests=options.record_requests
        )
    )
    yield app
    if options.fail_on_errors:
        _check_errors(app, request.node)


@pytest.fixture
def ucxi_server(request: pytest.FixtureRequest, ucxi_app: UCXIApp) -> Iterator[UCXIServer]:
    """A UCXI server on 127.0.0.1 (a free port) serving ``ucxi_app``; stopped after the test.

    ``.url`` is ``http://127.0.0.1:<port>``, ``.base_url`` that and the base
    path, ``.requests`` what the node received.
    """
    __tracebackhide__ = True
    from .._backends.ucxi.server import UCXIServer

    options = options_of(request.node)
    with UCXIServer(ucxi_app, latency_scale=options.latency_scale) as server:
        yield server


class _Between:
    """What the shared server serves between tests: 503, in the default error envelope.

    No test's world is serving then, so its envelopes follow the note with
    the world the server last served (``None`` before the first test): the
    timestamp is that world's clock (a virtual clock stands where the test
    left it, so a seeded run reproduces it; the wall clock would not), the
    request id ``YYYYMMDD-HHMMSS-`` and 8 hex digits from a stream of that
    world's seed kept apart from the node's own ids (``ucxi-between-tests``),
    or the client's ``X-Request-ID``, verbatim, when it sent a usable one.
    Before any test it stamps the instant a virtual world clock starts at.
    """

    def __init__(self, world: World | None = None) -> None:
        from .._backends.ucxi.envelopes import RequestIds
        from .._backends.ucxi.rules import UCXIRules

        self._world = world
        self._rules = UCXIRules()
        self._ids = RequestIds(0 if world is None else world.seed, stream=_BETWEEN_STREAM)

    def _instant(self) -> datetime:
        if self._world is None:
            from .._kernel.clock import DEFAULT_START

            return DEFAULT_START
        return self._world.clock.datetime()

    def handle(self, request: Request) -> Response:
        details = {"reason": "no test is using the shared fake UCXI node now"}
        return self.refuse("SERVICE_UNAVAILABLE", request, details=details)

    def refuse(
        self, role: str, request: Request | None, *, details: Mapping[str, Any] | None = None
    ) -> Response:
        """The server's own refusals between tests, with the same ids and timestamps."""
        from .._backends.ucxi.envelopes import CONTENT_TYPE, error_body, status_of
        from .._backends.ucxi.http import Response

        rules = self._rules
        instant = self._instant()
        header = rules.request_id_header
        given = None if request is None else request.headers.get(header.lower())
        request_id = self._ids.take(given, instant, rules.max_request_id)
        code = rules.code(role)
        body = error_body(
            code,
            rules.messages[role],
            details=details,
            cause=None,
            source=rules.source,
            path="" if request is None else request.path,
            request_id=request_id,
            timestamp=instant,
        )
        headers = (("Content-Type", CONTENT_TYPE), (header, request_id))
        return Response(status_of(code), headers, body)


@pytest.fixture(scope="session")
def _ucxi_shared_server() -> Iterator[UCXIServer]:
    """The session's one UCXI server (per xdist worker), started when a test first needs it."""
    from .._backends.ucxi.server import UCXIServer

    with UCXIServer(_Between()) as server:
        yield server


@pytest.fixture
def ucxi_session_server(
    request: pytest.FixtureRequest, _ucxi_shared_server: UCXIServer, ucxi_app: UCXIApp
) -> Iterator[UCXIServer]:
    """The session's shared UCXI server, serving this test's ``ucxi_app`` for the test's length.

    The same URL for every test; what it serves is the test's own (a fresh
    application on a fresh world). When the test ends, every connection to
    it is closed and answers still waiting out their delay are dropped. A
    test that stops it (``stop()``) leaves it stopped for its own remaining
    lines only: the next test that requests it gets it started again, on the
    same port.
    """
    __tracebackhide__ = True
    options = options_of(request.node)
    server = _ucxi_shared_server
    if not server.running:  # an earlier test stopped it: the same URL, listening again
        server.start()
    server.close_connections()  # nothing of an earlier test, should it have left anything
    server.latency_scale = options.latency_scale
    server.max_body = ucxi_app.rules.max_body
    server.app = ucxi_app
    try:
        yield server
    finally:
        server.app = _Between(ucxi_app.world)
        server.close_connections()
