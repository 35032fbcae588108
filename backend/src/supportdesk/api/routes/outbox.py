"""The outbox, for admins: what was (or was not) delivered, and a retry of a dead item."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query

from supportdesk.api.deps import AdminActor, ContainerDep
from supportdesk.api.filters import Cursor, Limit
from supportdesk.api.openapi import problems
from supportdesk.api.schemas import OutboxItemOut, Page
from supportdesk.application.ports import OutboxEntry
from supportdesk.domain.outbox import OutboxState

router = APIRouter(tags=["outbox"])

# Row ids are 64-bit on both databases; a larger number names nothing.
OutboxId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Channel = Annotated[str | None, Query(min_length=1, max_length=20, pattern=r"^[a-z0-9_\-]+$")]


def _out(entry: OutboxEntry) -> OutboxItemOut:
    return OutboxItemOut(**asdict(entry))


@router.get(
    "/outbox",
    response_model=Page[OutboxItemOut],
    summary="Outbox items, newest first (admin)",
    responses=problems(403),
)
async def list_outbox(
    _admin: AdminActor,
    container: ContainerDep,
    state: OutboxState | None = None,
    channel: Channel = None,
    limit: Limit = 25,
    cursor: Cursor = None,
) -> Page[OutboxItemOut]:
    page = await container.outbox_store().page(
        state=state, channel=channel, limit=limit, cursor=cursor
    )
    return Page(items=[_out(e) for e in page.items], next_cursor=page.next_cursor)


@router.post(
    "/outbox/{outbox_id}/retry",
    response_model=OutboxItemOut,
    summary="Deliver a dead item again, from now (admin)",
    responses=problems(403, 404, 409),
)
async def retry_outbox_item(
    outbox_id: OutboxId, _admin: AdminActor, container: ContainerDep
) -> OutboxItemOut:
    entry = await container.outbox_service().retry(outbox_id)
    # This process's dispatcher takes it at once; other workers at their next poll.
    container.outbox_written.set()
    return _out(entry)
