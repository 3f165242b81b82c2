"""Which async library runs the calling code: asyncio, trio (also under anyio), or none.

Asked without importing either library: a library that is not imported is
not running.
"""

from __future__ import annotations

import sys
from typing import Literal, TypeAlias

__all__ = ["Library", "cancellations", "running_library"]

Library: TypeAlias = Literal["asyncio", "trio"]


def running_library() -> Library | None:
    """``"asyncio"`` or ``"trio"`` when called from code that library runs, else None."""
    asyncio = sys.modules.get("asyncio")
    if asyncio is not None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            return "asyncio"
    trio = sys.modules.get("trio")
    if trio is not None:
        try:
            trio.lowlevel.current_task()
        except RuntimeError:
            return None
        return "trio"
    return None


def cancellations() -> tuple[type[BaseException], ...]:
    """The exceptions that cancel a task, of each async library imported."""
    found: list[type[BaseException]] = []
    for module, name in (("asyncio", "CancelledError"), ("trio", "Cancelled")):
        library = sys.modules.get(module)
        if library is not None:
            found.append(getattr(library, name))
    return tuple(found)
