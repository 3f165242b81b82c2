"""A libp2p network that does not start: one clear failure per test, and one try per session.

Collected only where the contract runs on libp2p (see ``conftest.py``). The
inner run's hosts are told to listen on an address of TEST-NET-1
(192.0.2.1, RFC 5737), which no host of this machine has: they cannot be
dialled, and the network's start fails as it would on a broken network.
"""

from __future__ import annotations

import pytest

from pytest_bzzz import World
from pytest_bzzz._backends.libp2p import Libp2pBackend, StartFailed
from pytest_bzzz._backends.libp2p import network as libp2p_network

UNREACHABLE = "/ip4/192.0.2.1/tcp/0"

CONFTEST = f"""
from pytest_bzzz._backends.libp2p import network

STARTS = []
_start = network.Libp2pNetwork.start

def counted(self, *args, **kwargs):
    STARTS.append(1)
    return _start(self, *args, **kwargs)

def pytest_configure(config):
    config.saved = network.LOOPBACK, network.Libp2pNetwork.start
    network.LOOPBACK = {UNREACHABLE!r}
    network.Libp2pNetwork.start = counted

def pytest_unconfigure(config):
    network.LOOPBACK, network.Libp2pNetwork.start = config.saved

def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"starts tried: {{len(STARTS)}}")
"""


def test_a_network_that_does_not_start_fails_each_test_once_without_retrying(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", range(3))
        def test_dht(mock_dht, n):
            pass
        """
    )

    result = pytester.runpytest_inprocess("--bzzz-backend=libp2p", "-p", "no:randomly")

    result.assert_outcomes(errors=3)
    message = (
        "bzzz: backend 'libp2p' did not start, so mock_dht cannot be built: its 3 py-libp2p "
        "hosts did not come up: SwarmException: No known addresses to peer * (and 2 more "
        "errors) (remembered for this session: *"
    )
    result.stdout.fnmatch_lines(
        [f"*{message}", f"*{message}", f"*{message}", "starts tried: 1"], consecutive=False
    )
    output = result.stdout.str()
    assert "Traceback" not in output  # the plugin's frames, the backend's, trio's: none
    assert "During handling" not in output


def test_the_backend_remembers_why_its_network_did_not_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(libp2p_network, "LOOPBACK", UNREACHABLE)
    backend = Libp2pBackend(hosts=2)
    try:
        with pytest.raises(StartFailed, match="did not come up") as first:
            backend.start()
        monkeypatch.undo()  # the address is a good one again: the failure stays remembered

        with World() as world, pytest.raises(StartFailed) as again:
            backend.dht(world)

        assert str(again.value) == str(first.value)
        assert "not started" in repr(backend)
    finally:
        backend.close()
