"""``python -m pytest_bzzz.ucxi``, run as a user runs it: in a subprocess."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request

import pytest

from pytest_bzzz._backends.ucxi.server import UCXIServer
from pytest_bzzz.ucxi.__main__ import _is_loopback
from tests.test_ucxi_server import Echo

CLI = [sys.executable, "-m", "pytest_bzzz.ucxi"]


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *arguments], capture_output=True, text=True, timeout=120)


def test_help_lists_every_option() -> None:
    result = run("--help")
    assert result.returncode == 0
    for option in (
        "--host",
        "--port",
        "--seed",
        "--latency",
        "--jitter",
        "--distribution",
        "--failure-rate",
        "--timeout",
        "--on-timeout",
        "--clock",
        "--latency-scale",
        "--max-body",
        "--record-requests",
        "--base-path",
        "--success-code",
    ):
        assert option in result.stdout
    assert "127.0.0.1" in result.stdout
    assert "'250ms'" in result.stdout  # durations in the project's notation


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--latency", "soon"], "argument --latency: expected a number of milliseconds"),
        (["--jitter", "-5"], "argument --jitter: must be 0 or more"),
        (["--timeout", "1y"], "argument --timeout: expected"),
        (["--failure-rate", "2"], "argument --failure-rate: must be between 0 and 1"),
        (["--failure-rate", "lots"], "argument --failure-rate: expected a number between 0"),
        (["--port", "70000"], "argument --port: expected a port from 0 to 65535"),
        (["--port", "http"], "argument --port: expected a port"),
        (["--seed", "-1"], "argument --seed: seed must be an int from 0"),
        (["--seed", "one"], "argument --seed: invalid int value"),
        (["--clock", "warp"], "argument --clock: invalid choice"),
        (["--latency-scale", "-1"], "argument --latency-scale: expected a number, 0 or more"),
        (["--latency-scale", "nan"], "argument --latency-scale: expected a number"),
        (["--max-body", "1MB"], "argument --max-body: expected a whole number"),
        (["--base-path", "ucxi"], "argument --base-path: base_path must start with '/'"),
        (["--success-code", "OK"], "argument --success-code: success_code must be written"),
        (["--host", ""], "argument --host: host must be a non-empty str"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_option_errors_say_which_option(arguments: list[str], message: str) -> None:
    result = run(*arguments)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("where", ["busy port", "unknown host"])
def test_failing_to_listen_is_an_error_without_a_traceback(where: str) -> None:
    with UCXIServer(Echo()) as busy:
        if where == "busy port":
            result = run("--port", str(busy.port))
        else:
            result = run("--host", "no-such-host.invalid", "--port", "0")
    assert result.returncode == 1
    assert result.stderr.startswith("python -m pytest_bzzz.ucxi: error: ")
    assert "Traceback" not in result.stderr


def test_only_loopback_addresses_pass_without_a_warning() -> None:
    assert _is_loopback("127.0.0.1")
    assert _is_loopback("::1")
    assert _is_loopback("localhost")
    assert not _is_loopback("0.0.0.0")
    assert not _is_loopback("192.168.1.10")
    assert not _is_loopback("example.org")


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT, as Ctrl-C does on POSIX")
def test_a_node_serves_until_interrupted() -> None:
    pytest.importorskip("pytest_bzzz._backends.ucxi.app")
    process = subprocess.Popen(
        [*CLI, "--port", "0", "--seed", "1", "--latency", "50ms", "--base-path", "/v9"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("serving on http://127.0.0.1:"), first
        url = first.split()[-1]
        assert "seed 1; latency 50ms; virtual clock; base path /v9" in process.stdout.readline()
        address = "ucxl://gpt4:architect@bzzz:v2/decisions/api.json"
        put = urllib.request.Request(f"{url}/v9/put?address={address}", b"hi", method="PUT")
        with urllib.request.urlopen(put, timeout=60) as answer:
            assert json.loads(answer.read())["response"]["code"] == "UCXL-201-CREATED"
        with urllib.request.urlopen(f"{url}/v9/status", timeout=60) as answer:
            assert json.loads(answer.read())["response"]["data"]["storage"]["addresses"] == 1
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert out.strip() == "stopped"
    assert "Traceback" not in err
