"""Liveness and readiness."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from supportdesk.api.deps import ContainerDep
from supportdesk.api.errors import problem

router = APIRouter(tags=["health"])


@router.get("/health/live", summary="The process is up")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready", summary="The database, the cache and the order system answer")
async def ready(container: ContainerDep) -> JSONResponse:
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
    if failing:
        return problem(
            503, "not_ready", "Not ready", f"failing: {', '.join(failing)}", checks=results
        )
    return JSONResponse({"status": "ok", "checks": results})
