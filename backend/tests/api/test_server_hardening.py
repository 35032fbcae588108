"""What the server says about itself and how long it lets a client hold it; paths that
cannot name anything are 4xx, never 500."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn

from supportdesk.cli import server_options
from tests.conftest import make_settings


class TestPathsThatNameNothing:
    @pytest.mark.parametrize(
        "path", ["/sim/gateway/%00", "/sim/orders/a%00b", "/sim/gateway/%0d%0a"]
    )
    async def test_a_control_character_in_a_simulator_path_is_422_naming_the_path(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        response = await client.get(path)

        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["loc"] == ["path", "path"]

    @pytest.mark.parametrize("path", ["/%00", "/orders/x%00y", "/assets/%00.js"])
    async def test_a_nul_in_a_web_app_path_is_404(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        response = await client.get(path)

        assert response.status_code == 404, response.text
        assert response.json()["code"] == "not_found"


async def _ok(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


@asynccontextmanager
async def _served(**overrides: Any) -> AsyncIterator[int]:
    """A real uvicorn with the options ``supportdesk serve`` uses; yields the port."""
    options = server_options(make_settings("sqlite+aiosqlite://", **overrides))
    config = uvicorn.Config(_ok, host="127.0.0.1", port=0, lifespan="off", **options)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # surfaces why it could not start
        await asyncio.sleep(0.01)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=5)


async def _get(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    return reader, writer, head


class TestServerOptions:
    async def test_answers_do_not_name_the_server(self) -> None:
        async with _served() as port:
            _, writer, head = await _get(port)
            writer.close()

        assert head.startswith(b"HTTP/1.1 200")
        assert b"\r\nserver:" not in head.lower()

    async def test_an_idle_connection_is_closed_after_the_keep_alive_timeout(self) -> None:
        async with _served(keep_alive_timeout_seconds=1) as port:
            reader, writer, _ = await _get(port)
            await reader.readexactly(len(b"2\r\nok\r\n0\r\n\r\n"))
            started = time.perf_counter()
            rest = await asyncio.wait_for(reader.read(), 5)  # b"" once the server closes
            idle_for = time.perf_counter() - started
            writer.close()

        assert rest == b""
        assert idle_for < 3

    async def test_past_the_concurrency_limit_new_requests_get_503_at_once(self) -> None:
        async with _served(limit_concurrency=1) as port:
            _, holder, _ = await _get(port)  # keeps its connection open
            _, writer, head = await _get(port)
            holder.close()
            writer.close()

        assert head.startswith(b"HTTP/1.1 503")

    def test_serve_logs_through_our_masking_formatter_and_has_no_access_log_of_its_own(
        self,
    ) -> None:
        options = server_options(make_settings("sqlite+aiosqlite://"))

        assert options["log_config"] is None
        assert options["access_log"] is False
        assert options["server_header"] is False
