"""A Faker provider of realistic UCXL test data: addresses, their parts, models and capabilities.

Import it yourself (``from pytest_bzzz.faker import UCXLProvider``) and add it
to a Faker (``fake.add_provider(UCXLProvider)``), or use the plugin's
``bzzz_faker`` fixture, which does both and seeds the Faker from the test's
bzzz seed. Neither the package nor its pytest plugin imports this module at
load time, so a test run that does not use Faker never loads Faker.

Where the hypothesis strategies in :mod:`pytest_bzzz.strategies` explore every
corner of the grammar, this provider makes data that looks like a real BZZZ
deployment's: ``ucxl://claude:reviewer@bzzz:auth-system/*^/src/main.rs``.
Every value is valid UCXL (and every address canonical). Values are drawn from
the Faker's own seeded generator (``self.generator.random``), directly rather
than through ``random_element``, which is several times slower.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Final

from faker import Faker as Faker  # re-exported for annotations (the bzzz_faker fixture)
from faker.providers import BaseProvider

__all__ = ["UCXLProvider", "ucxl_faker"]

_AGENTS: Final = (
    *("claude", "gpt4", "gpt-4o", "gpt-4o-mini", "o3-mini", "llama3", "mistral", "mixtral"),
    *("gemini", "qwen2", "deepseek-coder", "codellama", "phi3", "starcoder2", "copilot"),
    *("claude-code", "aider", "hive-worker-01", "hive-worker-02", "rustle-bot"),
)
_ROLES: Final = (
    *("architect", "reviewer", "developer", "tester", "planner", "coordinator"),
    *("security-auditor", "devops-engineer", "technical-writer", "backend-developer"),
    *("frontend-developer", "qa-engineer", "product-manager", "data-analyst"),
    *("release-manager", "senior-software-architect"),
)
_PROJECTS: Final = (
    *("bzzz", "chorus", "hive", "rustle", "ucxl-browser", "whoosh", "slurp", "shhh"),
    *("auth-service", "payments-api", "web-frontend", "data-pipeline", "mobile-app"),
    *("infra", "docs-site", "ml-platform", "search-service", "billing", "BZZZ"),
    *("RUSTLE-testing", "context-store"),
)
_VERBS: Final = (
    *("implement", "fix", "refactor", "migrate", "review", "design", "add", "remove"),
    *("update", "optimise", "document", "test", "harden", "benchmark"),
)
_SUBJECTS: Final = (
    *("auth-flow", "auth-system", "dht-cache", "p2p-discovery", "api-gateway", "rate-limiter"),
    *("schema", "ci-pipeline", "login-page", "config-loader", "error-handling", "metrics"),
    *("search-index", "session-store", "peer-scoring", "protocol-choice", "temporal-nav"),
    *("context-resolver", "pubsub-topics", "storage-layer"),
)
_DIRECTORIES: Final = (
    *("decisions", "src", "docs", "planning", "reviews", "tests", "config", "design"),
    *("notes", "reports", "specs", "api", "context", "meetings", "adr", "scripts"),
    *("lib", "internal", "pkg", "cmd", "handlers", "models"),
)
_STEMS: Final = (
    *("protocol-choice", "requirements", "main", "config", "README", "architecture"),
    *("api-design", "code-review", "test-plan", "roadmap", "meeting-notes", "index"),
    *("schema", "handler", "client", "server", "utils", "deployment", "CHANGELOG"),
    *("token-format", "threat-model", "benchmarks", "migration-plan", "lib", "mod"),
)
_EXTENSIONS: Final = (".json", ".md", ".rs", ".go", ".py", ".yaml", ".toml", ".txt", ".ts")
_MODELS: Final = (
    *("gpt-4o", "gpt-4o-mini", "gpt-4-turbo", "o3-mini", "claude-3-5-sonnet"),
    *("claude-3-opus", "claude-3-haiku", "llama3-70b", "llama3-8b", "mistral-large"),
    *("mixtral-8x7b", "gemini-1-5-pro", "qwen2-72b", "deepseek-coder-v2", "codellama-34b"),
    *("phi3-mini", "starcoder2-15b"),
)
_CAPABILITIES: Final = (
    *("code-review", "code-generation", "architecture", "planning", "testing"),
    *("documentation", "security-audit", "refactoring", "debugging", "deployment"),
    *("data-analysis", "requirements-analysis", "performance-tuning", "summarisation"),
)
_PATTERN_PATHS: Final = (
    *("**", "decisions/*.json", "src/**/*.rs", "docs/*", "docs/**", "reviews/*/"),
    *("**/*.md", "planning/**", "*.json", "src/*/mod.rs", "tests/test_*.py"),
)
# How many directories a path has: mostly one or two, as in real projects.
_DEPTHS: Final = (0, 0, 1, 1, 1, 1, 2, 2, 2, 3)
_EPOCH: Final = datetime(2024, 1, 1, tzinfo=UTC)
_SPAN_SECONDS: Final = 3 * 365 * 24 * 60 * 60  # 2024 to 2026


def _check_flag(method: str, name: str, value: object) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise TypeError(
            f"{method}({name}=...) must be True, False or None (either), "
            f"got {type(value).__name__} {value!r}"
        )
    return value


_SEED_LIMIT: Final = 1 << 32
"""Seeds go from 0 to ``2**32 - 1``, as a world's (``pytest_bzzz._kernel.seeds.SEED_LIMIT``)."""
_MAX_LENGTH: Final = 4096
"""The longest address, in characters (``pytest_bzzz.MAX_LENGTH``)."""
_LONGEST_TASK: Final = max(
    max(len(verb) for verb in _VERBS) + 1 + max(len(subject) for subject in _SUBJECTS),
    len("issue-9999"),
    len("v5-migration"),
    len("sprint-60"),
)
_LONGEST_PREFIX: Final = (
    len("ucxl://:@:/")
    + max(map(len, _AGENTS))
    + max(map(len, _ROLES))
    + max(map(len, _PROJECTS))
    + _LONGEST_TASK
    + len("/*@2026-12-31T23:59:59Z")
)
"""The longest address the provider writes before its path: ``ucxl://agent:role@project:task/``
and a temporal selector."""
_MAX_DEPTH: Final = (
    _MAX_LENGTH - _LONGEST_PREFIX - max(map(len, _STEMS)) - max(map(len, _EXTENSIONS))
) // (max(map(len, _DIRECTORIES)) + 1)
"""The most directories ``ucxl_path`` puts in a path: any such path fits in any address."""


class UCXLProvider(BaseProvider):
    """Realistic, valid UCXL test data for Faker.

    >>> from faker import Faker
    >>> fake = Faker()
    >>> fake.add_provider(UCXLProvider)
    >>> fake.ucxl_address().startswith("ucxl://")
    True
    """

    def _random(self) -> random.Random:
        rng: random.Random = self.generator.random
        return rng

    def ucxl_agent(self) -> str:
        """An agent name, such as ``claude`` or ``gpt4``."""
        return self._random().choice(_AGENTS)

    def ucxl_role(self) -> str:
        """A role, such as ``architect`` or ``reviewer``."""
        return self._random().choice(_ROLES)

    def ucxl_project(self) -> str:
        """A project name, such as ``bzzz`` or ``payments-api``."""
        return self._random().choice(_PROJECTS)

    def ucxl_task(self) -> str:
        """A task name, such as ``fix-rate-limiter``, ``v2-migration`` or ``issue-1432``."""
        rng = self._random()
        shape = rng.random()
        if shape < 0.6:
            return f"{rng.choice(_VERBS)}-{rng.choice(_SUBJECTS)}"
        if shape < 0.75:
            return f"issue-{rng.randint(1, 9999)}"
        if shape < 0.85:
            return f"v{rng.randint(2, 5)}-migration"
        if shape < 0.9:
            return f"sprint-{rng.randint(1, 60)}"
        return rng.choice(_SUBJECTS)

    def ucxl_path(self, depth: int | None = None) -> str:
        """A file path inside a task, such as ``decisions/protocol-choice.json``.

        ``depth`` is the number of directories before the file name (random,
        mostly one or two, when not given).
        """
        if depth is not None:
            if isinstance(depth, bool) or not isinstance(depth, int):
                raise TypeError(
                    "ucxl_path(depth=...) must be an int, 0 or more, or None (random), "
                    f"got {type(depth).__name__} {depth!r}"
                )
            if depth < 0:
                raise ValueError(
                    f"ucxl_path(depth=...) must be an int, 0 or more, or None (random), got {depth}"
                )
            if depth > _MAX_DEPTH:
                raise ValueError(
                    f"ucxl_path(depth=...) must be at most {_MAX_DEPTH}, got {depth}: an address "
                    f"holds at most {_MAX_LENGTH:,} characters, and a path of more directories "
                    "may not fit in one"
                )
        rng = self._random()
        if depth is None:
            depth = rng.choice(_DEPTHS)
        name = rng.choice(_STEMS) + rng.choice(_EXTENSIONS)
        if not depth:
            return name
        return "/".join([*(rng.choice(_DIRECTORIES) for _ in range(depth)), name])

    def ucxl_temporal(self) -> str:
        """A temporal selector in canonical form, mostly ``*^`` (latest) or a version number.

        Also ``*~`` (earliest), ``~~N`` and ``^^N`` (steps back and forward)
        and ``*@TIMESTAMP`` (an instant in 2024-2026, in UTC).
        """
        rng = self._random()
        shape = rng.random()
        if shape < 0.35:
            return "*^"
        if shape < 0.6:
            return f"*~{rng.randint(1, 20)}"
        if shape < 0.7:
            return f"~~{rng.randint(1, 5)}"
        if shape < 0.75:
            return f"^^{rng.randint(1, 5)}"
        if shape < 0.85:
            return "*~"
        instant = _EPOCH + timedelta(seconds=rng.randrange(_SPAN_SECONDS))
        return f"*@{instant:%Y-%m-%dT%H:%M:%S}Z"

    def ucxl_address(self, *, temporal: bool | None = None, path: bool | None = None) -> str:
        """A concrete address in canonical form.

        ``temporal`` and ``path`` (keyword-only) say whether it has a temporal
        selector and a path: ``True``, ``False``, or ``None`` (the default) for
        either, as real addresses mostly have a path and often a selector. Use
        ``temporal=False`` for an address to store content under, since the
        store numbers versions itself.
        """
        with_temporal = _check_flag("ucxl_address", "temporal", temporal)
        with_path = _check_flag("ucxl_address", "path", path)
        rng = self._random()
        if with_temporal is None:
            with_temporal = rng.random() < 0.6
        if with_path is None:
            with_path = rng.random() < 0.85
        text = (
            f"ucxl://{rng.choice(_AGENTS)}:{rng.choice(_ROLES)}"
            f"@{rng.choice(_PROJECTS)}:{self.ucxl_task()}"
        )
        if with_temporal:
            text += "/" + self.ucxl_temporal()
        if with_path:
            text += "/" + self.ucxl_path()
        return text

    def ucxl_pattern(self) -> str:
        """A search pattern in canonical form, such as ``ucxl://any:architect@bzzz:any/**``.

        Each holds at least one wildcard component or glob path.
        """
        rng = self._random()
        parts = [
            "any" if rng.random() < 0.4 else value
            for value in (
                rng.choice(_AGENTS),
                rng.choice(_ROLES),
                rng.choice(_PROJECTS),
                self.ucxl_task(),
            )
        ]
        path = rng.choice(_PATTERN_PATHS) if rng.random() < 0.7 else ""
        if "any" not in parts and "*" not in path:
            parts[rng.randrange(4)] = "any"
        agent, role, project, task = parts
        text = f"ucxl://{agent}:{role}@{project}:{task}"
        if rng.random() < 0.2:
            text += "/" + self.ucxl_temporal()
        return text + ("/" + path if path else "")

    def ucxl_model(self) -> str:
        """A model name, such as ``claude-3-5-sonnet`` (valid as an agent component)."""
        return self._random().choice(_MODELS)

    def ucxl_capability(self) -> str:
        """A capability an agent announces, such as ``code-review`` (valid as a component)."""
        return self._random().choice(_CAPABILITIES)


def ucxl_faker(seed: int | None = None) -> Faker:
    """A new Faker with :class:`UCXLProvider` added, seeded with ``seed`` when one is given.

    What the ``bzzz_faker`` fixture is made with (from a seed derived from the
    test's), for use outside pytest too. ``seed`` is checked as a world's is:
    an int from 0 to 4294967295 (``TypeError`` for another type,
    ``ValueError`` out of range), or ``None`` for Faker's own fresh seed.
    """
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(
                f"ucxl_faker(seed=...) must be an int from 0 to {_SEED_LIMIT - 1}, or None, "
                f"got {type(seed).__name__} {seed!r}"
            )
        if not 0 <= seed < _SEED_LIMIT:
            raise ValueError(
                f"ucxl_faker(seed=...) must be an int from 0 to {_SEED_LIMIT - 1}, or None, "
                f"got {seed!r}"
            )
    fake = Faker()
    fake.add_provider(UCXLProvider)
    if seed is not None:
        fake.seed_instance(seed)
    return fake
