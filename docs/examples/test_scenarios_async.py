"""Scenarios 8 and 9 for async code: network conditions and an end-to-end flow.

Async tests need pytest-asyncio (``python -m pip install pytest-asyncio``);
without it this module is skipped. Under the plugin, an async test's event
loop follows the world's virtual clock: ``asyncio.sleep``, ``asyncio.wait_for``
and ``asyncio.timeout`` fire at simulated instants, and simulated latency
costs no wall time.
"""

from __future__ import annotations

import asyncio
import statistics
from typing import Any

import pytest

from pytest_bzzz import AsyncConnector, Envelope, ErrorCode, MockBZZZ, NetworkError, World

pytest.importorskip("pytest_asyncio")

# The connector (mock_bzzz) is simulated on every backend: these scenarios need the
# simulation, also when a run chooses the libp2p backend (--bzzz-backend=libp2p).
pytestmark = pytest.mark.bzzz(backend="memory")

# -- The code under test ------------------------------------------------------
# In a real project this lives in your package; it is inlined here so that the
# example suite is self-contained.

# Each is typed against pytest_bzzz.AsyncConnector, the Protocol of the
# connector's async operations.


async def read_within(bzzz: AsyncConnector, address: str, seconds: float) -> Any:
    """The JSON content under ``address``, or None if it takes longer than ``seconds``."""
    try:
        envelope = await asyncio.wait_for(bzzz.aretrieve(address), timeout=seconds)
    except TimeoutError:
        return None
    return envelope.json()


async def read_all(bzzz: AsyncConnector, addresses: list[str]) -> list[Any]:
    """Read several addresses concurrently."""
    envelopes = await asyncio.gather(*(bzzz.aretrieve(address) for address in addresses))
    return [envelope.json() for envelope in envelopes]


REVIEWS = "ucxl://any:reviewer@bzzz:auth-system/reviews/{topic}.json"


def summary_address(topic: str) -> str:
    return f"ucxl://coordinator:architect@bzzz:auth-system/decisions/{topic}.json"


async def decide(bzzz: AsyncConnector, topic: str) -> Envelope:
    """Adopt the proposal the reviewers of ``topic`` score best, citing the reviews read."""
    reviews = await bzzz.asearch(REVIEWS.format(topic=topic))
    if not reviews:
        raise LookupError(f"nobody reviewed {topic!r}")
    scores: dict[str, list[float]] = {}
    for review in reviews:
        body = review.json()
        scores.setdefault(body["proposal"], []).append(body["score"])
    means = {proposal: statistics.fmean(values) for proposal, values in scores.items()}
    best = max(sorted(means), key=means.__getitem__)  # a tie goes to the first by name
    return await bzzz.astore(
        summary_address(topic),
        {"topic": topic, "proposal": best, "mean_score": means[best], "reviews": len(reviews)},
        metadata={"sources": [str(review.address) for review in reviews]},
    )


# -- Scenario 8 (async): latency, failures and timeouts ----------------------

STATUS = "ucxl://monitor:observer@bzzz:cluster/status.json"


@pytest.mark.asyncio
@pytest.mark.latency(500)
async def test_a_read_past_its_deadline_is_cancelled(
    mock_bzzz: MockBZZZ, bzzz_network: World
) -> None:
    await mock_bzzz.astore(STATUS, {"healthy": True})

    assert await read_within(mock_bzzz, STATUS, seconds=0.1) is None
    assert await read_within(mock_bzzz, STATUS, seconds=1.0) == {"healthy": True}
    assert [call.outcome for call in mock_bzzz.calls("retrieve")] == ["cancelled", "ok"]
    assert bzzz_network.clock.now() == pytest.approx(0.5 + 0.1 + 0.5)


@pytest.mark.asyncio
@pytest.mark.latency(250)
async def test_concurrent_reads_overlap_in_simulated_time(
    mock_bzzz: MockBZZZ, bzzz_network: World
) -> None:
    addresses = [f"ucxl://monitor:observer@bzzz:cluster/nodes/node-{n}.json" for n in range(5)]
    for number, address in enumerate(addresses):
        await mock_bzzz.astore(address, {"node": number})
    start = bzzz_network.clock.now()

    assert await read_all(mock_bzzz, addresses) == [{"node": n} for n in range(5)]
    assert bzzz_network.clock.now() - start == pytest.approx(0.25)  # not 5 x 0.25


@pytest.mark.asyncio
@pytest.mark.flaky_network(1.0, ops=["retrieve"])
async def test_failing_reads_fail_the_whole_gather(mock_bzzz: MockBZZZ) -> None:
    await mock_bzzz.astore(STATUS, {"healthy": True})  # "retrieve" covers aretrieve only

    with pytest.raises(NetworkError) as caught:
        await read_all(mock_bzzz, [STATUS, STATUS])

    assert caught.value.code == ErrorCode.SERVICE_UNAVAILABLE
    assert [call.outcome for call in mock_bzzz.calls("retrieve")] == ["failed", "failed"]


# -- Scenario 9 (async): query, aggregate, select, store, read back ----------

TOPIC = "token-format"


def review(agent: str) -> str:
    return f"ucxl://{agent}:reviewer@bzzz:auth-system/reviews/{TOPIC}.json"


@pytest.mark.asyncio
@pytest.mark.latency(100)
async def test_an_async_decision_reads_back(mock_bzzz: MockBZZZ, bzzz_network: World) -> None:
    await mock_bzzz.astore(review("claude"), {"proposal": "jwt", "score": 4})
    await mock_bzzz.astore(review("llama"), {"proposal": "paseto", "score": 3.5})
    await mock_bzzz.astore(review("gpt4"), {"proposal": "jwt", "score": 4.5})
    before = bzzz_network.clock.now()

    decision = await decide(mock_bzzz, TOPIC)
    stored = await mock_bzzz.aretrieve(summary_address(TOPIC))

    assert stored == decision
    assert stored.json() == {"topic": TOPIC, "proposal": "jwt", "mean_score": 4.25, "reviews": 3}
    assert len(stored.metadata["sources"]) == 3
    assert bzzz_network.clock.now() - before == pytest.approx(0.3)  # search, store, retrieve
    assert [call.op for call in mock_bzzz.calls()][-3:] == ["search", "store", "retrieve"]


@pytest.mark.asyncio
@pytest.mark.latency(100)
async def test_decisions_on_two_topics_run_concurrently(
    mock_bzzz: MockBZZZ, bzzz_network: World
) -> None:
    await mock_bzzz.astore(review("claude"), {"proposal": "jwt", "score": 4})
    await mock_bzzz.astore(
        "ucxl://claude:reviewer@bzzz:auth-system/reviews/session-length.json",
        {"proposal": "1h", "score": 5},
    )
    before = bzzz_network.clock.now()

    first, second = await asyncio.gather(
        decide(mock_bzzz, TOPIC), decide(mock_bzzz, "session-length")
    )

    assert (first.json()["proposal"], second.json()["proposal"]) == ("jwt", "1h")
    assert bzzz_network.clock.now() - before == pytest.approx(0.2)  # not 0.4
