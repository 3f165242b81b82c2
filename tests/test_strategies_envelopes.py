"""The envelopes() strategy: valid envelopes, fixed fields, refused arguments."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from pytest_bzzz import Envelope, UCXLAddress
from pytest_bzzz.strategies import envelopes

# -- envelopes() -------------------------------------------------------------------------


@given(envelopes())
def test_envelopes_are_valid_and_round_trip(envelope: Envelope) -> None:
    assert isinstance(envelope, Envelope)
    assert not envelope.base_address.is_pattern
    assert envelope.address.temporal is not None
    assert envelope.address.temporal.n == envelope.version
    assert Envelope.from_json(envelope.to_json()) == envelope


@given(
    envelopes(
        addresses=st.just(UCXLAddress.parse("ucxl://gpt4:architect@bzzz:v2/api.json")),
        contents=st.just(b"{}"),
        versions=st.just(3),
    )
)
def test_envelopes_fields_can_be_fixed(envelope: Envelope) -> None:
    assert str(envelope.address) == "ucxl://gpt4:architect@bzzz:v2/*~3/api.json"
    assert envelope.content == b"{}"


def test_envelopes_arguments_must_be_strategies() -> None:
    with pytest.raises(InvalidArgument, match=r"versions=3 is not a hypothesis strategy"):
        envelopes(versions=3)  # type: ignore[arg-type]


def test_envelopes_refuse_what_an_envelope_refuses() -> None:
    patterns = st.just(UCXLAddress.parse("ucxl://any:any@bzzz:v2/x"))

    @given(envelopes(addresses=patterns))
    def draw(envelope: Envelope) -> None:
        raise AssertionError("a pattern address must not make an envelope")

    with pytest.raises(InvalidArgument, match="Envelope refuses"):
        draw()
