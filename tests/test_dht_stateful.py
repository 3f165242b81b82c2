"""MockDHT against a plain reference model: with failures off they agree on every sequence."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from pytest_bzzz import MockDHT, NetworkConditions, NotFoundError

keys = st.sampled_from(["a", "b", "ucxl://gpt4:architect@bzzz:v2/x", "k" * 40])
values = st.binary(max_size=16)
providers = st.sampled_from(["peer-1", "peer-2", "peer-3"])


class DHTAgainstModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        conditions = NetworkConditions(latency=0.01, jitter=0.01)
        self.dht = MockDHT(seed=1, conditions=conditions)
        self.values: dict[str, bytes] = {}
        self.providers: dict[str, list[str]] = {}
        self.operations = 0

    @rule(key=keys, value=values)
    def put_value(self, key: str, value: bytes) -> None:
        self.dht.put_value(key, bytearray(value))
        self.values[key] = value
        self.operations += 1

    @rule(key=keys)
    def get_value(self, key: str) -> None:
        self.operations += 1
        if key in self.values:
            assert self.dht.get_value(key) == self.values[key]
        else:
            with pytest.raises(NotFoundError):
                self.dht.get_value(key)

    @rule(key=keys, provider=providers)
    def provide(self, key: str, provider: str) -> None:
        self.dht.provide(key, provider)
        listed = self.providers.setdefault(key, [])
        if provider not in listed:
            listed.append(provider)
        self.operations += 1

    @rule(key=keys)
    def find_providers(self, key: str) -> None:
        assert self.dht.find_providers(key) == self.providers.get(key, [])
        self.operations += 1

    @precondition(lambda self: self.operations > 0)
    @rule()
    def reset(self) -> None:
        self.dht.reset()
        self.values.clear()
        self.providers.clear()
        self.operations = 0

    @invariant()
    def agrees(self) -> None:
        assert dict(self.dht.world.storage.values) == self.values
        assert self.dht.stats.total == self.operations
        assert self.dht.stats.failures == 0

    def teardown(self) -> None:
        self.dht.world.close()


DHTAgainstModel.TestCase.settings = settings(max_examples=60, stateful_step_count=30)
test_mock_dht_agrees_with_the_model = DHTAgainstModel.TestCase
