"""Canned replies: the support staff's texts to answer with (docs/desk.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import JSONResponse

from supportdesk.api.deps import CannedReplyServiceDep, ExpectedVersion, StaffActor, etag
from supportdesk.api.desk_schemas import CannedReplyIn, CannedReplyOut, CannedReplyPatchIn
from supportdesk.api.filters import Cursor, Limit
from supportdesk.api.openapi import problems
from supportdesk.api.schemas import Page
from supportdesk.application.canned_replies import CannedReplyChanges, CannedReplyDraft
from supportdesk.domain.access import Actor
from supportdesk.domain.canned_replies import CannedReply, placeholders_in

router = APIRouter(prefix="/canned-replies", tags=["canned replies"])

ReplyId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_]+$")]


def _out(reply: CannedReply, actor: Actor) -> CannedReplyOut:
    return CannedReplyOut(
        id=reply.id,
        title=reply.title,
        body=reply.body,
        shared=reply.shared,
        set_status=reply.set_status,
        owner_id=reply.owner_id,
        placeholders=placeholders_in(reply.body),
        may_change=reply.change_refusal(actor) is None,
        version=reply.version,
        created_at=reply.created_at,
        updated_at=reply.updated_at,
    )


@router.get(
    "",
    response_model=Page[CannedReplyOut],
    summary="The shared canned replies and the caller's own (staff)",
    responses=problems(403),
)
async def list_canned_replies(
    actor: StaffActor, replies: CannedReplyServiceDep, limit: Limit = 25, cursor: Cursor = None
) -> Page[CannedReplyOut]:
    page = await replies.list(actor, limit=limit, cursor=cursor)
    return Page(items=[_out(r, actor) for r in page.items], next_cursor=page.next_cursor)


@router.post(
    "",
    response_model=CannedReplyOut,
    status_code=201,
    summary="Write a canned reply, personal or shared (staff)",
    responses=problems(403),
)
async def create_canned_reply(
    body: CannedReplyIn, actor: StaffActor, replies: CannedReplyServiceDep
) -> JSONResponse:
    reply = await replies.create(
        CannedReplyDraft(
            title=body.title, body=body.body, shared=body.shared, set_status=body.set_status
        ),
        actor,
    )
    return JSONResponse(
        _out(reply, actor).model_dump(mode="json"),
        status_code=201,
        headers={"ETag": etag(reply.version), "Location": f"/api/v1/canned-replies/{reply.id}"},
    )


@router.patch(
    "/{reply_id}",
    response_model=CannedReplyOut,
    summary="Change a canned reply: the owner, or an admin for a shared one",
    responses=problems(403, 404, 409),
)
async def change_canned_reply(
    reply_id: ReplyId,
    body: CannedReplyPatchIn,
    actor: StaffActor,
    replies: CannedReplyServiceDep,
    version: ExpectedVersion,
    response: Response,
) -> CannedReplyOut:
    reply = await replies.change(
        reply_id,
        CannedReplyChanges(
            title=body.title,
            body=body.body,
            shared=body.shared,
            set_status=body.set_status,
            fields=frozenset(body.model_fields_set),
        ),
        actor,
        version,
    )
    response.headers["ETag"] = etag(reply.version)
    return _out(reply, actor)


@router.delete(
    "/{reply_id}",
    status_code=204,
    summary="Delete a canned reply: the owner, or an admin for a shared one",
    responses=problems(403, 404),
)
async def delete_canned_reply(
    reply_id: ReplyId, actor: StaffActor, replies: CannedReplyServiceDep
) -> Response:
    await replies.delete(reply_id, actor)
    return Response(status_code=204)
