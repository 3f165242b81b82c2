"""The fake UCXI node's fixtures, as a user's test suite sees them (run with ``pytester``).

``ucxi_app`` and ``ucxi_server`` on the test's world, the shared
``ucxi_session_server`` and what it resets between tests, unexpected
exceptions failing the test at teardown, client timeouts over real sockets,
and reproducible request ids. The ``ucxi`` marker's arguments are in
``test_ucxi_plugin_markers.py``.
"""

from __future__ import annotations

import re
import textwrap

# Imported here, before any in-process pytester run: httpx imports httpcore on first use, and
# a run that did so would unload it, leaving httpx mapping the errors of a module no longer
# in use (a later test would then see httpcore.ReadTimeout rather than httpx.ReadTimeout).
import httpcore  # noqa: F401
import httpx  # noqa: F401
import pytest

from tests._plugin_helpers import literal

API = "ucxl://gpt4:architect@bzzz:v2/decisions/api.json"

HEADER = f"""
import asyncio
import json
import re
import socket

import httpx
import pytest
import requests

from pytest_bzzz import NetworkConditions, UCXIApp, UCXIRules, UCXIServer

API = {API!r}
"""


def suite(body: str) -> str:
    """A test module: the common imports, then ``body`` (indented as in the test's source)."""
    return HEADER + textwrap.dedent(body)


def test_the_app_and_mock_bzzz_share_the_tests_world(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        suite(
            """
        def test_in_process(ucxi_app, mock_bzzz, bzzz_network):
            assert isinstance(ucxi_app, UCXIApp)
            assert ucxi_app.world is bzzz_network and ucxi_app.connector is mock_bzzz
            mock_bzzz.store(API, {"style": "rest"})
            transport = httpx.WSGITransport(app=ucxi_app)
            with httpx.Client(transport=transport, base_url="http://node/ucxi/v1") as client:
                got = client.get("/get", params={"address": API})
                put = client.put("/put", params={"address": API}, content=b"v2")
            assert got.json()["response"]["data"]["version"] == 1
            assert put.status_code == 200  # a new version of what mock_bzzz stored
            assert mock_bzzz.retrieve(API).content == b"v2"
            assert [r.route for r in ucxi_app.requests] == ["get", "put"]

        @pytest.mark.latency(1000)
        @pytest.mark.asyncio
        async def test_asgi_runs_on_the_worlds_virtual_clock(ucxi_app, bzzz_network):
            transport = httpx.ASGITransport(app=ucxi_app)
            async with httpx.AsyncClient(transport=transport, base_url="http://node") as client:
                loop = asyncio.get_running_loop()
                began = loop.time()
                answers = await asyncio.gather(
                    *[client.get("/ucxi/v1/get", params={"address": API}) for _ in range(5)]
                )
                assert loop.time() - began == pytest.approx(1.0)  # five at once: one second
            assert [a.status_code for a in answers] == [404] * 5
            assert bzzz_network.clock.now() == pytest.approx(1.0)
        """
        )
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_a_tests_server_serves_its_world_and_stops_after_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        suite(
            """
        SEEN = []

        def test_serve(ucxi_server, ucxi_app, mock_bzzz):
            assert isinstance(ucxi_server, UCXIServer) and ucxi_server.app is ucxi_app
            assert re.fullmatch(r"http://127\\.0\\.0\\.1:[0-9]+", ucxi_server.url)
            assert ucxi_server.base_url == ucxi_server.url + "/ucxi/v1"
            put = requests.put(
                f"{ucxi_server.base_url}/put", params={"address": API}, data=b"x", timeout=30
            )
            assert put.status_code == 201
            assert mock_bzzz.retrieve(API).content == b"x"
            assert [(r.method, r.route, r.status) for r in ucxi_server.requests] == [
                ("PUT", "put", 201)
            ]
            assert ucxi_server.requests == ucxi_app.requests
            SEEN.append(ucxi_server)

        def test_the_server_was_stopped():
            (server,) = SEEN
            assert not server.running
            with pytest.raises(requests.ConnectionError):
                requests.get(server.url, timeout=30)

        def test_each_test_gets_a_server_of_its_own(ucxi_server, mock_bzzz):
            assert ucxi_server is not SEEN[0]
            answer = requests.get(
                f"{ucxi_server.base_url}/get", params={"address": API}, timeout=30
            )
            assert answer.status_code == 404  # the data of the first test's world is gone
        """
        ).replace("import asyncio", "import asyncio\nimport re")
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)


def test_unexpected_exceptions_fail_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest
        from pytest_bzzz import MockBZZZ

        class Broken(MockBZZZ):
            def retrieve(self, address, *, timeout=None):
                raise KeyError("a bug in the connector")

        @pytest.hookimpl(tryfirst=True)
        def pytest_bzzz_make_backend(item, settings):
            if "broken" in item.name:
                from pytest_bzzz._backends import load_backend

                memory = load_backend("memory")

                class Backend:
                    name = "broken"
                    dht = staticmethod(memory.dht)
                    connector = staticmethod(lambda world: Broken(world))

                return Backend()
            return None
        """
    )
    pytester.makepyfile(
        suite(
            """
        def test_broken_connector(ucxi_server):
            url = f"{ucxi_server.base_url}/get"
            answer = requests.get(url, params={"address": API}, timeout=30)
            assert answer.status_code == 500  # the client sees the 500: it passes

        @pytest.mark.ucxi(fail_on_errors=False)
        def test_broken_on_purpose(ucxi_app):
            with httpx.Client(transport=httpx.WSGITransport(app=ucxi_app)) as client:
                answer = client.get("http://n/ucxi/v1/get", params={"address": API})
            assert answer.status_code == 500
            assert [type(e) for e in ucxi_app.errors] == [KeyError]

        def test_fine(ucxi_server):
            assert requests.get(f"{ucxi_server.base_url}/health", timeout=30).ok
        """
        )
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_broken_connector _*",
            "bzzz: the fake UCXI node met 1 unexpected exception(s) during "
            "test_*.py::test_broken_connector, "
            + literal(
                "each answered 500 UCXL-500-INTERNAL_ERROR: a fault of the connector it serves "
                "(a backend of your own, or a test double) or of pytest-bzzz, not of the client:"
            ),
            "  KeyError: 'a bug in the connector'",
            "    raised at *conftest.py:*, in retrieve",
            literal(
                "If the test provokes them on purpose, mark it "
                "@pytest.mark.ucxi(fail_on_errors=False) (see 'Unexpected exceptions' in the "
                "UCXI page of the docs)."
            ),
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_a_clients_timeout_fires_over_real_sockets(pytester: pytest.Pytester) -> None:
    """The world's latency is spent in real time by the server, so the client's timeout fires."""
    pytester.makepyfile(
        suite(
            """
        import time

        @pytest.mark.latency("30s")
        def test_requests_times_out(ucxi_server, bzzz_network):
            began = time.monotonic()
            with pytest.raises(requests.exceptions.ReadTimeout):
                requests.get(f"{ucxi_server.base_url}/get", params={"address": API}, timeout=0.2)
            assert time.monotonic() - began < 20  # the client gave up; the 30 s were not waited
            deadline = time.monotonic() + 30  # the server's thread took it in (it waits 30 s now)
            while not ucxi_server.requests:
                assert time.monotonic() < deadline, "the request never reached the node"
                time.sleep(0.01)
            assert bzzz_network.clock.now() == 30  # the world did spend them

        @pytest.mark.latency("30s")
        @pytest.mark.ucxi(latency_scale=0)
        def test_a_scale_of_zero_answers_at_once(ucxi_server):
            url = f"{ucxi_server.base_url}/get"
            answer = requests.get(url, params={"address": API}, timeout=10)
            assert answer.status_code == 404

        @pytest.mark.bzzz(timeout="1s")
        @pytest.mark.latency("30s")
        @pytest.mark.ucxi(rules=UCXIRules(on_timeout="drop"), latency_scale=0.01)
        def test_a_dropped_timeout_is_never_answered(ucxi_server):
            with pytest.raises(requests.ConnectionError):
                requests.get(f"{ucxi_server.base_url}/get", params={"address": API}, timeout=30)
            assert [r.dropped for r in ucxi_server.requests] == [True]

        @pytest.mark.latency("30s")
        @pytest.mark.asyncio
        async def test_an_async_client_times_out_too(ucxi_server):
            began = time.monotonic()
            async with httpx.AsyncClient(base_url=ucxi_server.base_url, timeout=0.2) as client:
                with pytest.raises(httpx.ReadTimeout):
                    await client.get("/get", params={"address": API})
            # Its timeout fired, long before the 30 s. Not always after 0.2 s of real time:
            # the test's loop follows the world clock, which the server's thread moves by the
            # simulated 30 s as it takes the request in, and a loop that sees that jump fires
            # the client's timer at once.
            assert time.monotonic() - began < 20

        @pytest.mark.latency("2s")
        @pytest.mark.ucxi(latency_scale=0.05)
        @pytest.mark.asyncio
        async def test_an_async_client_is_answered_on_the_virtual_clock(ucxi_server, bzzz_network):
            async with httpx.AsyncClient(base_url=ucxi_server.base_url, timeout=5) as client:
                first = await client.get("/get", params={"address": API})
                second = await client.get("/status")
            assert (first.status_code, second.status_code) == (404, 200)
            # The world spent the simulated 2 s; the loop waited for the server's answers.
            assert bzzz_network.clock.now() >= 2
        """
        )
    )
    pytester.runpytest().assert_outcomes(passed=5)


def test_the_session_server_is_shared_and_reset_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        suite(
            """
        SHARED = {}

        import time

        def test_first(ucxi_session_server, mock_bzzz):
            server = ucxi_session_server
            SHARED["server"], SHARED["url"] = server, server.url
            requests.put(f"{server.base_url}/put", params={"address": API}, data=b"x", timeout=30)
            assert mock_bzzz.retrieve(API).content == b"x"
            # A keep-alive connection left open, and a request left waiting out its delay.
            sock = socket.create_connection((server.host, server.port), timeout=30)
            sock.sendall(b"GET /ucxi/v1/health HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
            assert sock.recv(65536).startswith(b"HTTP/1.1 200 OK")
            SHARED["idle"] = sock
            server.app.world.conditions = NetworkConditions(latency=60)
            waiting = socket.create_connection((server.host, server.port), timeout=30)
            waiting.sendall(
                f"GET /ucxi/v1/get?address={API} HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n".encode()
            )
            SHARED["waiting"] = waiting
            deadline = time.monotonic() + 30  # until it is in, and now waiting out its delay
            while len(server.requests) < 3:
                assert time.monotonic() < deadline, (
                    f"the waiting request never reached the node: {server.requests}"
                )
                time.sleep(0.01)

        def test_between_tests_it_answers_503():
            answer = requests.get(SHARED["url"] + "/ucxi/v1/health", timeout=30)
            assert answer.status_code == 503
            error = answer.json()["error"]
            assert error["code"] == "UCXL-503-SERVICE_UNAVAILABLE"
            # The note's id form, and the last test's world clock (virtual: 2025), not the wall's.
            assert re.fullmatch(r"2025[0-9]{4}-[0-9]{6}-[0-9a-f]{8}", error["request_id"])
            assert answer.headers["X-Request-ID"] == error["request_id"]
            assert error["timestamp"].startswith("2025-01-01T")
            traced = requests.get(
                SHARED["url"] + "/x", headers={"X-Request-ID": "trace-9"}, timeout=30
            )
            assert traced.json()["error"]["request_id"] == "trace-9"
            assert traced.headers["X-Request-ID"] == "trace-9"
            for name in ("idle", "waiting"):  # closed when the first test ended
                assert SHARED[name].recv(65536) == b""
                SHARED[name].close()

        @pytest.mark.ucxi(rules=UCXIRules(max_body=4, base_path="/v9"), latency_scale=0)
        def test_second(ucxi_session_server, ucxi_app):
            server = ucxi_session_server
            assert server is SHARED["server"] and server.url == SHARED["url"]
            assert server.app is ucxi_app and server.base_url == SHARED["url"] + "/v9"
            assert (server.latency_scale, server.max_body) == (0, 4)
            got = requests.get(f"{server.base_url}/get", params={"address": API}, timeout=30)
            assert got.status_code == 404  # the first test's data is not this world's
            big = requests.put(
                f"{server.base_url}/put", params={"address": API}, data=b"12345", timeout=30
            )
            assert big.status_code == 413  # this test's limit, refused by the server
            assert [(r.route, r.status) for r in server.requests] == [("get", 404), (None, 413)]

        def test_third_gets_the_defaults_again(ucxi_session_server):
            server = ucxi_session_server
            assert (server.latency_scale, server.max_body) == (1.0, 1 << 20)
            assert server.base_url == SHARED["url"] + "/ucxi/v1"
            assert server.requests == []
            server.stop()  # by mistake, or to see a client's handling of a node gone

        def test_fourth_finds_it_listening_again(ucxi_session_server):
            assert ucxi_session_server.url == SHARED["url"]
            answer = requests.get(SHARED["url"] + "/ucxi/v1/health", timeout=30)
            assert answer.status_code == 200
        """
        )
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=5)


def test_request_ids_reproduce_with_the_session_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        suite(
            """
        def test_ids(ucxi_server):
            ids = []
            with requests.Session() as session:
                for path in ("/status", "/nowhere", "/health"):
                    ids.append(session.get(ucxi_server.base_url + path, timeout=30)
                               .headers["X-Request-ID"])
            too_big = requests.put(
                f"{ucxi_server.base_url}/put", params={"address": API}, data=b"x" * (2 << 20),
                timeout=30,
            )
            assert too_big.status_code == 413
            ids.append(too_big.headers["X-Request-ID"])
            print("IDS", *ids)
        """
        )
    )

    def ids(seed: str) -> list[str]:
        result = pytester.runpytest("-s", f"--bzzz-seed={seed}")
        result.assert_outcomes(passed=1)
        (line,) = [line for line in result.outlines if "IDS " in line]
        return line[line.index("IDS ") :].split()[1:]

    first = ids("5")
    assert len(first) == len(set(first)) == 4
    assert all(re.fullmatch(r"20250101-000000-[0-9a-f]{8}", one) for one in first)
    assert ids("5") == first
    assert ids("6") != first


def test_the_marker_and_fixtures_are_listed(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.ucxi(*, rules=UCXIRules(), latency_scale=1.0, record_requests=10000, "
            "fail_on_errors=True): the fake UCXI node*"
        ]
    )
    fixtures = pytester.runpytest("--fixtures").stdout.str()
    for name in ("ucxi_app", "ucxi_server", "ucxi_session_server"):
        assert re.search(rf"^{name} .*-- .*pytest_bzzz[/\\]plugin[/\\]ucxi\.py", fixtures, re.M)


def test_the_default_record_is_the_worlds() -> None:
    from pytest_bzzz import DEFAULT_RECORD_LIMIT
    from pytest_bzzz.plugin import ucxi

    assert ucxi.UCXIOptions().record_requests == DEFAULT_RECORD_LIMIT


def test_disabling_the_plugin_disables_the_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(ucxi_app):\n    pass\n")
    result = pytester.runpytest("-p", "no:bzzz")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'ucxi_app' not found*"])
