"""A ``bzzz_trio_clock`` that trio does not run the test on is warned about.

pytest-trio runs a test on the clock among the test function's own
arguments, and anyio's trio backend on the clock of ``anyio_backend``'s
options: a ``bzzz_trio_clock`` that only another fixture requests is set up
and ignored, and trio runs on its real clock. The plugin says so, with a
``BzzzMarkerWarning`` (an error under the warnings filters); the documented
uses (docs/virtual-time.md, "Under trio") are not warned about.
"""

from __future__ import annotations

# Imported once here: the hypothesis plugin imports hypothesis at the end of every
# in-process pytester run, which costs about a second each time unless it is loaded.
import hypothesis  # noqa: F401
import pytest

pytest.importorskip("trio")

pytest_plugins = ["pytester"]

NO_EFFECT = "*BzzzMarkerWarning: bzzz_trio_clock has no effect on {}: "
PYTEST_TRIO = (
    "pytest-trio runs a test on a clock only if it is one of the test function's own arguments, "
    "and bzzz_trio_clock is not (another fixture, or usefixtures, requests it), so trio runs "
    "the test on {}; request bzzz_trio_clock in the test function's own arguments: "
    "async def {}(..., bzzz_trio_clock) (see 'Under trio'*"
)
REAL_CLOCK = (
    "its real clock: trio.sleep and trio's timeouts take real time, not the world's virtual time"
)


def run(pytester: pytest.Pytester, tests: str, *args: str) -> pytest.RunResult:
    """Run ``tests`` with pytest's usual warnings filters (this suite's makes warnings errors)."""
    pytester.makepyfile(tests)
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly", "-W", "default", *args)


def test_a_clock_only_a_fixture_requests_is_warned_about_under_pytest_trio(
    pytester: pytest.Pytester,
) -> None:
    pytest.importorskip("pytest_trio")
    result = run(
        pytester,
        """
        import pytest
        import trio

        @pytest.fixture
        def net(bzzz_trio_clock, mock_dht):
            return mock_dht

        @pytest.mark.trio
        async def test_through_a_fixture(net, bzzz_network):
            await trio.sleep(0.01)  # real time: no world's clock under trio
            assert bzzz_network.clock.now() == 0

        @pytest.mark.trio
        @pytest.mark.usefixtures("bzzz_trio_clock")
        async def test_through_usefixtures(bzzz_network):
            await trio.sleep(0.01)
            assert bzzz_network.clock.now() == 0
        """,
    )
    result.assert_outcomes(passed=2, warnings=2)
    result.stdout.fnmatch_lines(
        [
            NO_EFFECT.format("test_through_a_fixture")
            + PYTEST_TRIO.format(REAL_CLOCK, "test_through_a_fixture"),
            NO_EFFECT.format("test_through_usefixtures")
            + PYTEST_TRIO.format(REAL_CLOCK, "test_through_usefixtures"),
        ]
    )


def test_under_the_warnings_filters_the_warning_fails_the_test(
    pytester: pytest.Pytester,
) -> None:
    pytest.importorskip("pytest_trio")
    result = run(
        pytester,
        """
        import pytest

        @pytest.fixture
        def net(bzzz_trio_clock, mock_dht):
            return mock_dht

        @pytest.mark.trio
        async def test_through_a_fixture(net):
            raise AssertionError("not run: the warning fails the test first")
        """,
        "-W",
        "error::pytest_bzzz.plugin.BzzzMarkerWarning",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "bzzz: bzzz_trio_clock has no effect on test_through_a_fixture: pytest-trio runs *"
            "(BzzzMarkerWarning, an error under the warnings filters)"
        ]
    )
    result.stdout.no_fnmatch_line("*not run: the warning fails the test first*")


def test_a_clock_trio_runs_on_instead_is_named(pytester: pytest.Pytester) -> None:
    pytest.importorskip("pytest_trio")
    result = run(
        pytester,
        """
        import pytest

        @pytest.fixture
        def net(bzzz_trio_clock, mock_dht):
            return mock_dht

        async def test_on_a_mock_clock(net, autojump_clock):
            pass
        """,
        "-o",
        "trio_mode=true",  # pytest-trio runs every async test: no marker
    )
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            NO_EFFECT.format("test_on_a_mock_clock")
            + PYTEST_TRIO.format(
                "autojump_clock (a MockClock), not on the world's clock", "test_on_a_mock_clock"
            )
        ]
    )


def test_the_clock_in_the_test_s_own_arguments_is_not_warned_about(
    pytester: pytest.Pytester,
) -> None:
    pytest.importorskip("pytest_trio")
    result = run(
        pytester,
        """
        import pytest
        import trio

        @pytest.fixture
        def net(bzzz_trio_clock, mock_dht):
            return mock_dht

        @pytest.fixture
        def my_clock(bzzz_trio_clock):
            return bzzz_trio_clock

        @pytest.mark.trio
        async def test_on_the_world_clock(mock_dht, bzzz_network, bzzz_trio_clock):
            with trio.move_on_after(3):
                await trio.sleep(10)
            assert bzzz_network.clock.now() == 3

        @pytest.mark.trio
        async def test_also_through_a_fixture(net, bzzz_network, bzzz_trio_clock):
            await trio.sleep(10)
            assert bzzz_network.clock.now() == 10

        @pytest.mark.trio
        async def test_under_another_name(my_clock, bzzz_network):
            await trio.sleep(10)
            assert bzzz_network.clock.now() == 10

        def test_a_sync_test_may_run_trio_on_it(bzzz_network, bzzz_trio_clock):
            trio.run(trio.sleep, 5, clock=bzzz_trio_clock)
            assert bzzz_network.clock.now() == 5

        class TestInAClass:
            @pytest.mark.trio
            @pytest.mark.parametrize("seconds", [1, 2])
            async def test_a_parametrized_method(self, bzzz_trio_clock, bzzz_network, seconds):
                await trio.sleep(seconds)
                assert bzzz_network.clock.now() == seconds

            @staticmethod
            @pytest.mark.trio
            @pytest.mark.parametrize("seconds", [1, 2])
            async def test_a_parametrized_static_method(bzzz_trio_clock, bzzz_network, seconds):
                await trio.sleep(seconds)
                assert bzzz_network.clock.now() == seconds
        """,
    )
    result.assert_outcomes(passed=8, warnings=0)


def test_anyio_s_trio_backend_as_documented_is_not_warned_about(
    pytester: pytest.Pytester,
) -> None:
    pytest.importorskip("anyio")
    pytester.makeconftest(
        """
        import pytest
        import pytest_bzzz

        @pytest.fixture(scope="module")
        def anyio_backend():
            return ("trio", {"clock": pytest_bzzz.TrioClock()})
        """
    )
    pytester.makepyfile(
        test_on_the_function_s_clock="""
        import anyio
        import pytest

        @pytest.fixture
        def anyio_backend(bzzz_trio_clock):
            return ("trio", {"clock": bzzz_trio_clock})

        @pytest.fixture
        def net(bzzz_trio_clock, mock_dht):
            return mock_dht

        @pytest.mark.anyio
        async def test_clock_from_the_fixture(net, bzzz_network):
            await anyio.sleep(10)
            assert bzzz_network.clock.now() == 10
        """
    )
    result = run(
        pytester,
        """
        import anyio
        import pytest

        pytestmark = pytest.mark.anyio

        @pytest.fixture
        def net(bzzz_trio_clock, mock_dht):
            return mock_dht

        async def test_clock_from_the_conftest(mock_dht, bzzz_network):
            await anyio.sleep(10)
            assert bzzz_network.clock.now() == 10

        async def test_and_the_fixture_besides(net, bzzz_network):
            await anyio.sleep(10)  # another TrioClock, on the same world
            assert bzzz_network.clock.now() == 10
        """,
    )
    result.assert_outcomes(passed=3)


def test_anyio_s_trio_backend_without_the_clock_is_warned_about(
    pytester: pytest.Pytester,
) -> None:
    pytest.importorskip("anyio")
    result = run(
        pytester,
        """
        import anyio
        import pytest

        @pytest.fixture
        def net(bzzz_trio_clock, mock_dht):
            return mock_dht

        @pytest.mark.anyio
        @pytest.mark.parametrize("anyio_backend", ["trio", "asyncio"])
        async def test_through_a_fixture(net, anyio_backend):
            await anyio.sleep(0.01)
        """,
    )
    # On asyncio, the loop follows the world's clock by itself: no warning.
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*::test_through_a_fixture?trio?",
            NO_EFFECT.format("test_through_a_fixture[[]trio[]]")
            + "anyio's trio backend runs a test on the clock of the anyio_backend fixture's "
            "options only, and bzzz_trio_clock is not that clock, so trio runs the test on its "
            "real clock: *; give anyio the clock in those options: return ('trio', "
            "{'clock': pytest_bzzz.TrioClock()}) from anyio_backend *",
        ]
    )
