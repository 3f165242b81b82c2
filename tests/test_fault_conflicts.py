"""Faults that meet each other: a killed peer paused, a peer named twice in a partition or a marker.

A killed peer comes back only with ``revive``: pausing it changes nothing
and records nothing (there is no process left to freeze), whether the pause
is called or scheduled; killing a paused peer kills it.
"""

from __future__ import annotations

import pytest

from pytest_bzzz import MockDHT, NotFoundError, World
from pytest_bzzz._kernel.topology import Change
from pytest_bzzz._kernel.world import core

from ._plugin_helpers import literal

pytest_plugins = ["pytester"]


@pytest.fixture
def world() -> World:
    return World(seed=1, peers=4)


def test_a_killed_peer_paused_stays_killed_and_nothing_is_recorded(world: World) -> None:
    MockDHT(world).on("peer-1").put_value("k", b"v")
    world.kill("peer-1")
    version = core(world).topology.version

    world.pause("peer-1")

    assert world.status("peer-1") == "killed"
    assert [str(event) for event in world.faults] == ["0s kill(peer-1)"]
    assert core(world).topology.version == version  # nothing changed
    assert "peer-1" not in {peer.name for peer in world.holders("k")}
    world.revive("peer-1")  # back, empty, and now it can be paused
    world.pause("peer-1")
    assert world.status("peer-1") == "paused"
    assert [event.action for event in world.faults] == ["kill", "revive", "pause"]


def test_a_paused_peer_killed_is_killed(world: World) -> None:
    MockDHT(world).put_value("k", b"v")
    held = {peer.name for peer in world.holders("k")}
    world.pause("peer-2")
    world.kill("peer-2")
    assert world.status("peer-2") == "killed"
    assert {peer.name for peer in world.holders("k")} == held - {"peer-2"}
    assert [event.action for event in world.faults] == ["pause", "kill"]


def test_a_guard_sees_the_pause_of_a_killed_peer(world: World) -> None:
    """A backend that refuses every pause (libp2p) refuses this one too, changing nothing."""
    world.kill("peer-1")
    seen: list[Change] = []

    def refuse_pauses(change: Change) -> None:
        seen.append(change)
        if change.status == "paused":
            raise NotImplementedError("no pauses here")

    core(world).topology.guards.append(refuse_pauses)
    with pytest.raises(NotImplementedError, match="no pauses here"):
        world.pause("peer-1")
    assert [(change.kind, change.status) for change in seen] == [("status", "paused")]
    assert world.status("peer-1") == "killed"
    assert [event.action for event in world.faults] == ["kill"]


def test_a_scheduled_pause_that_finds_its_peer_killed_does_nothing(world: World) -> None:
    world.at(5, "pause", "peer-1")  # live when scheduled
    world.at(2, "kill", "peer-1")
    world.clock.advance(10)

    assert world.status("peer-1") == "killed"
    assert [str(event) for event in world.faults] == ["2s kill(peer-1)"]
    assert world.scheduled == []
    with pytest.raises(NotFoundError):  # no ScheduledActionError: the pause did not fail
        MockDHT(world).get_value("k")


def test_a_scheduled_pause_sees_the_world_as_it_is_when_it_runs(world: World) -> None:
    world.kill("peer-1")
    world.at(5, "pause", "peer-1")  # killed when scheduled, revived before it runs
    world.at(3, "revive", "peer-1")
    world.clock.advance(10)

    assert world.status("peer-1") == "paused"
    assert [str(event) for event in world.faults] == [
        "0s kill(peer-1)",
        "3s revive(peer-1)",
        "5s pause(peer-1)",
    ]


def test_a_peer_named_twice_in_one_group_is_refused_as_such(world: World) -> None:
    with pytest.raises(
        ValueError, match=r"^peer 'local' is named twice in group 1: name each peer once$"
    ):
        world.partition(["local", "local"])
    with pytest.raises(ValueError, match="peer 'peer-2' is named twice in group 2"):
        world.partition(["local"], ["peer-1", world.peer("peer-2"), "peer-2"])
    with pytest.raises(
        ValueError, match="peer 'peer-1' is in group 1 and in group 2: a peer may be in one group"
    ):
        world.partition(["peer-1"], ["peer-1", "peer-2"])
    assert world.faults == []


def test_a_faults_marker_may_isolate_a_peer_it_kills_or_pauses(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = [pytest.mark.bzzz(peers=4), pytest.mark.faults(kill="peer-3")]

        @pytest.mark.faults(kill="peer-1", pause="peer-2", isolate=["peer-1", "peer-2"])
        def test_down_and_cut_off(bzzz_network):
            assert bzzz_network.status("peer-1") == "killed"
            assert bzzz_network.status("peer-2") == "paused"
            bzzz_network.revive("peer-1")
            assert not bzzz_network.can_reach("local", "peer-1")

        @pytest.mark.faults(pause="peer-3")  # the module's marker killed it: it stays killed
        def test_paused_after_the_modules_kill(bzzz_network):
            assert bzzz_network.status("peer-3") == "killed"
            assert [str(f) for f in bzzz_network.faults] == ["0s kill(peer-3)"]
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_a_peer_twice_in_one_faults_marker_is_named_in_the_error(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.faults(pause=("peer-2", "peer-2"))

        @pytest.mark.bzzz(peers=3)
        def test_x(bzzz_network):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*bzzz: "
            + literal(
                "@pytest.mark.faults(pause=('peer-2', 'peer-2')) on module "
                "test_a_peer_twice_in_one_faults_marker_is_named_in_the_error.py: "
                "names peer 'peer-2' twice in pause; name it once"
            )
            + "*"
        ]
    )
