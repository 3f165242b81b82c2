"""An independent model of the UCXL grammar for the test suite.

Strategies here build addresses as fields, then write them out in every
spelling the reference grammar allows, together with the canonical text the
reference says they must read back as. The package is checked against this
model, so nothing here calls the package's parser or formatter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import assume
from hypothesis import strategies as st

COMPONENT_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
SEGMENT_CHARS = COMPONENT_CHARS + ".*"
MAX_NUMBER = 2**63 - 1


@dataclass(frozen=True)
class Written:
    """One address as fields, one way of writing it, and its canonical text."""

    agent: str
    role: str
    project: str
    task: str
    path: str
    token: str | None  # canonical token, or None
    text: str
    canonical: str


WILDCARD = "any"
# The wildcard and names that look like it. Only lower-case "any" is the
# wildcard; it is offered here on purpose, so that the filter below always has
# it to keep out (Hypothesis also draws it now and then from the string
# constants of the code under test).
LOOKALIKES = ("any", "Any", "ANY", "aNy", "anyx", "xany", "any-", "_any")


def is_concrete(value: str) -> bool:
    """True when ``value``, a valid component, names something rather than matching anything."""
    return value != WILDCARD


def concrete_components() -> st.SearchStrategy[str]:
    """Component names, look-alikes of the wildcard included, but never the wildcard."""
    names = st.text(COMPONENT_CHARS, min_size=1, max_size=12)
    return st.one_of(names, st.sampled_from(LOOKALIKES)).filter(is_concrete)


def components(*, wildcards: bool = True) -> st.SearchStrategy[tuple[str, str]]:
    """(written, canonical) pairs for one component; concrete unless ``wildcards``."""
    literal = concrete_components().map(lambda v: (v, v))
    if not wildcards:
        return literal
    return st.one_of(literal, st.sampled_from([(WILDCARD, WILDCARD), ("*", WILDCARD)]))


def segments() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(SEGMENT_CHARS, min_size=1, max_size=10).filter(lambda s: s not in (".", "..")),
        st.sampled_from(["**", "*", "*.md", "src", "main.rs", ".hidden", "a.b.c"]),
    )


@st.composite
def paths(draw: st.DrawFn, *, globs: bool = True) -> str:
    parts = draw(st.lists(segments(), max_size=5))
    if not globs:
        parts = [p.replace("*", "x") for p in parts]
    if not parts:
        return ""
    return "/".join(parts) + draw(st.sampled_from(["", "/"]))


@st.composite
def timestamps(draw: st.DrawFn) -> tuple[str, str]:
    """(written, canonical) forms of one timestamp; written as a bare timestamp."""
    instant = draw(
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
    ).replace(tzinfo=UTC)
    zone = draw(st.sampled_from(["", "Z", "offset"]))
    offset = timedelta(0)
    suffix = zone
    if zone == "offset":
        hours = draw(st.integers(0, 23))
        minutes = draw(st.integers(0, 59))
        sign = draw(st.sampled_from([1, -1]))
        offset = sign * timedelta(hours=hours, minutes=minutes)
        suffix = f"{'+' if sign > 0 else '-'}{hours:02d}:{minutes:02d}"
    digits = draw(st.integers(0, 6))
    micro = instant.microsecond - instant.microsecond % 10 ** (6 - digits)
    instant = instant.replace(microsecond=micro)
    try:
        local = instant + offset
    except OverflowError:
        assume(False)
        raise
    fraction = f".{micro:06d}"[: digits + 1] if digits else ""
    written = (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d}"
        f"T{local.hour:02d}:{local.minute:02d}:{local.second:02d}{fraction}{suffix}"
    )
    canonical_fraction = f".{instant.microsecond:06d}".rstrip("0") if instant.microsecond else ""
    canonical = (
        f"{instant.year:04d}-{instant.month:02d}-{instant.day:02d}"
        f"T{instant.hour:02d}:{instant.minute:02d}:{instant.second:02d}{canonical_fraction}Z"
    )
    return written, canonical


@st.composite
def tokens(draw: st.DrawFn, *, bare: bool) -> tuple[str, str]:
    """(written, canonical) forms of one temporal token."""
    number = st.integers(0, MAX_NUMBER)
    kind = draw(
        st.sampled_from(["latest", "present", "earliest", "version", "back", "forward", "at"])
    )
    if kind == "latest":
        return "*^", "*^"
    if kind == "present":
        return "#", "*^"
    if kind == "earliest":
        return "*~", "*~"
    if kind in ("version", "back", "forward"):
        prefix = {"version": "*~", "back": "~~", "forward": "^^"}[kind]
        if kind != "version" and draw(st.booleans()):
            return prefix, f"{prefix}1"
        n = draw(number)
        zeros = "0" * draw(st.integers(0, 3))
        return f"{prefix}{zeros}{n}", f"{prefix}{n}"
    written, canonical = draw(timestamps())
    if bare and draw(st.booleans()):
        return written, f"*@{canonical}"
    return f"*@{written}", f"*@{canonical}"


@st.composite
def written_addresses(draw: st.DrawFn, *, wildcards: bool = True, globs: bool = True) -> Written:
    """Any valid address, written in any form the grammar accepts."""
    (a, ca), (r, cr), (p, cp), (t, ct) = (draw(components(wildcards=wildcards)) for _ in range(4))
    head = f"ucxl://{a}:{r}@{p}:{t}"
    canonical_head = f"ucxl://{ca}:{cr}@{cp}:{ct}"
    path = draw(paths(globs=globs))
    form = draw(st.sampled_from(["none", "canonical", "suffix"]))
    token: tuple[str, str] | None = None
    if form == "none":
        tail = f"/{path}" if path else draw(st.sampled_from(["", "/"]))
    elif form == "canonical":
        token = draw(tokens(bare=True))
        after = f"/{path}" if path else draw(st.sampled_from(["", "/"]))
        tail = f"/{token[0]}{after}"
    else:
        token = draw(tokens(bare=False))
        tail = f"/{path}{token[0]}" + draw(st.sampled_from(["", "/"]))
    canonical = canonical_head
    if token is not None:
        canonical += f"/{token[1]}"
    if path:
        canonical += f"/{path}"
    text = head + tail
    assume(len(text) <= 4096 and len(canonical) <= 4096)
    return Written(ca, cr, cp, ct, path, token[1] if token else None, text, canonical)
