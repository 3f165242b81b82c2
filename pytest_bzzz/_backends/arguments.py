"""What the interfaces accept as keys, values, provider ids and addresses: one check for all.

Each backend checks its arguments with these before anything reaches its
network, so that a bad argument is refused the same way, with the same
message, whichever backend a test runs on.
"""

from __future__ import annotations

from .._ucxl.address import UCXLAddress

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = [
    "ANNOUNCE_AN_ADDRESS",
    "DELETE_ADDS_A_TOMBSTONE",
    "DISCOVER_ADDRESSES",
    "STORE_NUMBERS_VERSIONS",
    "check_address",
    "check_key",
    "check_peer_id",
    "check_value",
]

# Why a connector's operation takes no temporal segment (the end of its error message).
STORE_NUMBERS_VERSIONS = "versions are numbered by the store as it stores them"
DELETE_ADDS_A_TOMBSTONE = "a delete adds a tombstone after the latest version, whatever is asked"
ANNOUNCE_AN_ADDRESS = "a capability is announced for an address, not for one of its versions"
DISCOVER_ADDRESSES = "discovery matches announced addresses, which have no versions"


def check_address(
    value: object, *, what: str, concrete: bool, unversioned: str = ""
) -> UCXLAddress:
    """``value`` (a UCXLAddress or its text) as an address, named ``what`` in an error.

    ``concrete``: a pattern is refused; ``unversioned``: why the address may
    not have a temporal segment (a reason above), if it may not.
    """
    if isinstance(value, str):
        address = UCXLAddress.parse(value)
    elif isinstance(value, UCXLAddress):
        address = value
    else:
        raise TypeError(f"{what} must be a UCXLAddress or a str, got {type(value).__name__}")
    if concrete and address.is_pattern:
        raise ValueError(
            f"{what} {str(address)!r} is a pattern (it holds a wildcard or a glob); "
            "a concrete address is needed here"
        )
    if unversioned and address.temporal is not None:
        raise ValueError(
            f"{what} {str(address)!r} has a temporal segment ({address.temporal}); "
            f"{unversioned}: give it without one"
        )
    return address


def check_key(key: object) -> str:
    """A key as stored: a non-empty str, or a concrete UCXLAddress in canonical form."""
    if isinstance(key, str):
        if not key:
            raise ValueError("key must not be empty")
        return key
    if isinstance(key, UCXLAddress):
        if key.is_pattern:
            raise ValueError(
                f"key {str(key)!r} is a pattern (it holds a wildcard or a glob); "
                "only a concrete address can be a key"
            )
        return str(key)
    raise TypeError(
        f"key must be a non-empty str or a UCXLAddress, got {type(key).__name__} {key!r}"
    )


def check_value(value: object) -> bytes:
    """A value as stored: bytes as given, or a copy of a bytearray or memoryview."""
    if type(value) is bytes:
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    hint = " (encode text first, e.g. text.encode())" if isinstance(value, str) else ""
    raise TypeError(
        f"value must be bytes (a bytearray or memoryview is copied), "
        f"got {type(value).__name__}{hint}"
    )


def check_peer_id(peer_id: object) -> str:
    """A provider id: a non-empty str."""
    if not isinstance(peer_id, str):
        raise TypeError(f"provider_id must be a str, got {type(peer_id).__name__} {peer_id!r}")
    if not peer_id:
        raise ValueError("provider_id must not be empty")
    return peer_id
