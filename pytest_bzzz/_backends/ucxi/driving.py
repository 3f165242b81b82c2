"""Running an endpoint's program on the connector: with its sync methods, or its async twins.

An endpoint is a generator (see ``endpoints``): it yields the connector
operations it needs and returns its answer. The two drivers here call each
operation, send its result back (or throw its exception in) and return the
answer. An operation's exception that the program lets escape becomes the
answer ``endpoints.failure`` gives it (a simulated failure a 503, a timeout
a 504, a missing address a 404, ...); one it does not know escapes to the
application, which answers 500.

The sync driver also counts the simulated time the operations spent, under
the world's lock on a virtual clock (the application's docstring says why);
the async one leaves that to its caller, which reads the loop's clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ..interfaces import Connector
from .endpoints import Answer, Op, Program, failure
from .rules import OnTimeout

# pytest hides the frames of this module from tracebacks (``--full-trace`` shows them).
__tracebackhide__ = True

__all__ = ["adrive", "drive"]


def _step(
    program: Program, op: Op | None, result: Any, error: Exception | None, on_timeout: OnTimeout
) -> Op | Answer:
    """Give the program the last operation's result (or error); its next operation or answer."""
    try:
        return program.send(result) if error is None else program.throw(error)
    except StopIteration as stop:
        answer: Answer = stop.value
        return answer
    except Exception as escaped:
        if escaped is error and op is not None:
            known = failure(error, op.subject, on_timeout)
            if known is not None:
                return known
        raise


def drive(
    connector: Connector,
    program: Program,
    on_timeout: OnTimeout,
    lock: threading.RLock | None,
    now: Callable[[], float],
) -> tuple[Answer, float]:
    """Run the program with the sync methods; its answer, and the simulated time it spent.

    ``lock`` is the world's on a virtual clock (``None`` on a real one): each
    network operation is timed by ``now`` under it.
    """
    op: Op | None = None
    result: Any = None
    error: Exception | None = None
    spent = 0.0
    try:
        while True:
            step = _step(program, op, result, error, on_timeout)
            if isinstance(step, Answer):
                return step, spent
            op = step
            method = getattr(connector, op.name)
            try:
                if lock is None or op.local:
                    result = method(*op.args, **op.kwargs)
                else:
                    lock.acquire()  # re-entrant: the pipeline takes it again inside
                    before = now()
                    try:
                        result = method(*op.args, **op.kwargs)
                    finally:
                        spent += now() - before
                        lock.release()
                error = None
            except Exception as caught:
                result, error = None, caught
    finally:
        program.close()


async def adrive(connector: Connector, program: Program, on_timeout: OnTimeout) -> Answer:
    """Run the program with the async twins (a local read as it is); its answer."""
    op: Op | None = None
    result: Any = None
    error: Exception | None = None
    try:
        while True:
            step = _step(program, op, result, error, on_timeout)
            if isinstance(step, Answer):
                return step
            op = step
            try:
                if op.local:
                    result = getattr(connector, op.name)(*op.args, **op.kwargs)
                else:
                    method = getattr(connector, "a" + op.name)
                    result = await method(*op.args, **op.kwargs)
                error = None
            except Exception as caught:
                result, error = None, caught
    finally:
        program.close()
