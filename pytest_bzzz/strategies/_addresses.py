"""Valid addresses: ``ucxl_addresses``, ``ucxl_patterns`` and the draw they share.

The arguments of every address strategy are resolved into a :class:`_Spec`,
whose repr is the public call; one draw function turns a spec into an
address. The text and near-miss strategies reuse both, so that every
spelling starts from the same addresses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any, Final

from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from .._ucxl.address import MAX_LENGTH, WILDCARD, UCXLAddress, _component_fault
from .._ucxl.errors import InvalidFragment
from .._ucxl.path import check_path
from .._ucxl.temporal import Temporal, TemporalKind
from ._arguments import _check_bool, _check_strategy
from ._parts import _LONG_DRAWS, _OVERSHOOT, _draw_component, _draw_path, _stretch_path
from ._temporal import _check_kinds, temporal_selectors

_COMPONENT_ARGUMENTS: Final = ("agents", "roles", "projects", "tasks")
_PATH_SLOT: Final = 4


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
            f"{argument}= drew {value!r}, of type {type(value).__name__}; "
            "it must draw str components"
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
        raise InvalidArgument(
            f"paths= drew {value!r}, of type {type(value).__name__}; it must draw str"
        )
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
