"""Hypothesis strategies for UCXL addresses, their text, temporal selectors and network conditions.

Import this module yourself (``from pytest_bzzz import strategies``): neither
the package nor its pytest plugin imports it, so a test run that never uses
hypothesis never loads hypothesis. ``st.from_type(UCXLAddress)``,
``st.from_type(Temporal)`` and ``st.from_type(NetworkConditions)`` work without
importing it, through the ``hypothesis`` entry point (``_hypothesis_hook``).

Design choices:

- Values are built from their parts and then written out, never generated as
  text and filtered through the parser: generation is fast, and every spelling
  is valid by construction (the test suite checks it, draw by draw, against
  the parser).
- Every choice lists its simplest option first (no temporal segment, no path,
  the canonical spelling, the first kind), and characters are drawn so that
  they shrink to ``a``, so a failing example shrinks to ``ucxl://a:a@a:a``.
- About one draw in sixteen is *long*: its components are repeated up to
  512 characters and its path is stretched, often to exactly the 4096-character
  limit, because length limits are where other people's code breaks.
- Arguments follow hypothesis's house style: keyword-only, validated at once
  with :class:`~hypothesis.errors.InvalidArgument`, and "what to draw" is always
  a strategy (wrap a fixed value in ``st.just``), never a value-or-strategy.
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, TypeAlias, get_args

from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from .._kernel.conditions import OPERATIONS, Distribution, NetworkConditions
from .._ucxl.address import MAX_LENGTH, WILDCARD, UCXLAddress, _component_fault
from .._ucxl.envelope import VERSION_ROOM, Envelope
from .._ucxl.errors import InvalidFragment
from .._ucxl.path import check_path
from .._ucxl.temporal import MAX_NUMBER, Temporal, TemporalKind

__all__ = [
    "envelopes",
    "invalid_ucxl_strings",
    "network_conditions",
    "temporal_selectors",
    "ucxl_addresses",
    "ucxl_patterns",
    "ucxl_strings",
]

Form: TypeAlias = Literal["canonical", "suffix", "any"]
_FORMS: Final = get_args(Form)
_KINDS: Final[tuple[TemporalKind, ...]] = get_args(TemporalKind)  # simplest first
_COMPONENT_NAMES: Final = ("agent", "role", "project", "task")
_COMPONENT_ARGUMENTS: Final = ("agents", "roles", "projects", "tasks")
_PATH_SLOT: Final = 4

# -- Characters ----------------------------------------------------------------
# Each alphabet is written in the order we want shrinking to prefer.
_COMPONENT_ALPHABET: Final = string.ascii_lowercase + string.ascii_uppercase + string.digits + "-_"
_SEGMENT_ALPHABET: Final = _COMPONENT_ALPHABET + "."


def _hypothesis_shrink_rank(char: str) -> tuple[int, int]:
    """Where hypothesis's text strategy puts ``char`` when shrinking: ``'0'``-``'Z'``
    first, then lower code points downwards, then higher ones upwards."""
    code = ord(char)
    if ord("0") <= code <= ord("Z"):
        return (0, code)
    if code < ord("0"):
        return (1, -code)
    return (2, code)


def _shrink_table(alphabet: str) -> dict[int, int]:
    """A ``str.translate`` table from hypothesis's shrink order of ``alphabet`` onto ours.

    hypothesis shrinks characters towards ``'0'``; translating its order onto
    the order ``alphabet`` is written in makes the simplest component ``a``
    rather than ``0``, and leaves the set of values drawn unchanged.
    """
    return str.maketrans("".join(sorted(alphabet, key=_hypothesis_shrink_rank)), alphabet)


def _coin(one_in: int) -> SearchStrategy[bool]:
    """True about once in ``one_in`` draws; shrinks to False."""
    return st.sampled_from((False,) * (one_in - 1) + (True,))


# -- Parts ---------------------------------------------------------------------
# Parts are drawn as raw text and finished by plain functions inside the
# address draw, rather than through .map(), .filter() and st.builds(): each
# strategy layer costs a nested draw, and an address is made of many parts.
# Fewer draws make generation, shrinking and hypothesis's explain phase faster.
_SHORT_COMPONENT: Final = 20
_SHORT_SEGMENT: Final = 16
_SHORT_SEGMENTS: Final = 6
_LONG_COMPONENT: Final = 512
_LONG_DRAWS: Final = _coin(16)
_OVERSHOOT: Final = 2**16

_COMPONENT_TABLE: Final = _shrink_table(_COMPONENT_ALPHABET)
_SEGMENT_TABLE: Final = _shrink_table(_SEGMENT_ALPHABET)
_RAW_COMPONENTS: Final = st.text(_COMPONENT_ALPHABET, min_size=1, max_size=_SHORT_COMPONENT)
_RAW_SEGMENTS: Final = st.text(_SEGMENT_ALPHABET, min_size=1, max_size=_SHORT_SEGMENT)
# With patterns allowed, a component is drawn as usual and then, one time in
# four, replaced by the wildcard: the concrete value stays among the choices
# made, so shrinking the wildcard away takes one step.
_WILDCARD_COIN: Final = _coin(4)

# A segment of a pattern's path is raw text and a shape: 0-14 leave it plain,
# 15-19 make it a glob ("*", "**", or a "*" at its end, start or middle:
# "model-*", "*.md", "a*b"), so one segment in four is a glob.
_PLAIN_SHAPES: Final = 15
_SHAPED_SEGMENTS: Final = st.tuples(_RAW_SEGMENTS, st.integers(0, _PLAIN_SHAPES + 4))
_GLOB_SEGMENTS: Final = st.tuples(_RAW_SEGMENTS, st.integers(_PLAIN_SHAPES, _PLAIN_SHAPES + 4))
_SEGMENT_LISTS: Final = st.lists(_RAW_SEGMENTS, max_size=_SHORT_SEGMENTS)
_SHAPED_SEGMENT_LISTS: Final = st.lists(_SHAPED_SEGMENTS, max_size=_SHORT_SEGMENTS)
_SHAPED_SEGMENT_LISTS_BUT_ONE: Final = st.lists(_SHAPED_SEGMENTS, max_size=_SHORT_SEGMENTS - 1)
_TRAILING_SLASHES: Final = st.booleans()


def _component(raw: str) -> str:
    value = raw.translate(_COMPONENT_TABLE)
    # "any" is the wildcard, so a concrete component cannot be it.
    return "ANY" if value == WILDCARD else value


def _segment(raw: str, shape: int = 0) -> str:
    segment = raw.translate(_SEGMENT_TABLE)
    if segment in (".", ".."):
        segment = segment.replace(".", "_")  # '.' and '..' are not allowed as segments
    if shape < _PLAIN_SHAPES:
        return segment
    glob = shape - _PLAIN_SHAPES
    if glob == 0:
        return "*"
    if glob == 1:
        return "**"
    if glob == 2:
        return segment + "*"
    if glob == 3:
        return "*" + segment
    middle = len(segment) // 2
    return segment[:middle] + "*" + segment[middle:]


_CONCRETE_SEGMENTS: Final = _RAW_SEGMENTS.map(_segment)


def _join_path(segments: list[str], trailing: bool) -> str:
    if not segments:
        return ""
    return "/".join(segments) + ("/" if trailing else "")


def _draw_component(draw: st.DrawFn, *, patterns: bool, long: bool) -> str:
    value = _component(draw(_RAW_COMPONENTS))
    wildcard = patterns and draw(_WILDCARD_COIN)
    # Always drawn, used only by long draws (see _draw_address).
    repeat = draw(st.integers(1, max(1, _LONG_COMPONENT // len(value))))
    if wildcard:
        return WILDCARD
    return value * repeat if long else value


def _draw_path(draw: st.DrawFn, *, patterns: bool, glob: bool = False) -> str:
    """A path; with ``glob``, one that holds at least one glob."""
    if glob:
        segments = [_segment(*item) for item in draw(_SHAPED_SEGMENT_LISTS_BUT_ONE)]
        segments.insert(draw(st.integers(0, len(segments))), _segment(*draw(_GLOB_SEGMENTS)))
    elif patterns:
        segments = [_segment(*item) for item in draw(_SHAPED_SEGMENT_LISTS)]
    else:
        segments = [_segment(raw) for raw in draw(_SEGMENT_LISTS)]
    return _join_path(segments, draw(_TRAILING_SLASHES))


def _stretch_path(path: str, target: int) -> str:
    """Repeat the segments of the non-empty ``path`` to ``target`` characters (or cut it).

    The trailing ``/``, if any, is kept; a segment cut down to ``.`` or
    ``..`` is dropped with its ``/``, so the result may be up to three
    characters short.
    """
    trailing = path.endswith("/")
    segments = path.removesuffix("/").split("/")
    parts: list[str] = []
    length = -1  # the first segment has no "/" before it
    room = target - trailing
    while room >= 1:
        segment = segments[len(parts) % len(segments)]
        if len(segment) >= room:
            segment = segment[:room]
            if segment not in (".", ".."):
                parts.append(segment)
            break
        parts.append(segment)
        length += len(segment) + 1
        room = target - length - 1 - trailing
    return _join_path(parts, trailing)


# -- Temporal selectors --------------------------------------------------------
_MIN_INSTANT: Final = datetime(1, 1, 1)
_MAX_INSTANT: Final = datetime(9999, 12, 31, 23, 59, 59, 999_999)
_ANY_INSTANTS: Final = st.datetimes(_MIN_INSTANT, _MAX_INSTANT, timezones=st.just(UTC))
# Half are whole seconds, as most real timestamps are (and as they read canonically).
_INSTANTS: Final = st.one_of(_ANY_INSTANTS.map(lambda at: at.replace(microsecond=0)), _ANY_INSTANTS)
# Half the numbers are small, so that they fall inside the histories tests build.
_NUMBERS: Final = st.one_of(st.integers(0, 4), st.integers(0, MAX_NUMBER))


def _kind_selectors(kind: TemporalKind) -> SearchStrategy[Temporal]:
    if kind in ("latest", "earliest"):
        return st.just(Temporal(kind))
    if kind == "at":
        return _INSTANTS.map(lambda at: Temporal("at", at=at))
    return _NUMBERS.map(lambda n: Temporal(kind, n))


_SELECTORS: Final = {kind: _kind_selectors(kind) for kind in _KINDS}
_ANY_SELECTORS: Final = st.one_of(list(_SELECTORS.values()))


def _check_kinds(argument: str, value: object) -> tuple[TemporalKind, ...]:
    """Validate a collection of temporal kind names; return them, simplest first."""
    accepted = ", ".join(repr(kind) for kind in _KINDS)
    if isinstance(value, str):
        raise InvalidArgument(
            f"{argument}={value!r} is a str; give a collection of kind names, "
            f"such as {{{value!r}}}, from {accepted}"
        )
    if not isinstance(value, Collection):
        raise InvalidArgument(
            f"{argument}={value!r} is not a collection of temporal kind names; "
            f"give names from {accepted}"
        )
    names = list(value)
    for name in names:
        if name not in _KINDS:
            raise InvalidArgument(
                f"{argument}={value!r} holds {name!r}, which is not a temporal kind; "
                f"accepted kinds: {accepted}"
            )
    if not names:
        raise InvalidArgument(
            f"{argument}={value!r} is empty, so no selector could be drawn; give at least one "
            f"kind from {accepted}"
            + (" (or temporal=False for addresses without one)" if argument == "temporal" else "")
        )
    return tuple(kind for kind in _KINDS if kind in names)


def temporal_selectors(
    *, kinds: Collection[TemporalKind] | None = None
) -> SearchStrategy[Temporal]:
    """Temporal selectors of the given ``kinds`` (default: every kind).

    ``kinds`` is a collection of kind names: ``"latest"``, ``"earliest"``,
    ``"version"``, ``"back"``, ``"forward"`` and ``"at"``. Numbers run from 0
    (so ``*~0``, which parses but never resolves, is drawn too) to the largest
    allowed, and half of them are at most 4, to fall inside the short version
    histories tests build; instants cover years 0001 to 9999 to the
    microsecond. Shrinks towards ``*^``, then small numbers and 2000-01-01.

    >>> temporal_selectors(kinds={"back", "forward"}).example().kind in {"back", "forward"}
    True
    """
    chosen = _KINDS if kinds is None else _check_kinds("kinds", kinds)
    return st.one_of([_SELECTORS[kind] for kind in chosen])


# -- Addresses -----------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _Spec:
    """What the address draw needs, resolved from a public function's arguments.

    A part's strategy is None where the user gave none and ours is used.
    Its repr is the public call it came from, which is what hypothesis shows
    in its messages about the strategy.
    """

    call: str
    components: tuple[SearchStrategy[Any] | None, ...]
    paths: SearchStrategy[Any] | None
    temporals: SearchStrategy[Temporal | None]
    patterns: bool
    forced: tuple[int, ...] = ()  # slots one of which is made a wildcard (ucxl_patterns)
    long: bool = True

    def __repr__(self) -> str:
        return self.call

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # hypothesis pretty-prints strategy arguments this way

    @property
    def free(self) -> tuple[int, ...]:
        """The slots (agent, role, project, task, path) the user gave no strategy for."""
        parts = (*self.components, self.paths)
        return tuple(slot for slot, strategy in enumerate(parts) if strategy is None)


def _check_bool(argument: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{argument} must be True or False, got {value!r}")
    return value


def _check_strategy(argument: str, value: object, what: str) -> SearchStrategy[Any] | None:
    if value is None or isinstance(value, SearchStrategy):
        return value
    hint = (
        f"; to fix the value, pass {argument}=st.just({value!r})" if isinstance(value, str) else ""
    )
    raise InvalidArgument(
        f"{argument}={value!r} is not a hypothesis strategy: {argument}= takes a strategy "
        f"that draws {what}, or None for the default{hint}"
    )


def _temporals(temporal: object, *, required: bool = False) -> SearchStrategy[Temporal | None]:
    if temporal is True:
        selectors = temporal_selectors()
        return selectors if required else st.one_of(st.none(), selectors)
    if temporal is False:
        return st.none()
    return temporal_selectors(kinds=_check_kinds("temporal", temporal))


_DEFAULTS: Final[dict[str, object]] = {"form": "canonical", "patterns": False, "temporal": True}


def _describe(function: str, arguments: dict[str, object]) -> str:
    """The call ``function(**arguments)``, leaving out arguments at their defaults."""
    shown = ", ".join(
        f"{name}={value!r}"
        for name, value in arguments.items()
        if value is not None
        and not (type(value) is type(_DEFAULTS.get(name)) and value == _DEFAULTS.get(name))
    )
    return f"{function}({shown})"


def _spec(
    function: str,
    *,
    patterns: object,
    temporal: object,
    agents: object,
    roles: object,
    projects: object,
    tasks: object,
    paths: object,
    required_temporal: bool = False,
    shown: dict[str, object] | None = None,
) -> _Spec:
    """Validate the arguments common to the address strategies; ``shown`` adds to the repr."""
    arguments = {"patterns": patterns, "temporal": temporal, "agents": agents, "roles": roles}
    arguments |= {"projects": projects, "tasks": tasks, "paths": paths, **(shown or {})}
    if function == "ucxl_patterns":
        del arguments["patterns"]  # not an argument of ucxl_patterns
    patterns = _check_bool("patterns", patterns)
    components = tuple(
        _check_strategy(argument, value, "str components")
        for argument, value in zip(
            _COMPONENT_ARGUMENTS, (agents, roles, projects, tasks), strict=True
        )
    )
    return _Spec(
        call=_describe(function, arguments),
        components=components,
        paths=_check_strategy("paths", paths, "str paths"),
        temporals=_temporals(temporal, required=required_temporal),
        patterns=patterns,
    )


def _drawn_component(argument: str, value: object, patterns: bool) -> str:
    """Check a component drawn from the user's strategy."""
    if not isinstance(value, str):
        raise InvalidArgument(
            f"{argument}= drew {value!r}, a {type(value).__name__}; it must draw str components"
        )
    fault = _component_fault(value)
    if fault is not None:
        raise InvalidArgument(f"{argument}= drew {value!r}, which is not a UCXL component: {fault}")
    if not patterns and value in (WILDCARD, "*"):
        raise InvalidArgument(
            f"{argument}= drew the wildcard {value!r}, but these addresses must be concrete; "
            "pass patterns=True to allow wildcards and globs"
        )
    return WILDCARD if value == "*" else value  # as the address will hold it


def _drawn_path(value: object, patterns: bool) -> str:
    """Check a path drawn from the user's strategy."""
    if not isinstance(value, str):
        raise InvalidArgument(f"paths= drew {value!r}, a {type(value).__name__}; it must draw str")
    if value:
        try:
            check_path(value, 0, len(value))
        except InvalidFragment as bad:
            raise InvalidArgument(
                f"paths= drew {value!r}, which is not a UCXL path: {bad.reason} "
                "(a path has no leading '/', e.g. 'docs/notes.md')"
            ) from None
    if not patterns and "*" in value:
        raise InvalidArgument(
            f"paths= drew the glob {value!r}, but these addresses must be concrete; "
            "pass patterns=True to allow wildcards and globs"
        )
    return value


def _draw_address(draw: st.DrawFn, spec: _Spec) -> UCXLAddress:
    # The choices that make a draw long are made for every draw, long or not,
    # and always in the same places: shrinking one choice (the long flag, a
    # wildcard) then never shifts the choices after it, which would stall
    # the shrinker on a needlessly long or complex example.
    forced = draw(st.sampled_from(spec.forced)) if spec.forced else -1
    long = spec.long and draw(_LONG_DRAWS)
    values: list[str] = []
    for slot, strategy in enumerate(spec.components):
        if slot == forced:
            values.append(WILDCARD)
        elif strategy is None:
            values.append(_draw_component(draw, patterns=spec.patterns, long=long))
        else:
            values.append(
                _drawn_component(_COMPONENT_ARGUMENTS[slot], draw(strategy), spec.patterns)
            )
    temporal = draw(spec.temporals)
    used = len("ucxl://:@:") + sum(map(len, values))
    if temporal is not None:
        used += 1 + len(str(temporal))
    budget = MAX_LENGTH - used - 1  # characters left for the path after its "/"
    if spec.paths is not None:
        path = _drawn_path(draw(spec.paths), spec.patterns)
    else:
        path = _draw_path(draw, patterns=spec.patterns, glob=forced == _PATH_SLOT)
        if path and len(path) < budget:
            # One choice, grow: the path grows by that many characters, up to
            # the limit. Its range runs far past the room left, so that about
            # half the long draws fill the address to exactly 4096 characters;
            # the length never falls as grow rises, so shrinking it shortens
            # the path (a separate "to the limit" flag could stall shrinking).
            grow = draw(st.integers(0, budget - len(path) + _OVERSHOOT))
            if long:
                path = _stretch_path(path, min(budget, len(path) + grow))
        elif len(path) > budget:
            path = _stretch_path(path, budget)
    if len(path) > budget or (forced == _PATH_SLOT and "*" not in path):
        reject()  # it cannot fit: only the user's strategies draw parts this long
    return UCXLAddress(*values, temporal=temporal, path=path)


@st.composite
def _addresses(draw: st.DrawFn, spec: _Spec) -> UCXLAddress:
    return _draw_address(draw, spec)


def ucxl_addresses(
    *,
    patterns: bool = False,
    temporal: bool | Collection[TemporalKind] = True,
    agents: SearchStrategy[str] | None = None,
    roles: SearchStrategy[str] | None = None,
    projects: SearchStrategy[str] | None = None,
    tasks: SearchStrategy[str] | None = None,
    paths: SearchStrategy[str] | None = None,
) -> SearchStrategy[UCXLAddress]:
    """Valid UCXL addresses: concrete ones by default, patterns too with ``patterns=True``.

    ``patterns=True`` lets a wildcard (``any``) appear in any component and
    globs (``*`` inside a segment, ``**`` as a segment) in the path; use
    :func:`ucxl_patterns` when every address must be a pattern.

    ``temporal`` chooses the temporal segment: ``True`` (the default) draws
    any kind or none, ``False`` never draws one, and a collection of kind
    names (``{"latest", "version"}``) always draws one of those kinds.

    ``agents``, ``roles``, ``projects``, ``tasks`` and ``paths`` replace the
    strategy for that part (``agents=st.sampled_from(["gpt4", "claude"])``;
    ``paths=st.just("")`` for no path). Their draws are checked: an invalid
    component or path, or a wildcard or glob while ``patterns=False``, raises
    :class:`~hypothesis.errors.InvalidArgument`.

    Shrinks towards ``ucxl://a:a@a:a``.
    """
    return _addresses(
        _spec(
            "ucxl_addresses",
            patterns=patterns,
            temporal=temporal,
            agents=agents,
            roles=roles,
            projects=projects,
            tasks=tasks,
            paths=paths,
        )
    )


def ucxl_patterns(
    *,
    temporal: bool | Collection[TemporalKind] = True,
    agents: SearchStrategy[str] | None = None,
    roles: SearchStrategy[str] | None = None,
    projects: SearchStrategy[str] | None = None,
    tasks: SearchStrategy[str] | None = None,
    paths: SearchStrategy[str] | None = None,
) -> SearchStrategy[UCXLAddress]:
    """Search patterns: valid addresses that each hold a wildcard or a glob (``is_pattern``).

    Arguments are those of :func:`ucxl_addresses`. The wildcard or glob that
    makes each draw a pattern goes into a part you did not give a strategy
    for; if you gave strategies for all five parts, they must sometimes draw
    a wildcard or a glob themselves, since draws that hold none are discarded.

    Shrinks towards ``ucxl://any:a@a:a``.
    """
    spec = _spec(
        "ucxl_patterns",
        patterns=True,
        temporal=temporal,
        agents=agents,
        roles=roles,
        projects=projects,
        tasks=tasks,
        paths=paths,
    )
    if not spec.free:
        return _addresses(spec).filter(lambda address: address.is_pattern)
    return _addresses(dataclasses.replace(spec, forced=spec.free))


# -- Text ----------------------------------------------------------------------
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


# -- Near-misses ---------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _Invalid:
    """One invalid string, the reason it is invalid, and the fields a parser may blame."""

    reason: str
    text: str
    fields: frozenset[str]


@dataclasses.dataclass
class _Parts:
    """A valid address taken apart, to be broken in one place."""

    components: list[str]
    token: str | None
    segments: list[str]
    trailing: bool

    def text(self, scheme: str = "ucxl://") -> str:
        agent, role, project, task = self.components
        text = f"{scheme}{agent}:{role}@{project}:{task}"
        if self.token is not None:
            text += f"/{self.token}"
        if self.segments:
            text += "/" + _join_path(self.segments, self.trailing)
        return text


_Breaker: TypeAlias = Callable[[st.DrawFn, _Parts], tuple[str, frozenset[str]]]
_BREAKERS: dict[str, _Breaker] = {}

_BAD_SCHEMES: Final = (
    *("", "ucxl:/", "ucxl:", "ucxl//", "ucxl:\\\\", "ucx://", "ucxll://", "http://"),
    *("ucxl ://", "ucxl:/ /"),
)
_TIMESTAMP_FAULTS: Final = (
    *("month", "day", "hour", "minute", "second", "year", "zone hours", "zone minutes"),
    *("before year 1", "after year 9999", "shape"),
)
_BAD_COMPONENT_CHARS: Final = " .!%+=$&'(,;?\\\t\u00e9\u00df\u0661\u00a0"
_BAD_PATH_CHARS: Final = " !%+=$&'(,;?\\\t\u00e9\u00df\u0661\u00a0\"<>|"
_BAD_NUMBERS: Final = ("-1", "+1", "x", "1.5", " 1", "1e3", "0x1", "\u0661", "1_000", "\u00bd")
# Not "*~~" or "*#": after an empty path those read as the glob "*" and a token.
_BAD_TOKENS: Final = ("^", "~", "^~", "~^", "##", "*@", "*^^^", "^^^^", "~~~")
_WHITESPACE: Final = (" ", "\t", "\n", "\r", "\u00a0", "\u2028")
_PATH: Final = frozenset({"path"})
_TEMPORAL: Final = frozenset({"temporal"})


def _breaker(reason: str) -> Callable[[_Breaker], _Breaker]:
    def register(function: _Breaker) -> _Breaker:
        _BREAKERS[reason] = function
        return function

    return register


def _draw_slot(draw: st.DrawFn) -> int:
    return draw(st.integers(0, 3))


def _insert(draw: st.DrawFn, value: str, insertion: str) -> str:
    at = draw(st.integers(0, len(value)))
    return value[:at] + insertion + value[at:]


@_breaker("scheme in upper case")
def _upper_scheme(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    upper = draw(st.sets(st.integers(0, 3), min_size=1))
    scheme = "".join(c.upper() if i in upper else c for i, c in enumerate("ucxl")) + "://"
    return parts.text(scheme), frozenset({"scheme"})


@_breaker("scheme missing or misspelled")
def _bad_scheme(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    return parts.text(draw(st.sampled_from(_BAD_SCHEMES))), frozenset({"scheme"})


@_breaker("a separator missing")
def _missing_separator(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    text = parts.text()
    which = draw(st.integers(0, 2))  # the ':' after the agent, the '@', the ':' before the task
    at = len("ucxl://") + sum(len(value) + 1 for value in parts.components[: which + 1]) - 1
    # The parser blames the component that should have followed the separator.
    return text[:at] + text[at + 1 :], frozenset({_COMPONENT_NAMES[which + 1]})


@_breaker("an empty component")
def _empty_component(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    slot = _draw_slot(draw)
    parts.components[slot] = ""
    return parts.text(), frozenset({_COMPONENT_NAMES[slot]})


@_breaker("a character not allowed in a component")
def _bad_component_char(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    slot = _draw_slot(draw)
    bad = draw(st.sampled_from(_BAD_COMPONENT_CHARS))
    parts.components[slot] = _insert(draw, parts.components[slot], bad)
    return parts.text(), frozenset({_COMPONENT_NAMES[slot]})


@_breaker("a wildcard that is not the whole component")
def _partial_wildcard(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    slot = _draw_slot(draw)
    parts.components[slot] = _insert(draw, parts.components[slot], "*")
    return parts.text(), frozenset({_COMPONENT_NAMES[slot]})


@_breaker("a '.' or '..' segment")
def _dot_segment(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    at = draw(st.integers(0, len(parts.segments)))
    parts.segments.insert(at, draw(st.sampled_from(("..", "."))))
    return parts.text(), _PATH


@_breaker("an empty segment")
def _empty_segment(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    if not parts.segments:
        return parts.text() + "//", _PATH
    # An empty segment before a real one ('a//b', '//a'); one at the end would
    # read as a trailing '/', which is valid.
    parts.segments.insert(draw(st.integers(0, len(parts.segments) - 1)), "")
    return parts.text(), _PATH


@_breaker("a character not allowed in a path")
def _bad_path_char(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    bad = draw(st.sampled_from(_BAD_PATH_CHARS))
    if not parts.segments:
        parts.segments = [bad]
    else:
        at = draw(st.integers(0, len(parts.segments) - 1))
        parts.segments[at] = _insert(draw, parts.segments[at], bad)
    return parts.text(), _PATH


@_breaker("a temporal number that is not a number")
def _bad_number(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    prefix = draw(st.sampled_from(tuple(_COUNTED_PREFIXES.values())))
    parts.token = prefix + draw(st.sampled_from(_BAD_NUMBERS))
    return parts.text(), _TEMPORAL


@_breaker("a temporal number too large")
def _large_number(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    prefix = draw(st.sampled_from(tuple(_COUNTED_PREFIXES.values())))
    parts.token = f"{prefix}{MAX_NUMBER + draw(st.integers(1, 10**30))}"
    return parts.text(), _TEMPORAL


@st.composite
def _bad_timestamps(draw: st.DrawFn) -> tuple[str, str]:
    """(fault, token): a timestamp token with one field out of range, or of the wrong shape."""
    year, month, day = (
        draw(st.integers(1, 9999)),
        draw(st.integers(1, 12)),
        draw(st.integers(1, 28)),
    )
    hour, minute, second = (
        draw(st.integers(0, 23)),
        draw(st.integers(0, 59)),
        draw(st.integers(0, 59)),
    )
    zone = draw(st.sampled_from(("", "Z", "+01:30")))
    fault = draw(st.sampled_from(_TIMESTAMP_FAULTS))
    if fault == "month":
        month = draw(st.sampled_from((0, *range(13, 100))))
    elif fault == "day":
        last = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
        if month == 2 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
            last = 28
        day = draw(st.sampled_from((0, *range(last + 1, 100))))
    elif fault == "hour":
        hour = draw(st.integers(24, 99))
    elif fault == "minute":
        minute = draw(st.integers(60, 99))
    elif fault == "second":
        second = draw(st.integers(60, 99))
    elif fault == "year":
        year = 0
    elif fault == "zone hours":
        zone = f"+{draw(st.integers(24, 99))}:00"
    elif fault == "zone minutes":
        zone = f"-00:{draw(st.integers(60, 99))}"
    elif fault == "before year 1":
        year, month, day, hour, minute, second = 1, 1, 1, 0, 0, 0
        zone = f"+00:{draw(st.integers(1, 59)):02d}"
    elif fault == "after year 9999":
        year, month, day, hour, minute, second = 9999, 12, 31, 23, 59, 59
        zone = f"-00:{draw(st.integers(1, 59)):02d}"
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{zone}"
    if fault == "shape":
        shapes = (
            text.replace("T", "t"),
            text.replace("T", " "),
            text[: len("YYYY-MM-DDTHH:MM")],  # no seconds
            text[:19] + ".1234567",  # a fraction finer than microseconds
            f"{year % 1000:03d}" + text[4:],  # a three-digit year
            text[:19] + "+0130",
        )
        return fault, "*@" + draw(st.sampled_from(shapes))
    return fault, draw(st.sampled_from(("*@", ""))) + text


_BAD_TIMESTAMPS: Final = _bad_timestamps()


@_breaker("an impossible or malformed timestamp")
def _impossible_timestamp(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    parts.token = draw(_BAD_TIMESTAMPS)[1]
    return parts.text(), _TEMPORAL


@_breaker("a temporal token that is no token")
def _bad_token(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    parts.token = draw(st.sampled_from(_BAD_TOKENS))
    return parts.text(), _TEMPORAL


@_breaker("a temporal token in the middle of the path")
def _token_mid_path(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    segments = parts.segments or [draw(_CONCRETE_SEGMENTS)]
    cut = draw(st.integers(1, len(segments)))
    before, after = segments[:cut], segments[cut:] or [draw(_CONCRETE_SEGMENTS)]
    token = str(draw(_ANY_SELECTORS))
    parts.token = None
    parts.segments = []
    tail = "/".join(before) + token + "/" + _join_path(after, parts.trailing)
    return f"{parts.text()}/{tail}", _TEMPORAL


@_breaker("two temporal tokens")
def _two_tokens(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    # One right after the task, one at the end of the path: what follows the
    # first must be a path, and a path cannot hold a token.
    parts.token = str(draw(_ANY_SELECTORS))
    parts.trailing = False
    text = parts.text() if parts.segments else parts.text() + "/"
    return text + str(draw(_ANY_SELECTORS)), _PATH


@_breaker("longer than 4096 characters")
def _too_long(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    parts.trailing = False
    text = parts.text()
    length = MAX_LENGTH + draw(st.integers(1, 64))
    return f"{text}/{'x' * (length - len(text) - 1)}", frozenset({"address"})


@_breaker("whitespace around the address")
def _whitespace(draw: st.DrawFn, parts: _Parts) -> tuple[str, frozenset[str]]:
    space = draw(st.sampled_from(_WHITESPACE))
    if draw(st.booleans()):
        return space + parts.text(), frozenset({"scheme"})
    last = "path" if parts.segments else "temporal" if parts.token is not None else "task"
    return parts.text() + space, frozenset({last})


_REASONS: Final = tuple(_BREAKERS)
_NEAR_MISS_BASES: Final = dataclasses.replace(
    _spec(
        "invalid_ucxl_strings",
        patterns=True,
        temporal=True,
        agents=None,
        roles=None,
        projects=None,
        tasks=None,
        paths=None,
    ),
    long=False,
)


@st.composite
def _invalid_cases(draw: st.DrawFn) -> _Invalid:
    """Near-misses with the reason each is invalid and the fields a parser may blame."""
    # The reason first: it is what matters most, for exploring and shrinking.
    reason = draw(st.sampled_from(_REASONS))
    address = _draw_address(draw, _NEAR_MISS_BASES)
    path = address.path
    parts = _Parts(
        components=_components(address),
        token=None if address.temporal is None else str(address.temporal),
        segments=path.removesuffix("/").split("/") if path else [],
        trailing=path.endswith("/"),
    )
    text, fields = _BREAKERS[reason](draw, parts)
    return _Invalid(reason, text, fields)


def invalid_ucxl_strings() -> SearchStrategy[str]:
    """Near-misses of valid addresses: strings every UCXL parser must reject.

    Each is a valid address broken in one place, for one of these reasons:
    the scheme in upper case, or missing or misspelled; a separator missing;
    an empty component; a character not allowed in a component; a wildcard
    that is not the whole component (``gpt*``); a ``.`` or ``..`` segment; an
    empty segment (``a//b``); a character not allowed in a path; a temporal
    number that is not a number (``*~-1``) or too large; an impossible or
    malformed timestamp (``2025-02-30``, hour 24, a zone offset ``+24:00``, a
    leap second, an instant outside years 0001-9999 once converted to UTC); a
    temporal token that is no token; a temporal token in the middle of the
    path; two temporal tokens; more than 4096 characters; whitespace before
    or after the address (a trailing newline included).
    """
    return _invalid_cases().map(lambda case: case.text)


# -- Network conditions --------------------------------------------------------
_LATENCIES: Final = st.floats(min_value=0, max_value=10)
_JITTERS: Final = st.floats(min_value=0, max_value=2)
_DISTRIBUTIONS: Final = st.sampled_from(get_args(Distribution))
_FAILURE_RATES: Final = st.floats(min_value=0, max_value=1)
_FAILURE_OPS: Final = st.one_of(
    st.none(), st.frozensets(st.sampled_from(sorted(OPERATIONS)), min_size=1)
)
_TIMEOUTS: Final = st.one_of(st.none(), st.floats(min_value=0, max_value=60))


def _conditions(
    latency: Any,
    jitter: Any,
    distribution: Any,
    failure_rate: Any,
    failure_ops: Any,
    timeout: Any,
) -> NetworkConditions:
    """Build from drawn values, which NetworkConditions validates."""
    try:
        return NetworkConditions(
            latency=latency,
            jitter=jitter,
            distribution=distribution,
            failure_rate=failure_rate,
            failure_ops=failure_ops,
            timeout=timeout,
        )
    except (TypeError, ValueError) as error:
        raise InvalidArgument(
            f"network_conditions(): a strategy drew a value NetworkConditions refuses: {error}"
        ) from None


def network_conditions(
    *,
    latencies: SearchStrategy[float] | None = None,
    jitters: SearchStrategy[float] | None = None,
    distributions: SearchStrategy[Distribution] | None = None,
    failure_rates: SearchStrategy[float] | None = None,
    failure_ops: SearchStrategy[frozenset[str] | None] | None = None,
    timeouts: SearchStrategy[float | None] | None = None,
) -> SearchStrategy[NetworkConditions]:
    """:class:`~pytest_bzzz.NetworkConditions` values, for properties that must hold on any network.

    Each argument replaces the strategy for one field; by default latencies
    run from 0 to 10 seconds, jitters from 0 to 2 seconds, both
    distributions, failure rates from 0 to 1, ``failure_ops`` either ``None``
    (every operation) or a non-empty set of operation names, and timeouts
    either ``None`` or 0 to 60 seconds. Pass ``failure_rates=st.just(0.0)``
    for a network that never fails, ``timeouts=st.none()`` for no timeout.
    Shrinks towards a perfect network. A drawn value that
    :class:`~pytest_bzzz.NetworkConditions` refuses raises
    :class:`~hypothesis.errors.InvalidArgument`.
    """
    chosen: list[SearchStrategy[Any]] = []
    for argument, value, default, what in (
        ("latencies", latencies, _LATENCIES, "latencies in seconds"),
        ("jitters", jitters, _JITTERS, "jitters in seconds"),
        ("distributions", distributions, _DISTRIBUTIONS, "distribution names"),
        ("failure_rates", failure_rates, _FAILURE_RATES, "failure rates from 0 to 1"),
        ("failure_ops", failure_ops, _FAILURE_OPS, "None or sets of operation names"),
        ("timeouts", timeouts, _TIMEOUTS, "None or timeouts in seconds"),
    ):
        strategy = _check_strategy(argument, value, what)
        chosen.append(default if strategy is None else strategy)
    return st.builds(_conditions, *chosen)


# -- Envelopes -----------------------------------------------------------------

_CONTENT_TYPES: Final = st.sampled_from(
    ["application/octet-stream", "text/plain", "application/json", "text/markdown"]
)
_JSON_SCALARS: Final = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
_METADATA: Final = st.dictionaries(
    st.text(max_size=12),
    st.recursive(_JSON_SCALARS, lambda inner: st.lists(inner, max_size=3), max_leaves=4),
    max_size=4,
)
_TIMESTAMPS: Final = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


# A stored address leaves room for the version token its envelope's address carries.
_ENVELOPE_ADDRESSES: Final = ucxl_addresses(temporal=False).filter(
    lambda address: len(str(address)) <= MAX_LENGTH - VERSION_ROOM
)


def _envelope(
    address: UCXLAddress,
    content: bytes,
    content_type: str,
    metadata: Any,
    version: int,
    timestamp: datetime,
) -> Envelope:
    try:
        return Envelope(
            address,
            content,
            content_type=content_type,
            version=version,
            timestamp=timestamp,
            metadata=metadata,
        )
    except (TypeError, ValueError) as error:
        raise InvalidArgument(f"envelopes() drew a value Envelope refuses: {error}") from None


def envelopes(
    *,
    addresses: SearchStrategy[UCXLAddress] | None = None,
    contents: SearchStrategy[bytes] | None = None,
    content_types: SearchStrategy[str] | None = None,
    metadata: SearchStrategy[Mapping[str, Any]] | None = None,
    versions: SearchStrategy[int] | None = None,
    timestamps: SearchStrategy[datetime] | None = None,
) -> SearchStrategy[Envelope]:
    """:class:`~pytest_bzzz.Envelope` values, as ``mock_bzzz`` stores and returns them.

    Each argument replaces the strategy for one field. By default addresses
    are concrete with no temporal segment (``ucxl_addresses(temporal=False)``;
    the envelope's address carries its version), contents are up to 256
    bytes, content types are common media types, metadata is a small mapping
    of JSON values, versions run from 1 to 1,000 and timestamps are UTC
    instants of this century. Every draw round-trips through
    :meth:`~pytest_bzzz.Envelope.to_json`. A drawn value that
    :class:`~pytest_bzzz.Envelope` refuses (a pattern address, a naive
    timestamp, version 0) raises :class:`~hypothesis.errors.InvalidArgument`.
    """
    chosen: list[SearchStrategy[Any]] = []
    for argument, value, default, what in (
        ("addresses", addresses, _ENVELOPE_ADDRESSES, "concrete UCXL addresses"),
        ("contents", contents, st.binary(max_size=256), "bytes"),
        ("content_types", content_types, _CONTENT_TYPES, "media type strings"),
        ("metadata", metadata, _METADATA, "mappings of JSON values"),
        ("versions", versions, st.integers(1, 1000), "version numbers, 1 or more"),
        ("timestamps", timestamps, _TIMESTAMPS, "timezone-aware datetimes"),
    ):
        strategy = _check_strategy(argument, value, what)
        chosen.append(default if strategy is None else strategy)
    return st.builds(_envelope, *chosen)
