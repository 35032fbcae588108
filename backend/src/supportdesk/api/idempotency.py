"""Replaying the first answer to a request retried with the same ``Idempotency-Key``."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from fastapi.responses import JSONResponse

from supportdesk.api.errors import problem
from supportdesk.application.ports import CacheBackend

KEEP_SECONDS = 24 * 3600
_PENDING = "pending"


async def once(
    cache: CacheBackend, scope: str, key: str | None, run: Callable[[], Awaitable[JSONResponse]]
) -> JSONResponse:
    """Run the request once per key and answer retries with the stored first answer.

    A retry while the first is still running gets 409; an answer of 5xx is not kept, so
    the retry runs again (the refund's own state machine still makes that safe).
    """
    if key is None:
        return await run()
    slot = f"idempotency:{scope}:{key}"
    if not await cache.set_if_absent(slot, _PENDING, KEEP_SECONDS):
        stored = await cache.get(slot)
        if stored is None or stored == _PENDING:
            return problem(
                409,
                "request_in_progress",
                "Request in progress",
                "a request with this Idempotency-Key is still running; retry later",
            )
        answer = json.loads(stored)
        return JSONResponse(
            answer["body"],
            status_code=answer["status"],
            media_type=answer["media_type"],
            headers={"Idempotent-Replayed": "true"},
        )
    try:
        response = await run()
    except BaseException:
        await cache.delete(slot)
        raise
    if response.status_code >= 500:
        await cache.delete(slot)
    else:
        await cache.set(
            slot,
            json.dumps(
                {
                    "status": response.status_code,
                    "media_type": response.media_type,
                    "body": json.loads(bytes(response.body)),
                }
            ),
            KEEP_SECONDS,
        )
    return response
