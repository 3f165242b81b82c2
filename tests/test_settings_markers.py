"""Markers' arguments as settings: zero switches off, messages, words in any case."""

from __future__ import annotations

import re

import pytest

from pytest_bzzz._settings import MarkerUse, SettingError, check_markers, resolve_test
from tests._settings_helpers import session, use

# -- markers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("ms", [0, 0.0, "0", "0ms", " 0 s ", "0.0"])
def test_latency_0_in_any_spelling_switches_a_wider_jitter_off(ms: object) -> None:
    configured = session(cli={"latency": "100", "jitter": "20"})
    resolved = resolve_test(configured, [use("latency", ms)], "t.py::test_x", 1)
    assert (resolved.conditions.latency, resolved.conditions.jitter) == (0, 0)
    assert resolved.sources["jitter"] == f"from @pytest.mark.latency({ms!r}) on test_x"
    own = resolve_test(configured, [use("latency", ms, jitter="5")], "t.py::test_x", 1)
    assert own.conditions.jitter == 0.005
    wider = [use("latency", ms), use("latency", 50, jitter=10, where="on module test_m.py")]
    assert resolve_test(configured, wider, "t.py::test_x", 1).conditions.jitter == 0


@pytest.mark.parametrize("ops", [[], (), set(), frozenset(), "", " , "])
def test_an_empty_ops_is_refused(ops: object) -> None:
    marker = use("flaky_network", 0.1, ops=ops)
    with pytest.raises(SettingError) as caught:
        resolve_test(session(), [marker], "t.py::test_x", 1)
    assert str(caught.value) == (
        f"@pytest.mark.flaky_network(0.1, ops={ops!r}) on test_x: ops: no operation is named; "
        "leave ops out (or give ops=None) for every operation, or give flaky_network(0) to "
        "switch failures off"
    )


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (use("flaky_network", "10"),
         "rate: must be between 0 and 1, got '10'; did you mean '10%'?"),
        (use("flaky_network", 10), "rate: must be between 0 and 1, got 10; did you mean '10%'?"),
        (use("flaky_network", 12.5), "got 12.5; did you mean '12.5%'?"),
        (use("latency", -1), "ms: must be 0 or more, got -1"),
        (use("latency", "-1ms"), "ms: must be 0 or more, got '-1ms'"),
        (use("flaky_network", 0.1, ops=[["get_value"]]),
         "ops: operation names must be str, got list ['get_value']"),
    ],
)  # fmt: skip
def test_marker_messages(marker: MarkerUse, message: str) -> None:
    with pytest.raises(SettingError) as caught:
        resolve_test(session(), [marker], "t.py::test_x", 1)
    assert str(caught.value).endswith(message)


def test_words_in_markers_are_read_in_any_case() -> None:
    marker = use("bzzz", clock="Real", backend="Memory")
    resolved = resolve_test(session(), [marker, use("latency", 1, distribution="NORMAL")], "t", 1)
    assert (resolved.clock, resolved.backend, resolved.conditions.distribution) == (
        "real",
        "memory",
        "normal",
    )


def test_check_markers_checks_what_resolve_test_would() -> None:
    check_markers([use("latency", 5), use("bzzz", seed=None, where="on class TestX")])
    with pytest.raises(SettingError, match=re.escape("on class TestX: clock: expected")):
        check_markers([use("latency", 5), use("bzzz", clock="wall", where="on class TestX")])
    with pytest.raises(SettingError, match="unknown argument 'jiter'"):
        check_markers([use("latency", 5, jiter=1)])


def test_a_marker_use_as_written() -> None:
    assert use("latency", 5, jitter="1ms").text == "@pytest.mark.latency(5, jitter='1ms') on test_x"
