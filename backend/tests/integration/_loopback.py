"""Serve an ASGI app with uvicorn on a free 127.0.0.1 port for the length of a test.

The simulators are also reached over ``httpx.ASGITransport``; this is the other half,
with real sockets, so timeouts and dropped connections behave as they do in production.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn


@asynccontextmanager
async def serve_on_loopback(app: Any) -> AsyncIterator[str]:
    """Yields the base URL; the server is stopped (and its sockets closed) on exit."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="critical",
        lifespan="off",
        # A sandbox answer held back on purpose must not hold the test run.
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # surfaces why it could not start
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.005)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=5)


def unused_port() -> int:
    """A port nothing listens on (bound, then released): for connection-refused tests."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
