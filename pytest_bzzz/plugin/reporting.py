"""What a failing test's report says about its world, and assertion messages for UCXL values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from .._settings import WorldSettings
from .fixtures import BACKEND_KEY, WORLD_KEY

if TYPE_CHECKING:
    from .._kernel.world import World


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.failed:
        used = item.stash.get(WORLD_KEY, None)
        if used is not None:
            world, settings = used
            backend = item.stash.get(BACKEND_KEY, None)
            name = settings.backend if backend is None else backend.name
            report.sections.append(("bzzz", _failure_section(world, settings, name)))
    return report


def _failure_section(world: World, settings: WorldSettings, backend: str) -> str:
    if world.seed != settings.seed:
        how = f"the test's world was made with seed {world.seed} by a pytest_bzzz_make_world hook"
    elif settings.seed_from_marker:
        how = f"the test's seed is fixed by @pytest.mark.bzzz(seed={settings.seed})"
    else:
        how = (
            f"rerun with --bzzz-seed={settings.session_seed}, "
            f"or add @pytest.mark.bzzz(seed={settings.seed}) to the test"
        )
    return "\n".join(
        [
            f"test seed: {world.seed} (session seed {settings.session_seed})",
            f"reproduce: {how}",
            *world.describe().splitlines()[1:],
            f"backend: {backend}",
        ]
    )


def pytest_assertrepr_compare(
    config: pytest.Config, op: str, left: object, right: object
) -> list[str] | None:
    """Explain a failed ``==`` between UCXL addresses or temporal selectors field by field."""
    if op != "==" or (not _is_ours(left) and not _is_ours(right)):
        return None
    from .._ucxl.explain import explain_equality

    return explain_equality(left, right)


def _is_ours(value: object) -> bool:
    return type(value).__module__.startswith("pytest_bzzz.")
