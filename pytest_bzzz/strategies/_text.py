"""Valid addresses as text: ``ucxl_strings`` and every spelling the parser accepts.

Addresses are drawn as :mod:`._addresses` draws them and then written out,
canonically, in the design note's suffix form, or in any accepted spelling.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Final, Literal, TypeAlias, get_args

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from .._ucxl.address import MAX_LENGTH, WILDCARD, UCXLAddress
from .._ucxl.temporal import Temporal, TemporalKind
from ._addresses import _addresses, _draw_address, _Spec, _spec

Form: TypeAlias = Literal["canonical", "suffix", "any"]
_FORMS: Final = get_args(Form)

_OPTIONAL_SLASH: Final = st.sampled_from(("", "/"))
_WILDCARD_SPELLINGS: Final = st.sampled_from((WILDCARD, "*"))
_LATEST_SPELLINGS: Final = st.sampled_from(("*^", "#"))
_ZEROS: Final = st.integers(0, 3)
_ZONES: Final = st.sampled_from(("Z", "", "+", "-"))
_ZONE_MINUTES: Final = st.integers(0, 23 * 60 + 59)
_COUNTED_PREFIXES: Final = {"version": "*~", "back": "~~", "forward": "^^"}


def _head(components: list[str]) -> str:
    agent, role, project, task = components
    return f"ucxl://{agent}:{role}@{project}:{task}"


def _components(address: UCXLAddress) -> list[str]:
    return [address.agent, address.role, address.project, address.task]


def _spell_timestamp(draw: st.DrawFn, at: datetime) -> str:
    """Any way of writing the instant ``at`` (UTC): with or without a zone, any offset."""
    zone = draw(_ZONES)
    written, suffix = at, zone
    if zone in ("+", "-"):
        minutes = draw(_ZONE_MINUTES)
        try:
            written = at + timedelta(minutes=minutes if zone == "+" else -minutes)
        except OverflowError:  # the local time would fall outside years 0001-9999
            written, suffix = at, "Z"
        else:
            suffix = f"{zone}{minutes // 60:02d}:{minutes % 60:02d}"
    micro = at.microsecond
    needed = len(f"{micro:06d}".rstrip("0")) if micro else 0
    digits = draw(st.integers(needed, 6))
    fraction = f".{micro:06d}"[: digits + 1] if digits else ""
    return (
        f"{written.year:04d}-{written.month:02d}-{written.day:02d}"
        f"T{written.hour:02d}:{written.minute:02d}:{written.second:02d}{fraction}{suffix}"
    )


def _spell_token(draw: st.DrawFn, temporal: Temporal, *, after_task: bool) -> str:
    """Any spelling of ``temporal``; a bare timestamp only right after the task."""
    kind = temporal.kind
    if kind == "latest":
        return draw(_LATEST_SPELLINGS)
    if kind == "earliest":
        return "*~"
    if kind == "at":
        assert temporal.at is not None
        bare = after_task and draw(st.booleans())
        return ("" if bare else "*@") + _spell_timestamp(draw, temporal.at)
    prefix = _COUNTED_PREFIXES[kind]
    if temporal.n == 1 and kind != "version" and draw(st.booleans()):
        return prefix  # bare "~~" and "^^" mean 1 ("*~" alone is the earliest)
    return f"{prefix}{'0' * draw(_ZEROS)}{temporal.n}"


def _any_spelling(draw: st.DrawFn, address: UCXLAddress) -> str:
    components = [
        draw(_WILDCARD_SPELLINGS) if value == WILDCARD else value for value in _components(address)
    ]
    head = _head(components)
    temporal, path = address.temporal, address.path
    if temporal is None:
        tail = f"/{path}" if path else draw(_OPTIONAL_SLASH)
    elif draw(st.booleans()):  # the design note's suffix form
        token = _spell_token(draw, temporal, after_task=False)
        tail = f"/{path}{token}{draw(_OPTIONAL_SLASH)}"
    else:
        token = _spell_token(draw, temporal, after_task=True)
        tail = f"/{token}" + (f"/{path}" if path else draw(_OPTIONAL_SLASH))
    text = head + tail
    # Other spellings can be a few characters longer than the canonical form.
    return text if len(text) <= MAX_LENGTH else str(address)


def _suffix_spelling(draw: st.DrawFn, address: UCXLAddress) -> str:
    text = f"{_head(_components(address))}/{address.path}{address.temporal}"
    slash = draw(_OPTIONAL_SLASH)
    return text + slash if len(text) < MAX_LENGTH else text


@st.composite
def _strings(draw: st.DrawFn, spec: _Spec, form: Form) -> str:
    address = _draw_address(draw, spec)
    if form == "suffix":
        return _suffix_spelling(draw, address)
    return _any_spelling(draw, address)


def ucxl_strings(
    *,
    form: Form = "canonical",
    patterns: bool = False,
    temporal: bool | Collection[TemporalKind] = True,
    agents: SearchStrategy[str] | None = None,
    roles: SearchStrategy[str] | None = None,
    projects: SearchStrategy[str] | None = None,
    tasks: SearchStrategy[str] | None = None,
    paths: SearchStrategy[str] | None = None,
) -> SearchStrategy[str]:
    """Valid addresses as text, for testing code that reads or writes UCXL strings.

    ``form`` chooses how they are written:

    - ``"canonical"``: ``str(address)``, exactly the strings strict mode accepts;
    - ``"suffix"``: the design note's form, the temporal token at the end of
      the path (``.../decisions/api.md*^``), sometimes followed by ``/``. The
      token is needed there, so every address has one (``temporal=False`` is
      refused);
    - ``"any"``: every spelling the parser accepts: either form, ``#`` for
      latest, bare ``~~`` and ``^^``, numbers with leading zeros, timestamps
      bare (right after the task), with a fraction of any length, with or
      without ``Z`` or a zone offset, ``*`` or ``any`` for a wildcard, and a
      final ``/`` where one is dropped. Shrinks towards the canonical spelling.

    The other arguments are those of :func:`ucxl_addresses`.
    """
    if form not in _FORMS:
        raise InvalidArgument(
            f"form={form!r} is not a textual form; accepted: "
            + ", ".join(repr(name) for name in _FORMS)
        )
    if form == "suffix" and temporal is False:
        raise InvalidArgument(
            "form='suffix' writes the temporal token at the end of the path, so every "
            "address needs one; temporal=False contradicts it (use form='canonical', "
            "or give temporal=True or a collection of kinds)"
        )
    spec = _spec(
        "ucxl_strings",
        patterns=patterns,
        temporal=temporal,
        agents=agents,
        roles=roles,
        projects=projects,
        tasks=tasks,
        paths=paths,
        required_temporal=form == "suffix",
        shown={"form": form},
    )
    if form == "canonical":
        return _addresses(spec).map(str)
    return _strings(spec, form)
