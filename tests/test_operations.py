"""The operation registry: what backends declare, and what operation names are checked against."""

from __future__ import annotations

import re

import pytest

from pytest_bzzz import OPERATIONS, NetworkConditions, Operation, World
from pytest_bzzz._kernel.operations import OperationRegistry

DHT = {"put_value", "get_value", "provide", "find_providers"}
CONNECTOR = {"store", "retrieve", "history", "search", "delete", "announce", "discover"}


def test_the_built_in_backends_declare_their_operations() -> None:
    assert OPERATIONS.issuperset(DHT | CONNECTOR)
    assert OPERATIONS.get("get_value") == Operation("get_value", "aget_value", "the DHT")
    assert OPERATIONS.get("store") == Operation("store", "astore", "the connector")
    assert OPERATIONS.get("aget_value") is None  # a twin is not an operation of its own


def test_the_registry_reads_as_the_set_of_names_it_replaces() -> None:
    names = frozenset(DHT | CONNECTOR)
    assert "put_value" in OPERATIONS
    assert "nope" not in OPERATIONS
    assert set(OPERATIONS) == OPERATIONS.names() == names
    assert len(OPERATIONS) == len(names)
    assert sorted(OPERATIONS) == sorted(names)
    assert names == OPERATIONS
    assert frozenset(DHT) <= OPERATIONS
    assert OPERATIONS.union({"x"}) == names | {"x"}
    assert OPERATIONS.intersection(DHT) == DHT
    assert OPERATIONS.difference(CONNECTOR) == DHT
    assert OPERATIONS.issubset(names | {"x"})
    assert OPERATIONS.copy() == names
    assert OPERATIONS | {"x"} == names | {"x"}
    assert {"x"} | OPERATIONS == names | {"x"}
    assert OPERATIONS & DHT == DHT
    assert OPERATIONS - CONNECTOR == DHT
    assert type(OPERATIONS | set()) is frozenset
    assert repr(OPERATIONS).startswith("<operations: announce, delete, discover,")


def test_a_declaration_is_idempotent_and_its_twin_defaults_to_the_a_prefix() -> None:
    registry = OperationRegistry()
    assert repr(registry) == "<operations: none>"
    first = registry.register("publish", interface="pubsub")
    assert first == Operation("publish", "apublish", "pubsub")
    assert registry.register("publish", interface="pubsub") == first
    assert registry.register("subscribe", interface="pubsub", twin="subscribe_async").twin == (
        "subscribe_async"
    )
    assert set(registry) == {"publish", "subscribe"}


@pytest.mark.parametrize(
    ("name", "twin", "message"),
    [
        ("publish", None, "cannot declare 'publish' (async twin 'apublish') of other: "
                          "'publish' is taken by pubsub's 'publish'"),
        ("apublish", None, "cannot declare 'apublish' (async twin 'aapublish') of other: "
                           "'apublish' is taken by pubsub's 'publish'"),
        ("push", "publish", "cannot declare 'push' (async twin 'publish') of other: "
                            "'publish' is taken by pubsub's 'publish'"),
        ("push", "apublish", "cannot declare 'push' (async twin 'apublish') of other: "
                             "'apublish' is taken by pubsub's 'publish'"),
    ],
)  # fmt: skip
def test_a_name_or_twin_taken_by_another_operation_is_refused(
    name: str, twin: str | None, message: str
) -> None:
    registry = OperationRegistry()
    registry.register("publish", interface="pubsub")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        registry.register(name, interface="other", twin=twin)
    assert set(registry) == {"publish"}  # nothing half-declared


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "two words", "interface": "x"}, "an operation's name must be an identifier"),
        ({"name": 3, "interface": "x"}, "an operation's name must be an identifier, got 3"),
        ({"name": "ok", "interface": "x", "twin": ""}, "an operation's twin must be an identifier"),
        ({"name": "ok", "interface": ""}, "an operation's interface must be a non-empty str"),
    ],
)
def test_bad_declarations_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OperationRegistry().register(**kwargs)  # type: ignore[arg-type]


def test_check_says_which_operations_exist_and_points_from_a_twin_to_its_operation() -> None:
    assert OPERATIONS.check(["get_value", "store"]) == {"get_value", "store"}
    known = ", ".join(sorted(DHT | CONNECTOR))
    with pytest.raises(ValueError, match=f"^unknown operation 'get'; known operations: {known}$"):
        OPERATIONS.check(["get"])
    with pytest.raises(ValueError, match="'get_value' covers its async twin 'aget_value'"):
        OPERATIONS.check(["aget_value"])
    with pytest.raises(TypeError, match="not the str 'get_value'"):
        OPERATIONS.check("get_value")
    with pytest.raises(TypeError, match="operation names must be str, got int 3"):
        OPERATIONS.check([3])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="known operations: none is declared"):
        OperationRegistry().check(["x"])


def test_conditions_and_calls_accept_exactly_the_declared_names() -> None:
    assert NetworkConditions(failure_ops={"store"}).failure_ops == {"store"}
    with pytest.raises(ValueError, match="unknown operation 'publish'"):
        NetworkConditions(failure_ops={"publish"})
    with World(seed=1) as world:
        assert world.calls("discover") == []
        with pytest.raises(ValueError, match="unknown operation 'publish'"):
            world.calls("publish")
