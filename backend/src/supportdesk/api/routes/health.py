"""Liveness and readiness."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from supportdesk.api import draining
from supportdesk.api.deps import ContainerDep
from supportdesk.api.errors import problem
from supportdesk.bootstrap import Container

router = APIRouter(tags=["health"])


@router.get("/health/live", summary="The process is up")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready", summary="The database, the cache and the order system answer")
async def ready(container: ContainerDep) -> JSONResponse:
    if draining.is_draining():
        # First, so the balancer stops sending new requests while in-flight ones finish.
        return problem(503, "not_ready", "Not ready", "draining: this replica is stopping")

    async def database() -> bool:
        async with container.database.reader.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True

    checks = {
        "database": database(),
        "cache": container.cache.ping(),
        "order_system": container.integrations.order_system.ping(),
    }
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            async with asyncio.timeout(3):
                results[name] = "ok" if await check else "failing"
        except Exception:
            results[name] = "failing"
    failing = [name for name, result in results.items() if result != "ok"]
    extra: dict[str, Any] = {}
    if container.outbox_channels and results["database"] == "ok":
        outbox = await _outbox(container)
        extra["outbox"] = outbox
        if outbox["status"] != "ok":
            failing.append(f"outbox ({outbox['reason']})")
    if failing:
        return problem(
            503,
            "not_ready",
            "Not ready",
            f"failing: {', '.join(failing)}",
            checks=results,
            **extra,
        )
    return JSONResponse({"status": "ok", "checks": results, **extra})


async def _outbox(container: Container) -> dict[str, object]:
    """Whether some dispatcher makes progress: a row due for longer than
    OUTBOX_STALL_SECONDS that nobody has taken means none does (no worker runs, or every
    one is stuck). Rows that wait for a retry, or that a dispatcher holds, are not stalled."""
    now = container.clock.now()
    try:
        async with asyncio.timeout(3):
            health = await container.outbox_store().health(now=now)
    except Exception:
        return {"status": "unknown", "reason": "the outbox could not be read"}
    waited = (
        (now - health.oldest_untaken_due_at).total_seconds()
        if (health.oldest_untaken_due_at)
        else 0.0
    )
    answer: dict[str, object] = {
        "status": "ok",
        "depth": sum(health.depth.values()),
        "oldest_due_waiting_seconds": round(max(waited, 0.0), 1),
    }
    limit = container.settings.outbox_stall_seconds
    if waited > limit:
        answer["status"] = "stalled"
        answer["reason"] = (
            f"a notification has been due for {waited:.0f} s (more than {limit} s) and no "
            "dispatcher took it: is a worker running?"
        )
    return answer
