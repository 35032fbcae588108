"""An error nobody planned for is answered at once, stops nothing else, and leaks nothing:
not into the answer, not into the log."""

from __future__ import annotations

import gc
import time
from typing import Any

import httpx
import pytest
from fastapi import Request
from fastapi.routing import APIRoute

from supportdesk.api.app import create_app
from supportdesk.bootstrap import Container

PASSWORD = "correct-horse-battery-staple"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLWFsaWNl"


async def _raises_on_purpose(request: Request) -> None:
    # Locals such as these are what a traceback renderer that shows them would print.
    body = await request.json()
    password = body["password"]
    authorization = request.headers["authorization"]
    _deeper(10, {"password": password, "authorization": authorization, "body": body})


def _deeper(levels: int, context: dict[str, Any]) -> None:
    """A stack as deep as a real one (middleware, dependencies, services, repositories)."""
    if levels == 0:
        raise RuntimeError(f"raised on purpose ({len(context)})")
    _deeper(levels - 1, context)


def _app_with_a_failing_route(container: Container) -> Any:
    app = create_app(container.settings, container=container)
    # First, so the web app's catch-all route does not take the path.
    app.router.routes.insert(
        0, APIRoute("/api/v1/_test/raises", _raises_on_purpose, methods=["POST"])
    )
    return app


@pytest.mark.parametrize(
    "settings_overrides", [{"log_json": False}, {"log_json": True}], indirect=True
)
async def test_a_500_is_answered_within_a_second_and_logs_neither_token_nor_password(
    container: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    app = _app_with_a_failing_route(container)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        # This thread's CPU time, not wall time: rendering a traceback is CPU work, and a
        # machine busy with other jobs must not make the test fail (nor a frozen worker pass).
        # The collector is run first and held off while measuring: a full collection of a
        # test worker's heap, a thousand tests in, once cost a second and is no work of these
        # requests; and another thread's CPU (a mail server fixture, say) is not theirs either.
        gc.collect()
        gc.disable()
        try:
            started = time.thread_time()
            response = await client.post(
                "/api/v1/_test/raises",
                headers={"Authorization": f"Bearer {TOKEN}", "Cookie": f"session={TOKEN}"},
                json={"email": "alice@example.com", "password": PASSWORD},
            )
            answered_in = time.thread_time() - started
            started = time.thread_time()
            live = await client.get("/api/v1/health/live")
            live_in = time.thread_time() - started
        finally:
            gc.enable()

    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "internal_error"
    assert answered_in < 1.0, answered_in
    assert live.status_code == 200
    assert live_in < 0.25, live_in
    logged = capsys.readouterr().err
    assert "unhandled_error" in logged
    assert "raised on purpose" in logged  # the traceback is there ...
    assert TOKEN not in logged  # ... but not the token
    assert TOKEN.split(".")[2] not in logged
    assert PASSWORD not in logged
