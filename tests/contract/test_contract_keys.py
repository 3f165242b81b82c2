"""Keys: any non-empty str (Unicode, control characters, slashes, long ones) or a UCXL address."""

from __future__ import annotations

import pytest

from pytest_bzzz import DHT, UCXLAddress

pytestmark = pytest.mark.bzzz(peers=3)

KEYS = {
    "unicode": "ключ/🔑/naïve",
    "control characters": "\x00\x01\x7f\ufffe",
    "a /pk/ namespace": "/pk/not-a-public-key",
    "an /ipns/ namespace": "/ipns/not-a-name",
    "slashes only": "///",
    "300 characters": "k" * 300,
    "hex upper case": "DEADBEEF",
    "hex lower case": "deadbeef",
    "a CID": "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
}


@pytest.mark.parametrize("key", KEYS.values(), ids=KEYS.keys())
def test_any_non_empty_str_is_a_key(peers: list[DHT], key: str) -> None:
    peers[0].put_value(key, key.encode("utf-8", "surrogatepass"))

    assert peers[1].get_value(key) == key.encode("utf-8", "surrogatepass")


def test_keys_differing_only_in_case_are_different_keys(peers: list[DHT]) -> None:
    peers[0].put_value("DEADBEEF", b"upper")
    peers[0].put_value("deadbeef", b"lower")

    assert (peers[1].get_value("DEADBEEF"), peers[1].get_value("deadbeef")) == (b"upper", b"lower")


def test_a_ucxl_address_is_a_key_in_its_canonical_form(peers: list[DHT]) -> None:
    address = UCXLAddress.parse("ucxl://agent:role@project:task/*^/docs/readme.md")

    peers[0].put_value(address, b"readme")

    assert peers[1].get_value(str(address)) == b"readme"


@pytest.mark.parametrize(
    ("key", "error", "match"),
    [
        ("", ValueError, "key must not be empty"),
        (b"bytes", TypeError, "key must be a non-empty str or a UCXLAddress"),
        (None, TypeError, "key must be a non-empty str or a UCXLAddress"),
    ],
    ids=["empty", "bytes", "None"],
)
def test_a_key_that_is_not_a_non_empty_str_is_refused(
    dht: DHT, key: object, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        dht.put_value(key, b"v")  # type: ignore[arg-type]
    with pytest.raises(error, match=match):
        dht.get_value(key)  # type: ignore[arg-type]
    with pytest.raises(error, match=match):
        dht.find_providers(key)  # type: ignore[arg-type]
