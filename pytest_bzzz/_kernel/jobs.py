"""The leader's replicated state, a job table, and how it survives a failover.

The leader owns the table (``world.jobs``: job name -> the peer doing it).
Each change makes a new :class:`JobState`, one version up, with a digest of
its content, and the leader sends it to every follower it can reach; a peer
that comes within its reach later (a heal, a revival, a new peer) receives
the current state then. A killed peer loses its copy; a paused one keeps it.

A new leader continues from the newest version a majority of all peers
holds. Each peer keeps every version it received, as a log: a copy holds its
own version and every version before it in its history (``JobState.parent``,
back to the version its term's leader started from). Every peer's copy
counts, paused peers' and those out of the leader's reach too (the world
knows them all); a killed peer holds nothing. A copy whose digest does not
match its content is refused (its newest version; what it received before
still counts). Of the versions held by a majority, the newest (the later
term first, then the higher version) is taken; copies newer than it, or on
another branch (a stale leader's writes, which only a minority received),
are discarded, and the term lists their holders. The leader takes that state
over in its own term, as Raft's new leaders commit an entry of their own
term. When no version is held by a majority (most copies killed), the table
starts again empty. Jobs whose peer is not live (paused or killed) are listed
as :attr:`JobTable.orphaned`, for the test or the code under test to
reassign.

The history a copy keeps is cut below the newest version every copy shares:
an older version can never be the one a majority holds without that one
being held too.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from .errors import NoLeaderError
from .peers import Peer

if TYPE_CHECKING:
    from .cluster import PeerLike
    from .core import Core

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = ["JobData", "JobState", "JobTable"]


def _key(state: JobState) -> tuple[int, int, str]:
    """What tells versions apart, and orders them: the later term, then the higher version."""
    return (state.term, state.version, state.digest)


def _digest(version: int, jobs: Mapping[str, Peer]) -> str:
    text = f"{version}\n" + "".join(f"{job}\t{jobs[job].id}\n" for job in sorted(jobs))
    return hashlib.sha256(text.encode()).hexdigest()


class JobState:
    """One copy of the job table: its ``version``, the ``term`` that wrote it, ``jobs``, ``digest``.

    ``valid`` says whether the digest matches the content (a copy corrupted
    with :meth:`JobTable.corrupt` does not). Copies are equal when all four are.
    """

    __slots__ = ("_valid", "digest", "jobs", "parent", "term", "version")

    def __init__(
        self,
        version: int,
        term: int,
        jobs: Mapping[str, Peer],
        digest: str | None = None,
        parent: JobState | None = None,
    ) -> None:
        self.version = version
        self.term = term
        self.jobs: Mapping[str, Peer] = MappingProxyType(dict(jobs))
        self.digest = _digest(version, self.jobs) if digest is None else digest
        self._valid: bool | None = True if digest is None else None
        self.parent = parent
        """The version this one followed (None for the first, or once history is cut)."""

    @property
    def valid(self) -> bool:
        """Whether the digest matches the version and jobs (computed once per copy)."""
        if self._valid is None:
            self._valid = _digest(self.version, self.jobs) == self.digest
        return self._valid

    def stamped(self, term: int) -> JobState:
        """The same content, taken over by the leader of ``term``."""
        state = JobState(self.version, term, self.jobs, self.digest, self)
        state._valid = self._valid
        return state

    def corrupted(self, holder: Peer) -> JobState:
        """A copy whose content no longer matches its digest (a job lost, or one made up)."""
        jobs = dict(self.jobs)
        if jobs:
            del jobs[min(jobs)]
        else:
            jobs["corrupted"] = holder
        return JobState(self.version, self.term, jobs, self.digest, self.parent)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, JobState):
            return NotImplemented
        return (self.version, self.term, self.digest, self.jobs) == (
            other.version,
            other.term,
            other.digest,
            other.jobs,
        )

    def __hash__(self) -> int:
        return hash((self.version, self.term, self.digest))

    def __repr__(self) -> str:
        jobs = ", ".join(f"{job!r}: {peer.name!r}" for job, peer in self.jobs.items())
        flag = "" if self.valid else ", corrupted"
        return f"<JobState version {self.version} (term {self.term}){flag}: {{{jobs}}}>"


EMPTY = JobState(0, 0, {})

PRUNE_EVERY = 64
"""The history of copies is cut every this many writes (and at each election)."""


class JobData:
    """The table as the leader holds it, and each peer's copy. The world's lock is held."""

    def __init__(self) -> None:
        self.current = EMPTY
        self.replicas: dict[str, JobState] = {}
        self._writes = 0

    def reset(self) -> None:
        self.current = EMPTY
        self.replicas.clear()
        self._writes = 0

    def replicate(self, state: JobState, peers: Iterable[str]) -> None:
        """``peers`` receive ``state``."""
        self.replicas.update(dict.fromkeys(peers, state))

    def lose(self, peer: str) -> None:
        """A killed peer loses its copy."""
        self.replicas.pop(peer, None)

    def adopt(self, term: int, peers: int) -> tuple[JobState, list[str], list[str]]:
        """What the leader of ``term`` continues from: the newest version a majority holds.

        ``peers`` is how many peers the world has (a majority is more than
        half of them). Returns that state, taken over in ``term``; the
        holders whose copy it refused (digest mismatch); and the holders whose
        valid copy it discarded (newer than that version, or on another branch).
        """
        majority = peers // 2 + 1
        replicas = self.replicas
        counts = Counter(map(id, replicas.values()))  # copies are shared: few distinct ones
        distinct = {id(state): state for state in replicas.values()}
        # A version is known by (term, version, digest): a term's leader writes one line of
        # versions, so two valid copies with the same three are the same version.
        support: dict[tuple[int, int, str], int] = {}  # the copies that hold it, or a later one
        versions: dict[tuple[int, int, str], JobState] = {}
        for key, state in distinct.items():
            count = counts[key]
            node: JobState | None = state if state.valid else state.parent
            while node is not None:
                name = _key(node)
                support[name] = support.get(name, 0) + count
                versions.setdefault(name, node)
                node = node.parent
        held = [name for name, count in support.items() if count >= majority]
        best = versions[max(held)] if held else EMPTY
        history = set()
        node = best
        while node is not None:
            history.add(_key(node))
            node = node.parent
        refused: list[str] = []
        discarded: list[str] = []
        odd = {
            key for key, state in distinct.items() if not state.valid or _key(state) not in history
        }
        if odd:  # some copies are refused or discarded: find their holders
            for peer, state in replicas.items():
                if id(state) in odd:
                    (discarded if state.valid else refused).append(peer)
        self.current = best.stamped(term)
        self._prune()
        return self.current, refused, discarded

    def write(self, jobs: Mapping[str, Peer], term: int) -> JobState:
        """The leader's next version of the table, following the current one."""
        current = self.current
        self.current = JobState(current.version + 1, term, jobs, parent=current)
        self._writes += 1
        if self._writes % PRUNE_EVERY == 0:
            self._prune()
        return self.current

    def _prune(self) -> None:
        """Cut the history below the newest version every copy (and the table) shares."""
        chains: list[list[JobState]] = []
        seen: set[int] = set()
        for state in [self.current, *self.replicas.values()]:
            if id(state) in seen:
                continue
            seen.add(id(state))
            chain = []
            node: JobState | None = state
            while node is not None:
                chain.append(node)
                node = node.parent
            chains.append(chain)
        shared = set(map(id, chains[0]))
        for chain in chains[1:]:
            shared.intersection_update(map(id, chain))
        for node in chains[0]:
            if id(node) in shared:
                if node is not EMPTY:
                    node.parent = None
                return


class JobTable(Mapping[str, Peer]):
    """``world.jobs``: the leader's job table, job name -> the peer assigned to it.

    Reads show the table as the current leader holds it (with no leader, as
    the last one left it); :meth:`assign` and :meth:`remove` need a leader and
    make a new version, which every follower the leader can reach receives.
    """

    def __init__(self, core: Core) -> None:
        self._core = core

    def _read(self) -> JobState:
        core = self._core
        with core.lock:
            core.time.catch_up()
            core.election.sync()
            return core.election.jobs.current

    def __getitem__(self, job: str) -> Peer:
        jobs = self._read().jobs
        if job not in jobs:
            known = ", ".join(repr(name) for name in list(jobs)[:10]) or "none"
            raise KeyError(f"no job {job!r} in the job table; its jobs are {known}")
        return jobs[job]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._read().jobs))

    def __len__(self) -> int:
        return len(self._read().jobs)

    def __repr__(self) -> str:
        state = self._read()
        jobs = ", ".join(f"{job!r}: {peer.name!r}" for job, peer in state.jobs.items())
        return f"<JobTable version {state.version}: {{{jobs}}}>"

    @property
    def version(self) -> int:
        """The version of the table: 0 before any change, one more with each."""
        return self._read().version

    @property
    def digest(self) -> str:
        """The SHA-256 of the version and the jobs, hex: what copies are checked against."""
        return self._read().digest

    @property
    def orphaned(self) -> list[str]:
        """The jobs whose peer is not live (paused or killed), sorted: reassign them."""
        core = self._core
        with core.lock:
            jobs = self._read().jobs
            status = core.topology.status
            return sorted(job for job, peer in jobs.items() if status(peer.id) != "live")

    def assign(self, job: str, peer: PeerLike) -> None:
        """Assign ``job`` to ``peer`` (a new job, or a reassignment): a new version.

        Raises :class:`NoLeaderError` when the world has no leader.
        """
        self._change(job, peer)

    def remove(self, job: str) -> None:
        """Take ``job`` off the table: a new version. Raises ``KeyError`` if it is not there."""
        self._change(job, None)

    def _change(self, job: str, peer: PeerLike | None) -> None:
        core = self._core
        if not isinstance(job, str) or not job:
            raise TypeError(f"a job is named by a non-empty str, got {type(job).__name__} {job!r}")
        with core.lock:
            target = None if peer is None else core.peer(peer)
            core.time.catch_up()
            election = core.election
            election.sync()
            jobs = dict(election.jobs.current.jobs)
            if target is None:
                if job not in jobs:
                    raise KeyError(f"cannot remove job {job!r}: it is not in the job table")
                del jobs[job]
                what = f"remove job {job!r}"
            else:
                jobs[job] = target
                what = f"assign job {job!r} to {target.name}"
            if election.observed_id() is None:
                raise NoLeaderError(
                    f"cannot {what}: there is no leader ({election.why_no_leader()}); "
                    "wait for one with world.wait_for_leader()",
                    op="assign" if target is not None else "remove",
                    key=job,
                )
            election.write(jobs)

    def replica(self, peer: PeerLike) -> JobState | None:
        """The copy of the table ``peer`` holds (None if it holds none: never reached, killed)."""
        core = self._core
        with core.lock:
            holder = core.peer(peer)
            core.time.catch_up()
            core.election.sync()
            return core.election.jobs.replicas.get(holder.id)

    def corrupt(self, peer: PeerLike) -> None:
        """Corrupt ``peer``'s copy: its content changes, its digest does not.

        A new leader refuses such a copy. The leader's own table cannot be
        corrupted this way (it is what ``world.jobs`` shows); a follower's
        copy is mended when the leader next sends it a version.
        """
        core = self._core
        with core.lock:
            holder = core.peer(peer)
            core.time.catch_up()
            election = core.election
            election.sync()
            if holder.id == election.leader:
                raise ValueError(
                    f"{holder.name} is the leader: its table is what world.jobs shows; "
                    "corrupt a follower's copy"
                )
            state = election.jobs.replicas.get(holder.id)
            if state is None:
                raise ValueError(
                    f"{holder.name} holds no copy of the job table to corrupt (it has not "
                    "received one, or it was killed)"
                )
            election.jobs.replicas[holder.id] = state.corrupted(holder)
