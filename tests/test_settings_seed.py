"""The session seed's precedence, each test's seed, and the seed a rerun (--lf) reuses."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pytest_bzzz._settings import (
    SessionSettings,
    SettingError,
    Sourced,
    resolve_session,
    resolve_test,
)
from tests._settings_helpers import session, use

# -- the session seed's precedence ----------------------------------------------------------


class FakeCache:
    """Reads the previous run's values as ``resolve_session`` asks for them, by setting name."""

    def __init__(self, **recorded: object) -> None:
        self.recorded = recorded
        self.asked: list[str] = []

    def __call__(self, name: str) -> object:
        self.asked.append(name)
        return self.recorded.get(name)


@pytest.mark.parametrize(
    ("controller", "cli", "env", "ini", "seed", "source"),
    [
        ({"seed": 5}, {"seed": "1"}, {"PYTEST_BZZZ_SEED": "2"}, {"bzzz_seed": "3"}, 5,
         "from the xdist controller"),
        (None, {"seed": "1"}, {"PYTEST_BZZZ_SEED": "2"}, {"bzzz_seed": "3"}, 1,
         "from the command line (--bzzz-seed)"),
        ({}, {"seed": None}, {"PYTEST_BZZZ_SEED": "2"}, {"bzzz_seed": "3"}, 2,
         "from the PYTEST_BZZZ_SEED environment variable"),
        (None, {}, {"PYTEST_BZZZ_SEED": "  "}, {"bzzz_seed": "3"}, 3,
         "from the bzzz_seed ini option"),
        (None, {"seed": "last"}, {"PYTEST_BZZZ_SEED": "2"}, {}, 777,
         "the previous run's (--bzzz-seed=last)"),
        (None, {}, {"PYTEST_BZZZ_SEED": " last "}, {"bzzz_seed": "3"}, 777,
         "the previous run's (--bzzz-seed=last)"),
        (None, {}, {"BZZZ_SEED": "LAST"}, {"bzzz_seed": "3"}, 777,
         "the previous run's (--bzzz-seed=last)"),
        (None, {}, {}, {"bzzz_seed": "last"}, 777, "the previous run's (--bzzz-seed=last)"),
    ],
)  # fmt: skip
def test_session_seed_from_controller_command_line_environment_ini_or_last(
    controller: dict[str, object] | None,
    cli: dict[str, Any],
    env: dict[str, str],
    ini: dict[str, str],
    seed: int,
    source: str,
) -> None:
    cache = FakeCache(seed=777)
    values = resolve_session(cli, env, ini, controller=controller, previous=cache)
    assert (values["seed"].value, values["seed"].source) == (seed, source)
    assert cache.asked == (["seed"] if seed == 777 else [])
    assert SessionSettings.from_values(values).seed == seed


@pytest.mark.parametrize("recorded", [None, "x", -1, 2**32, True])
def test_last_without_a_recorded_seed_is_a_fresh_one(recorded: object) -> None:
    values = resolve_session({"seed": "last"}, {}, {}, previous=FakeCache(seed=recorded))
    assert values["seed"].source == "fresh: no previous run's seed is recorded"
    assert 0 <= values["seed"].value < 2**32


def test_a_fresh_seed_when_nothing_gives_one() -> None:
    cache = FakeCache(seed=777)
    values = resolve_session({}, {}, {}, previous=cache)
    assert values["seed"].source == "fresh"
    assert 0 <= values["seed"].value < 2**32
    assert cache.asked == []


@pytest.mark.parametrize(
    ("cli", "env", "ini", "source"),
    [
        ({"seed": "last"}, {}, {}, "from the command line (--bzzz-seed)"),
        ({}, {"PYTEST_BZZZ_SEED": "last"}, {}, "from the PYTEST_BZZZ_SEED environment variable"),
        ({}, {"BZZZ_SEED": "last"}, {}, "from the BZZZ_SEED environment variable"),
        ({}, {}, {"bzzz_seed": "last"}, "from the bzzz_seed ini option"),
    ],
)
def test_last_needs_a_memory_of_the_previous_run(
    cli: dict[str, Any], env: dict[str, str], ini: dict[str, str], source: str
) -> None:
    message = (
        f"seed 'last' {source} needs pytest's cache to remember the previous run's seed, but "
        "the cacheprovider plugin is disabled (-p no:cacheprovider); give a seed as a number "
        "instead"
    )
    with pytest.raises(SettingError) as caught:
        resolve_session(cli, env, ini, previous=None)
    assert str(caught.value) == message


def test_a_bad_session_seed_names_where_it_came_from() -> None:
    with pytest.raises(SettingError, match=re.escape("seed 'x' from the xdist controller")):
        resolve_session({}, {}, {}, controller={"seed": "x"})
    with pytest.raises(SettingError, match=re.escape("seed 'later' from the command line")):
        resolve_session({"seed": "later"}, {}, {}, previous=FakeCache())


def test_the_seed_is_decided_before_the_other_settings() -> None:
    """As the seed's option was read first before: its error is the one reported."""
    with pytest.raises(SettingError, match=r"^seed 'x'"):
        resolve_session({"seed": "x", "latency": "fast"}, {}, {})


# -- each test's seed -------------------------------------------------------------------------


def test_a_tests_seed_and_where_it_came_from() -> None:
    values = resolve_session({"seed": "9"}, {}, {})
    configured = SessionSettings.from_values(values)
    derived = resolve_test(configured, [], "t.py::test_x", 7)
    assert (derived.seed, derived.session_seed, derived.seed_from_marker) == (7, 9, False)
    assert derived.sources["seed"] == (
        "derived from the session seed, from the command line (--bzzz-seed)"
    )
    assert derived.values["seed"] == 7
    marked = resolve_test(configured, [use("bzzz", seed=3)], "t.py::test_x", 7)
    assert (marked.seed, marked.seed_from_marker) == (3, True)
    assert marked.sources["seed"] == "from @pytest.mark.bzzz(seed=3) on test_x"
    assert marked.values["clock"] == "virtual"


def test_a_markers_seed_none_is_not_written() -> None:
    resolved = resolve_test(session(), [use("bzzz", seed=None)], "t.py::test_x", 7)
    assert (resolved.seed, resolved.seed_from_marker) == (7, False)


def test_every_markers_seed_is_checked_as_every_other_argument() -> None:
    wider = [use("bzzz", seed=1), use("bzzz", seed=-1, where="on module test_m.py")]
    with pytest.raises(SettingError, match=re.escape("(seed=-1) on module test_m.py: seed:")):
        resolve_test(session(), wider, "t.py::test_x", 7)


# -- a rerun of the previous run's failures (--lf) reuses its seed ---------------------------


def test_a_rerun_reuses_the_previous_runs_seed_when_nothing_gives_one() -> None:
    cache = FakeCache(seed=777)
    values = resolve_session({}, {}, {}, previous=cache, rerun="--lf")
    assert values["seed"] == Sourced(777, "the previous run's (reused for --lf)")
    assert values["latency"] == Sourced(0.0, "by default")  # only what is remembered


@pytest.mark.parametrize(
    ("cli", "env", "ini", "seed"),
    [
        ({"seed": "5"}, {}, {}, 5),
        ({}, {"PYTEST_BZZZ_SEED": "6"}, {}, 6),
        ({}, {}, {"bzzz_seed": "7"}, 7),
        ({}, {}, {"bzzz_seed": "last"}, 777),
    ],
)
def test_a_rerun_keeps_a_seed_given_by_hand(
    cli: dict[str, Any], env: dict[str, str], ini: dict[str, object], seed: int
) -> None:
    values = resolve_session(cli, env, ini, previous=FakeCache(seed=777), rerun="--ff")
    assert values["seed"].value == seed
    assert "reused" not in values["seed"].source


@pytest.mark.parametrize("previous", [FakeCache(), FakeCache(seed="junk"), None])
def test_a_rerun_without_a_recorded_seed_gets_a_fresh_one(previous: FakeCache | None) -> None:
    values = resolve_session({}, {}, {}, previous=previous, rerun="--sw")
    assert values["seed"].source == "fresh: no previous run's seed is recorded"
