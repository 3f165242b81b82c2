"""A client that retries through a leader failover, tested the way a user of pytest-bzzz does.

The code at the top stands for your own: a client that hands jobs to the
cluster's leader (BZZZ's admin peer), retrying with a backoff while there is
none, and a handler that reassigns the jobs of dead workers when a new leader
takes over. The tests build a cluster of five peers on the test's world,
kill or cut off its leader, and check what the client did, in virtual time:
a failover that takes 20 simulated seconds costs no wall time.

Run them with ``python -m pytest docs/examples``; they need only pytest-bzzz.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from pytest_bzzz import NetworkError, Peer, World

# -- The code under test ------------------------------------------------------
# In a real project this lives in your package; it is inlined here so that the
# example suite is self-contained. The client takes what it calls as arguments
# (the leader's submit, and a sleep), so that a test can hand it the world's.


def submit_with_retry(
    submit: Callable[[str, str], object],
    job: str,
    worker: str,
    *,
    sleep: Callable[[float], object],
    attempts: int = 6,
    backoff: float = 2.0,
) -> int:
    """Submit ``job`` for ``worker`` to the leader; return the attempts it took.

    A network failure (no leader, during a failover) is retried after a
    backoff that doubles each time; after ``attempts`` tries it is raised.
    """
    delay = backoff
    for attempt in range(1, attempts + 1):
        try:
            submit(job, worker)
        except NetworkError:
            if attempt == attempts:
                raise
            sleep(delay)
            delay *= 2
        else:
            return attempt
    raise AssertionError("unreachable")  # pragma: no cover


def reassign_orphans(
    orphaned: Sequence[str], assign: Callable[[str, str], object], workers: Sequence[str]
) -> list[str]:
    """Give each orphaned job to a worker, in turn; return the jobs reassigned."""
    for index, job in enumerate(orphaned):
        assign(job, workers[index % len(workers)])
    return list(orphaned)


# -- The tests ----------------------------------------------------------------


@pytest.fixture
def cluster(bzzz_network: World) -> World:
    """Five peers with a leader elected (the local peer and four more)."""
    bzzz_network.add_peers(4)
    bzzz_network.wait_for_leader()
    return bzzz_network


def test_a_submission_rides_out_a_leader_failover(cluster: World) -> None:
    old = cluster.leader
    assert old is not None
    cluster.kill(old)  # the leader dies just before the client calls it
    started = cluster.clock.now()
    attempts = submit_with_retry(
        cluster.jobs.assign, "index-docs", "peer-1", sleep=cluster.clock.sleep
    )
    new = cluster.leader
    assert new is not None
    assert new != old
    assert cluster.jobs["index-docs"].name == "peer-1"
    assert attempts > 1  # it met the failover, and retried through it
    waited = sum(2.0 * 2**n for n in range(attempts - 1))  # its backoffs: 2 s, 4 s, 8 s, ...
    assert cluster.clock.now() - started == pytest.approx(waited)
    assert cluster.terms[-1].elected_at <= cluster.clock.now()


def test_the_client_gives_up_when_no_side_has_a_majority(cluster: World) -> None:
    names = [peer.name for peer in cluster.peers]
    cluster.partition(names[:2], names[2:4])  # 2 | 2 | 1 of 5: nobody can lead
    cluster.clock.advance(cluster.election_timeout)  # the old leader has stepped down
    with pytest.raises(NetworkError, match="no side of the network has a majority"):
        submit_with_retry(
            cluster.jobs.assign, "index-docs", "peer-1", sleep=cluster.clock.sleep, attempts=8
        )
    assert cluster.jobs.version == 0  # nothing was half-submitted


def test_a_write_to_a_cut_off_leader_is_lost(cluster: World) -> None:
    old = cluster.leader
    assert old is not None
    cluster.isolate(old)
    cluster.jobs.assign("stale", "peer-1")  # the old leader still believes it leads
    new = cluster.wait_for_leader()  # its successor, elected by the majority
    assert new != old
    assert "stale" not in cluster.jobs


def test_the_new_leader_reassigns_the_jobs_of_dead_workers(cluster: World) -> None:
    leader = cluster.leader
    assert leader is not None
    workers = [peer.name for peer in cluster.peers if peer != leader]
    cluster.jobs.assign("summarise", workers[0])
    cluster.jobs.assign("translate", workers[1])
    reassigned: list[str] = []

    def on_new_leader(new: Peer | None) -> None:
        if new is not None:
            alive = [w for w in workers if cluster.status(w) == "live"]
            reassigned.extend(reassign_orphans(cluster.jobs.orphaned, cluster.jobs.assign, alive))

    cluster.on_leader_change(on_new_leader)
    cluster.kill(workers[0])  # a worker dies ...
    cluster.kill(leader)  # ... and so does the leader
    cluster.wait_for_leader()
    assert reassigned == ["summarise"]
    assert cluster.jobs.orphaned == []
    assert cluster.jobs["summarise"].name != workers[0]
