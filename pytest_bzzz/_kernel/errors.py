"""The errors a simulated network raises: a failure, a timeout, a scheduled action's failure.

Both carry a UCXL error code (``UCXL-503-SERVICE_UNAVAILABLE``,
``UCXL-504-TIMEOUT``), as the UCXI API reports them, and derive from the
built-in exception a caller would naturally catch (``ConnectionError``,
``TimeoutError``). They pickle by state, as every ``UCXLError`` does.
"""

from __future__ import annotations

from .._ucxl.errors import ErrorCode, UCXLError

__all__ = ["NetworkError", "NetworkTimeout", "NoLeaderError", "ScheduledActionError"]


class NetworkError(UCXLError, ConnectionError):
    """A simulated network failure (``UCXL-503-SERVICE_UNAVAILABLE``).

    ``op`` is the operation that failed and ``key`` what it was called with.
    """

    op: str
    key: str

    def __init__(self, message: str, *, op: str, key: str) -> None:
        super().__init__(message, code=ErrorCode.SERVICE_UNAVAILABLE)
        self.op = op
        self.key = key


class NetworkTimeout(UCXLError, TimeoutError):
    """An operation's simulated latency exceeded its timeout (``UCXL-504-TIMEOUT``).

    ``latency`` is the delay drawn for it and ``timeout`` the limit it hit,
    both in seconds.
    """

    op: str
    key: str
    latency: float
    timeout: float

    def __init__(self, message: str, *, op: str, key: str, latency: float, timeout: float) -> None:
        super().__init__(message, code=ErrorCode.TIMEOUT)
        self.op = op
        self.key = key
        self.latency = latency
        self.timeout = timeout


class NoLeaderError(NetworkError):
    """The job table was changed while the world has no leader (``UCXL-503-SERVICE_UNAVAILABLE``).

    A :class:`NetworkError`, so that code that retries on network failures
    retries through a failover. The message says why there is no leader and
    when the next election is due, if one is.
    """


class ScheduledActionError(RuntimeError):
    """An action scheduled with ``world.at()`` raised when it ran.

    Raised by the test's next operation (and at teardown if none came), from
    the action's own error. ``at`` is the world time it ran at and ``label``
    what it was, as ``"kill('peer-3')"``.
    """

    at: float
    label: str

    def __init__(self, message: str, *, at: float, label: str) -> None:
        super().__init__(message)
        self.at = at
        self.label = label

    def __reduce__(self) -> tuple[object, ...]:
        return (_scheduled_action_error, (str(self), self.at, self.label))


def _scheduled_action_error(message: str, at: float, label: str) -> ScheduledActionError:
    return ScheduledActionError(message, at=at, label=label)


# Shown, pickled and documented under the name users import them by.
NetworkError.__module__ = NetworkTimeout.__module__ = NoLeaderError.__module__ = "pytest_bzzz"
ScheduledActionError.__module__ = "pytest_bzzz"
