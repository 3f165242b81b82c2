"""Where each setting's value comes from: marker > command line > environment > ini > default.

Each setting is decided on its own, and only values written explicitly count:
a marker's unwritten defaults never override a wider level. Markers on a test
win over its class's, which win over its module's.

The inner runs use a conftest.py that prints every resolved setting of each
test as one JSON line; the outer tests read those lines back.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Imported once here: the hypothesis plugin imports hypothesis at the end of every
# in-process pytester run, which costs about a second each time unless it is loaded.
import hypothesis  # noqa: F401
import pytest

pytest_plugins = ["pytester"]

ASYNCIO_INI = "asyncio_default_fixture_loop_scope = function"

REPORTER = """
import json
import pytest
from pytest_bzzz import MockDHT, NetworkError, NetworkTimeout

@pytest.fixture(autouse=True)
def _resolved(request, bzzz_network):
    conditions = bzzz_network.conditions
    record = None
    if bzzz_network.clock.mode == "virtual":  # the record's size, seen by filling it
        dht = MockDHT(bzzz_network)
        for i in range(20):
            try:
                dht.put_value(f"k{i}", b"v")
            except (NetworkError, NetworkTimeout):
                pass
        record = len(dht.calls())
    ops = conditions.failure_ops
    print("RESOLVED " + json.dumps({
        "test": request.node.nodeid.split("::", 1)[1],
        "latency": conditions.latency,
        "jitter": conditions.jitter,
        "distribution": conditions.distribution,
        "failure_rate": conditions.failure_rate,
        "ops": None if ops is None else sorted(ops),
        "timeout": conditions.timeout,
        "clock": bzzz_network.clock.mode,
        "record": record,
        "seed": bzzz_network.seed,
    }))
"""

RESOLVED = re.compile(r"RESOLVED (\{.*\})")
HEADER = re.compile(r"^bzzz: seed=(\d+), .*; reproduce with --bzzz-seed=\1$", re.MULTILINE)
DEFAULTS = {
    "latency": 0.0,
    "jitter": 0.0,
    "distribution": "uniform",
    "failure_rate": 0.0,
    "ops": None,
    "timeout": None,
    "clock": "virtual",
    "record": 20,
}


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run ``tests`` with the given ini lines, environment and arguments; return the settings.

    The result maps each test's name to what it resolved, plus ``"session seed"``
    to the seed of the report header.
    """

    def run(
        tests: str,
        *args: str,
        ini: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        pytester.makeini("\n".join(["[pytest]", ASYNCIO_INI, *ini]) + "\n")
        pytester.makeconftest(REPORTER)
        pytester.makepyfile(test_settings=tests)
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        result = pytester.runpytest("-s", "-p", "no:cacheprovider", *args)
        assert result.ret == pytest.ExitCode.OK, result.stdout.str()
        resolved: dict[str, Any] = {}
        for match in RESOLVED.finditer(result.stdout.str()):
            values = json.loads(match[1])
            resolved[values.pop("test")] = values
        header = HEADER.search(result.stdout.str())
        assert header is not None
        resolved["session seed"] = int(header[1])
        return resolved

    return run


def expect(resolved: dict[str, Any], **changes: Any) -> None:
    """``resolved`` is the defaults with ``changes`` (floats compared approximately)."""
    expected = {**DEFAULTS, **changes}
    actual = {name: resolved[name] for name in expected}
    assert actual == {
        name: pytest.approx(value) if isinstance(value, float) else value
        for name, value in expected.items()
    }


ONE_TEST = "def test_it(bzzz_network):\n    pass\n"

# One value per level for every setting, all different, so the winner is plain to see.
INI = (
    "bzzz_latency = 100",
    "bzzz_jitter = 1",
    "bzzz_distribution = normal",
    "bzzz_failure_rate = 0.1",
    "bzzz_timeout = 1000",
    "bzzz_record_calls = 5",
    "bzzz_seed = 11",
)
ENV = {
    "PYTEST_BZZZ_LATENCY": "200ms",
    "PYTEST_BZZZ_JITTER": "2",
    "PYTEST_BZZZ_DISTRIBUTION": "uniform",
    "PYTEST_BZZZ_FAILURE_RATE": "20%",
    "PYTEST_BZZZ_TIMEOUT": "2s",
    "PYTEST_BZZZ_RECORD_CALLS": "6",
    "PYTEST_BZZZ_SEED": "22",
}
CLI = (
    "--bzzz-latency=0.3s",
    "--bzzz-jitter=3",
    "--bzzz-distribution=normal",
    "--bzzz-failure-rate=0.3",
    "--bzzz-timeout=3000",
    "--bzzz-record-calls=7",
    "--bzzz-seed=33",
)
MARKED_TEST = """
import pytest

@pytest.mark.latency(400, jitter=4, distribution="uniform")
@pytest.mark.flaky_network(0.4, ops=["put_value"])
@pytest.mark.bzzz(seed=44, timeout="4s", record_calls=8)
def test_it(bzzz_network):
    pass
"""
WINNERS = {
    "ini": {
        "latency": 0.1, "jitter": 0.001, "distribution": "normal", "failure_rate": 0.1,
        "timeout": 1.0, "record": 5, "session seed": 11,
    },
    "env": {
        "latency": 0.2, "jitter": 0.002, "distribution": "uniform", "failure_rate": 0.2,
        "timeout": 2.0, "record": 6, "session seed": 22,
    },
    "cli": {
        "latency": 0.3, "jitter": 0.003, "distribution": "normal", "failure_rate": 0.3,
        "timeout": 3.0, "record": 7, "session seed": 33,
    },
    "marker": {
        "latency": 0.4, "jitter": 0.004, "distribution": "uniform", "failure_rate": 0.4,
        "ops": ["put_value"], "timeout": 4.0, "record": 8, "seed": 44, "session seed": 33,
    },
}  # fmt: skip


def test_defaults_when_nothing_is_set(run: Any) -> None:
    resolved = run(ONE_TEST)
    expect(resolved["test_it"])


@pytest.mark.parametrize("level", ["ini", "env", "cli", "marker"])
def test_each_level_wins_over_the_ones_below(run: Any, level: str) -> None:
    """Every level below ``level`` is set too, each with values of its own."""
    levels = ["ini", "env", "cli", "marker"]
    active = levels[: levels.index(level) + 1]
    resolved = run(
        MARKED_TEST if "marker" in active else ONE_TEST,
        *(CLI if "cli" in active else ()),
        ini=INI,
        env=ENV if "env" in active else None,
    )
    winners = dict(WINNERS[level])
    session_seed = winners.pop("session seed")
    test_seed = winners.pop("seed", None)
    assert resolved["session seed"] == session_seed
    if test_seed is not None:
        assert resolved["test_it"]["seed"] == test_seed
    expect(resolved["test_it"], **winners)


@pytest.mark.parametrize(
    ("ini", "env", "cli", "tests", "clock"),
    [
        ("real", None, None, ONE_TEST, "real"),
        ("real", "virtual", None, ONE_TEST, "virtual"),
        ("virtual", "real", None, ONE_TEST, "real"),
        ("virtual", "virtual", "real", ONE_TEST, "real"),
        ("real", "real", "virtual", ONE_TEST, "virtual"),
        (
            "virtual", "virtual", "real",
            "import pytest\n\n@pytest.mark.bzzz(clock='virtual')\ndef test_it(bzzz_network):"
            "\n    pass\n",
            "virtual",
        ),
        (
            "virtual", "virtual", "virtual",
            "import pytest\n\n@pytest.mark.bzzz(clock='real')\ndef test_it(bzzz_network):"
            "\n    pass\n",
            "real",
        ),
    ],
)  # fmt: skip
def test_clock_precedence(
    run: Any, ini: str, env: str | None, cli: str | None, tests: str, clock: str
) -> None:
    resolved = run(
        tests,
        *([f"--bzzz-clock={cli}"] if cli else []),
        ini=(f"bzzz_clock = {ini}",),
        env={"PYTEST_BZZZ_CLOCK": env} if env else None,
    )
    assert resolved["test_it"]["clock"] == clock


def test_seed_marker_wins_over_every_session_seed(run: Any) -> None:
    tests = (
        "import pytest\n\n"
        "@pytest.mark.bzzz(seed=44)\ndef test_marked(bzzz_network):\n    pass\n\n"
        "def test_unmarked(bzzz_network):\n    pass\n"
    )
    resolved = run(tests, "--bzzz-seed=33", ini=("bzzz_seed = 11",), env={"PYTEST_BZZZ_SEED": "22"})
    assert resolved["session seed"] == 33
    assert resolved["test_marked"]["seed"] == 44
    unmarked = resolved["test_unmarked"]["seed"]
    assert unmarked != 44
    assert run(tests, "--bzzz-seed=33")["test_unmarked"]["seed"] == unmarked


def test_settings_from_different_levels_combine(run: Any) -> None:
    tests = """
import pytest

@pytest.mark.flaky_network(0.25)
def test_it(bzzz_network):
    pass
"""
    resolved = run(
        tests,
        "--bzzz-distribution=normal",
        "--bzzz-record-calls=9",
        ini=("bzzz_latency = 100", "bzzz_timeout = 5s", "bzzz_distribution = uniform"),
        env={"PYTEST_BZZZ_JITTER": "20", "PYTEST_BZZZ_SEED": "12"},
    )
    assert resolved["session seed"] == 12
    expect(
        resolved["test_it"],
        latency=0.1,
        jitter=0.02,
        distribution="normal",
        failure_rate=0.25,
        timeout=5.0,
        record=9,
    )


@pytest.mark.parametrize(
    ("marker", "args", "env", "ini", "changes"),
    [
        ("latency(50)", ["--bzzz-jitter=20"], {}, (), {"latency": 0.05, "jitter": 0.02}),
        (
            "latency(50, jitter=10)", ["--bzzz-distribution=normal"], {}, (),
            {"latency": 0.05, "jitter": 0.01, "distribution": "normal"},
        ),
        ("latency(50)", [], {"PYTEST_BZZZ_JITTER": "20"}, (), {"latency": 0.05, "jitter": 0.02}),
        ("latency(50)", [], {}, ("bzzz_jitter = 20",), {"latency": 0.05, "jitter": 0.02}),
        (
            "latency(10)", ["--bzzz-failure-rate=0.3", "--bzzz-timeout=250"], {}, (),
            {"latency": 0.01, "failure_rate": 0.3, "timeout": 0.25},
        ),
        (
            "bzzz(record_calls=3)", ["--bzzz-timeout=250"], {}, (),
            {"record": 3, "timeout": 0.25},
        ),
        (
            "bzzz(seed=5)", [], {"PYTEST_BZZZ_TIMEOUT": "250", "PYTEST_BZZZ_RECORD_CALLS": "4"}, (),
            {"timeout": 0.25, "record": 4},
        ),
        ("bzzz(seed=5)", ["--bzzz-clock=real"], {}, (), {"clock": "real", "record": None}),
        (
            "flaky_network(0.5)", ["--bzzz-latency=100"], {}, ("bzzz_failure_rate = 0.1",),
            {"latency": 0.1, "failure_rate": 0.5},
        ),
    ],
)  # fmt: skip
def test_a_markers_unwritten_defaults_never_override_a_wider_level(
    run: Any,
    marker: str,
    args: list[str],
    env: dict[str, str],
    ini: tuple[str, ...],
    changes: dict[str, Any],
) -> None:
    tests = f"import pytest\n\n@pytest.mark.{marker}\ndef test_it(bzzz_network):\n    pass\n"
    expect(run(tests, *args, ini=ini, env=env)["test_it"], **changes)


def test_explicit_marker_values_switch_wider_settings_off(run: Any) -> None:
    tests = """
import pytest

@pytest.mark.latency(0)
def test_no_latency(bzzz_network):
    pass

@pytest.mark.flaky_network(0)
def test_no_failures(bzzz_network):
    pass

@pytest.mark.bzzz(timeout=None)
def test_no_timeout(bzzz_network):
    pass

def test_unmarked(bzzz_network):
    pass
"""
    resolved = run(tests, "--bzzz-latency=100", "--bzzz-failure-rate=0.5", "--bzzz-timeout=1s")
    wider = {"latency": 0.1, "failure_rate": 0.5, "timeout": 1.0}
    expect(resolved["test_unmarked"], **wider)
    expect(resolved["test_no_latency"], **{**wider, "latency": 0.0})
    expect(resolved["test_no_failures"], **{**wider, "failure_rate": 0.0})
    expect(resolved["test_no_timeout"], **{**wider, "timeout": None})


MARKER_LEVELS = """
import pytest

pytestmark = [
    pytest.mark.latency(100, jitter=20),
    pytest.mark.flaky_network(0.5, ops=["get_value"]),
    pytest.mark.bzzz(seed=1, timeout=1000),
]

def test_module(bzzz_network):
    pass

@pytest.mark.latency(50)
@pytest.mark.flaky_network(0.25)
def test_own(bzzz_network):
    pass

@pytest.mark.latency(200, distribution="normal")
@pytest.mark.bzzz(record_calls=4)
class TestClass:
    def test_class(self, bzzz_network):
        pass

    @pytest.mark.latency(300)
    @pytest.mark.bzzz(seed=2)
    def test_own(self, bzzz_network):
        pass
"""


def test_markers_closest_to_the_test_win_per_setting(run: Any) -> None:
    resolved = run(MARKER_LEVELS, "--bzzz-latency=999", "--bzzz-record-calls=6")
    module = {
        "latency": 0.1,
        "jitter": 0.02,
        "failure_rate": 0.5,
        "ops": ["get_value"],
        "timeout": 1.0,
        "record": 6,
    }
    expect(resolved["test_module"], **module)
    expect(resolved["test_own"], **{**module, "latency": 0.05, "failure_rate": 0.25})
    in_class = {**module, "latency": 0.2, "distribution": "normal", "record": 4}
    expect(resolved["TestClass::test_class"], **in_class)
    expect(resolved["TestClass::test_own"], **{**in_class, "latency": 0.3})
    assert resolved["test_module"]["seed"] == 1
    assert resolved["test_own"]["seed"] == 1
    assert resolved["TestClass::test_class"]["seed"] == 1
    assert resolved["TestClass::test_own"]["seed"] == 2


# -- what the table shows a user ---------------------------------------------------------


def test_markers_help_shows_each_markers_derived_line(pytester: pytest.Pytester) -> None:
    from pytest_bzzz._settings import MARKERS

    result = pytester.runpytest("--markers")
    assert result.ret == pytest.ExitCode.OK
    shown = result.stdout.lines
    for marker in MARKERS.values():
        assert f"@pytest.mark.{marker.help}" in shown


def test_help_shows_every_option_and_ini_option_from_the_table(pytester: pytest.Pytester) -> None:
    from pytest_bzzz._settings import SETTINGS

    result = pytester.runpytest("--help")
    assert result.ret == pytest.ExitCode.OK
    text = " ".join(" ".join(result.stdout.lines).split())  # help text is wrapped
    for setting in SETTINGS:
        if setting.configurable:
            assert f"{setting.option}={setting.option_metavar}" in text
            assert re.search(rf"{setting.ini} \((string|string \| int \| float \| bool)\): ", text)
            assert setting.ini_help in text
    assert "'last' for the previous run's (env PYTEST_BZZZ_SEED, ini bzzz_seed)" in text


@pytest.mark.parametrize(
    ("env", "ini", "source"),
    [
        ({"PYTEST_BZZZ_SEED": "last"}, (), "from the PYTEST_BZZZ_SEED environment variable"),
        ({}, ("bzzz_seed = last",), "from the bzzz_seed ini option"),
    ],
)
def test_seed_last_from_the_environment_or_ini_needs_the_cache_too(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    ini: tuple[str, ...],
    source: str,
) -> None:
    pytester.makeini("\n".join(["[pytest]", ASYNCIO_INI, *ini]) + "\n")
    pytester.makepyfile("def test_x(bzzz_network): pass")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (
        f"ERROR: bzzz: seed 'last' {source} needs pytest's cache to remember the previous run's "
        "seed, but the cacheprovider plugin is disabled (-p no:cacheprovider); give a seed as a "
        "number instead"
    ) in result.stderr.lines
