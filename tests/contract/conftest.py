"""The DHT contract: what every backend's DHT does, as tests run against each backend.

Every test here takes the ``peers`` fixture (one DHT per peer of a world of
three, the local peer first) or ``dht`` (the local peer's), or their
connector twins ``connectors`` and ``connector``, and runs once per backend
under test, chosen as a user chooses one (the test's
``@pytest.mark.bzzz(backend=...)``): the DHT is the plugin's ``mock_dht``,
the connector its ``mock_bzzz``, on the session's network for libp2p. Which
backends: ``memory`` always; the real py-libp2p network too when the
environment variable ``CONTRACT_BACKENDS`` says so
(``CONTRACT_BACKENDS=memory,libp2p``), which needs the ``libp2p`` extra
installed. Asking for a backend that cannot be loaded is a usage error, never
a skip; the report header says which backends ran.

Divergences are named, never silent:

- ``@pytest.mark.libp2p_differs(reason=...)``: the test runs on every
  backend and asserts, on libp2p, what libp2p really does. Such a test must
  take the ``differs`` fixture (true on the backend that differs) and use it
  in its assertion; the marker without the fixture, or the fixture without
  the marker, fails the test at setup.
- ``@pytest.mark.mock_only(reason=...)``: what only the simulation can do
  (virtual time, partitions); the test runs on the memory backend alone, and
  the real backend's refusal, where it refuses, is a test of its own.

``docs/fidelity.md`` lists every divergence with its reason; a test
(``test_fidelity_table.py``) keeps the page and these markers in step.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytest_bzzz import DHT, Connector, World
    from pytest_bzzz._backends.libp2p import Libp2pBackend

BACKENDS_VARIABLE = "CONTRACT_BACKENDS"
KNOWN_BACKENDS = ("memory", "libp2p")
DIFFERING = {"libp2p_differs": "libp2p"}
"""Each divergence marker -> the backend it names."""


def contract_backends() -> list[str]:
    """The backends the contract runs against, from ``CONTRACT_BACKENDS`` (memory by default)."""
    raw = os.environ.get(BACKENDS_VARIABLE, "memory")
    names = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = [name for name in names if name not in KNOWN_BACKENDS]
    if unknown or not names:
        raise pytest.UsageError(
            f"{BACKENDS_VARIABLE}={raw!r} (from the environment): expected a comma-separated "
            f"list of {', '.join(KNOWN_BACKENDS)}; unknown: {', '.join(unknown) or 'none given'}"
        )
    if "libp2p" in names:
        try:
            import libp2p  # noqa: F401
        except ImportError:
            raise pytest.UsageError(
                f"{BACKENDS_VARIABLE}={raw!r} (from the environment) asks for the libp2p "
                "backend, which needs py-libp2p: python -m pip install 'pytest-bzzz[libp2p]'"
            ) from None
    return names


def _libp2p_selected() -> bool:
    raw = os.environ.get(BACKENDS_VARIABLE, "")
    return "libp2p" in [name.strip() for name in raw.split(",")]


# The libp2p backend's own tests (its plugin integration, its state machine against the mock)
# are collected only where the contract runs on it: elsewhere py-libp2p may not be installed.
# The report header says so; nothing is skipped.
collect_ignore_glob = [] if _libp2p_selected() else ["test_libp2p_*.py"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "libp2p_differs(reason): this contract test asserts what libp2p really does where it "
        "differs from the mock (see docs/fidelity.md)",
    )
    config.addinivalue_line(
        "markers",
        "mock_only(reason): this contract test checks what only the simulation can do; "
        "it runs on the memory backend alone (see docs/fidelity.md)",
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = [f"bzzz contract suite backends: {', '.join(contract_backends())}"]
    if not _libp2p_selected():
        lines.append(
            f"bzzz contract suite: the libp2p backend and its own tests "
            f"(tests/contract/test_libp2p_*.py) are not collected; "
            f"set {BACKENDS_VARIABLE}=memory,libp2p to run them (needs pytest-bzzz[libp2p])"
        )
    return lines


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "contract_backend" not in metafunc.fixturenames:
        return
    backends = contract_backends()
    if metafunc.definition.get_closest_marker("mock_only") is not None:
        backends = [name for name in backends if name == "memory"]
    # Each backend through the plugin, as a user chooses it: the test's bzzz marker names it.
    metafunc.parametrize(
        "contract_backend",
        [pytest.param(name, marks=pytest.mark.bzzz(backend=name), id=name) for name in backends],
    )


@pytest.fixture
def differs(request: pytest.FixtureRequest, contract_backend: str) -> bool:
    """Whether the backend under test is the one this test's divergence marker names."""
    names = [name for name in DIFFERING if request.node.get_closest_marker(name) is not None]
    if not names:
        pytest.fail(
            "the differs fixture needs a divergence marker with its reason "
            f"({', '.join(f'@pytest.mark.{name}(reason=...)' for name in DIFFERING)})",
            pytrace=False,
        )
    return any(DIFFERING[name] == contract_backend for name in names)


def _check_divergence(request: pytest.FixtureRequest) -> None:
    """A divergence marker needs its reason, and the test the differs fixture."""
    for name in DIFFERING:
        marker = request.node.get_closest_marker(name)
        if marker is None:
            continue
        if not marker.kwargs.get("reason"):
            pytest.fail(f"@pytest.mark.{name} needs reason=...", pytrace=False)
        if "differs" not in request.fixturenames:
            pytest.fail(
                f"@pytest.mark.{name} marks a divergence: the test must take the differs "
                "fixture and assert the real behaviour with it",
                pytrace=False,
            )


@pytest.fixture
def dht(request: pytest.FixtureRequest, contract_backend: str, bzzz_network: World) -> DHT:
    """The local peer's DHT on the backend under test."""
    _check_divergence(request)
    built: DHT = request.getfixturevalue("mock_dht")
    assert type(built).__name__ == {"memory": "MockDHT", "libp2p": "Libp2pDHT"}[contract_backend]
    return built


@pytest.fixture
def connector(
    request: pytest.FixtureRequest, contract_backend: str, bzzz_network: World
) -> Connector:
    """The local peer's BZZZ connector on the backend under test."""
    _check_divergence(request)
    built: Connector = request.getfixturevalue("mock_bzzz")
    expected = {"memory": "MockBZZZ", "libp2p": "Libp2pBZZZ"}[contract_backend]
    assert type(built).__name__ == expected
    return built


@pytest.fixture
def connectors(connector: Connector, bzzz_network: World) -> list[Connector]:
    """One connector per peer of the world, the local peer's first."""
    on = connector.on  # type: ignore[attr-defined]  # both backends' connectors act as others
    return [connector, *(on(peer) for peer in bzzz_network.peers[1:])]


@pytest.fixture
def peers(dht: DHT, bzzz_network: World) -> list[DHT]:
    """One DHT per peer of the world, the local peer's first."""
    on = dht.on  # type: ignore[attr-defined]  # both backends' DHTs act as other peers
    return [dht, *(on(peer) for peer in bzzz_network.peers[1:])]


@pytest.fixture(scope="module")
def two_hosts() -> Iterator[Libp2pBackend]:
    """A libp2p backend of its own, of two hosts, for a module of the libp2p backend's tests."""
    from pytest_bzzz._backends.libp2p import Libp2pBackend

    backend = Libp2pBackend(hosts=2)
    try:
        yield backend
    finally:
        backend.close()
