"""The settings table: markers' signatures and help lines, options' help, its rows."""

from __future__ import annotations

import pytest

from pytest_bzzz._settings import MARKERS, SETTINGS, Setting
from pytest_bzzz._settings.table import derive_markers

# -- the table: markers' signatures and help lines, options' help -------------------------

MARKER_HELP = {
    "latency": "latency(ms, *, jitter=0, distribution='uniform'): simulate network latency for "
    "the test, class or module. A number is milliseconds; a string may carry a unit "
    "('250ms', '1.5s'). latency(0) switches a wider latency off.",
    "flaky_network": "flaky_network(rate, *, ops=None): each operation fails with NetworkError "
    "with probability rate (0 to 1); ops limits it to the named operations. "
    "flaky_network(0) switches a wider one off.",
    "bzzz": "bzzz(*, seed=None, clock='virtual', timeout=None, ambiguous_timeouts=False, "
    "max_record_size=None, record_calls=10000, "
    "backend='memory', peers=1, replication=20, value_ttl='36h', provider_ttl='48h', "
    "heartbeat='5s', election_timeout='15s'): the test's seed (exactly this one), clock "
    "('virtual' or 'real'), operation timeout (milliseconds or with a unit), ambiguous_timeouts "
    "(a timed-out write may have been applied), max_record_size ('1MiB': larger and empty values "
    "stay with their writer), call record size, "
    "backend (the built-in one is 'memory'), peers (the local one included), replication, the "
    "lifetimes of values and provider records ('36h'), and the leader's heartbeat and election "
    "timeout ('5s', '15s').",
}


def test_marker_help_lines_are_derived_from_the_rows() -> None:
    """What ``pytest --markers`` shows, after ``@pytest.mark.``."""
    assert {name: marker.help for name, marker in MARKERS.items()} == MARKER_HELP
    assert MARKERS["latency"].positional == ("ms",)
    assert MARKERS["latency"].keywords == ("jitter", "distribution")
    assert MARKERS["bzzz"].positional == ()
    assert MARKERS["bzzz"].arguments == (
        "seed",
        "clock",
        "timeout",
        "ambiguous_timeouts",
        "max_record_size",
        "record_calls",
        "backend",
        "peers",
        "replication",
        "value_ttl",
        "provider_ttl",
        "heartbeat",
        "election_timeout",
    )


def test_every_marker_argument_is_a_setting_of_the_table() -> None:
    by_marker = {
        name: [setting.name for setting in SETTINGS if setting.marker == name] for name in MARKERS
    }
    assert by_marker == {
        "latency": ["latency", "jitter", "distribution"],
        "flaky_network": ["failure_rate", "ops"],
        "bzzz": [
            "seed",
            "clock",
            "timeout",
            "ambiguous_timeouts",
            "max_record_size",
            "record_calls",
            "backend",
            "peers",
            "replication",
            "value_ttl",
            "provider_ttl",
            "heartbeat",
            "election_timeout",
        ],
    }
    assert MARKERS["flaky_network"].setting("rate").name == "failure_rate"


def test_a_new_row_is_all_a_new_marker_argument_needs() -> None:
    backend = Setting("backend", str, "memory", "a backend's name", "the backend", marker="bzzz")
    markers = derive_markers(
        [("bzzz", "what it does."), ("latency", "how slow.")],
        [*SETTINGS[:1], Setting("latency", float, 0.0, "", "", marker="latency", argument="ms",
                                positional=True), backend],
    )  # fmt: skip
    assert markers["bzzz"].help == "bzzz(*, seed=None, backend='memory'): what it does."
    assert markers["latency"].signature == "latency(ms)"
    assert backend.option_help == (
        "the backend: a backend's name (env PYTEST_BZZZ_BACKEND, ini bzzz_backend)"
    )
    assert (backend.option, backend.dest, backend.option_metavar) == (
        "--bzzz-backend",
        "bzzz_backend",
        "BACKEND",
    )


def test_the_table_refuses_a_row_of_no_known_marker() -> None:
    with pytest.raises(ValueError, match="setting 'x': no marker 'nope'"):
        derive_markers([("bzzz", "")], [Setting("x", str, "", "", "", marker="nope")])
    with pytest.raises(ValueError, match="positional, but of no marker"):
        derive_markers([], [Setting("x", str, "", "", "", positional=True)])
    twice = Setting("y", str, "", "", "", marker="bzzz", argument="x")
    with pytest.raises(ValueError, match="repeat"):
        derive_markers([("bzzz", "")], [Setting("x", str, "", "", "", marker="bzzz"), twice])


def test_the_seed_is_a_row_like_every_other() -> None:
    seed = next(setting for setting in SETTINGS if setting.name == "seed")
    assert (seed.option, seed.dest, seed.env, seed.ini, seed.option_metavar) == (
        "--bzzz-seed",
        "bzzz_seed",
        "PYTEST_BZZZ_SEED",
        "bzzz_seed",
        "N|last",
    )
    assert seed.option_help == (
        "session seed every test's seed derives from: a whole number from 0 to 4294967295, "
        "or 'last' for the previous run's (env PYTEST_BZZZ_SEED, ini bzzz_seed)"
    )
    assert seed.ini_help == (
        "pytest-bzzz: session seed every test's seed derives from "
        "(a whole number from 0 to 4294967295, or 'last' for the previous run's)"
    )
    assert [setting.name for setting in SETTINGS if setting.per_run] == ["seed"]
    assert [setting.name for setting in SETTINGS if not setting.configurable] == ["ops"]
