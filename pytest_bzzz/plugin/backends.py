"""The test's backend: loaded once per session, started, and asked to build the mocks.

``pytest_bzzz_make_backend`` (the plugin's default hook implementation)
loads the backend the ``backend`` setting names, once per session: it may
hold a whole network. :func:`build` has it build ``mock_dht`` or
``mock_bzzz`` on the test's world, checking what it returns.

A built-in backend that holds something slow to start (the libp2p backend's
hosts) has a ``start()`` method: it is called before a test's mock is
built, and a failure there fails that test's setup saying so, and every
later test that needs the backend at once, with the same message, without
starting it again. A built-in backend that cannot be loaded (its
dependencies installed but broken) is remembered the same way. A built-in
backend may refuse (``NotImplementedError``) a world it cannot apply
(``check_world``), and one whose ``connector`` takes a ``content``
connector (the libp2p backend, whose announcements are real and whose
content is the simulation's) is given the memory backend's on the same
world. A backend of a ``pytest_bzzz_make_backend`` hook is the hook's to
start and check: the plugin calls nothing of it but ``dht`` and
``connector``.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from .._backends import Backend, load_backend
from .._backends.interfaces import DHT, Connector
from .._backends.registry import backend_unavailable
from .._settings import WorldSettings

if TYPE_CHECKING:
    from .._kernel.timeline import Scheduled
    from .._kernel.world import World

__all__ = ["build", "describe", "fail", "pytest_bzzz_make_backend"]

# The registry's backends, loaded once per session (a backend may hold a whole network).
_LOADED_KEY = pytest.StashKey[dict[str, Backend]]()
# Why a built-in backend could not be loaded, by name, for the rest of the session.
_UNLOADABLE_KEY = pytest.StashKey[dict[str, str]]()
# Why a built-in backend's start() failed, by name, for the rest of the session.
_FAILED_STARTS_KEY = pytest.StashKey[dict[str, str]]()
# The backend that gives the content of a backend's connector that takes one (``content=``).
CONTENT_BACKEND = "memory"


def fail(message: str) -> NoReturn:
    """Fail the test (its setup, here) with ``bzzz: message``, without a traceback."""
    __tracebackhide__ = True
    pytest.fail(f"bzzz: {message}", pytrace=False)


def describe(error: BaseException) -> str:
    """What went wrong, in a line: ``Type: message`` (of a group's first error, and how many);
    only the message of an error raised from its cause, which a backend wrote to say it all."""
    more = 0
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        more += len(error.exceptions) - 1
        error = error.exceptions[0]
    if error.__cause__ is not None and str(error):
        return str(error)
    return f"{type(error).__name__}: {error}" + (f" (and {more} more errors)" if more else "")


@pytest.hookimpl(trylast=True)
def pytest_bzzz_make_backend(item: pytest.Item, settings: WorldSettings) -> Backend:
    __tracebackhide__ = True
    name = settings.backend
    loaded = item.config.stash.setdefault(_LOADED_KEY, {})
    unloadable = item.config.stash.setdefault(_UNLOADABLE_KEY, {})
    backend = loaded.get(name)
    if backend is None and name not in unloadable:
        where = f"backend {name!r} {settings.sources.get('backend', '')}"
        problem = backend_unavailable(name)
        if problem:
            fail(f"{where}: {problem}")
        try:
            backend = _load(name, settings)
        except Exception as error:  # installed, but broken: said once, remembered
            unloadable[name] = (
                f"{where} could not be loaded: {describe(error)} (remembered for this session: "
                "every test that needs it fails with this message)"
            )
        else:
            close = getattr(backend, "close", None)
            if callable(close):  # what it holds (the libp2p backend's hosts) lives for the session
                item.config.add_cleanup(close)
            loaded[name] = backend
    if backend is None:
        fail(unloadable[name])  # out of the except block: the report shows no chain
    return backend


def _load(name: str, settings: WorldSettings) -> Backend:
    backend = load_backend(name)
    if name == "libp2p":  # one network per session (per xdist worker), of so many hosts
        backend.configure(hosts=settings.values["libp2p_hosts"])  # type: ignore[attr-defined]
    return backend


def _built_in(config: pytest.Config, backend: Backend) -> bool:
    """Whether ``backend`` is one the plugin loaded (not a hook's)."""
    return config.stash.get(_LOADED_KEY, {}).get(backend.name) is backend


def _start(request: pytest.FixtureRequest, backend: Backend) -> None:
    """Call a built-in backend's ``start()``, if it has one; a failure is the session's."""
    __tracebackhide__ = True
    start = getattr(backend, "start", None)
    if not _built_in(request.config, backend) or not callable(start):
        return
    failed = request.config.stash.setdefault(_FAILED_STARTS_KEY, {})
    if backend.name not in failed:
        try:
            start()
        except Exception as error:
            failed[backend.name] = describe(error)
        else:
            return
    fail(  # out of the except block: the report shows no chain of errors
        f"backend {backend.name!r} did not start, so {request.fixturename} cannot be built: "
        f"{failed[backend.name]} (remembered for this session: every later test that needs the "
        "backend fails with this message, without starting it again)"
    )


def _takes_content(backend: Backend) -> bool:
    """Whether the backend's ``connector`` takes the connector that keeps its content."""
    try:
        return "content" in inspect.signature(backend.connector).parameters
    except (TypeError, ValueError):  # no signature to read: called as the protocol says
        return False


def _connector(request: pytest.FixtureRequest, backend: Backend, world: World) -> Connector:
    """The backend's connector; given the memory backend's for its content, if it takes one."""
    if not _built_in(request.config, backend) or not _takes_content(backend):
        return backend.connector(world)
    content = load_backend(CONTENT_BACKEND).connector(world)
    built: Connector = backend.connector(world, content=content)  # type: ignore[call-arg]
    return built


def build(
    request: pytest.FixtureRequest,
    backend: Backend,
    world: World,
    interface: type[Any],
    *,
    sources: Mapping[str, str],
    scheduled: Mapping[Scheduled, str] | None,
) -> Any:
    """What the test's backend builds for ``interface`` (``DHT`` or ``Connector``), checked.

    A built-in backend is started first, and may refuse the world
    (``check_world``, given the settings' ``sources`` and the at markers'
    ``scheduled`` actions, so that its refusal names each value and marker).
    """
    __tracebackhide__ = True
    _start(request, backend)
    try:
        check = getattr(backend, "check_world", None)
        if _built_in(request.config, backend) and callable(check):
            check(world, sources=sources, scheduled=scheduled)
        built = backend.dht(world) if interface is DHT else _connector(request, backend, world)
    except NotImplementedError as error:  # what the backend cannot build, said by it
        problem = str(error)
    else:
        problem = ""
    if problem:  # out of the except block: the report shows no chain of errors
        fail(f"backend {backend.name!r} cannot build {request.fixturename}: {problem}")
    if not isinstance(built, interface):
        missing = [name for name in _members(interface) if not hasattr(built, name)]
        fail(
            f"backend {backend.name!r} built {type(built).__name__} for {request.fixturename}, "
            f"which is not a pytest_bzzz.{interface.__name__}: it lacks {', '.join(missing)}"
        )
    return built


def _members(interface: type[Any]) -> list[str]:
    return sorted(
        name
        for name in dir(interface)
        if not name.startswith("_") and callable(getattr(interface, name))
    )
