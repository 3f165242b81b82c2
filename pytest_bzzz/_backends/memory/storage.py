"""What a simulated world stores: DHT values and provider records.

The storage belongs to the world, not to a mock, so that every mock on one
world (``mock_dht``, ``mock_bzzz``) sees the same data. Its methods act
directly, without the network: use them to arrange data before a test (for
example from the ``pytest_bzzz_world_created`` hook). Mocks go through the
network instead and check their arguments with the same functions.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..._ucxl.address import UCXLAddress
from ..._ucxl.errors import NotFoundError
from ..arguments import check_key, check_peer_id, check_value

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# simulated failure or a refused argument ends at the line of the test that caused it.
__tracebackhide__ = True

__all__ = ["DHTStorage", "check_key", "check_peer_id", "check_value"]


class _Values(dict[str, bytes]):
    """DHT values by key: a dict whose missing key raises :class:`NotFoundError`.

    So that reading a value is one C-level lookup on the hot path (the mock's
    ``get_value`` action is this dict's ``__getitem__``), with the message a
    missing key has always had.
    """

    __slots__ = ()

    def __missing__(self, key: str) -> bytes:
        raise NotFoundError(f"no value under {key!r}")


class DHTStorage:
    """Values and provider records of one world, reached without the network."""

    __slots__ = ("providers_by_key", "values")

    def __init__(self) -> None:
        self.values: dict[str, bytes] = _Values()
        # Provider ids per key in the order they first provided (a dict as an ordered set).
        self.providers_by_key: dict[str, dict[str, None]] = {}

    def put(self, key: str | UCXLAddress, value: bytes | bytearray | memoryview) -> None:
        """Store ``value`` under ``key``."""
        self.values[check_key(key)] = check_value(value)

    def get(self, key: str | UCXLAddress) -> bytes:
        """The value under ``key``; raises :class:`NotFoundError` if there is none."""
        return self.values[check_key(key)]

    def provide(self, key: str | UCXLAddress, provider_id: str) -> None:
        """Record ``provider_id`` as a provider of ``key``."""
        self.providers_by_key.setdefault(check_key(key), {})[check_peer_id(provider_id)] = None

    def providers(self, key: str | UCXLAddress) -> list[str]:
        """Distinct providers of ``key``, in the order they first provided it."""
        return list(self.providers_by_key.get(check_key(key), ()))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, (str, UCXLAddress)) and str(key) in self.values

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def clear(self) -> None:
        """Forget every value and provider record."""
        self.values.clear()
        self.providers_by_key.clear()
