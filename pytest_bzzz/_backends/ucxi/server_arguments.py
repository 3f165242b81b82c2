"""What ``UCXIServer`` accepts: the application it serves, and the checks of its numbers.

The server (``server.py``) checks each argument with these as it is given
(to the constructor, or to a setter while the server runs), so that a bad one
is refused at once with its name, before anything listens. :class:`Handler` is
what an application must be; the server's default body limit is the
application's own (:func:`_rules_max_body`), so that the server and the
in-process application refuse the same bodies.
"""

from __future__ import annotations

import math
from typing import Final, Protocol

from .http import Request, Response

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them), so a
# refused argument ends at the line of the test that gave it.
__tracebackhide__ = True

__all__ = ["Handler"]

_MAX_BODY: Final = 1 << 20  # for a handler without rules of its own


class Handler(Protocol):
    """What the server serves: the UCXI application, or any object with this method.

    An application may also have ``refuse(role, request, *, details)``, which
    writes the server's own error answers (see ``UCXIApp.refuse``), ``rules``
    (whose ``base_path`` and ``max_body`` the server follows) and
    ``requests``; the server uses each when it is there.
    """

    def handle(self, request: Request) -> Response: ...


def _check_app(app: object) -> Handler:
    if not callable(getattr(app, "handle", None)):
        raise TypeError(
            f"app must have a handle(request) method that returns a Response, "
            f"got {type(app).__name__}"
        )
    return app  # type: ignore[return-value]  # checked as far as a Protocol can be


def _rules_max_body(app: object) -> int:
    """The application's own body limit (``app.rules.max_body``), or 1 MiB."""
    limit = getattr(getattr(app, "rules", None), "max_body", None)
    return limit if isinstance(limit, int) and not isinstance(limit, bool) else _MAX_BODY


def _number(name: str, value: object, *, low: float, integer: bool = False) -> float:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        wanted = "an int" if integer else "a number"
        raise TypeError(f"{name} must be {wanted}, got {type(value).__name__} {value!r}")
    if not (math.isfinite(value) and value >= low):
        raise ValueError(f"{name} must be a finite number, {low:g} or more, got {value!r}")
    return value
