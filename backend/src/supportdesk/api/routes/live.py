"""Live updates: the history events a signed-in user may see, as server-sent events."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Header
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel
from sse_starlette import EventSourceResponse, ServerSentEvent

from supportdesk.api.deps import ContainerDep, CurrentActor, bearer
from supportdesk.api.openapi import problems
from supportdesk.application.live import LiveEvent
from supportdesk.bootstrap import Container
from supportdesk.domain.access import Actor
from supportdesk.domain.errors import DependencyUnavailable, Unauthenticated

log = structlog.get_logger(__name__)
router = APIRouter(tags=["live"])

# PostgreSQL hands out ``seq`` at insert and the inserting transaction may commit after a
# later one: an event can appear below the highest one already sent. Each read looks this
# many sequence numbers back and skips what this stream already sent. (SQLite has one
# writer at a time, so there seqs appear in order and the look-back finds nothing new.)
LOOK_BACK = 200
BATCH = 500


class LiveEventData(BaseModel):
    """The ``data:`` of one server-sent event; its ``id:`` is ``seq`` and its ``event:`` is
    ``type``. ``version`` is the case's or refund's version when the event was sent."""

    seq: int
    type: str
    entity: str
    entity_id: str
    case_id: str
    version: int | None
    at: datetime
    from_status: str | None = None
    to_status: str | None = None
    actor_id: str
    actor_role: str
    actor_name: str | None = None


# One server-sent event as OpenAPI 3.1 tools read a text/event-stream body: its fields, with
# ``data`` a JSON text of LiveEventData.
SSE_EVENT = {
    "type": "object",
    "required": ["id", "event", "data"],
    "properties": {
        "id": {"type": "string", "description": "the event's seq; send it as Last-Event-ID"},
        "event": {"type": "string", "description": "the event's type"},
        "data": {
            "contentMediaType": "application/json",
            "contentSchema": LiveEventData.model_json_schema(),
        },
    },
}


def _resume_from(last_event_id: str | None) -> int | None:
    """The ``Last-Event-ID`` a reconnecting client sends: the last ``seq`` it received.
    Anything else is ignored (the stream then starts at the present), not refused: a
    browser sends back whatever id it last saw."""
    if last_event_id is None:
        return None
    text = last_event_id.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)


@router.get(
    "/events/stream",
    summary="Live updates as server-sent events",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "A text/event-stream of history events (`id:` seq, `event:` "
            "type, `data:` LiveEventData JSON), with heartbeat comments",
            "content": {"text/event-stream": {"schema": SSE_EVENT}},
        },
        **problems(401),
    },
)
async def stream(
    actor: CurrentActor,
    container: ContainerDep,
    last_event_id: Annotated[
        str | None,
        Header(
            alias="Last-Event-ID",
            description="the last event id received, to resume after it; "
            "anything but a number is ignored (more than 200 characters is refused)",
            # An id we gave out is a number; a header this long is no client's mistake.
            max_length=200,
        ),
    ] = None,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
) -> EventSourceResponse:
    """What changes from now on (or after `Last-Event-ID`) on the cases and refunds the
    caller may see: staff everything, a customer her own cases and refunds and never an
    internal note. The stream ends when the sign-in does (token expired, account
    deactivated, signed out) and after `SSE_MAX_SECONDS`; the client (signs in again and)
    resumes with `Last-Event-ID`."""
    assert credentials is not None  # current_actor has required it
    resume = _resume_from(last_event_id)
    start = resume if resume is not None else await container.live_feed.last_seq()
    _, expires_at = await container.auth_service().signed_in(credentials.credentials)
    settings = container.settings
    return EventSourceResponse(
        _events(container, actor, credentials.credentials, start, expires_at),
        ping=settings.sse_heartbeat_seconds,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        send_timeout=30,
    )


async def _events(
    container: Container, actor: Actor, token: str, start: int, expires_at: datetime
) -> AsyncIterator[ServerSentEvent]:
    settings = container.settings
    feed = container.live_feed
    sent: set[int] = set()  # seqs sent above ``high - LOOK_BACK``
    high = start
    next_check = time.monotonic() + settings.sse_heartbeat_seconds
    ends_at = time.monotonic() + settings.sse_max_seconds
    with container.wakeups.listen() as woken:
        while True:
            woken.clear()  # before reading: a commit after this read wakes the next one
            try:
                while True:
                    batch, more = await feed.after(
                        actor, max(start, high - LOOK_BACK), limit=BATCH + len(sent)
                    )
                    for item in batch:
                        if item.seq in sent:
                            continue
                        sent.add(item.seq)
                        high = max(high, item.seq)
                        yield _sse(item)
                    sent = {seq for seq in sent if seq > high - LOOK_BACK}
                    if not more:
                        break
            except DependencyUnavailable:
                # The database did not answer this time; the next poll tries again.
                log.warning("live_stream_read_failed")
            now = time.monotonic()
            if now >= ends_at:
                return
            timeout = min(settings.sse_poll_seconds, next_check - now, ends_at - now)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), timeout=max(0.0, timeout))
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + settings.sse_heartbeat_seconds
                if not await _still_signed_in(container, token, expires_at):
                    return


async def _still_signed_in(container: Container, token: str, expires_at: datetime) -> bool:
    if expires_at <= datetime.now(UTC):
        return False
    try:
        await container.auth_service().signed_in(token)
    except Unauthenticated:
        return False
    except DependencyUnavailable:
        return True  # the cache or database did not answer: keep going, ask next time
    return True


def _sse(item: LiveEvent) -> ServerSentEvent:
    e = item.event
    data = LiveEventData(
        seq=item.seq,
        type=e.type,
        entity=e.entity.value,
        entity_id=e.entity_id,
        case_id=e.case_id,
        version=item.version,
        at=e.at,
        from_status=e.from_status,
        to_status=e.to_status,
        actor_id=e.actor_id,
        actor_role=e.actor_role,
        actor_name=item.actor_name,
    )
    return ServerSentEvent(data=data.model_dump_json(), event=e.type, id=str(item.seq))
