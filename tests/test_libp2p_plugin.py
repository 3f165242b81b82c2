"""Choosing the libp2p backend as a user does, whether or not its extra is installed.

These run everywhere: where py-libp2p is installed, it is hidden from the
inner runs (``find_spec`` finds no ``libp2p``) to show what a user without
the extra meets. What the backend does once chosen is
``tests/contract/test_libp2p_backend.py``'s (run where the extra is).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

import pytest

from pytest_bzzz._backends import registry
from pytest_bzzz._backends.registry import (
    DEFAULT_LIBP2P_HOSTS,
    BackendUnavailable,
    backend_unavailable,
    load_backend,
)
from tests._plugin_helpers import literal

EXTRA = "python -m pip install 'pytest-bzzz[libp2p]'"
ONE_TEST = """
def test_dht(mock_dht):
    mock_dht.put_value("k", b"v")
"""


@pytest.fixture
def without_libp2p(monkeypatch: pytest.MonkeyPatch) -> None:
    """py-libp2p cannot be found, as where the extra is not installed."""
    find_spec: Callable[..., Any] = importlib.util.find_spec

    def hidden(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name == "libp2p" else find_spec(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", hidden)


@pytest.mark.usefixtures("without_libp2p")
def test_the_command_line_asking_for_libp2p_without_its_extra_is_a_usage_error(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(ONE_TEST)

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            literal(
                "ERROR: bzzz: backend 'libp2p' from the command line (--bzzz-backend): "
                "the libp2p backend runs real py-libp2p hosts, and py-libp2p is not "
                f"installed: {EXTRA}"
            )
        ]
    )


@pytest.mark.usefixtures("without_libp2p")
def test_bzzz_use_real_dht_asks_for_the_libp2p_backend(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(ONE_TEST)
    monkeypatch.setenv("BZZZ_USE_REAL_DHT", "true")

    result = pytester.runpytest_inprocess()

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: bzzz: backend 'libp2p' from the BZZZ_USE_REAL_DHT environment variable: "
            f"*{literal(EXTRA)}"
        ]
    )


@pytest.mark.usefixtures("without_libp2p")
def test_a_marker_asking_for_libp2p_without_its_extra_fails_the_test_setup(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.bzzz(backend="libp2p")
        def test_dht(mock_dht):
            pass
        """
    )

    result = pytester.runpytest_inprocess()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"bzzz: backend 'libp2p' *: *{literal(EXTRA)}"])


@pytest.mark.usefixtures("without_libp2p")
def test_the_registry_says_what_to_install() -> None:
    assert EXTRA in backend_unavailable("libp2p")
    with pytest.raises(BackendUnavailable, match=r"pytest-bzzz\[libp2p\]"):
        load_backend("libp2p")


@pytest.mark.parametrize("word", ["false", "0", "no", "off", "False"])
def test_bzzz_use_real_dht_off_leaves_the_memory_backend(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, word: str
) -> None:
    pytester.makepyfile(ONE_TEST)
    monkeypatch.setenv("BZZZ_USE_REAL_DHT", word)

    result = pytester.runpytest_inprocess()

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["bzzz: backend=memory, by default"])


def test_bzzz_use_real_dht_must_say_true_or_false(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(ONE_TEST)
    monkeypatch.setenv("BZZZ_USE_REAL_DHT", "sometimes")

    result = pytester.runpytest_inprocess()

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: bzzz: BZZZ_USE_REAL_DHT='sometimes' (from the environment): "
            "expected true or false (1, on, true, yes; 0, false, no, off)"
        ]
    )


def test_the_backend_setting_wins_over_bzzz_use_real_dht(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(ONE_TEST)
    monkeypatch.setenv("BZZZ_USE_REAL_DHT", "true")
    monkeypatch.setenv("PYTEST_BZZZ_BACKEND", "memory")

    result = pytester.runpytest_inprocess()

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["bzzz: backend=memory, from the PYTEST_BZZZ_BACKEND environment variable"]
    )


def test_the_report_header_names_the_backend(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(ONE_TEST)

    result = pytester.runpytest_inprocess("--bzzz-backend=memory")

    result.stdout.fnmatch_lines(["bzzz: backend=memory, from the command line (--bzzz-backend)"])


@pytest.mark.parametrize("hosts", ["0", "three", "-1"])
def test_the_number_of_hosts_must_be_a_whole_number_of_1_or_more(
    pytester: pytest.Pytester, hosts: str
) -> None:
    pytester.makepyfile(ONE_TEST)

    result = pytester.runpytest_inprocess(f"--bzzz-libp2p-hosts={hosts}")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            f"ERROR: bzzz: libp2p_hosts '{hosts}' from the command line (--bzzz-libp2p-hosts): "
            f"expected a whole number, 1 or more, got '{hosts}'"
        ]
    )


def test_three_hosts_by_default() -> None:
    assert DEFAULT_LIBP2P_HOSTS == 3


def test_a_backend_that_cannot_build_a_fixture_fails_its_setup_saying_why(
    pytester: pytest.Pytester,
) -> None:
    # As the libp2p backend does for a world real hosts cannot take: NotImplementedError, with
    # its reason.
    pytester.makeconftest(
        """
        import pytest
        import pytest_bzzz

        class HalfBackend:
            name = "half"

            def dht(self, world):
                return pytest_bzzz.MockDHT(world)

            def connector(self, world):
                raise NotImplementedError("this backend has no connector")

        @pytest.hookimpl(optionalhook=True)
        def pytest_bzzz_make_backend(item, settings):
            return HalfBackend()
        """
    )
    pytester.makepyfile("def test_connector(mock_bzzz):\n    pass\n")

    result = pytester.runpytest_inprocess()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["bzzz: backend 'half' cannot build mock_bzzz: this backend has no connector"]
    )


class NotStarting:
    """A stand-in for the libp2p backend whose network does not start (its port is taken)."""

    name = "libp2p"

    def __init__(self) -> None:
        self.starts = 0

    def configure(self, *, hosts: int) -> None:
        pass

    def start(self) -> None:
        self.starts += 1
        raise OSError(98, "Address already in use")

    def dht(self, world: Any) -> Any:
        raise AssertionError("never built: the backend did not start")

    connector = dht


@pytest.fixture
def libp2p_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """py-libp2p is found, as where the extra is installed (it need not be importable)."""
    find_spec: Callable[..., Any] = importlib.util.find_spec

    def found(name: str, *args: Any, **kwargs: Any) -> Any:
        return object() if name == "libp2p" else find_spec(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", found)


@pytest.mark.usefixtures("libp2p_found")
def test_a_backend_that_does_not_start_fails_each_test_at_once_with_one_message(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = NotStarting()
    monkeypatch.setitem(registry.BACKENDS, "libp2p", lambda: backend)
    pytester.makepyfile(
        """
        def test_first(mock_dht):
            pass

        def test_second(mock_bzzz):
            pass

        def test_world_only(bzzz_network):
            pass
        """
    )

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p", "-p", "no:randomly")

    result.assert_outcomes(passed=1, errors=2)
    because = literal(
        "OSError: [Errno 98] Address already in use (remembered for this session: every later "
        "test that needs the backend fails with this message, without starting it again)"
    )
    result.stdout.fnmatch_lines(
        [
            f"bzzz: backend 'libp2p' did not start, so mock_dht cannot be built: {because}",
            f"bzzz: backend 'libp2p' did not start, so mock_bzzz cannot be built: {because}",
        ],
        consecutive=False,
    )
    assert backend.starts == 1
    assert "Traceback" not in result.stdout.str()
    assert "During handling" not in result.stdout.str()


def test_a_backend_of_a_hook_is_not_started_by_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest
        import pytest_bzzz

        class ServerBackend:
            name = "server"

            def start(self):
                raise AssertionError("the hook's to call, not the plugin's")

            def dht(self, world):
                return pytest_bzzz.MockDHT(world)

            def connector(self, world):
                return pytest_bzzz.MockBZZZ(world)

        @pytest.hookimpl(optionalhook=True)
        def pytest_bzzz_make_backend(item, settings):
            return ServerBackend()
        """
    )
    pytester.makepyfile(ONE_TEST)

    result = pytester.runpytest_inprocess()

    result.assert_outcomes(passed=1)


@pytest.mark.usefixtures("libp2p_found")
def test_a_backend_installed_but_broken_fails_every_test_with_one_message(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[str] = []

    def broken() -> Any:  # imported as a broken build is: found, but its import fails
        loads.append("libp2p")
        raise ImportError("libfastecdsa.so: cannot open shared object file")

    monkeypatch.setitem(registry.BACKENDS, "libp2p", broken)
    pytester.makepyfile(
        """
        def test_first(mock_dht):
            pass

        def test_second(mock_dht):
            pass
        """
    )

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p", "-p", "no:randomly")

    result.assert_outcomes(errors=2)
    message = literal(
        "bzzz: backend 'libp2p' from the command line (--bzzz-backend) could not be loaded: "
        "ImportError: libfastecdsa.so: cannot open shared object file (remembered for this "
        "session: every test that needs it fails with this message)"
    )
    result.stdout.fnmatch_lines([message, message], consecutive=False)
    assert loads == ["libp2p"]
    assert "Traceback" not in result.stdout.str()


class ContentTaking:
    """A stand-in for the libp2p backend, whose connector takes the one that keeps its content."""

    name = "libp2p"

    def __init__(self) -> None:
        self.given: list[tuple[str, bool, str]] = []

    def configure(self, *, hosts: int) -> None:
        pass

    def dht(self, world: Any) -> Any:
        raise AssertionError("not asked for")

    def connector(self, world: Any, *, content: Any = None) -> Any:
        self.given.append((type(content).__name__, content.world is world, content.peer.name))
        return content


@pytest.mark.usefixtures("libp2p_found")
def test_a_built_in_connector_that_takes_content_is_given_the_simulations_on_the_world(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = ContentTaking()
    monkeypatch.setitem(registry.BACKENDS, "libp2p", lambda: backend)
    pytester.makepyfile(
        """
        def test_connector(mock_bzzz):
            mock_bzzz.store("ucxl://a:b@p:t/x.md", "kept by the simulation")
        """
    )

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p")

    result.assert_outcomes(passed=1)
    assert backend.given == [("MockBZZZ", True, "local")]


def test_a_connector_of_a_hooks_backend_is_given_only_the_world(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        import pytest
        import pytest_bzzz

        class OwnBackend:
            name = "own"

            def dht(self, world):
                return pytest_bzzz.MockDHT(world)

            def connector(self, world, content=None):
                assert content is None, "the hook's backend builds its own content"
                return pytest_bzzz.MockBZZZ(world)

        @pytest.hookimpl(optionalhook=True)
        def pytest_bzzz_make_backend(item, settings):
            return OwnBackend()
        """
    )
    pytester.makepyfile("def test_connector(mock_bzzz):\n    pass\n")

    result = pytester.runpytest_inprocess()

    result.assert_outcomes(passed=1)
