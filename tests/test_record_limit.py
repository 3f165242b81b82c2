"""A record size limit: values over it, and empty ones, are kept only by the peer that puts them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_bzzz import MockDHT, NetworkConditions, NotFoundError, World
from pytest_bzzz._backends.memory.placement import id_of
from pytest_bzzz.strategies import network_conditions

pytest_plugins = ["pytester"]

MiB = 1 << 20
BIG = b"x" * (MiB + 1)
LIMITED = NetworkConditions(max_record_size=MiB)


def test_off_by_default_every_value_is_replicated() -> None:
    assert NetworkConditions().max_record_size is None
    with World(seed=1, peers=6) as world:
        MockDHT(world, peer="peer-2").put_value("big", b"x" * (MiB + 1))
        MockDHT(world, peer="peer-2").put_value("empty", b"")
        assert len(world.holders("big")) == 6
        assert MockDHT(world, peer="peer-5").get_value("empty") == b""


def closest(world: World, key: str, k: int) -> list[str]:
    """The reference: every peer sorted by XOR distance to the key, the first k."""
    return sorted(
        (peer.name for peer in world.peers), key=lambda n: id_of(world.peer(n).id) ^ id_of(key)
    )[:k]


def a_key(world: World, writer: str, *, asked: bool) -> str:
    """A key whose 2 closest peers include ``writer`` (``asked``) or not."""
    keys = (f"key-{number}" for number in range(1000))
    return next(key for key in keys if (writer in closest(world, key, 2)) is asked)


def test_an_oversized_value_stays_with_its_writer_and_the_put_reports_success() -> None:
    with World(seed=1, peers=10, replication=2, conditions=LIMITED) as world:
        writer = MockDHT(world, peer="peer-2")
        key = a_key(world, "peer-2", asked=False)
        writer.put_value(key, BIG)  # no error: libp2p reports success
        assert [peer.name for peer in world.holders(key)] == ["peer-2"]
        assert writer.get_value(key) == BIG  # the writer finds its own copy
        with pytest.raises(NotFoundError) as caught:
            MockDHT(world, peer="peer-5").get_value(key)
        assert [call.outcome for call in writer.calls("put_value")] == ["ok"]
    assert str(caught.value) == (
        f"no value under {key!r} that peer-5 can find: peer-2 keeps a value of 1048577 bytes, "
        "over the record size limit of 1 MiB, which the other peers refused, and peer-2 is not "
        "among the closest peers that peer-5's lookup asks (max_record_size)"
    )


def test_an_oversized_value_is_found_while_its_writer_is_asked_and_is_gone_with_it() -> None:
    with World(seed=1, peers=10, replication=2, conditions=LIMITED) as world:
        key = a_key(world, "peer-2", asked=True)
        MockDHT(world, peer="peer-2").put_value(key, BIG)
        assert [peer.name for peer in world.holders(key)] == ["peer-2"]
        reader = MockDHT(world, peer="peer-5")
        assert reader.get_value(key) == BIG
        assert [peer.name for peer in world.holders(key)] == ["peer-2"]  # not repaired onto others
        world.kill("peer-2")
        with pytest.raises(NotFoundError, match="1 killed while holding it"):
            reader.get_value(key)


def test_an_empty_value_stays_with_its_writer_and_no_other_peer_finds_it() -> None:
    with World(seed=1, peers=6, conditions=LIMITED) as world:
        writer = MockDHT(world, peer="peer-2")
        writer.put_value("k", b"")
        assert [peer.name for peer in world.holders("k")] == ["peer-2"]
        assert writer.get_value("k") == b""
        with pytest.raises(NotFoundError) as caught:
            MockDHT(world, peer="peer-5").get_value("k")
    assert str(caught.value) == (
        "no value under 'k' that peer-5 can find: peer-2 keeps an empty value, which the other "
        "peers refused (an empty answer reads as none) (max_record_size)"
    )


def test_a_value_at_the_limit_is_replicated() -> None:
    with World(seed=1, peers=6, conditions=LIMITED) as world:
        MockDHT(world, peer="peer-2").put_value("k", b"x" * MiB)
        assert len(world.holders("k")) == 6
        assert MockDHT(world, peer="peer-5").get_value("k") == b"x" * MiB


def test_a_refused_overwrite_leaves_the_others_with_the_old_value() -> None:
    with World(seed=1, peers=6, conditions=NetworkConditions(max_record_size=10)) as world:
        writer, reader = MockDHT(world, peer="peer-2"), MockDHT(world, peer="peer-5")
        writer.put_value("k", b"small")
        writer.put_value("k", b"")
        assert writer.get_value("k") == b""  # its own copy, not repaired onto others
        assert reader.get_value("k") == b"small"
        assert len(world.holders("k")) == 6  # the others keep the old value
        writer.put_value("k", b"fits")  # a value that fits replaces the writer's copy too
        assert reader.get_value("k") == b"fits"
        assert len(world.holders("k")) == 6


def test_the_limit_is_the_one_in_force_when_the_value_was_put() -> None:
    with World(seed=1, peers=4) as world:
        MockDHT(world, peer="peer-2").put_value("k", b"x" * 20)
        world.conditions = NetworkConditions(max_record_size=10)
        assert MockDHT(world, peer="peer-3").get_value("k") == b"x" * 20


def test_in_a_world_of_one_peer_nothing_changes() -> None:
    with World(seed=1, conditions=LIMITED) as world:
        dht = MockDHT(world)
        dht.put_value("k", b"x" * (MiB + 1))
        dht.put_value("e", b"")
        assert dht.get_value("k") == b"x" * (MiB + 1)
        assert dht.get_value("e") == b""


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (0, ValueError, "max_record_size must be 1 byte or more"),
        (-5, ValueError, "max_record_size must be 1 byte or more"),
        (1.5, TypeError, "max_record_size must be a whole number of bytes, or None"),
        (True, TypeError, "max_record_size must be a whole number of bytes, or None"),
        ("1MiB", TypeError, "max_record_size must be a whole number of bytes, or None"),
    ],
)
def test_bad_limits_are_refused(value: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        NetworkConditions(max_record_size=value)  # type: ignore[arg-type]


def test_the_limit_is_described() -> None:
    assert LIMITED.describe() == "record size limit 1 MiB"
    assert NetworkConditions(max_record_size=1000).describe() == "record size limit 1000 bytes"
    assert LIMITED.replace(max_record_size=None) == NetworkConditions()


# -- from the plugin's settings ---------------------------------------------------------


@pytest.mark.parametrize(
    ("marker", "args", "limit"),
    [
        ("@pytest.mark.bzzz(peers=5)", [], None),
        ("@pytest.mark.bzzz(peers=5, max_record_size='1MiB')", [], MiB),
        ("@pytest.mark.bzzz(peers=5, max_record_size=1000)", [], 1000),
        ("@pytest.mark.bzzz(peers=5)", ["--bzzz-max-record-size=10KiB"], 10240),
        ("@pytest.mark.bzzz(peers=5, max_record_size=None)", ["--bzzz-max-record-size=1MiB"], None),
    ],
)
def test_the_setting_from_a_marker_or_the_command_line(
    pytester: pytest.Pytester, marker: str, args: list[str], limit: int | None
) -> None:
    pytester.makepyfile(
        test_it=f"""
        import pytest
        from pytest_bzzz import MockDHT, NotFoundError

        LIMIT = {limit!r}

        {marker}
        def test_put(bzzz_network, mock_dht):
            assert bzzz_network.conditions.max_record_size == LIMIT
            mock_dht.put_value("k", b"")
            other = MockDHT(bzzz_network, peer="peer-3")
            if LIMIT is None:
                assert other.get_value("k") == b""
            else:
                with pytest.raises(NotFoundError, match="max_record_size"):
                    other.get_value("k")
                assert len(bzzz_network.holders("k")) == 1
        """
    )
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=1)


@given(
    network_conditions(
        ambiguous_timeouts=st.booleans(), max_record_sizes=st.none() | st.integers(1, MiB)
    )
)
def test_the_strategy_draws_the_options_when_asked(conditions: NetworkConditions) -> None:
    assert isinstance(conditions.ambiguous_timeouts, bool)
    assert conditions.max_record_size is None or 1 <= conditions.max_record_size <= MiB


@given(network_conditions())
def test_the_strategy_leaves_the_options_off_by_default(conditions: NetworkConditions) -> None:
    assert conditions.ambiguous_timeouts is False
    assert conditions.max_record_size is None


@pytest.mark.parametrize(
    "conditions",
    [
        LIMITED,
        NetworkConditions(ambiguous_timeouts=True, timeout=0.5),
        NetworkConditions(max_record_size=4, ambiguous_timeouts=True, failure_ops={"get_value"}),
    ],
)
def test_libp2ps_behaviours_keep_a_world_of_one_peer_on_the_perfect_path(
    conditions: NetworkConditions,
) -> None:
    # Alone, neither behaviour can change anything: a timeout needs time to pass, a record
    # size limit another peer. The world takes the path that draws nothing and spends no time.
    with World(seed=1, conditions=conditions) as world, World(seed=1) as perfect:
        for each in (world, perfect):
            dht = MockDHT(each)
            dht.put_value("big", BIG)
            assert dht.get_value("big") == BIG
            with pytest.raises(NotFoundError):
                dht.get_value("missing")
        assert world.calls() == perfect.calls()
        assert world.clock.now() == perfect.clock.now() == 0
        assert world._perfect  # the fast path (benchmarks/bench_dht.py), as a perfect one's
        assert perfect._perfect
