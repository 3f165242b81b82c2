"""The kernel/backend boundary: Protocols, the backend registry, per-world state, the clock."""

from __future__ import annotations

import inspect
import threading
from typing import Any

import pytest

import pytest_bzzz
from pytest_bzzz import (
    DHT,
    AsyncConnector,
    AsyncDHT,
    Backend,
    Clock,
    Connector,
    DHTStorage,
    MockBZZZ,
    MockDHT,
    NetworkConditions,
    SyncConnector,
    SyncDHT,
    World,
)
from pytest_bzzz._backends import load_backend
from pytest_bzzz._kernel.slots import StateKey
from pytest_bzzz._kernel.world import runners


def test_the_mocks_satisfy_the_protocols_users_type_against() -> None:
    with MockDHT(seed=1) as dht:
        for protocol in (DHT, SyncDHT, AsyncDHT):
            assert isinstance(dht, protocol)
        assert not isinstance(dht, SyncConnector)
        bzzz = MockBZZZ(dht.world)
        for protocol in (Connector, SyncConnector, AsyncConnector):
            assert isinstance(bzzz, protocol)
        assert not isinstance(bzzz, SyncDHT)
    assert not isinstance({}, DHT)


class SyncOnly:
    """A client that offers only the sync half of the DHT."""

    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}

    def put_value(self, key: Any, value: bytes, *, timeout: float | None = None) -> None:
        self.values[str(key)] = value

    def get_value(self, key: Any, *, timeout: float | None = None) -> bytes:
        return self.values[str(key)]

    def provide(self, key: Any, provider_id: str, *, timeout: float | None = None) -> None:
        pass

    def find_providers(self, key: Any, *, timeout: float | None = None) -> list[str]:
        return []


def test_a_client_that_offers_one_half_satisfies_that_half() -> None:
    client = SyncOnly()
    assert isinstance(client, SyncDHT)
    assert not isinstance(client, DHT)
    assert not isinstance(client, AsyncDHT)


def test_every_method_of_the_protocols_has_the_mocks_signature() -> None:
    """The Protocols and the mocks must not drift apart: same parameters, same defaults."""
    for protocol, mock in ((DHT, MockDHT), (Connector, MockBZZZ)):
        methods = [name for name in dir(protocol) if not name.startswith("_")]
        assert methods
        for name in methods:
            expected = inspect.signature(getattr(protocol, name))
            actual = inspect.signature(getattr(mock, name))
            assert list(actual.parameters) == list(expected.parameters), name
            for parameter in expected.parameters.values():
                assert actual.parameters[parameter.name].default == parameter.default, name
                assert actual.parameters[parameter.name].kind == parameter.kind, name


def test_the_registry_loads_the_memory_backend_and_names_the_known_ones() -> None:
    backend = load_backend("memory")
    assert isinstance(backend, Backend)
    assert backend.name == "memory"
    assert repr(backend) == "<memory backend>"
    with World(seed=1) as world:
        dht, bzzz = backend.dht(world), backend.connector(world)
        assert isinstance(dht, MockDHT)
        assert dht.world is world
        assert isinstance(bzzz, MockBZZZ)
        assert bzzz.world is world
    with pytest.raises(ValueError, match=r"^unknown backend 'libp3'; known backends: memory$"):
        load_backend("libp3")


class Counter:
    """A backend's state: counts what the world asks of it."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.resets = 0
        self.closed = False

    def reset(self) -> None:
        self.resets += 1

    def close(self) -> None:
        self.closed = True


COUNTER = StateKey("counter", Counter)


def test_a_backends_state_is_made_once_per_world_and_reset_and_closed_with_it() -> None:
    assert repr(COUNTER) == "<StateKey counter>"
    with World(seed=1) as world:
        state = world.state(COUNTER)
        assert state.world is world
        assert world.state(COUNTER) is state
        world.reset()
        assert state.resets == 1
        assert world.state(COUNTER) is state  # a reset empties it, keeps it
        with World(seed=1) as other:
            assert other.state(COUNTER) is not state
    assert state.closed


def test_the_state_is_made_once_when_threads_race_for_it() -> None:
    made: list[Counter] = []

    def slow(world: World) -> Counter:
        made.append(Counter(world))
        return made[-1]

    key = StateKey("slow", slow)
    with World(seed=1) as world:
        threads = [threading.Thread(target=world.state, args=(key,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(made) == 1


def test_the_worlds_storage_and_content_are_what_its_mocks_act_on() -> None:
    with World(seed=1) as world:
        assert isinstance(world.storage, DHTStorage)
        MockDHT(world).put_value("k", b"v")
        assert world.storage.get("k") == b"v"
        MockBZZZ(world).store("ucxl://a:b@c:d/x.json", {"x": 1})
        assert len(world.content) == 1
        # One undivided network: a mock acting as another peer reads the same data.
        other = MockDHT(world, peer=world.add_peer("other"))
        assert other.get_value("k") == b"v"
        world.reset()
        assert len(world.storage) == 0
        assert len(world.content) == 0
        assert other.calls() == []


def test_a_mock_refuses_a_peer_that_is_not_a_peer() -> None:
    with pytest.raises(TypeError, match=r"^peer must be a Peer, or a name or id, got int$"):
        MockDHT(peer=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no peer named 'nobody' in this world"):
        MockDHT(peer="nobody")
    with pytest.raises(TypeError, match=r"^world must be a World, got dict$"):
        MockBZZZ({})  # type: ignore[arg-type]


def test_the_pipeline_is_private() -> None:
    assert not hasattr(World, "execute")
    assert not hasattr(World, "aexecute")
    public = {name for name in dir(World) if not name.startswith("_")}
    assert "runners" not in public


def test_the_clock_takes_no_lock_and_is_moved_by_its_own_methods() -> None:
    with pytest.raises(TypeError, match="lock"):
        Clock("virtual", lock=threading.RLock())  # type: ignore[call-arg]
    clock = Clock()
    clock.advance(1.5)
    assert clock.spend(2.0) == 1.5
    assert clock.now() == 3.5
    assert clock.spend(0) == 3.5
    with pytest.raises(ValueError, match="cannot spend -1 seconds"):
        clock.spend(-1)
    with pytest.raises(ValueError, match="cannot spend nan seconds"):
        clock.spend(float("nan"))
    assert clock.now() == 3.5
    with clock.lock:  # re-entrant: held around readings and moves, as a world does
        assert clock.spend(0.5) == 3.5
        clock.advance(1)
    assert clock.now() == 5.0


def test_a_real_clock_spends_real_time() -> None:
    clock = Clock("real")
    start = clock.spend(0.01)
    assert 0 <= start <= clock.now()
    assert clock.now() - start >= 0.01


@pytest.mark.parametrize("conditions", [None, NetworkConditions(latency=0.1, jitter=0.05)])
def test_a_world_holds_its_clocks_lock_while_an_operation_acts(
    conditions: NetworkConditions | None,
) -> None:
    """How a backend runs an operation: a prepared action, run through the world's pipeline."""
    with World(seed=1, conditions=conditions) as world:
        run, _ = runners(world)
        owned: list[bool] = []

        def action(value: int) -> int:
            owned.append(world.clock.lock._is_owned())  # type: ignore[attr-defined]
            return value * 2

        assert run(("get_value", "k", action, (21,)), None, world.local_peer.id) == 42
        assert owned == [True]
        (call,) = world.calls("get_value")
        assert (call.key, call.outcome, call.peer) == ("k", "ok", world.local_peer.id)


def test_the_facade_exports_every_protocol_from_one_place() -> None:
    for name in ("DHT", "SyncDHT", "AsyncDHT", "Connector", "SyncConnector", "AsyncConnector"):
        protocol = getattr(pytest_bzzz, name)
        assert getattr(protocol, "_is_runtime_protocol", False), name
