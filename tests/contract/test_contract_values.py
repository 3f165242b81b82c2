"""Values: what a put stores, who reads it, and overwrites, missing keys and odd values."""

from __future__ import annotations

import pytest

from pytest_bzzz import DHT, NotFoundError, World

pytestmark = pytest.mark.bzzz(peers=3)

KEY = "contract/value"


def test_a_value_put_is_read_back_by_its_writer(dht: DHT) -> None:
    dht.put_value(KEY, b"hello")

    assert dht.get_value(KEY) == b"hello"


def test_a_value_put_by_one_peer_is_read_by_the_others(peers: list[DHT]) -> None:
    writer, *readers = peers

    writer.put_value(KEY, b"shared")

    assert [reader.get_value(KEY) for reader in readers] == [b"shared", b"shared"]


def test_an_overwrite_is_read_back_by_its_writer(dht: DHT) -> None:
    dht.put_value(KEY, b"first")
    dht.put_value(KEY, b"second")

    assert dht.get_value(KEY) == b"second"


@pytest.mark.libp2p_differs(
    reason="first write wins at the other peers: libp2p's default validator selects the "
    "record a peer already holds, so an overwrite reaches only the writer's own store"
)
def test_an_overwrite_reaches_the_other_peers(peers: list[DHT], differs: bool) -> None:
    writer, reader, _ = peers
    writer.put_value(KEY, b"first")
    writer.put_value(KEY, b"second")

    assert reader.get_value(KEY) == (b"first" if differs else b"second")


def test_a_missing_key_raises_not_found(peers: list[DHT]) -> None:
    for peer in peers:
        with pytest.raises(NotFoundError):
            peer.get_value("contract/never-stored")


def test_the_same_value_put_twice_is_read_once(peers: list[DHT]) -> None:
    peers[0].put_value(KEY, b"again")
    peers[0].put_value(KEY, b"again")

    assert peers[1].get_value(KEY) == b"again"


def test_an_empty_value_is_read_back_by_its_writer(dht: DHT) -> None:
    dht.put_value(KEY, b"")

    assert dht.get_value(KEY) == b""


@pytest.mark.libp2p_differs(
    reason="other peers refuse a record with an empty value (py-libp2p's PUT_VALUE handler "
    "requires one), so only the writer holds it"
)
def test_an_empty_value_reaches_the_other_peers(peers: list[DHT], differs: bool) -> None:
    peers[0].put_value(KEY, b"")

    if differs:
        with pytest.raises(NotFoundError):
            peers[1].get_value(KEY)
    else:
        assert peers[1].get_value(KEY) == b""


def test_every_byte_survives_the_round_trip(peers: list[DHT]) -> None:
    value = bytes(range(256)) * 4

    peers[0].put_value(KEY, value)

    assert peers[1].get_value(KEY) == value


def test_a_value_of_256_kib_outlives_its_writer(peers: list[DHT], bzzz_network: World) -> None:
    value = bytes(range(256)) * 1024

    peers[0].put_value(KEY, value)
    bzzz_network.kill(bzzz_network.peers[0])

    assert peers[2].get_value(KEY) == value


def test_a_value_of_2_mib_is_read_by_the_other_peers(peers: list[DHT]) -> None:
    value = b"\x5a" * (2 * 1024 * 1024)

    peers[0].put_value(KEY, value)

    assert peers[1].get_value(KEY) == value


@pytest.mark.libp2p_differs(
    reason="the other peers refuse a record over libp2p's size limit (1 MiB) while put_value "
    "reports success: only the writer holds it, and it is gone with the writer"
)
def test_a_value_of_2_mib_outlives_its_writer(
    peers: list[DHT], bzzz_network: World, differs: bool
) -> None:
    value = b"\x5a" * (2 * 1024 * 1024)

    peers[0].put_value(KEY, value)
    bzzz_network.kill(bzzz_network.peers[0])

    if differs:
        with pytest.raises(NotFoundError):
            peers[1].get_value(KEY)
    else:
        assert peers[1].get_value(KEY) == value


@pytest.mark.bzzz(max_record_size="1MiB")
def test_with_the_record_size_limit_an_empty_value_stays_with_its_writer(
    peers: list[DHT],
) -> None:
    """The mock in libp2p's mode (``max_record_size``): what libp2p does with an empty value."""
    peers[0].put_value(KEY, b"")

    assert peers[0].get_value(KEY) == b""
    with pytest.raises(NotFoundError):
        peers[1].get_value(KEY)


@pytest.mark.bzzz(max_record_size="1MiB")
def test_with_the_record_size_limit_a_value_of_2_mib_is_gone_with_its_writer(
    peers: list[DHT], bzzz_network: World
) -> None:
    """The mock in libp2p's mode (``max_record_size``): what libp2p does with 2 MiB."""
    value = b"\x5a" * (2 * 1024 * 1024)

    peers[0].put_value(KEY, value)  # (a get before the kill could leave a copy with the reader)
    bzzz_network.kill(bzzz_network.peers[0])

    with pytest.raises(NotFoundError):
        peers[1].get_value(KEY)


def test_a_bytearray_or_memoryview_is_stored_as_bytes(dht: DHT) -> None:
    dht.put_value(KEY, bytearray(b"array"))  # type: ignore[arg-type]
    dht.put_value("contract/view", memoryview(b"view"))  # type: ignore[arg-type]

    assert (dht.get_value(KEY), dht.get_value("contract/view")) == (b"array", b"view")


@pytest.mark.parametrize(
    ("value", "error"),
    [("text", TypeError), (None, TypeError), (42, TypeError)],
    ids=["str", "None", "int"],
)
def test_a_value_that_is_not_bytes_is_refused_before_the_network(
    dht: DHT, bzzz_network: object, value: object, error: type[Exception]
) -> None:
    with pytest.raises(error, match="value must be bytes"):
        dht.put_value(KEY, value)  # type: ignore[arg-type]

    with pytest.raises(NotFoundError):
        dht.get_value(KEY)
