"""The ``bzzz_trio_clock`` fixture's trap, warned about: a clock that trio does not run on.

``bzzz_trio_clock`` only takes effect through what runs the test on trio:

- **pytest-trio** (a test with the ``trio`` marker, or all async tests in
  its ``trio_mode``) runs the test with the one ``trio.abc.Clock`` among the
  values of the *test function's own arguments*, as pytest passes them; a
  clock that only another fixture (or ``usefixtures``) requests is set up,
  and ignored;
- **anyio**'s trio backend takes its clock from the options of the
  ``anyio_backend`` fixture (``("trio", {"clock": ...})``) only.

Either way, an ignored clock gives no error: trio runs on its real clock,
and ``trio.sleep`` and trio's timeouts take real time. So the fixture notes
(:func:`record`) its clock and the names of the test function's own
arguments (read at the fixture's setup, before pytest-trio replaces the test
function), and :class:`TrioClockCheck` (registered by the first such note of
a session, so that tests without the fixture pay nothing for it), at the
start of the test's call, once its fixtures are set up, finds which of the
two runs the test and with which clock. If that is neither the fixture's
clock nor another ``TrioClock`` (which follows the test's world too), it
warns with ``BzzzMarkerWarning`` (an error under the warnings filters, as
for the markers). A test that neither runs is not warned about: a sync test
may hand the clock to ``trio.run`` itself, and an asyncio test's loop
follows the world's clock anyway.

trio is imported only once a test has set up the fixture (so it is loaded).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import pytest

from .markers import warn

if TYPE_CHECKING:
    from .._kernel.trio_clock import TrioClock

__all__ = ["FIXTURE", "TrioClockCheck", "record"]

FIXTURE: Final = "bzzz_trio_clock"


class _Recorded(NamedTuple):
    clock: TrioClock
    arguments: tuple[str, ...] | None  # the test function's own (pytest passes it), if known


_RECORDED_KEY = pytest.StashKey[_Recorded]()


def record(request: pytest.FixtureRequest, clock: TrioClock) -> None:
    """Note, for the check at the test's call, the clock ``bzzz_trio_clock`` made for it."""
    function = request.function
    arguments = (
        None  # pytest-trio's runner, left in place of a test run once already (a rerun)
        if getattr(function, "_trio_test_runner_wrapped", False)
        else _own_arguments(request)
    )
    request.node.stash[_RECORDED_KEY] = _Recorded(clock, arguments)
    manager = request.config.pluginmanager
    if not manager.has_plugin(_CHECK_NAME):
        manager.register(TrioClockCheck(), _CHECK_NAME)


_CHECK_NAME: Final = "bzzz-trio-clock"


def _own_arguments(request: pytest.FixtureRequest) -> tuple[str, ...] | None:
    """The names of the test function's own arguments, as pytest reads them; None if unknown.

    pytest's own reading (``_pytest.compat.getfuncargnames``; the result is kept on the item
    only under a private name) is the one piece of pytest's internals the plugin uses at run
    time, so as to see exactly the arguments pytest-trio searches. A pytest without it gets
    no check, never an error.
    """
    try:
        from _pytest.compat import getfuncargnames
    except ImportError:  # pragma: no cover - every pytest the package supports has it
        return None
    # As pytest read them at collection: the function as the class defines it (under any
    # wrapper, pytest-trio's included; a method's function, not the bound method), under its
    # name in the class (not the parametrized test's).
    function = inspect.unwrap(request.function)
    function = getattr(function, "__func__", function)
    return tuple(getfuncargnames(function, name=request.node.originalname, cls=request.cls))


_DOCS: Final = "see 'Under trio' in pytest-bzzz's documentation (virtual-time)"


class TrioClockCheck:
    """Warn when a test sets up ``bzzz_trio_clock`` and trio runs it on another clock."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> None:
        recorded = item.stash.get(_RECORDED_KEY, None)
        if recorded is None or not isinstance(item, pytest.Function):
            return  # the fixture is not set up: nearly every test
        problem = _problem(item, recorded)
        if problem:
            warn(item, problem)


def _problem(item: pytest.Function, recorded: _Recorded) -> str:
    """What is wrong with the clock trio runs ``item`` with, or ``""``."""
    if item.get_closest_marker("trio") is not None and _has_pytest_trio(item.config):
        return _under_pytest_trio(item, recorded)
    backend = item.funcargs.get("anyio_backend")
    if backend and _is_async(item):
        return _under_anyio(item, recorded.clock, backend)
    return ""  # run by neither: a sync test, or an asyncio one


def _has_pytest_trio(config: pytest.Config) -> bool:
    manager = config.pluginmanager
    return manager.hasplugin("trio") or manager.hasplugin("pytest_trio.plugin")


def _under_pytest_trio(item: pytest.Function, recorded: _Recorded) -> str:
    """pytest-trio: the clock among the values of the test function's own arguments."""
    import trio

    if recorded.arguments is None:
        return ""
    # What pytest passes the test function, which pytest-trio searches for a clock.
    own = {name: item.funcargs.get(name) for name in recorded.arguments}
    clocks = {name: value for name, value in own.items() if isinstance(value, trio.abc.Clock)}
    if len(clocks) > 1:
        return ""  # pytest-trio refuses to run the test, and says why
    used = next(iter(clocks.items()), None)
    if used is not None and _follows_a_world(used[1], recorded.clock):
        return ""
    runs_on = (
        "its real clock: trio.sleep and trio's timeouts take real time, not the world's "
        "virtual time"
        if used is None
        else f"{used[0]} (a {type(used[1]).__name__}), not on the world's clock"
    )
    return (
        f"{FIXTURE} has no effect on {item.name}: pytest-trio runs a test on a clock only if "
        f"it is one of the test function's own arguments, and {FIXTURE} is not (another "
        f"fixture, or usefixtures, requests it), so trio runs the test on {runs_on}; "
        f"request {FIXTURE} in the test function's own arguments: "
        f"async def {item.originalname}(..., {FIXTURE}) ({_DOCS})"
    )


def _under_anyio(item: pytest.Function, clock: TrioClock, backend: object) -> str:
    """anyio: the clock in the ``anyio_backend`` fixture's options, on its trio backend."""
    options: dict[Any, Any]
    if isinstance(backend, str):
        name, options = backend, {}
    elif (
        isinstance(backend, tuple)
        and len(backend) == 2
        and isinstance(backend[0], str)
        and isinstance(backend[1], dict)
    ):
        name, options = backend
    else:
        return ""  # anyio refuses it, and says why
    if name != "trio":
        return ""  # the asyncio backend's loop follows the world's clock by itself
    used = options.get("clock")
    if used is not None and _follows_a_world(used, clock):
        return ""
    runs_on = (
        "its real clock: anyio.sleep and the timeouts take real time, not the world's virtual time"
        if used is None
        else f"a {type(used).__name__}, not on the world's clock"
    )
    return (
        f"{FIXTURE} has no effect on {item.name}: anyio's trio backend runs a test on the "
        f"clock of the anyio_backend fixture's options only, and {FIXTURE} is not that clock, "
        f"so trio runs the test on {runs_on}; give anyio the clock in those options: "
        "return ('trio', {'clock': pytest_bzzz.TrioClock()}) from anyio_backend (a TrioClock "
        f"made without a world follows the running test's world), or {{'clock': {FIXTURE}}} "
        f"from a function-scoped anyio_backend that requests {FIXTURE} ({_DOCS})"
    )


def _follows_a_world(used: object, clock: TrioClock) -> bool:
    """Whether trio's clock is the fixture's, or another ``TrioClock`` (on a world too)."""
    return used is clock or isinstance(used, type(clock))


def _is_async(item: pytest.Function) -> bool:
    """Whether anyio runs the test: a coroutine function (under Hypothesis, its inner test)."""
    function: Any = item.obj
    hypothesis = getattr(function, "hypothesis", None)
    if hypothesis is not None:
        function = hypothesis.inner_test
        # anyio's wrapper of the inner test, from an earlier parametrization of the test
        function = getattr(function, "_anyio_original_func", function)
    return inspect.iscoroutinefunction(function)
