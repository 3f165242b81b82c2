"""UCXL addresses: parsing (both textual forms), canonical output, strict mode and matching.

Parsing is built for speed on valid input and for precision on invalid input.
A regex takes the ``ucxl://agent:role@project:task`` head in one step and
the tail is split with string searches; only when something fails does a
slower walk run to name the field, the fragment and the position at fault.
Every accepted address fits in :data:`MAX_LENGTH` characters, as written and
in canonical form, and parsing stays linear in the input's length.

When the input already is canonical (the common case) it is kept as the
address's string form, so ``str()`` of a parsed address costs nothing.

The slow walk and its error messages live in :mod:`.diagnosis`, and the rules
both share (scheme, components, length limit) in :mod:`.grammar`.
"""

from __future__ import annotations

import inspect
import re
from typing import Any, Final, Self

from .diagnosis import _diagnose_head, _explain_not_canonical, _fail, _parse_tail, _too_long
from .errors import InvalidFragment, _shorten
from .grammar import _COMPONENTS, MAX_LENGTH
from .grammar import SCHEME as SCHEME
from .grammar import WILDCARD as WILDCARD
from .grammar import _component_fault as _component_fault
from .path import PathMatcher, check_path, has_dot_segment
from .temporal import SUFFIX_TOKEN_PATTERN, TOKEN_RE, Temporal, parse_token, token_of

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = ["MAX_LENGTH", "UCXLAddress", "text_at_version"]

_HEAD_RE: Final = re.compile(
    r"ucxl://([A-Za-z0-9_-]+|\*):([A-Za-z0-9_-]+|\*)@([A-Za-z0-9_-]+|\*):([A-Za-z0-9_-]+|\*)(?=/|\Z)"
)
# Canonical output can be longer than the input (``*`` -> ``any``, ``#`` ->
# ``*^``, a bare timestamp gains ``*@`` and ``Z``), by at most this much:
_MAX_GROWTH: Final = 4 * 2 + 3
_UNSET: Any = object()


def _check_component(field: str, value: object) -> str:
    """Validate a component given to a constructor; return it with ``*`` spelled ``any``."""
    if not isinstance(value, str):
        raise TypeError(f"UCXLAddress {field} must be a str, got {type(value).__name__}")
    fault = _component_fault(value)
    if fault is not None:
        _fail(value, field, 0, len(value), fault)
    return WILDCARD if value == "*" else value


_C = r"[A-Za-z0-9_-]+"
_SEGMENT = r"[A-Za-z0-9_.*-]+"
_PATH = rf"{_SEGMENT}(?:/{_SEGMENT})*/?"
# The fast path: one regex for the address shapes seen in practice (no '*'
# wildcard components), with one group per part. Anything it does not take
# goes through the step-by-step parser, which also explains failures.
_FAST_RE: Final = re.compile(
    rf"ucxl://({_C}|\*):({_C}|\*)@({_C}|\*):({_C}|\*)"
    rf"(?:/({TOKEN_RE.pattern})(?:/((?>{_PATH}))|/)?"
    rf"|/((?>{_PATH}))"
    rf"|/({_PATH})?({SUFFIX_TOKEN_PATTERN})/?)?"
)


class UCXLAddress:
    """An immutable, hashable, ordered UCXL address.

    Build one from its text with :meth:`parse`, or from its fields with
    ``UCXLAddress(agent, role, project, task, temporal=..., path=...)``; both
    validate exactly the same way. Components ``agent``, ``role``, ``project`` and ``task`` are
    strings, with a wildcard stored as ``"any"``; ``temporal`` is a
    :class:`Temporal` or ``None``; ``path`` has no leading ``/`` and keeps a
    trailing one. ``str()`` gives the canonical form, and addresses order as
    their canonical strings do.

    >>> address = UCXLAddress.parse("ucxl://gpt4:architect@bzzz:v2/decisions/api.md*^")
    >>> str(address)
    'ucxl://gpt4:architect@bzzz:v2/*^/decisions/api.md'
    >>> UCXLAddress("gpt4", "architect", "bzzz", "v2", path="decisions/api.md") < address
    True
    """

    # Read-only properties over private slots (as fractions.Fraction does):
    # plain slot stores keep parsing fast, and nothing public can be reassigned.
    __slots__ = ("_agent", "_matcher", "_path", "_project", "_role", "_task", "_temporal", "_text")

    _agent: str
    _role: str
    _project: str
    _task: str
    _temporal: Temporal | None
    _path: str
    _text: str | None
    _matcher: PathMatcher | None

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        # Only here to explain the commonest slip, UCXLAddress(text), which would
        # otherwise fail with "missing 3 required positional arguments". The
        # arguments are bound and checked by __init__, whose signature type
        # checkers, inspect and Sphinx show (see __signature__ below the class).
        if len(args) < len(_COMPONENTS) and cls.__init__ is UCXLAddress.__init__:
            missing = [name for name in _COMPONENTS[len(args) :] if name not in kwargs]
            if missing:
                raise TypeError(_missing_components(cls.__name__, args, missing))
        return super().__new__(cls)

    def __init__(
        self,
        agent: str,
        role: str,
        project: str,
        task: str,
        *,
        temporal: Temporal | str | None = None,
        path: str = "",
    ) -> None:
        self._agent, self._role, self._project, self._task = (
            _check_component(name, value)
            for name, value in zip(_COMPONENTS, (agent, role, project, task), strict=True)
        )
        if isinstance(temporal, str):
            temporal = Temporal.parse(temporal)
        elif temporal is not None and not isinstance(temporal, Temporal):
            raise TypeError(
                "UCXLAddress temporal must be a Temporal, a token str or None, "
                f"got {type(temporal).__name__}"
            )
        if not isinstance(path, str):
            raise TypeError(f"UCXLAddress path must be a str, got {type(path).__name__}")
        if path:
            try:
                check_path(path, 0, len(path))
            except InvalidFragment as bad:
                _fail(path, "path", bad.start, bad.end, bad.reason)
        self._temporal = temporal
        self._path = path
        self._text = None
        self._matcher = None
        text = str(self)
        if len(text) > MAX_LENGTH:
            _fail(text, "address", MAX_LENGTH, len(text), _too_long(len(text), "canonical"))

    @classmethod
    def _new(
        cls,
        agent: str,
        role: str,
        project: str,
        task: str,
        temporal: Temporal | None,
        path: str,
        text: str | None,
    ) -> Self:
        """Build from parts the parser has validated; ``text`` is the canonical form if known."""
        address = object.__new__(cls)
        address._agent = agent
        address._role = role
        address._project = project
        address._task = task
        address._temporal = temporal
        address._path = path
        address._text = text
        address._matcher = None
        return address

    @classmethod
    def parse(cls, text: str, *, strict: bool = False) -> Self:
        """Parse an address written in either textual form.

        With ``strict=True`` only the canonical form is accepted: exactly the
        strings ``s`` for which ``str(UCXLAddress.parse(s)) == s``. Raises
        :class:`UCXLParseError` naming the field, fragment and position at fault,
        and ``TypeError`` when ``text`` is not a ``str`` or ``strict`` not a ``bool``.
        """
        if strict is not False and strict is not True:
            raise TypeError(
                f"UCXLAddress.parse() takes strict=True or False, got {type(strict).__name__} "
                f"{strict!r}"
            )
        parts = _fast_parts(text)
        if parts is None or (strict and parts[-1] is None):
            return cls._parse_stepwise(text, strict)
        return cls._new(*parts)

    @classmethod
    def _parse_stepwise(cls, text: str, strict: bool) -> Self:
        """Parse step by step, naming the first fault precisely; handles every form."""
        if not isinstance(text, str):
            raise TypeError(f"UCXLAddress.parse() takes a str, got {type(text).__name__}")
        length = len(text)
        if length > MAX_LENGTH:
            _fail(text, "address", MAX_LENGTH, length, _too_long(length, "written"))
        head = _HEAD_RE.match(text)
        if head is None:
            _diagnose_head(text)
        agent, role, project, task = head.groups()
        wildcards = "*" in text[: head.end()]
        if wildcards:
            agent, role, project, task = (
                WILDCARD if value == "*" else value for value in (agent, role, project, task)
            )
        end = head.end()
        if end == length:
            temporal, path, token_start, canonical = None, "", -1, True
        else:
            temporal, path, token_start, canonical = _parse_tail(text, end + 1)
        address = cls._new(
            agent,
            role,
            project,
            task,
            temporal,
            path,
            text if canonical and not wildcards else None,
        )
        if length > MAX_LENGTH - _MAX_GROWTH:
            canonical_length = len(str(address))
            if canonical_length > MAX_LENGTH:
                _fail(text, "address", 0, length, _too_long(canonical_length, "canonical"))
        if strict and address._text is None:
            _explain_not_canonical(text, address, head, token_start)
        return address

    @property
    def agent(self) -> str:
        """The agent component (``"any"`` for a wildcard)."""
        return self._agent

    @property
    def role(self) -> str:
        """The role component (``"any"`` for a wildcard)."""
        return self._role

    @property
    def project(self) -> str:
        """The project component (``"any"`` for a wildcard)."""
        return self._project

    @property
    def task(self) -> str:
        """The task component (``"any"`` for a wildcard)."""
        return self._task

    @property
    def temporal(self) -> Temporal | None:
        """The temporal selector, or ``None`` when the address has none (read as latest)."""
        return self._temporal

    @property
    def path(self) -> str:
        """The path inside the task: no leading ``/``, a trailing one kept; ``""`` if none."""
        return self._path

    @property
    def is_pattern(self) -> bool:
        """True when any component is a wildcard or the path holds a ``*`` glob."""
        return WILDCARD in (self._agent, self._role, self._project, self._task) or "*" in self._path

    def matches(self, address: UCXLAddress | str) -> bool:
        """True when ``address`` is one this pattern selects.

        Each component must be a wildcard here or equal there, and the path must
        match segment by segment (``*`` within a segment, ``**`` for zero or
        more segments). The temporal segment plays no part. A string is parsed
        first (and may raise :class:`UCXLParseError`).
        """
        if isinstance(address, str):
            address = UCXLAddress.parse(address)
        elif not isinstance(address, UCXLAddress):
            raise TypeError(f"matches() takes a UCXLAddress or a str, got {type(address).__name__}")
        for mine, theirs in (
            (self._agent, address._agent),
            (self._role, address._role),
            (self._project, address._project),
            (self._task, address._task),
        ):
            if mine != WILDCARD and mine != theirs:
                return False
        if "*" not in self._path:
            return self._path == address._path
        matcher = self._matcher
        if matcher is None:
            matcher = self._matcher = PathMatcher(self._path)
        return matcher.matches(address._path)

    def with_temporal(self, temporal: Temporal | str | None) -> Self:
        """Return a copy with another temporal selector (``None`` removes it)."""
        return self.replace(temporal=temporal)

    def replace(
        self,
        *,
        agent: str = _UNSET,
        role: str = _UNSET,
        project: str = _UNSET,
        task: str = _UNSET,
        temporal: Temporal | str | None = _UNSET,
        path: str = _UNSET,
    ) -> Self:
        """Return a copy with the given fields changed, validated as the constructor does."""
        return type(self)(
            self._agent if agent is _UNSET else agent,
            self._role if role is _UNSET else role,
            self._project if project is _UNSET else project,
            self._task if task is _UNSET else task,
            temporal=self._temporal if temporal is _UNSET else temporal,
            path=self._path if path is _UNSET else path,
        )

    __replace__ = replace

    def __str__(self) -> str:
        text = self._text
        if text is None:
            text = f"ucxl://{self._agent}:{self._role}@{self._project}:{self._task}"
            if self._temporal is not None:
                text += f"/{self._temporal}"
            if self._path:
                text += f"/{self._path}"
            self._text = text
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UCXLAddress):
            return NotImplemented
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, UCXLAddress):
            return NotImplemented
        return str(self) < str(other)

    def __le__(self, other: object) -> bool:
        if not isinstance(other, UCXLAddress):
            return NotImplemented
        return str(self) <= str(other)

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, UCXLAddress):
            return NotImplemented
        return str(self) > str(other)

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, UCXLAddress):
            return NotImplemented
        return str(self) >= str(other)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self).parse, (str(self),))


# inspect.signature() and Sphinx read a class's signature from its __new__ when it
# has one; the constructor's real signature is __init__'s.
UCXLAddress.__new__.__signature__ = inspect.signature(UCXLAddress.__init__)  # type: ignore[attr-defined]


def text_at_version(address: UCXLAddress, version: int) -> str:
    """The canonical text of ``address``, which has no temporal segment, at ``version``.

    It is ``str(address.with_temporal(Temporal("version", n=version)))``
    without making (and validating) that address: an envelope's JSON writes
    its address so on every read.
    """
    head = f"ucxl://{address._agent}:{address._role}@{address._project}:{address._task}"
    path = address._path
    return f"{head}/*~{version}/{path}" if path else f"{head}/*~{version}"


def _missing_components(name: str, args: tuple[Any, ...], missing: list[str]) -> str:
    """Say that a constructor call lacks components, and how addresses are made."""
    how = (
        f"Make an address from its text with {name}.parse(text), and from its fields with "
        f"keyword arguments: {name}(agent=..., role=..., project=..., task=..., "
        "temporal=None, path='') (the four components may also be given in that order, "
        "positionally)"
    )
    listed = ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 else missing[0]
    if len(args) == 1 and isinstance(args[0], str) and ":" in args[0]:  # no component has one
        text = _shorten(args[0], 100)
        return (
            f"{name}() takes an address's fields, not its text: it was given {text!r} "
            f"as the agent, and no {listed.replace(' and ', ' or ')}. "
            + how.replace("parse(text)", f"parse({text!r})")
        )
    return f"{name}() is missing the {listed}. {how}"


_Parts = tuple[str, str, str, str, Temporal | None, str, str | None]


def _fast_parts(text: str) -> _Parts | None:
    """Split a well-formed address in one regex match, or return None to go step by step.

    The last part is ``text`` itself when it is already canonical, else None.
    """
    if type(text) is not str or len(text) > MAX_LENGTH - _MAX_GROWTH:
        return None
    match = _FAST_RE.fullmatch(text)
    if match is None:
        return None
    agent, role, project, task, token, after, plain, before, suffix = match.groups()
    canonical = True
    if "*" in (agent, role, project, task):
        canonical = False
        agent, role, project, task = (
            WILDCARD if value == "*" else value for value in (agent, role, project, task)
        )
    if token is not None:
        path = after or ""
        if after is None and text[-1] == "/":
            canonical = False  # a "/" with no path after the token is dropped
    elif plain is not None:
        path = plain
    elif suffix is not None:
        token, path, canonical = suffix, before or "", False
    else:
        path = ""
    if (path[:1] == "." or "/." in path) and has_dot_segment(path):
        return None
    temporal = None
    if token is not None:
        try:
            temporal = parse_token(token)
        except InvalidFragment:
            return None
        canonical = canonical and token_of(temporal) == token
    return agent, role, project, task, temporal, path, text if canonical else None
