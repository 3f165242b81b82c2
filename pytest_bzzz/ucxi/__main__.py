"""``python -m pytest_bzzz.ucxi``: a standalone fake UCXI node, for clients in any language.

It builds what a test's fixtures would (a :class:`pytest_bzzz.World` with the
given seed, conditions and clock, a :class:`pytest_bzzz.MockBZZZ` on it, and
the UCXI application over that) and serves it until interrupted: Ctrl-C or
SIGTERM stops it cleanly, with exit status 0.

The first line it prints is ``serving on http://127.0.0.1:<port>``, flushed at
once, so that a program that starts it with ``--port 0`` learns the port.

It listens on 127.0.0.1 unless ``--host`` says otherwise: the fake node has no
authentication and serves whatever anyone stores, so reaching it from other
machines is a choice to make explicitly, and it warns when it is made.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import math
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Final

import pytest_bzzz
from pytest_bzzz._kernel.units import DURATION_HELP, parse_duration, parse_rate

from . import UCXIApp, UCXIRules, UCXIServer

__all__ = ["main"]

_PROG: Final = "python -m pytest_bzzz.ucxi"


def _checked(convert: Callable[[str], float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            return convert(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {text!r}")
    return int(text)


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number, 0 or more, got {text!r}")
    return int(text)


def _factor(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a number, 0 or more, got {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
    """The command line's options."""
    p = argparse.ArgumentParser(
        prog=_PROG,
        description=(
            "Run a fake BZZZ node's UCXI interface (HTTP) over a simulated network, until "
            "interrupted (Ctrl-C). The first line printed is 'serving on <url>'."
        ),
        epilog=(
            f"Durations are {DURATION_HELP}. Example: {_PROG} --port 8080 --seed 1 "
            "--latency 50ms --failure-rate 5%"
        ),
    )
    add = p.add_argument
    add(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only; the fake has no "
        "authentication, so any other address must be given explicitly)",
    )
    add("--port", type=_port, default=8080, help="port (default: 8080; 0 picks a free one)")
    add(
        "--seed",
        type=int,
        metavar="N",
        help="the world's seed (default: a fresh one, printed at start)",
    )
    duration = _checked(parse_duration)
    add(
        "--latency",
        type=duration,
        default=0.0,
        metavar="DURATION",
        help="each operation's simulated latency (default: 0)",
    )
    add(
        "--jitter",
        type=duration,
        default=0.0,
        metavar="DURATION",
        help="how far latency varies (default: 0)",
    )
    add(
        "--distribution",
        choices=("uniform", "normal"),
        default="uniform",
        help="how latency spreads around its value (default: uniform)",
    )
    add(
        "--failure-rate",
        type=_checked(parse_rate),
        default=0.0,
        metavar="RATE",
        help="probability that an operation fails: 0 to 1, or a percentage ('5%%'); a failure "
        "is answered 503",
    )
    add(
        "--timeout",
        type=duration,
        metavar="DURATION",
        help="each operation's timeout (default: none); a timed-out request is answered 504 "
        "(see --on-timeout)",
    )
    add(
        "--on-timeout",
        choices=("answer", "drop"),
        default="answer",
        help="what a timed-out request gets: a 504, or no answer at all (default: answer)",
    )
    add(
        "--clock",
        choices=("virtual", "real"),
        default="virtual",
        help="the world's clock: virtual time, spent in real time by the server (scaled by "
        "--latency-scale), or the real clock, which sleeps through each latency (default: "
        "virtual)",
    )
    add(
        "--latency-scale",
        type=_factor,
        default=1.0,
        metavar="FACTOR",
        help="real seconds spent per simulated second before answering, on the virtual clock "
        "(default: 1; 0 answers at once)",
    )
    add(
        "--max-body",
        type=_count,
        default=1 << 20,
        metavar="BYTES",
        help="largest request body, in bytes; a larger one is refused with 413 (default: 1048576)",
    )
    add(
        "--record-requests",
        type=_count,
        default=10_000,
        metavar="N",
        help="how many of the newest requests the node keeps in its record (default: 10000; "
        "0 for none): the memory a long run takes stays flat",
    )
    add(
        "--base-path",
        default="/ucxi/v1",
        metavar="PATH",
        help="prefix of every route (default: /ucxi/v1; '' for none)",
    )
    add(
        "--success-code",
        default="UCXL-200-SUCCESS",
        metavar="CODE",
        help="how success is spelled (default: UCXL-200-SUCCESS; the RUSTLE browser's is "
        "UCXL-200-OK)",
    )
    return p


def _say(text: str, *, error: bool = False) -> None:
    # Nobody reads any more (a closed pipe): serve on regardless.
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr if error else sys.stdout, flush=True)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the node until interrupted; return the exit status."""
    p = parser()
    args = p.parse_args(argv)
    try:
        conditions = pytest_bzzz.NetworkConditions(
            latency=args.latency,
            jitter=args.jitter,
            distribution=args.distribution,
            failure_rate=args.failure_rate,
            timeout=args.timeout,
        )
        world = pytest_bzzz.World(seed=args.seed, conditions=conditions, clock=args.clock)
    except (TypeError, ValueError) as error:  # the one value argparse cannot check: the seed
        p.error(f"argument --seed: {error}")
    for option, field in (("--base-path", "base_path"), ("--success-code", "success_code")):
        try:
            UCXIRules(**{field: getattr(args, field)})
        except (TypeError, ValueError) as error:
            p.error(f"argument {option}: {str(error).removeprefix('UCXIRules ')}")
    rules = UCXIRules(
        base_path=args.base_path,
        success_code=args.success_code,
        max_body=args.max_body,
        on_timeout=args.on_timeout,
    )
    app = UCXIApp(
        pytest_bzzz.MockBZZZ(world), world, rules=rules, record_requests=args.record_requests
    )
    try:  # the server's body limit is the rules' (--max-body)
        server = UCXIServer(app, host=args.host, port=args.port, latency_scale=args.latency_scale)
    except (TypeError, ValueError) as error:  # all but the host are checked by now
        p.error(f"argument --host: {error}")
    try:
        server.start()
    except OSError as error:
        _say(f"{_PROG}: error: {error.strerror or error}", error=True)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    try:
        for name in ("SIGINT", "SIGTERM"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), on_signal)
        _say(f"serving on {server.url}")
        _say(
            f"seed {world.seed}; {conditions.describe()}; {args.clock} clock; "
            f"base path {rules.base_path or '/'} (Ctrl-C to stop)"
        )
        if not _is_loopback(server.host):
            _say(
                f"{_PROG}: warning: listening on {server.host}: the fake node has no "
                "authentication; whoever reaches this address can read and change its content",
                error=True,
            )
        while not stop.wait(0.5):  # a timeout, so that Ctrl-C is seen on Windows too
            pass
    except KeyboardInterrupt:  # before the handlers were in place
        pass
    finally:
        server.stop()
        world.close()
    _say("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
