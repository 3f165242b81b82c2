"""An unmodified aiohttp client against the fake UCXI node, as a user's suite runs one.

aiohttp speaks HTTP/1.1 with its own parser and connection pool (not httpx's
nor requests'), over asyncio's transports: the node must answer it exactly as
the other clients, keep its connection alive, and let its timeout fire over
real sockets while the test's loop follows the world's virtual clock.
"""

from __future__ import annotations

import textwrap

import pytest

pytest.importorskip("aiohttp")  # in the test extra; a bare install of the plugin lacks it

pytest_plugins = ["pytester"]

API = "ucxl://gpt4:architect@bzzz:v2/decisions/api.json"


def test_an_aiohttp_client_is_answered_as_the_node_answers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        textwrap.dedent(
            f"""
            import asyncio
            import time

            import aiohttp
            import pytest

            API = {API!r}

            @pytest.mark.asyncio
            async def test_store_read_and_errors(ucxi_server, mock_bzzz):
                opened = []  # the connections aiohttp opens (its tracing API)

                async def on_open(session, context, params):
                    opened.append(params)

                tracing = aiohttp.TraceConfig()
                tracing.on_connection_create_end.append(on_open)
                connector = aiohttp.TCPConnector(limit=1)
                async with aiohttp.ClientSession(
                    connector=connector, trace_configs=[tracing]
                ) as session:
                    base = ucxi_server.base_url
                    async with session.put(f"{{base}}/put", params={{"address": API}},
                                           data=b'{{"style": "rest"}}',
                                           headers={{"Content-Type": "application/json"}}) as put:
                        assert put.status == 201  # a new address
                        stored = (await put.json())["response"]
                    async with session.get(f"{{base}}/get", params={{"address": API}},
                                           headers={{"X-Request-ID": "mine-1"}}) as got:
                        body = await got.json()
                    async with session.get(f"{{base}}/get",
                                           params={{"address": "ucxl://nobody"}}) as bad:
                        error = (await bad.json())["error"]
                        bad_status = bad.status
                    async with session.head(f"{{base}}/health") as head:
                        assert head.status == 200
                        assert await head.read() == b""
                assert stored["code"] == "UCXL-201-CREATED"
                assert body["response"]["request_id"] == "mine-1"
                assert body["response"]["data"]["version"] == 1
                assert mock_bzzz.retrieve(API).json() == {{"style": "rest"}}  # the same world
                assert bad_status == 400 and error["code"] == "UCXL-400-INVALID_ADDRESS"
                # One connection served all four requests (HTTP/1.1 keep-alive).
                assert len(opened) == 1
                assert len(ucxi_server.requests) == 4

            @pytest.mark.latency("30s")
            @pytest.mark.asyncio
            async def test_its_timeout_fires_over_real_sockets(ucxi_server):
                began = time.monotonic()
                timeout = aiohttp.ClientTimeout(total=0.2)
                async with aiohttp.ClientSession(timeout=timeout) as session:
                    with pytest.raises(asyncio.TimeoutError):
                        async with session.get(f"{{ucxi_server.base_url}}/get",
                                               params={{"address": API}}) as answer:
                            await answer.read()
                assert time.monotonic() - began < 20  # the client gave up, not the server
            """
        )
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2)
