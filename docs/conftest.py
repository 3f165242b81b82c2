"""Run every code example in the documentation pages (``docs/*.md``) as a test.

Sybil collects the MyST pages: each ``python`` code block is executed, and
each ``>>>`` example is checked as a doctest. The examples of one page share
one namespace and run in page order, so they must also run in one process:
under pytest-xdist (``pytest -n 2``) each page goes to one worker whole (see
:func:`pytest_xdist_make_scheduler`).

Sybil is imported only when pytest meets a ``.md`` file, never when this
file is loaded, and a missing sybil is an error only for pages actually
selected: ``python -m pytest docs/examples`` must work after a plain
``pip install .``, which does not install sybil (it is in the ``test`` extra).
"""

from __future__ import annotations

import doctest
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

# The built site (python -m sphinx ... docs/_build/html) holds nothing to test.
collect_ignore = ["_build"]

_Collect = Callable[[Path, pytest.Collector], Any]

_NEEDS_SYBIL = (
    "running the examples in docs/*.md needs sybil, which comes with the test extras: "
    "python -m pip install -e '.[test]'"
)


@cache
def _collect_markdown() -> _Collect:
    """Build the Sybil collector for the pages, once per test run."""
    from sybil import Sybil
    from sybil.parsers.myst import PythonCodeBlockParser, SkipParser

    return Sybil(
        parsers=[
            PythonCodeBlockParser(
                doctest_optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
            ),
            SkipParser(),
        ],
        patterns=["*.md"],
        name="docs",
    ).pytest()


class _PageNeedingSybil(pytest.File):
    """A page collected while sybil is missing: an error only if the page is selected.

    pytest creates collectors for every file of ``docs/`` even when it runs
    only ``docs/examples``, but calls ``collect()`` only on those selected; so
    ``pytest docs/examples`` works without sybil, while a run that includes
    the pages reports clearly why they cannot run.
    """

    def collect(self) -> list[pytest.Item]:
        raise self.CollectError(_NEEDS_SYBIL)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Any:
    if file_path.suffix != ".md":
        return None
    try:
        collect = _collect_markdown()
    except ModuleNotFoundError:
        return _PageNeedingSybil.from_parent(parent, path=file_path)
    return collect(file_path, parent)


def _page_of(nodeid: str) -> str:
    """The page a node id belongs to: ``docs/network.md`` for its examples, else ``""``."""
    path = nodeid.split("::", 1)[0]
    return path if path.endswith(".md") else ""


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, which may not be installed
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``pytest -n N``, send each page's examples to one worker, in page order.

    xdist's default (``--dist load``) hands out tests one by one, which would
    split a page's examples, that build on each other, over the workers. This
    scheduler is xdist's ``loadgroup`` with each page as a group, and every
    other test handed out on its own (or by its ``xdist_group``, as
    ``loadgroup`` does). It is used for ``--dist load`` (what ``-n`` implies)
    and ``--dist loadgroup``.

    It groups by the pages' node ids, in the controller, rather than by
    ``xdist_group`` marks on the examples: xdist tells the controller a
    test's group by appending it to the test's node id in the worker, which
    pytest 9.2 no longer lets a plugin do (pytest-xdist issue 1386), so the
    marks would silently group nothing. ``--dist loadfile`` and ``loadscope``
    keep each page whole by themselves and are left to xdist;
    ``--dist worksteal`` moves single tests between workers, so it splits
    pages: do not use it with them.
    """
    if config.getoption("dist") not in ("load", "loadgroup"):
        return None
    from xdist.scheduler import LoadGroupScheduling

    class PagesWholeScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _page_of(nodeid) or super()._split_scope(nodeid)

    return PagesWholeScheduling(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put each page's examples back in page order if a plugin shuffled them.

    Examples of one page build on each other (a name defined in one is used in
    the next), so a test-order randomiser such as pytest-randomly would break
    them. Only the slots the page's examples already occupy are reused, so
    the order of everything else is left as the other plugins chose it.
    """
    if _collect_markdown.cache_info().currsize == 0:
        return  # no page was collected, so sybil may not even be installed
    from sybil.integration.pytest import SybilItem

    pages: dict[pytest.Collector | None, list[tuple[int, SybilItem]]] = {}
    for index, item in enumerate(items):
        if isinstance(item, SybilItem):
            pages.setdefault(item.parent, []).append((index, item))
    for examples in pages.values():
        in_page_order = sorted((item for _, item in examples), key=lambda item: item.example.start)
        for (index, _), item in zip(examples, in_page_order, strict=True):
            items[index] = item
