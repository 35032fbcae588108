"""Replaying the first answer to a request retried with the same ``Idempotency-Key``.

As the IETF's Idempotency-Key draft and Stripe do: a key belongs to one caller and one
kind of request; a retry gets the first answer again (marked ``Idempotent-Replayed``);
the same key with a different request is refused (422 ``idempotency_key_reused``), and a
retry while the first is still running gets 409 ``request_in_progress``.

A route takes part by wearing ``@idempotent(...)`` under its ``@router`` line: the
decorator adds the ``Idempotency-Key`` header to the route's parameters and runs the route
(its use case and the answer) at most once per key.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from supportdesk.api.deps import CacheDep
from supportdesk.api.errors import problem, render
from supportdesk.application.ports import CacheBackend
from supportdesk.domain.access import Actor
from supportdesk.domain.errors import DomainError

KEEP_SECONDS = 24 * 3600
# A request holds its key this long while it runs. Short, so that a worker killed halfway
# does not leave the key blocked for a day; far longer than any request may take.
RUNNING_SECONDS = 120
# Headers of the first answer that a replay repeats.
_REPLAYED_HEADERS = ("etag", "location")

# The longest Idempotency-Key taken (``api/hot.py`` reads the same bound).
MOST_KEY_CHARACTERS = 200

IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=MOST_KEY_CHARACTERS,
        description="Send the same key again to retry without doing it twice (kept 24 h)",
    ),
]


def fingerprint(*parts: Any) -> str:
    """What a request asked for, to tell a retry from another request under the same key."""
    plain = [p.model_dump(mode="json") if isinstance(p, BaseModel) else p for p in parts]
    canonical = json.dumps(plain, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


Route = Callable[..., Awaitable[JSONResponse]]


def idempotent(
    kind: str, *, per: tuple[str, ...] = (), request: tuple[str, ...] = ()
) -> Callable[[Route], Route]:
    """Run the decorated route once per ``Idempotency-Key`` and answer retries with its
    first answer.

    A key belongs to the caller (the route's ``actor`` parameter), to ``kind`` and to the
    values of the parameters named in ``per``: the same key elsewhere is another key. The
    parameters named in ``request`` are what was asked; the same key with other values is
    refused. The route answers with a ``JSONResponse`` (status, body and headers are what
    a retry gets again).
    """

    def decorate(route: Route) -> Route:
        signature = inspect.signature(route, eval_str=True)
        if "actor" not in signature.parameters:
            raise TypeError(f"{route.__name__}: an idempotent route names its actor")
        # Keyword-only throughout, so that the optional header may follow route parameters
        # without defaults.
        keyword = inspect.Parameter.KEYWORD_ONLY
        parameters = [
            *(p.replace(kind=keyword) for p in signature.parameters.values()),
            inspect.Parameter("idempotency_key", keyword, annotation=IdempotencyKey, default=None),
            inspect.Parameter("idempotency_cache", keyword, annotation=CacheDep),
        ]

        @functools.wraps(route)
        async def once_per_key(
            *, idempotency_key: str | None, idempotency_cache: CacheBackend, **given: Any
        ) -> JSONResponse:
            scope = key_scope(kind, [str(given[name]) for name in per], given["actor"])
            asked = fingerprint(*(given[name] for name in request)) if request else ""
            return await once(
                idempotency_cache,
                scope,
                idempotency_key,
                lambda: route(**given),
                request=asked,
            )

        once_per_key.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=parameters
        )
        return once_per_key

    return decorate


def key_scope(kind: str, per: list[str], actor: Actor) -> str:
    """Whose key it is: the caller's, for this kind of request (and these values)."""
    return ":".join([kind, *per, actor.id])


def _record(stored: str | None) -> dict[str, Any] | None:
    if stored is None:
        return None
    if stored == "pending":  # written before requests were fingerprinted
        return {"state": "running"}
    try:
        record = json.loads(stored)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


async def once(
    cache: CacheBackend,
    scope: str,
    key: str | None,
    run: Callable[[], Awaitable[JSONResponse]],
    *,
    request: str = "",
) -> JSONResponse:
    """Run the request once per key and answer retries with the stored first answer.

    ``request`` is the fingerprint of what was asked; a key seen with another one is
    refused. A refusal of the use case is an answer like any other, so a retry gets it
    too; an answer of 5xx is not kept, so the retry runs again.
    """
    if key is None:
        return await _answer(run)
    slot = f"idempotency:{scope}:{key}"
    running = json.dumps({"state": "running", "request": request})
    if not await cache.set_if_absent(slot, running, RUNNING_SECONDS):
        record = _record(await cache.get(slot)) or {"state": "running"}
        if record.get("request", request) != request:
            return problem(
                422,
                "idempotency_key_reused",
                "Idempotency-Key reused",
                "this Idempotency-Key was used for a different request; use a new key",
            )
        if record.get("state") == "running":
            return problem(
                409,
                "request_in_progress",
                "Request in progress",
                "a request with this Idempotency-Key is still running; retry later",
                headers={"Retry-After": "1"},
            )
        return JSONResponse(
            record["body"],
            status_code=record["status"],
            media_type=record["media_type"],
            headers={**record.get("headers", {}), "Idempotent-Replayed": "true"},
        )
    try:
        response = await _answer(run)
    except BaseException:
        await cache.delete(slot)
        raise
    if response.status_code >= 500:
        await cache.delete(slot)
        return response
    await cache.set(
        slot,
        json.dumps(
            {
                "state": "done",
                "request": request,
                "status": response.status_code,
                "media_type": response.media_type,
                "headers": {
                    name: response.headers[name]
                    for name in _REPLAYED_HEADERS
                    if name in response.headers
                },
                "body": json.loads(bytes(response.body)),
            }
        ),
        KEEP_SECONDS,
    )
    return response


async def _answer(run: Callable[[], Awaitable[JSONResponse]]) -> JSONResponse:
    try:
        return await run()
    except DomainError as exc:
        return render(exc)
