"""The world clock as the Python API takes it: its mode in any case, times with a unit.

A wrong type is a ``TypeError`` that names the type, a wrong value a
``ValueError``; a time given to the clock is seconds (a number) or a string
with a unit, as the world's fault methods take it.
"""

from __future__ import annotations

import pytest

from pytest_bzzz import World


@pytest.mark.parametrize(("clock", "got"), [(1, "int 1"), (None, "NoneType None"),
                                            (b"real", "bytes b'real'")])  # fmt: skip
def test_a_clock_of_the_wrong_type_is_a_type_error_naming_it(clock: object, got: str) -> None:
    with pytest.raises(TypeError) as caught:
        World(seed=1, clock=clock)  # type: ignore[arg-type]
    assert str(caught.value) == f"clock must be a str, 'virtual' or 'real', got {got}"


def test_an_unknown_clock_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="wall") as caught:
        World(seed=1, clock="wall")  # type: ignore[arg-type]
    assert str(caught.value) == "clock must be 'virtual' or 'real' (in any case), got 'wall'"


@pytest.mark.parametrize(("clock", "mode"), [("REAL", "real"), ("Virtual", "virtual"),
                                             ("real", "real")])  # fmt: skip
def test_the_clock_is_read_in_any_case_as_on_the_command_line(clock: str, mode: str) -> None:
    with World(seed=1, clock=clock) as world:  # type: ignore[arg-type]
        assert world.clock.mode == mode


def test_advance_and_advance_to_take_a_string_with_a_unit() -> None:
    with World(seed=1) as world:
        world.clock.advance("1.5s")
        assert world.clock.now() == 1.5
        world.clock.advance("250ms")
        assert world.clock.now() == 1.75
        world.clock.advance_to("5s")
        assert world.clock.now() == 5.0
        world.clock.sleep("1min")
        assert world.clock.now() == 65.0
        assert world.clock.spend("1s") == 65.0
        assert world.clock.now() == 66.0


@pytest.mark.parametrize(
    ("call", "value", "error", "message"),
    [
        ("advance", [1], TypeError, "advance(seconds) must be seconds (a number) or a string "
         "with a unit ('250ms', '1.5s'), got list [1]"),
        ("advance", None, TypeError, "advance(seconds) must be seconds (a number) or a string "
         "with a unit ('250ms', '1.5s'), got NoneType None"),
        ("advance", "1", ValueError, "advance(seconds) must be seconds (a number) or a string "
         "with a unit ('250ms', '1.5s'), got '1'"),
        ("advance", "-1s", ValueError, "advance(seconds) must be 0 or more, got '-1s'"),
        ("advance", -1, ValueError, "the clock only moves forward; cannot advance by -1"),
        ("advance_to", "soon", ValueError, "advance_to(instant) must be seconds (a number) or a "
         "string with a unit ('250ms', '1.5s'), got 'soon'"),
        ("advance_to", object, TypeError, "advance_to(instant) must be seconds (a number) or a "
         "string with a unit ('250ms', '1.5s'), got type <class 'object'>"),
        ("sleep", [], TypeError, "sleep(seconds) must be seconds (a number) or a string with a "
         "unit ('250ms', '1.5s'), got list []"),
    ],
)  # fmt: skip
def test_a_time_the_clock_cannot_read_is_refused_with_the_plugins_message(
    call: str, value: object, error: type[Exception], message: str
) -> None:
    with World(seed=1) as world:
        with pytest.raises(error) as caught:
            getattr(world.clock, call)(value)
        assert str(caught.value) == message
        assert world.clock.now() == 0.0
