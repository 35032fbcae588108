"""A database or a cache that is down or hangs is answered promptly with 503
``upstream_unavailable`` and Retry-After, never a 500 after half a minute; /health/ready
names the part that fails."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from supportdesk.api.app import create_app
from supportdesk.bootstrap import Container
from supportdesk.devdata import DEMO_PASSWORD
from tests.conftest import make_settings
from tests.integration._loopback import unused_port

WITHIN_SECONDS = 5.0
LOGIN = {"email": "alice@example.com", "password": DEMO_PASSWORD}


@contextmanager
def a_port_that_never_answers() -> Iterator[int]:
    """A listening socket nobody accepts on: connecting works (the kernel's backlog), and
    then nothing is ever said, as with a hung server or a lost network path."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


@asynccontextmanager
async def serving(database_url: str, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    container = Container.build(make_settings(database_url, **overrides))
    app = create_app(container.settings, container=container)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with (
            LifespanManager(app),
            httpx.AsyncClient(transport=transport, base_url="http://t") as client,
        ):
            yield client
    finally:
        await container.aclose()


async def _timed(client: httpx.AsyncClient, method: str, url: str, **kw: Any) -> httpx.Response:
    started = time.perf_counter()
    response = await client.request(method, url, **kw)
    elapsed = time.perf_counter() - started
    assert elapsed < WITHIN_SECONDS, f"{method} {url} took {elapsed:.1f} s"
    return response


def assert_unavailable(response: httpx.Response, part: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "upstream_unavailable"
    assert body["part"] == part
    assert int(response.headers["retry-after"]) > 0


async def assert_ready_names(client: httpx.AsyncClient, part: str) -> None:
    ready = await _timed(client, "GET", "/api/v1/health/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"][part] == "failing"
    assert part in ready.json()["detail"]


class TestCacheDown:
    async def test_signing_in_with_redis_refusing_connections_is_a_prompt_503(
        self, database_url: str
    ) -> None:
        async with serving(database_url, redis_url=f"redis://127.0.0.1:{unused_port()}/0") as c:
            assert_unavailable(await _timed(c, "POST", "/api/v1/auth/login", json=LOGIN), "cache")
            await assert_ready_names(c, "cache")

    async def test_signing_in_with_redis_hanging_is_a_503_within_seconds(
        self, database_url: str
    ) -> None:
        with a_port_that_never_answers() as port:
            hanging = f"redis://127.0.0.1:{port}/0"
            async with serving(database_url, redis_url=hanging, redis_timeout_seconds=1) as c:
                response = await _timed(c, "POST", "/api/v1/auth/login", json=LOGIN)
                assert_unavailable(response, "cache")


class TestDatabaseDown:
    @pytest.mark.parametrize(
        "url",
        [
            f"postgresql+asyncpg://supportdesk:pw@127.0.0.1:{unused_port()}/supportdesk",
            "sqlite+aiosqlite:////nonexistent/directory/supportdesk.db",
        ],
        ids=["postgresql-closed-port", "sqlite-unreachable-path"],
    )
    async def test_signing_in_with_the_database_unreachable_is_a_prompt_503(self, url: str) -> None:
        async with serving(url) as client:
            response = await _timed(client, "POST", "/api/v1/auth/login", json=LOGIN)
            assert_unavailable(response, "database")
            await assert_ready_names(client, "database")

    async def test_signing_in_with_the_database_hanging_is_a_503_within_seconds(self) -> None:
        with a_port_that_never_answers() as port:
            url = f"postgresql+asyncpg://supportdesk:pw@127.0.0.1:{port}/supportdesk"
            async with serving(url, database_connect_timeout_seconds=1) as client:
                response = await _timed(client, "POST", "/api/v1/auth/login", json=LOGIN)
                assert_unavailable(response, "database")

    async def test_the_password_in_the_database_url_is_not_logged(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        url = f"postgresql+asyncpg://supportdesk:pa55word@127.0.0.1:{unused_port()}/x"
        async with serving(url) as client:
            await client.post("/api/v1/auth/login", json=LOGIN)
            await client.get("/api/v1/health/ready")
        assert "pa55word" not in capsys.readouterr().err
