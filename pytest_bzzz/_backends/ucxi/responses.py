"""The node's response to a request: an endpoint's answer written as BZZZ's envelope, with headers.

The application resolves a request and gets an :class:`~.endpoints.Answer`
(a role, and what the envelope says); this writes it as the response: the
success or error envelope (``envelopes``), ``Content-Type`` and the request
id header first, then the answer's own headers, and for ``HEAD`` no body but
the ``Content-Length`` GET would have sent. Recording the request is the
application's.
"""

from __future__ import annotations

import json
from datetime import datetime

from .endpoints import Answer
from .envelopes import CONTENT_TYPE, error_body, status_of, success_body
from .http import Request, Response
from .rules import UCXIRules

__all__ = ["last_resort", "respond"]


def respond(
    rules: UCXIRules,
    request: Request,
    request_id: str,
    answer: Answer,
    role: tuple[str, int, str],
    now: datetime,
    spent: float,
) -> Response:
    """The response to ``request``: ``answer`` in its envelope, stamped ``now``.

    ``role`` is the answer's role as the rules spell it: its code, HTTP status
    and message. ``spent`` is the simulated time the request took (its
    ``delay``).
    """
    code, status, message = role
    if status < 400:
        body = success_body(
            code,
            message,
            data=answer.data,
            details=answer.details,
            request_id=request_id,
            timestamp=now,
        )
    else:
        body = error_body(
            code,
            message,
            details=answer.details,
            cause=answer.cause,
            source=rules.source,
            path=request.path,
            request_id=request_id,
            timestamp=now,
        )
    headers: tuple[tuple[str, str], ...] = (
        ("Content-Type", CONTENT_TYPE),
        (rules.request_id_header, request_id),
        *answer.headers,
    )
    head = request.method == "HEAD"
    if head:  # RFC 9110: the length GET would have sent, and no body
        headers += (("Content-Length", str(len(body))),)
    return Response(status, headers, b"" if head else body, delay=spent, drop=answer.drop)


def last_resort(rules: UCXIRules) -> Response:
    """INTERNAL_ERROR in the smallest error envelope: for when writing the usual one failed
    itself (its code, message and source, nothing that needs the request or the clock)."""
    code = rules.code("INTERNAL_ERROR")
    error = {"code": code, "message": rules.messages["INTERNAL_ERROR"], "source": rules.source}
    body = json.dumps({"error": error}, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status_of(code), (("Content-Type", CONTENT_TYPE),), body)
