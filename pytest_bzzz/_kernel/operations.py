"""The operation registry: the names of the operations worlds run, declared by the backends.

The kernel runs operations it knows nothing about: a backend declares each
one (with its async twin) when it is imported, and every place that takes an
operation's name (``NetworkConditions.failure_ops``, the ``flaky_network``
marker's ``ops``, ``calls(op)``) accepts exactly the declared names, and says
which exist when given another. The registry is process-wide because names
are checked where no world exists yet (a marker, a ``NetworkConditions``).

``OPERATIONS``, the registry, reads as a set of names, as the closed
frozenset it replaces did.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Iterator, Set
from typing import Any

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["OPERATIONS", "Operation", "OperationRegistry"]


@dataclasses.dataclass(frozen=True, slots=True)
class Operation:
    """One declared operation: its ``name``, its async ``twin`` and the ``interface`` it belongs to.

    The record of calls and the network conditions know an operation by its
    sync name, which covers its async twin.
    """

    name: str
    twin: str
    interface: str


class OperationRegistry(Set[str]):
    """The declared operations, read as a set of their names (live: it grows as backends load)."""

    def __init__(self) -> None:
        self._operations: dict[str, Operation] = {}
        self._twins: dict[str, str] = {}
        self._lock = threading.Lock()

    def register(self, name: str, *, interface: str, twin: str | None = None) -> Operation:
        """Declare operation ``name`` of ``interface``; its async twin is ``twin`` (``a<name>``).

        Declaring the same operation again is a no-op; declaring a name that
        is taken by a different operation is an error.
        """
        for what, value in (("name", name), ("twin", twin)):
            if value is not None and (not isinstance(value, str) or not value.isidentifier()):
                raise ValueError(f"an operation's {what} must be an identifier, got {value!r}")
        if not isinstance(interface, str) or not interface:
            raise ValueError(f"an operation's interface must be a non-empty str, got {interface!r}")
        operation = Operation(name, f"a{name}" if twin is None else twin, interface)
        with self._lock:
            if self._operations.get(name) == operation:
                return operation
            for taken in (name, operation.twin):
                other = self._operations.get(taken) or self._operation_of_twin(taken)
                if other is not None:
                    raise ValueError(
                        f"cannot declare {name!r} (async twin {operation.twin!r}) of {interface}: "
                        f"{taken!r} is taken by {other.interface}'s {other.name!r}"
                    )
            self._operations[name] = operation
            self._twins[operation.twin] = name
        return operation

    def _operation_of_twin(self, twin: str) -> Operation | None:
        name = self._twins.get(twin)
        return None if name is None else self._operations[name]

    def get(self, name: str) -> Operation | None:
        """The operation declared as ``name``, or None."""
        return self._operations.get(name)

    def check(self, names: Iterable[str]) -> frozenset[str]:
        """Validate operation names (each covers its async twin); return them as a frozenset."""
        if isinstance(names, str):
            raise TypeError(f"ops must be a collection of operation names, not the str {names!r}")
        chosen = frozenset(names)
        for name in sorted(chosen, key=repr):
            if not isinstance(name, str):
                raise TypeError(f"operation names must be str, got {type(name).__name__} {name!r}")
            if name not in self._operations:
                hint = ""
                if name in self._twins:
                    hint = f" ({self._twins[name]!r} covers its async twin {name!r})"
                known = ", ".join(sorted(self._operations)) or "none is declared"
                raise ValueError(f"unknown operation {name!r}{hint}; known operations: {known}")
        return chosen

    # -- read as a set of names, as the frozenset it replaces ----------------------------

    def __contains__(self, name: object) -> bool:
        return name in self._operations

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._operations))

    def __len__(self) -> int:
        return len(self._operations)

    @classmethod
    def _from_iterable(cls, names: Iterable[Any]) -> frozenset[Any]:
        # What the set operators (|, &, -, ^) return: a plain frozenset, as before.
        return frozenset(names)

    def names(self) -> frozenset[str]:
        """The declared names now, as a frozenset."""
        return frozenset(self._operations)

    def union(self, *others: Iterable[Any]) -> frozenset[Any]:
        return self.names().union(*others)

    def intersection(self, *others: Iterable[Any]) -> frozenset[str]:
        return self.names().intersection(*others)

    def difference(self, *others: Iterable[Any]) -> frozenset[str]:
        return self.names().difference(*others)

    def issubset(self, other: Iterable[Any]) -> bool:
        return self.names().issubset(other)

    def issuperset(self, other: Iterable[Any]) -> bool:
        return self.names().issuperset(other)

    def copy(self) -> frozenset[str]:
        return self.names()

    def __repr__(self) -> str:
        return f"<operations: {', '.join(sorted(self._operations)) or 'none'}>"


OPERATIONS = OperationRegistry()
"""Every declared operation, by name; each name covers its async twin."""
