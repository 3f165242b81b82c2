"""Backends as a user meets them: the backend setting, the make_backend hook, combinable hooks."""

from __future__ import annotations

import pytest

from tests._plugin_helpers import literal

DICT_BACKEND = """
import pytest
import pytest_bzzz


class DictDHT:
    '''A user's own client: a plain dict, no simulation.'''

    def __init__(self):
        self.values = {}

    def put_value(self, key, value, *, timeout=None):
        self.values[str(key)] = value

    def get_value(self, key, *, timeout=None):
        try:
            return self.values[str(key)]
        except KeyError:
            raise pytest_bzzz.NotFoundError(f"no value under {key!r}") from None

    def provide(self, key, provider_id, *, timeout=None):
        pass

    def find_providers(self, key, *, timeout=None):
        return []

    async def aput_value(self, key, value, *, timeout=None):
        self.put_value(key, value)

    async def aget_value(self, key, *, timeout=None):
        return self.get_value(key)

    async def aprovide(self, key, provider_id, *, timeout=None):
        pass

    async def afind_providers(self, key, *, timeout=None):
        return []


class DictBackend:
    name = "dict"

    def dht(self, world):
        return DictDHT()

    def connector(self, world):
        return pytest_bzzz.MockBZZZ(world)


@pytest.hookimpl(optionalhook=True)
def pytest_bzzz_make_backend(item, settings):
    if item.get_closest_marker("real") is not None:
        return DictBackend()
    return None


def pytest_configure(config):
    config.addinivalue_line("markers", "real: run against the user's own client")
"""


def test_a_hook_can_supply_another_backend(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(DICT_BACKEND)
    pytester.makepyfile(
        """
        import pytest
        import pytest_bzzz

        def publish(dht: pytest_bzzz.SyncDHT, name: str) -> bytes:
            dht.put_value(name, b"v")
            return dht.get_value(name)

        @pytest.mark.real
        def test_on_the_users_client(mock_dht, bzzz_network):
            assert type(mock_dht).__name__ == "DictDHT"
            assert publish(mock_dht, "k") == b"v"
            assert bzzz_network.calls() == []  # no simulation: nothing recorded

        def test_on_the_mock(mock_dht, bzzz_network):
            assert type(mock_dht) is pytest_bzzz.MockDHT
            assert publish(mock_dht, "k") == b"v"
            assert len(bzzz_network.calls()) == 2

        @pytest.mark.real
        def test_failing_on_the_users_client(mock_dht):
            assert False
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*- bzzz -*", "test seed: *", "backend: dict"])


def test_the_hook_is_optional_when_the_plugin_is_disabled(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(DICT_BACKEND)
    pytester.makepyfile("def test_plain():\n    pass\n")
    pytester.runpytest("-p", "no:bzzz").assert_outcomes(passed=1)


def test_the_hook_receives_the_world_settings(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest_bzzz

        SEEN = []

        def pytest_bzzz_make_backend(item, settings):
            assert isinstance(settings, pytest_bzzz.WorldSettings)
            SEEN.append((settings.backend, settings.sources["backend"]))
        """
    )
    pytester.makepyfile(
        """
        import pytest
        from conftest import SEEN

        def test_default(mock_dht):
            assert SEEN[-1] == ("memory", "by default")

        @pytest.mark.bzzz(backend="memory")
        def test_marked(mock_dht):
            assert SEEN[-1][1] == "from @pytest.mark.bzzz(backend='memory') on test_marked"
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_the_backend_setting_names_a_registered_backend(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_dht(mock_dht):\n    pass\n")
    pytester.runpytest("--bzzz-backend=memory").assert_outcomes(passed=1)
    result = pytester.runpytest("--bzzz-backend=libp3")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            literal(
                "ERROR: bzzz: backend 'libp3' from the command line (--bzzz-backend): "
                "expected the name of a backend: memory, or libp2p (real py-libp2p hosts; it needs "
                "the pytest-bzzz[libp2p] extra), got 'libp3'"
            )
        ]
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-o", "bzzz_backend=mem")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*backend 'mem' from the bzzz_backend ini option*"])


def test_a_marker_naming_an_unknown_backend_fails_the_setup(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.bzzz(backend="redis")
        def test_dht(mock_dht):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            literal(
                "bzzz: @pytest.mark.bzzz(backend='redis') on test_dht: backend: "
                "expected the name of a backend: memory, or libp2p (real py-libp2p hosts; it needs "
                "the pytest-bzzz[libp2p] extra), got 'redis'"
            )
        ]
    )


@pytest.mark.parametrize(
    ("hook", "message"),
    [
        (
            "def pytest_bzzz_make_backend(item, settings):\n    return 'memory'\n",
            "bzzz: a pytest_bzzz_make_backend hook returned 'memory', which is not a backend "
            "(pytest_bzzz.Backend: a name, and dht(world) and connector(world) methods)",
        ),
        (
            "def pytest_bzzz_make_world(item, settings):\n    return {'seed': 1}\n",
            "bzzz: a pytest_bzzz_make_world hook returned {'seed': 1}, not a pytest_bzzz.World",
        ),
        (
            "class Half:\n"
            "    name = 'half'\n"
            "    def dht(self, world):\n"
            "        return object()\n"
            "    def connector(self, world):\n"
            "        return object()\n"
            "def pytest_bzzz_make_backend(item, settings):\n"
            "    return Half()\n",
            "bzzz: backend 'half' built object for mock_dht, which is not a pytest_bzzz.DHT: "
            "it lacks afind_providers, aget_value, aprovide, aput_value, find_providers, "
            "get_value, provide, put_value",
        ),
    ],
)
def test_a_hook_result_that_is_not_what_it_should_be_fails_the_setup(
    pytester: pytest.Pytester, hook: str, message: str
) -> None:
    pytester.makeconftest(hook)
    pytester.makepyfile("def test_dht(mock_dht):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([literal(message)])
    result.stdout.no_fnmatch_line("*pytest_bzzz/plugin*")  # no traceback into the plugin


def test_conditions_hooks_combine_field_by_field(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        def pytest_bzzz_conditions(item, conditions):
            return conditions.replace(timeout=5.0, latency=0.5)
        """
    )
    sub = pytester.mkpydir("sub")
    (sub / "conftest.py").write_text(
        "def pytest_bzzz_conditions(item, conditions):\n"
        "    return conditions.replace(latency=0.1, jitter=0.01)\n"
    )
    (sub / "test_sub.py").write_text(
        "import pytest\n\n"
        "def test_both_applied(bzzz_network):\n"
        "    conditions = bzzz_network.conditions\n"
        "    assert conditions.timeout == 5.0  # only the outer conftest changed it\n"
        "    assert conditions.jitter == 0.01  # only the inner one changed it\n"
        "    assert conditions.latency == 0.1  # both did: the nearer one wins\n"
    )
    pytester.makepyfile(
        test_top="""
        def test_outer_only(bzzz_network):
            assert bzzz_network.conditions.latency == 0.5
            assert bzzz_network.conditions.jitter == 0
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_a_conditions_hook_that_changes_nothing_leaves_the_markers_conditions(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        def pytest_bzzz_conditions(item, conditions):
            return conditions  # unchanged: adjusts nothing
        """
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.latency(250)
        def test_marked(bzzz_network):
            assert bzzz_network.conditions.latency == 0.25
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
