"""The BZZZ/RUSTLE integration scenarios, as tests a user of pytest-bzzz writes.

Each section is one interaction pattern of the integration plan, tested
against the ``mock_bzzz`` connector (with ``mock_dht`` and ``bzzz_network``
where the scenario needs them). The functions at the top stand for your own
code; copy a scenario's functions and tests and replace the functions with
imports from your package.

Run them with ``python -m pytest docs/examples``; they need only pytest-bzzz.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pytest_bzzz import (
    Announcement,
    Envelope,
    ErrorCode,
    MockBZZZ,
    MockDHT,
    NetworkError,
    NetworkTimeout,
    NotFoundError,
    SyncConnector,
    Temporal,
    TemporalRangeError,
    UCXLAddress,
    World,
)

# These scenarios make agents of their own (MockBZZZ(world), which announce only in the
# simulation) and need the simulation's clock, also when a run chooses the libp2p backend.
pytestmark = pytest.mark.bzzz(backend="memory")

# -- The code under test ------------------------------------------------------
# In a real project this lives in your package; it is inlined here so that the
# example suite is self-contained. Each function takes the BZZZ connector it
# talks to as an argument, so that a test can hand it the mock.

# Each is typed against pytest_bzzz.SyncConnector, the connector's Protocol.


# Scenario 1: an agent saves and loads context, and offers what it can do.


def save_context(bzzz: SyncConnector, address: str, content: object) -> Envelope:
    """Store a piece of context; JSON values, text and bytes are all accepted."""
    return bzzz.store(address, content)


def load_context(bzzz: SyncConnector, address: str) -> Any:
    """The latest content under an address, decoded according to its type."""
    envelope = bzzz.retrieve(address)
    if envelope.content_type == "application/json":
        return envelope.json()
    return envelope.text()


def offer(bzzz: SyncConnector, address: str, capability: Mapping[str, Any]) -> None:
    """Tell the network that this node serves ``address`` with ``capability``."""
    bzzz.announce(address, capability)


def find_offers(bzzz: SyncConnector, pattern: str) -> dict[str, Mapping[str, Any]]:
    """Every offer for an address ``pattern`` matches, by address."""
    return {str(found.address): found.capability for found in bzzz.discover(pattern)}


# Scenario 2: addresses built in one place and used everywhere else.


def decision_address(agent: str, task: str, name: str) -> UCXLAddress:
    """Where an architect agent records a decision (canonical, or it raises)."""
    text = f"ucxl://{agent}:architect@bzzz:{task}/decisions/{name}.json"
    return UCXLAddress.parse(text, strict=True)


def publish(bzzz: SyncConnector, address: UCXLAddress, decision: Mapping[str, Any]) -> str:
    """Store a decision; return the versioned address other components cite."""
    return str(bzzz.store(address, decision).address)


def export_envelope(bzzz: SyncConnector, address: str) -> str:
    """What one component sends another: the envelope an address selects, as JSON."""
    return bzzz.retrieve(address).to_json()


# Scenario 3: nodes of a cluster join it and find each other.

PRESENCE = "ucxl://any:node@bzzz:cluster/presence"


def join_cluster(node: SyncConnector, name: str, *, attempts: int = 1) -> None:
    """Announce this node's presence, retrying a failed announcement."""
    address = f"ucxl://{name}:node@bzzz:cluster/presence"
    for attempt in range(1, attempts + 1):
        try:
            node.announce(address, {"name": name})
        except ConnectionError:  # the network failed: NetworkError is a ConnectionError
            if attempt == attempts:
                raise
        else:
            return


def cluster_members(node: SyncConnector) -> list[str]:
    """The names of the other nodes that joined the cluster, sorted."""
    me = node.network_status().local_peer.id  # a local read: it crosses no network
    return sorted(found.capability["name"] for found in node.discover(PRESENCE) if found.peer != me)


# Scenario 4: agents announce the models they serve; a browser picks one.

MODELS = "ucxl://any:model-server@bzzz:models/**"


def serve_models(agent: SyncConnector, name: str, models: Mapping[str, Mapping[str, Any]]) -> None:
    """An agent announces each model it serves, with what it can do."""
    for model, spec in models.items():
        agent.announce(f"ucxl://{name}:model-server@bzzz:models/{model}", {"model": model, **spec})


def available_models(browser: SyncConnector) -> list[Announcement]:
    """Every model served anywhere in the network."""
    return browser.discover(MODELS)


def pick_model(offers: list[Announcement], *, min_context: int) -> Announcement:
    """The fastest model with a context window of at least ``min_context`` tokens."""
    fitting = [found for found in offers if found.capability["context"] >= min_context]
    if not fitting:
        raise LookupError(f"no model serves a context of {min_context} tokens")
    return max(fitting, key=lambda found: found.capability["tokens_per_second"])


def choice_address(user: str) -> str:
    return f"ucxl://{user}:browser@bzzz:preferences/model.json"


def remember_choice(browser: SyncConnector, user: str, choice: Announcement) -> Envelope:
    """Store the user's choice of model, with where it is served."""
    return browser.store(
        choice_address(user),
        {"model": choice.capability["model"], "address": str(choice.address)},
        metadata={"peer": choice.peer},
    )


# Scenario 5: each component's configuration, kept under a UCXL address.

DEFAULTS: Mapping[str, Any] = {"replication": 3, "timeout_ms": 5000, "regions": ["eu-west"]}


def config_address(component: str, version: int | None = None) -> str:
    selector = "" if version is None else f"/*~{version}"
    return f"ucxl://{component}:config@bzzz:settings{selector}/config.json"


def save_config(
    bzzz: SyncConnector, component: str, config: Mapping[str, Any], *, changed_by: str
) -> Envelope:
    """Store a component's settings; the metadata says who changed which keys."""
    return bzzz.store(
        config_address(component),
        config,
        metadata={"changed_by": changed_by, "keys": sorted(config)},
    )


def load_config(bzzz: SyncConnector, component: str, version: int | None = None) -> dict[str, Any]:
    """A component's settings over the defaults (only the defaults if none are stored)."""
    try:
        stored = bzzz.retrieve(config_address(component, version)).json()
    except NotFoundError:
        stored = {}
    return {**DEFAULTS, **stored}


def configured_components(bzzz: SyncConnector) -> list[str]:
    """The components that have a configuration stored."""
    return [found.author for found in bzzz.search("ucxl://any:config@bzzz:settings/config.json")]


# Scenario 6: the table of contents a UCXL browser shows for a pattern.


def table_of_contents(bzzz: SyncConnector, pattern: str, *, limit: int | None = None) -> list[str]:
    """The stored addresses ``pattern`` selects (without their versions), in order."""
    return [str(found.base_address) for found in bzzz.search(pattern, limit=limit)]


# Scenario 7: navigating the versions of one address.


def changelog(bzzz: SyncConnector, address: UCXLAddress) -> list[str]:
    """One line per version, oldest first."""
    return [
        f"v{envelope.version} {envelope.timestamp:%Y-%m-%d %H:%M}: "
        + ("(deleted)" if envelope.deleted else envelope.text())
        for envelope in bzzz.history(address)
    ]


def read_version(bzzz: SyncConnector, address: UCXLAddress, selector: str) -> str:
    """The content a temporal selector picks from the address's history."""
    return bzzz.retrieve(address.with_temporal(selector)).text()


def as_of(bzzz: SyncConnector, address: UCXLAddress, when: datetime) -> str:
    """The content that was current at ``when``."""
    return bzzz.retrieve(address.with_temporal(Temporal("at", at=when))).text()


def undo(bzzz: SyncConnector, address: UCXLAddress) -> Envelope:
    """Store the previous version again (this also brings back a deleted address)."""
    previous = bzzz.retrieve(address.with_temporal("~~1"))
    return bzzz.store(
        address,
        previous.content,
        content_type=previous.content_type,
        metadata={"restored_from": previous.version},
    )


# Scenario 8: reading over a network that is slow or fails.


def fetch_with_retry(bzzz: SyncConnector, address: str, *, attempts: int = 3) -> Envelope:
    """Retrieve, trying again after a network failure (not after a timeout)."""
    for attempt in range(1, attempts + 1):
        try:
            return bzzz.retrieve(address)
        except ConnectionError:
            if attempt == attempts:
                raise
    raise ValueError(f"attempts must be 1 or more, got {attempts}")


def read_cached(
    bzzz: SyncConnector, address: str, cache: dict[str, Any], *, deadline: float
) -> Any:
    """Read with a deadline (seconds); when it passes, answer from the cache."""
    try:
        value = bzzz.retrieve(address, timeout=deadline).json()
    except TimeoutError:  # NetworkTimeout is a TimeoutError
        return cache[address]
    cache[address] = value
    return value


# Scenario 9: query the reviews of a topic, aggregate, select, store the decision.

REVIEWS = "ucxl://any:reviewer@bzzz:auth-system/reviews/{topic}.json"


def summary_address(topic: str) -> str:
    return f"ucxl://coordinator:architect@bzzz:auth-system/decisions/{topic}.json"


def decide(bzzz: SyncConnector, topic: str) -> Envelope:
    """Adopt the proposal the reviewers of ``topic`` score best, citing the reviews read."""
    reviews = bzzz.search(REVIEWS.format(topic=topic))
    if not reviews:
        raise LookupError(f"nobody reviewed {topic!r}")
    scores: dict[str, list[float]] = {}
    for review in reviews:
        body = review.json()
        scores.setdefault(body["proposal"], []).append(body["score"])
    means = {proposal: statistics.fmean(values) for proposal, values in scores.items()}
    best = max(sorted(means), key=means.__getitem__)  # a tie goes to the first by name
    return bzzz.store(
        summary_address(topic),
        {"topic": topic, "proposal": best, "mean_score": means[best], "reviews": len(reviews)},
        metadata={"sources": [str(review.address) for review in reviews]},
    )


# -- Scenario 1: store, retrieve, provider announcement and discovery --------

PLAN = "ucxl://gpt4:architect@bzzz:v2-migration/decisions/protocol-choice.json"
NOTES = "ucxl://gpt4:architect@bzzz:v2-migration/notes/meeting.md"


def test_stored_context_reads_back(mock_bzzz: MockBZZZ) -> None:
    stored = save_context(mock_bzzz, PLAN, {"protocol": "libp2p", "reason": "NAT traversal"})

    assert stored.version == 1
    assert stored.content_type == "application/json"
    assert load_context(mock_bzzz, PLAN) == {"protocol": "libp2p", "reason": "NAT traversal"}
    assert [call.op for call in mock_bzzz.calls()] == ["store", "retrieve"]


def test_text_context_reads_back_as_text(mock_bzzz: MockBZZZ) -> None:
    stored = save_context(mock_bzzz, NOTES, "# Meeting\n\n- ship the DHT first\n")

    assert stored.content_type == "text/plain"
    assert load_context(mock_bzzz, NOTES) == "# Meeting\n\n- ship the DHT first\n"


def test_context_never_stored_is_not_found(mock_bzzz: MockBZZZ) -> None:
    with pytest.raises(NotFoundError) as caught:
        load_context(mock_bzzz, PLAN)

    assert caught.value.code == ErrorCode.NOT_FOUND
    assert [call.outcome for call in mock_bzzz.calls("retrieve")] == ["not_found"]


def test_an_offer_is_discovered_and_is_a_dht_provider_record(
    mock_bzzz: MockBZZZ, mock_dht: MockDHT
) -> None:
    offer(mock_bzzz, PLAN, {"role": "architect", "reviews_per_hour": 12})

    assert find_offers(mock_bzzz, "ucxl://any:architect@bzzz:any/**") == {
        PLAN: {"role": "architect", "reviews_per_hour": 12}
    }
    assert find_offers(mock_bzzz, "ucxl://any:reviewer@bzzz:any/**") == {}
    # The DHT sees the announcing node as a provider of the address.
    assert mock_dht.find_providers(PLAN) == [mock_bzzz.peer.id]


# -- Scenario 2: address round-trip and cross-component use of addresses -----


def test_the_cited_address_reads_the_same_version_later(mock_bzzz: MockBZZZ) -> None:
    address = decision_address("gpt4", "v2-migration", "protocol-choice")
    cited = publish(mock_bzzz, address, {"protocol": "gRPC"})
    publish(mock_bzzz, address, {"protocol": "libp2p"})

    assert cited == "ucxl://gpt4:architect@bzzz:v2-migration/*~1/decisions/protocol-choice.json"
    assert str(UCXLAddress.parse(cited, strict=True)) == cited
    assert mock_bzzz.retrieve(cited).json() == {"protocol": "gRPC"}
    assert mock_bzzz.retrieve(address).json() == {"protocol": "libp2p"}


@pytest.mark.parametrize(
    "spelling",
    [
        "ucxl://gpt4:architect@bzzz:v2-migration/decisions/protocol-choice.json",
        "ucxl://gpt4:architect@bzzz:v2-migration/*^/decisions/protocol-choice.json",
        "ucxl://gpt4:architect@bzzz:v2-migration/decisions/protocol-choice.json*^",
        "ucxl://gpt4:architect@bzzz:v2-migration/decisions/protocol-choice.json#",
        "ucxl://gpt4:architect@bzzz:v2-migration/~~1/decisions/protocol-choice.json",
    ],
)
def test_every_spelling_reaches_the_same_history(mock_bzzz: MockBZZZ, spelling: str) -> None:
    address = decision_address("gpt4", "v2-migration", "protocol-choice")
    publish(mock_bzzz, address, {"protocol": "gRPC"})
    publish(mock_bzzz, address, {"protocol": "libp2p"})

    envelope = mock_bzzz.retrieve(spelling)

    assert envelope.base_address == address
    expected_version = 1 if "~~1" in spelling else 2
    assert envelope.version == expected_version
    assert UCXLAddress.parse(spelling).matches(envelope.address)


def test_the_dht_and_the_connector_accept_the_same_addresses(
    mock_bzzz: MockBZZZ, mock_dht: MockDHT
) -> None:
    address = decision_address("gpt4", "v2-migration", "protocol-choice")
    # One component writes a raw value to the DHT, another stores and announces
    # context through the connector, all under the same address.
    mock_dht.put_value(address, b"raw bytes")
    publish(mock_bzzz, address, {"protocol": "libp2p"})
    offer(mock_bzzz, str(address), {"role": "architect"})

    assert mock_dht.get_value(str(address)) == b"raw bytes"
    assert mock_dht.find_providers(address) == [mock_bzzz.peer.id]
    assert mock_bzzz.retrieve(str(address)).json() == {"protocol": "libp2p"}
    assert [call.key for call in mock_dht.calls()] == [str(address)] * 6


def test_an_envelope_survives_the_trip_to_another_component(mock_bzzz: MockBZZZ) -> None:
    address = decision_address("gpt4", "v2-migration", "protocol-choice")
    mock_bzzz.store(address, {"protocol": "libp2p"}, metadata={"tags": ["transport"]})

    received = Envelope.from_json(export_envelope(mock_bzzz, str(address)))

    assert received == mock_bzzz.retrieve(received.address)
    assert received.json() == {"protocol": "libp2p"}
    assert received.metadata["tags"] == ("transport",)  # metadata lists read back as tuples
    assert received.author == "gpt4"


# -- Scenario 3: bootstrap, a cluster of peers starting and finding each other


@pytest.fixture
def nodes(bzzz_network: World) -> dict[str, MockBZZZ]:
    """Five nodes, each a peer of the test's world with a connector of its own."""
    names = [f"node-{number}" for number in range(1, 6)]
    return {name: MockBZZZ(bzzz_network, peer=bzzz_network.add_peer(name)) for name in names}


def test_every_node_finds_every_other_node(nodes: dict[str, MockBZZZ]) -> None:
    for name, node in nodes.items():
        join_cluster(node, name)

    for name, node in nodes.items():
        assert cluster_members(node) == sorted(set(nodes) - {name})


def test_a_node_that_has_not_joined_is_not_a_member(nodes: dict[str, MockBZZZ]) -> None:
    join_cluster(nodes["node-1"], "node-1")
    join_cluster(nodes["node-2"], "node-2")

    assert cluster_members(nodes["node-1"]) == ["node-2"]
    assert cluster_members(nodes["node-5"]) == ["node-1", "node-2"]


def test_nodes_see_each_other_as_peers(nodes: dict[str, MockBZZZ], mock_bzzz: MockBZZZ) -> None:
    # The world's local peer (the one mock_bzzz acts as) is a sixth peer.
    status = nodes["node-3"].network_status()

    assert status.connected
    assert status.peer_count == 5
    assert status.local_peer.name == "node-3"
    assert {peer.name for peer in mock_bzzz.peers()} == set(nodes)


def test_presence_is_a_provider_record_in_the_dht(
    nodes: dict[str, MockBZZZ], mock_dht: MockDHT
) -> None:
    join_cluster(nodes["node-4"], "node-4")

    assert mock_dht.find_providers("ucxl://node-4:node@bzzz:cluster/presence") == [
        nodes["node-4"].peer.id
    ]


def test_a_node_alone_sees_no_members(mock_bzzz: MockBZZZ) -> None:
    assert mock_bzzz.peers() == []
    assert mock_bzzz.network_status().connected  # on the network, with nobody else on it
    assert cluster_members(mock_bzzz) == []


@pytest.mark.flaky_network(0.5, ops=["announce"])
@pytest.mark.bzzz(seed=2025)
def test_joining_over_a_lossy_network_retries(nodes: dict[str, MockBZZZ]) -> None:
    for name, node in nodes.items():
        join_cluster(node, name, attempts=10)

    assert cluster_members(nodes["node-1"]) == ["node-2", "node-3", "node-4", "node-5"]
    announcements = nodes["node-1"].calls("announce")
    failed = [call for call in announcements if call.outcome == "failed"]
    assert len(announcements) == len(nodes) + len(failed)
    assert failed  # with this seed, some announcements did fail and were retried


# -- Scenario 4: model discovery ---------------------------------------------


@pytest.fixture
def model_servers(bzzz_network: World) -> dict[str, MockBZZZ]:
    """Two agents on peers of their own, each serving two models."""
    servers = {
        "gpu-box-1": {
            "llama3-70b": {"context": 8192, "tokens_per_second": 20},
            "mixtral-8x7b": {"context": 32768, "tokens_per_second": 45},
        },
        "gpu-box-2": {
            "phi3-mini": {"context": 4096, "tokens_per_second": 120},
            "qwen2-72b": {"context": 131072, "tokens_per_second": 15},
        },
    }
    agents = {}
    for name, models in servers.items():
        agents[name] = MockBZZZ(bzzz_network, peer=bzzz_network.add_peer(name))
        serve_models(agents[name], name, models)
    return agents


def test_the_browser_discovers_every_served_model(
    mock_bzzz: MockBZZZ, model_servers: dict[str, MockBZZZ]
) -> None:
    offers = available_models(mock_bzzz)

    assert [found.capability["model"] for found in offers] == [
        "llama3-70b",
        "mixtral-8x7b",
        "phi3-mini",
        "qwen2-72b",
    ]
    box_2 = model_servers["gpu-box-2"].peer.id
    assert [found.peer == box_2 for found in offers] == [False, False, True, True]


def test_the_browser_picks_a_model_and_stores_its_choice(
    mock_bzzz: MockBZZZ, model_servers: dict[str, MockBZZZ]
) -> None:
    choice = pick_model(available_models(mock_bzzz), min_context=16000)
    stored = remember_choice(mock_bzzz, "alice", choice)

    assert choice.capability["model"] == "mixtral-8x7b"
    assert stored.metadata["peer"] == model_servers["gpu-box-1"].peer.id
    assert mock_bzzz.retrieve(choice_address("alice")).json() == {
        "model": "mixtral-8x7b",
        "address": "ucxl://gpu-box-1:model-server@bzzz:models/mixtral-8x7b",
    }


def test_a_model_announced_again_is_listed_once_with_its_new_capability(
    mock_bzzz: MockBZZZ, model_servers: dict[str, MockBZZZ]
) -> None:
    upgraded = {"phi3-mini": {"context": 128000, "tokens_per_second": 90}}
    serve_models(model_servers["gpu-box-2"], "gpu-box-2", upgraded)

    offers = available_models(mock_bzzz)
    phi3 = [found for found in offers if found.capability["model"] == "phi3-mini"]
    assert len(phi3) == 1
    assert phi3[0].capability["context"] == 128000
    assert pick_model(offers, min_context=100000) == phi3[0]


def test_no_fitting_model_stores_no_choice(
    mock_bzzz: MockBZZZ, model_servers: dict[str, MockBZZZ]
) -> None:
    with pytest.raises(LookupError, match="no model serves a context of 1000000 tokens"):
        pick_model(available_models(mock_bzzz), min_context=1_000_000)

    assert mock_bzzz.calls("store") == []


def test_a_served_model_has_its_agent_as_dht_provider(
    mock_dht: MockDHT, model_servers: dict[str, MockBZZZ]
) -> None:
    providers = mock_dht.find_providers("ucxl://gpu-box-2:model-server@bzzz:models/qwen2-72b")

    assert providers == [model_servers["gpu-box-2"].peer.id]


# -- Scenario 5: configuration storage and retrieval -------------------------


def test_defaults_apply_when_nothing_is_stored(mock_bzzz: MockBZZZ) -> None:
    assert load_config(mock_bzzz, "scheduler") == DEFAULTS
    assert [call.outcome for call in mock_bzzz.calls()] == ["not_found"]


def test_stored_settings_override_the_defaults(mock_bzzz: MockBZZZ) -> None:
    save_config(mock_bzzz, "scheduler", {"replication": 5}, changed_by="alice")

    assert load_config(mock_bzzz, "scheduler") == {**DEFAULTS, "replication": 5}
    assert load_config(mock_bzzz, "indexer") == DEFAULTS  # each component has its own


def test_every_change_is_a_new_version_and_the_old_ones_stay_readable(
    mock_bzzz: MockBZZZ,
) -> None:
    save_config(mock_bzzz, "scheduler", {"replication": 5}, changed_by="alice")
    latest = save_config(
        mock_bzzz, "scheduler", {"regions": ["eu-west", "us-east"]}, changed_by="bob"
    )

    assert latest.version == 2
    assert load_config(mock_bzzz, "scheduler")["regions"] == ["eu-west", "us-east"]
    assert load_config(mock_bzzz, "scheduler", version=1)["replication"] == 5
    with pytest.raises(TemporalRangeError):
        load_config(mock_bzzz, "scheduler", version=3)


def test_metadata_says_who_changed_what_and_is_read_only(mock_bzzz: MockBZZZ) -> None:
    config = {"timeout_ms": 900, "replication": 2}
    saved = save_config(mock_bzzz, "scheduler", config, changed_by="alice")

    stored = mock_bzzz.retrieve(config_address("scheduler"))
    assert stored.metadata == {"changed_by": "alice", "keys": ("replication", "timeout_ms")}
    assert stored == saved
    with pytest.raises(TypeError):
        stored.metadata["changed_by"] = "mallory"  # type: ignore[index]


def test_the_configured_components_are_listed(mock_bzzz: MockBZZZ) -> None:
    for component in ["scheduler", "indexer", "gateway"]:
        save_config(mock_bzzz, component, {}, changed_by="ops")

    assert configured_components(mock_bzzz) == ["gateway", "indexer", "scheduler"]


# -- Scenario 6: wildcard search patterns -------------------------------------

PROTOCOL = "ucxl://gpt4:architect@bzzz:v2-migration/decisions/protocol-choice.json"
TRANSPORT = "ucxl://gpt4:architect@bzzz:v2-migration/decisions/drafts/transport.md"
OLD_IDEA = "ucxl://gpt4:architect@bzzz:v2-migration/decisions/old-idea.json"
REVIEW = "ucxl://claude:reviewer@bzzz:v2-migration/reviews/protocol-choice.md"
TOKENS = "ucxl://claude:architect@bzzz:auth-system/decisions/token-format.json"
README = "ucxl://claude:architect@bzzz:auth-system"
REQUIREMENTS = "ucxl://gpt4:architect@chorus:planning/requirements.md"


@pytest.fixture
def project(mock_bzzz: MockBZZZ) -> MockBZZZ:
    """Content of two projects; PROTOCOL has two versions, OLD_IDEA was deleted."""
    for address in [PROTOCOL, TRANSPORT, OLD_IDEA, REVIEW, TOKENS, README, REQUIREMENTS]:
        mock_bzzz.store(address, "first")
    mock_bzzz.store(PROTOCOL, "second")
    mock_bzzz.delete(OLD_IDEA)
    return mock_bzzz


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # Everything in one project; a deleted address is left out.
        ("ucxl://any:any@bzzz:any/**", [README, TOKENS, REVIEW, TRANSPORT, PROTOCOL]),
        # "*" is accepted for "any"; a path glob matches within one segment.
        ("ucxl://*:architect@bzzz:*/decisions/*.json", [TOKENS, PROTOCOL]),
        # "**" spans any number of folders, none included.
        ("ucxl://gpt4:any@any:any/**/*.md", [TRANSPORT, REQUIREMENTS]),
        ("ucxl://any:any@any:v2-migration/decisions/**", [TRANSPORT, PROTOCOL]),
        # An empty path matches only an address with no path.
        ("ucxl://claude:any@any:any", [README]),
        # A temporal selector picks a version of each address; where it is out
        # of range (or picks a deletion) the address is left out.
        ("ucxl://any:any@any:any/*~2/**", [PROTOCOL]),
        ("ucxl://gpt4:any@any:any/*~1/decisions/*", [OLD_IDEA, PROTOCOL]),
        ("ucxl://nobody:any@any:any/**", []),
    ],
)
def test_a_pattern_selects_addresses_in_address_order(
    project: MockBZZZ, pattern: str, expected: list[str]
) -> None:
    assert table_of_contents(project, pattern) == expected


def test_the_selector_decides_which_version_each_result_is(project: MockBZZZ) -> None:
    latest = project.search("ucxl://gpt4:architect@bzzz:any/decisions/*.json")
    first = project.search("ucxl://gpt4:architect@bzzz:any/*~/decisions/*.json")

    assert [(str(found.address), found.text()) for found in latest] == [
        ("ucxl://gpt4:architect@bzzz:v2-migration/*~2/decisions/protocol-choice.json", "second"),
    ]
    assert [found.text() for found in first] == ["first", "first"]  # old-idea.json, then this


def test_limit_keeps_the_first_results(project: MockBZZZ) -> None:
    everything = table_of_contents(project, "ucxl://any:any@any:any/**")

    assert table_of_contents(project, "ucxl://any:any@any:any/**", limit=2) == everything[:2]
    assert everything == sorted(everything)


# -- Scenario 7: temporal navigation through a version history --------------

DECISION = UCXLAddress.parse(
    "ucxl://gpt4:architect@bzzz:v2-migration/decisions/protocol-choice.json"
)
ONE_DAY = timedelta(days=1).total_seconds()


@pytest.mark.latency(250)
class TestVersionHistory:
    """Three versions, stored a day apart; each operation takes 250ms."""

    @pytest.fixture
    def versions(self, mock_bzzz: MockBZZZ, bzzz_network: World) -> list[Envelope]:
        stored = []
        for text in ["use gRPC", "use libp2p streams", "use libp2p streams, with protobuf"]:
            stored.append(mock_bzzz.store(DECISION, text))
            bzzz_network.clock.advance(ONE_DAY)
        return stored

    def test_timestamps_come_from_the_world_clock_after_the_latency(
        self, versions: list[Envelope]
    ) -> None:
        assert [envelope.timestamp for envelope in versions] == [
            datetime(2025, 1, 1, 0, 0, 0, 250000, tzinfo=UTC),
            datetime(2025, 1, 2, 0, 0, 0, 500000, tzinfo=UTC),
            datetime(2025, 1, 3, 0, 0, 0, 750000, tzinfo=UTC),
        ]

    def test_the_changelog_lists_every_version_oldest_first(
        self, mock_bzzz: MockBZZZ, versions: list[Envelope]
    ) -> None:
        assert changelog(mock_bzzz, DECISION) == [
            "v1 2025-01-01 00:00: use gRPC",
            "v2 2025-01-02 00:00: use libp2p streams",
            "v3 2025-01-03 00:00: use libp2p streams, with protobuf",
        ]

    @pytest.mark.parametrize(
        ("selector", "version"),
        [
            ("*^", 3),
            ("#", 3),
            ("*~", 1),
            ("*~2", 2),
            ("~~1", 2),
            ("~~2", 1),
            ("^^1", 2),
            ("*@2025-01-02T12:00:00Z", 2),
            ("2025-01-03T06:00:00+02:00", 3),  # 04:00 UTC
        ],
    )
    def test_a_selector_picks_a_version(
        self, mock_bzzz: MockBZZZ, versions: list[Envelope], selector: str, version: int
    ) -> None:
        assert read_version(mock_bzzz, DECISION, selector) == versions[version - 1].text()

    @pytest.mark.parametrize("selector", ["*~0", "*~4", "~~3", "^^3", "*@2024-12-31T23:59:59Z"])
    def test_a_selector_outside_the_history_is_an_error(
        self, mock_bzzz: MockBZZZ, versions: list[Envelope], selector: str
    ) -> None:
        with pytest.raises(TemporalRangeError) as caught:
            read_version(mock_bzzz, DECISION, selector)

        assert caught.value.code == ErrorCode.TEMPORAL_INVALID
        assert caught.value.count == 3

    def test_as_of_reads_what_was_current_then(
        self, mock_bzzz: MockBZZZ, versions: list[Envelope]
    ) -> None:
        assert as_of(mock_bzzz, DECISION, versions[1].timestamp) == "use libp2p streams"
        just_before = versions[1].timestamp - timedelta(microseconds=1)
        assert as_of(mock_bzzz, DECISION, just_before) == "use gRPC"

    def test_undo_stores_the_previous_version_again(
        self, mock_bzzz: MockBZZZ, versions: list[Envelope]
    ) -> None:
        restored = undo(mock_bzzz, DECISION)

        assert restored.version == 4
        assert restored.metadata == {"restored_from": 2}
        assert mock_bzzz.retrieve(DECISION).text() == "use libp2p streams"

    def test_delete_keeps_the_history_and_undo_brings_it_back(
        self, mock_bzzz: MockBZZZ, versions: list[Envelope]
    ) -> None:
        tombstone = mock_bzzz.delete(DECISION)

        assert tombstone.deleted
        with pytest.raises(NotFoundError):
            mock_bzzz.retrieve(DECISION)
        assert changelog(mock_bzzz, DECISION)[-1] == "v4 2025-01-04 00:00: (deleted)"
        assert undo(mock_bzzz, DECISION).version == 5
        assert mock_bzzz.retrieve(DECISION).text() == "use libp2p streams, with protobuf"

    def test_an_address_never_stored_has_no_history(self, mock_bzzz: MockBZZZ) -> None:
        with pytest.raises(NotFoundError):
            changelog(mock_bzzz, DECISION)


# -- Scenario 8: network conditions: latency, failures, timeouts -------------

STATUS = "ucxl://monitor:observer@bzzz:cluster/status.json"


@pytest.mark.latency(250)
def test_each_operation_takes_its_latency(mock_bzzz: MockBZZZ, bzzz_network: World) -> None:
    stored = mock_bzzz.store(STATUS, {"healthy": True})
    fetch_with_retry(mock_bzzz, STATUS)

    assert stored.timestamp == datetime(2025, 1, 1, 0, 0, 0, 250000, tzinfo=UTC)
    assert bzzz_network.clock.now() == pytest.approx(0.5)
    assert [call.latency for call in mock_bzzz.calls()] == pytest.approx([0.25, 0.25])
    assert mock_bzzz.stats.simulated_seconds == pytest.approx(0.5)


@pytest.mark.latency(100, jitter=50)
def test_jitter_varies_each_latency_within_its_bounds(mock_bzzz: MockBZZZ) -> None:
    stored = [mock_bzzz.store(STATUS, {"sample": number}) for number in range(20)]

    latencies = [call.latency for call in mock_bzzz.calls("store")]
    assert all(0.05 <= latency <= 0.15 for latency in latencies)
    assert len(set(latencies)) > 1
    timestamps = [envelope.timestamp for envelope in stored]
    assert timestamps == sorted(timestamps)


@pytest.mark.flaky_network(1.0, ops=["retrieve"])
def test_a_failing_read_is_retried_then_reported(mock_bzzz: MockBZZZ) -> None:
    mock_bzzz.store(STATUS, {"healthy": True})  # only retrieve fails

    with pytest.raises(NetworkError) as caught:
        fetch_with_retry(mock_bzzz, STATUS, attempts=3)

    assert caught.value.code == ErrorCode.SERVICE_UNAVAILABLE
    assert caught.value.op == "retrieve"
    assert len(mock_bzzz.calls("retrieve", outcome="failed")) == 3
    assert mock_bzzz.stats.failures == 3


@pytest.mark.flaky_network(0.5, ops=["retrieve"])
@pytest.mark.bzzz(seed=7)
def test_retrying_gets_through_a_lossy_network(mock_bzzz: MockBZZZ) -> None:
    mock_bzzz.store(STATUS, {"healthy": True})

    assert fetch_with_retry(mock_bzzz, STATUS, attempts=10).json() == {"healthy": True}
    outcomes = [call.outcome for call in mock_bzzz.calls("retrieve")]
    assert outcomes[-1] == "ok"
    assert set(outcomes[:-1]) == {"failed"}  # with this seed, the first tries failed


@pytest.mark.flaky_network(1.0, ops=["store"])
def test_a_failed_store_stores_nothing(mock_bzzz: MockBZZZ) -> None:
    with pytest.raises(NetworkError):
        mock_bzzz.store(STATUS, {"healthy": False})

    with pytest.raises(NotFoundError):
        mock_bzzz.history(STATUS)
    assert mock_bzzz.search("ucxl://any:any@any:any/**") == []


@pytest.mark.latency(250)
@pytest.mark.bzzz(timeout=100)
def test_a_slow_network_times_out(mock_bzzz: MockBZZZ, bzzz_network: World) -> None:
    with pytest.raises(NetworkTimeout) as caught:
        mock_bzzz.store(STATUS, {"healthy": True})

    assert caught.value.code == ErrorCode.TIMEOUT
    assert (caught.value.latency, caught.value.timeout) == pytest.approx((0.25, 0.1))
    assert bzzz_network.clock.now() == pytest.approx(0.1)  # the caller waited for its timeout
    assert [call.outcome for call in mock_bzzz.calls()] == ["timeout"]
    # A call's own timeout (in seconds) overrides the marker's.
    assert mock_bzzz.store(STATUS, {"healthy": True}, timeout=1).version == 1


@pytest.mark.latency(250)
def test_a_read_past_its_deadline_answers_from_the_cache(
    mock_bzzz: MockBZZZ, bzzz_network: World
) -> None:
    cache: dict[str, Any] = {}
    mock_bzzz.store(STATUS, {"healthy": True})
    assert read_cached(mock_bzzz, STATUS, cache, deadline=1.0) == {"healthy": True}

    bzzz_network.conditions = bzzz_network.conditions.replace(latency=2.0)  # the network slows
    mock_bzzz.store(STATUS, {"healthy": False})

    assert read_cached(mock_bzzz, STATUS, cache, deadline=1.0) == {"healthy": True}
    assert mock_bzzz.calls("retrieve")[-1].outcome == "timeout"


@pytest.mark.flaky_network(1.0)
@pytest.mark.latency(500)
def test_peers_and_status_are_local_reads(mock_bzzz: MockBZZZ, bzzz_network: World) -> None:
    other = bzzz_network.add_peer("neighbour")

    status = mock_bzzz.network_status()

    assert (status.peer_count, status.connected) == (1, True)
    assert status.conditions.failure_rate == 1.0
    assert mock_bzzz.peers() == [other]
    assert bzzz_network.clock.now() == 0  # neither read took simulated time
    assert mock_bzzz.stats.total == 0  # nor was recorded as an operation
    with pytest.raises(NetworkError):
        cluster_members(mock_bzzz)  # discovery does go through the network


# -- Scenario 9: end to end: query, aggregate, select, store, read back ------

TOPIC = "token-format"


def review(agent: str, topic: str = TOPIC, role: str = "reviewer") -> str:
    return f"ucxl://{agent}:{role}@bzzz:auth-system/reviews/{topic}.json"


@pytest.fixture
def reviews(mock_bzzz: MockBZZZ) -> MockBZZZ:
    """Three current reviews of TOPIC, and content the decision must leave out."""
    mock_bzzz.store(review("claude"), {"proposal": "jwt", "score": 4})
    mock_bzzz.store(review("llama"), {"proposal": "paseto", "score": 3.5})
    mock_bzzz.store(review("gpt4"), {"proposal": "paseto", "score": 5})
    mock_bzzz.store(review("gpt4"), {"proposal": "jwt", "score": 4.5})  # gpt4 changed its mind
    mock_bzzz.store(review("mistral"), {"proposal": "paseto", "score": 5})
    mock_bzzz.delete(review("mistral"))  # withdrawn
    mock_bzzz.store(review("gpt4", role="architect"), {"proposal": "paseto", "score": 5})
    mock_bzzz.store(review("claude", topic="session-length"), {"proposal": "1h", "score": 5})
    return mock_bzzz


def test_the_decision_follows_the_current_reviews(reviews: MockBZZZ) -> None:
    decision = decide(reviews, TOPIC)

    assert decision.version == 1
    assert reviews.retrieve(summary_address(TOPIC)).json() == {
        "topic": TOPIC,
        "proposal": "jwt",
        "mean_score": 4.25,
        "reviews": 3,
    }
    assert [call.op for call in reviews.calls()][-3:] == ["search", "store", "retrieve"]


def test_the_decision_cites_the_exact_versions_it_read(reviews: MockBZZZ) -> None:
    decision = decide(reviews, TOPIC)
    reviews.store(review("gpt4"), {"proposal": "paseto", "score": 1})  # changed again

    sources = decision.metadata["sources"]
    assert sources == (
        "ucxl://claude:reviewer@bzzz:auth-system/*~1/reviews/token-format.json",
        "ucxl://gpt4:reviewer@bzzz:auth-system/*~2/reviews/token-format.json",
        "ucxl://llama:reviewer@bzzz:auth-system/*~1/reviews/token-format.json",
    )
    assert reviews.retrieve(sources[1]).json() == {"proposal": "jwt", "score": 4.5}


def test_deciding_again_adds_a_version(reviews: MockBZZZ) -> None:
    decide(reviews, TOPIC)
    reviews.store(review("claude"), {"proposal": "paseto", "score": 5})
    reviews.store(review("llama"), {"proposal": "paseto", "score": 5})

    again = decide(reviews, TOPIC)

    assert again.version == 2
    assert again.json()["proposal"] == "paseto"
    assert [envelope.json()["proposal"] for envelope in reviews.history(again.base_address)] == [
        "jwt",
        "paseto",
    ]


@pytest.mark.latency(100)
def test_the_decision_is_stamped_when_its_store_completes(
    reviews: MockBZZZ, bzzz_network: World
) -> None:
    before = bzzz_network.clock.datetime()

    decision = decide(reviews, TOPIC)  # one search, one store

    assert decision.timestamp == before + timedelta(seconds=0.2)


def test_without_reviews_nothing_is_decided(mock_bzzz: MockBZZZ) -> None:
    with pytest.raises(LookupError, match="nobody reviewed 'token-format'"):
        decide(mock_bzzz, TOPIC)

    assert mock_bzzz.calls("store") == []


def test_a_decision_whose_store_fails_leaves_nothing_behind(
    reviews: MockBZZZ, bzzz_network: World
) -> None:
    bzzz_network.conditions = bzzz_network.conditions.replace(
        failure_rate=1.0, failure_ops=frozenset({"store"})
    )

    with pytest.raises(NetworkError):
        decide(reviews, TOPIC)

    with pytest.raises(NotFoundError):
        reviews.retrieve(summary_address(TOPIC))
