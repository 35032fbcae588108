"""Support cases, their messages and their history."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from supportdesk.api.deps import (
    AttachmentServiceDep,
    CaseServiceDep,
    CurrentActor,
    ExpectedVersion,
    ReadQueriesDep,
    StaffActor,
    etag,
)
from supportdesk.api.desk_schemas import BulkChangeIn, BulkResultOut, BulkRowOut
from supportdesk.api.encoding import PlainJSONResponse
from supportdesk.api.filters import CaseFiltersDep, Cursor, Limit
from supportdesk.api.idempotency import idempotent
from supportdesk.api.openapi import problems
from supportdesk.api.presenters import case_fields, case_out, event_out, message_out
from supportdesk.api.schemas import (
    CaseCreateIn,
    CasePatchIn,
    EventOut,
    MessageIn,
    MessageOut,
    Page,
    SupportCaseOut,
)
from supportdesk.application.cases import CaseService, ChangeCase, OpenCase
from supportdesk.application.ports import ReadQueries
from supportdesk.application.reads import CaseFilters
from supportdesk.domain.access import Actor
from supportdesk.domain.attachments import Attachment

router = APIRouter(tags=["support cases"])
# The kind of request whose Idempotency-Keys opening a case keeps (``api/idempotency.py``).
OPEN_CASE = "open-case"


@router.post(
    "/support-cases",
    response_model=SupportCaseOut,
    status_code=201,
    summary="Open a case about an order: a customer's own, or staff's for the order's customer",
    responses=problems(403, 409),
)
@idempotent(OPEN_CASE, request=("body",))
async def open_case(body: CaseCreateIn, actor: CurrentActor, cases: CaseServiceDep) -> JSONResponse:
    return await opened_case(cases, body, actor)


async def opened_case(cases: CaseService, body: CaseCreateIn, actor: Actor) -> JSONResponse:
    """The answer to opening a case; also ``api/hot.py``'s."""
    case = await cases.open(
        OpenCase(
            order_id=body.order_id,
            subject=body.subject,
            description=body.description,
            category=body.category,
            priority=body.priority,
            channel=body.channel,
        ),
        actor,
    )
    # Plain data, encoded as it is: as the hot reads answer (``api/hot.py``), and held to
    # the model by the same tests.
    return PlainJSONResponse(
        case_fields(case, [], actor),
        status_code=201,
        headers={"ETag": etag(case.version), "Location": f"/api/v1/support-cases/{case.id}"},
    )


@router.get("/support-cases", response_model=Page[SupportCaseOut], summary="Cases, filtered")
async def list_cases(
    actor: CurrentActor,
    read: ReadQueriesDep,
    filters: CaseFiltersDep,
    limit: Limit = 25,
    cursor: Cursor = None,
) -> Page[SupportCaseOut]:
    return await page_of_cases(read, actor, filters, limit, cursor)


async def page_of_cases(
    read: ReadQueries, actor: Actor, filters: CaseFilters, limit: int, cursor: str | None
) -> Page[SupportCaseOut]:
    return Page[SupportCaseOut].model_validate(
        await page_of_case_fields(read, actor, filters, limit, cursor)
    )


async def page_of_case_fields(
    read: ReadQueries, actor: Actor, filters: CaseFilters, limit: int, cursor: str | None
) -> dict[str, Any]:
    """The list's answer as plain data (``presenters.case_fields``): validated here, and
    encoded as it is by ``api/hot.py``, which serves the same list without FastAPI's
    layers."""
    page = await read.cases(actor, filters, limit=limit, cursor=cursor)
    last_messages = page.extra.get("last_messages", {})
    items = []
    for case, refunds in page.items:
        item = case_fields(case, refunds, actor)
        last = last_messages.get(case.id)
        if last is not None:
            item["last_message"] = {
                "author_role": last.author_role,
                "excerpt": last.excerpt,
                "at": last.at,
            }
        items.append(item)
    return {"items": items, "next_cursor": page.next_cursor}


@router.post(
    "/support-cases/bulk",
    response_model=BulkResultOut,
    summary="One change to many cases, each as a single change; says per case what was done",
    responses=problems(403),
)
async def change_cases(
    body: BulkChangeIn, actor: StaffActor, cases: CaseServiceDep
) -> BulkResultOut:
    changes = body.changes
    command = ChangeCase(
        status=changes.status,
        priority=changes.priority,
        assignee_id=changes.assignee_id,
        unassign="assignee_id" in changes.model_fields_set and changes.assignee_id is None,
    )
    outcomes = await cases.change_many(body.ids, command, actor)
    return BulkResultOut(
        results=[
            BulkRowOut(
                id=o.case_id,
                ok=o.ok,
                code=o.code,
                detail=o.detail,
                version=o.view.case.version if o.view else None,
            )
            for o in outcomes
        ]
    )


@router.get(
    "/support-cases/{case_id}",
    response_model=SupportCaseOut,
    summary="One case",
    responses=problems(404),
)
async def get_case(
    case_id: str, actor: CurrentActor, cases: CaseServiceDep, response: Response
) -> SupportCaseOut:
    view = await cases.get(case_id, actor)
    response.headers["ETag"] = etag(view.case.version)
    return case_out(view.case, view.refunds, actor, view.sla, view.read_at)


@router.patch(
    "/support-cases/{case_id}",
    response_model=SupportCaseOut,
    summary="Change status, priority or assignee",
    responses=problems(403, 404, 409),
)
async def change_case(
    case_id: str,
    body: CasePatchIn,
    actor: CurrentActor,
    cases: CaseServiceDep,
    version: ExpectedVersion,
    response: Response,
) -> SupportCaseOut:
    command = ChangeCase(
        status=body.status,
        priority=body.priority,
        assignee_id=body.assignee_id,
        unassign="assignee_id" in body.model_fields_set and body.assignee_id is None,
        note=body.note,
        note_public=body.note_public,
    )
    view = await cases.change(case_id, command, actor, version)
    response.headers["ETag"] = etag(view.case.version)
    return case_out(view.case, view.refunds, actor)


@router.post(
    "/support-cases/{case_id}/messages",
    response_model=MessageOut,
    status_code=201,
    summary="Write on a case",
    responses=problems(403, 404, 409),
)
@idempotent("add-message", request=("case_id", "body"))
async def add_message(
    case_id: str, body: MessageIn, actor: CurrentActor, cases: CaseServiceDep
) -> JSONResponse:
    message = await cases.add_message(case_id, body.body, body.internal, actor, body.attachment_ids)
    return JSONResponse(message_out(message).model_dump(mode="json"), status_code=201)


@router.get(
    "/support-cases/{case_id}/messages",
    response_model=list[MessageOut],
    summary="A case's messages, oldest first",
    responses=problems(404),
)
async def list_messages(
    case_id: str, actor: CurrentActor, cases: CaseServiceDep, files: AttachmentServiceDep
) -> list[MessageOut]:
    messages = await cases.messages(case_id, actor)
    by_message: dict[str, list[Attachment]] = {}
    for attachment in await files.of_case(case_id, actor):
        if attachment.message_id is not None:
            by_message.setdefault(attachment.message_id, []).append(attachment)
    return [message_out(replace(m, attachments=tuple(by_message.get(m.id, ())))) for m in messages]


@router.get(
    "/support-cases/{case_id}/history",
    response_model=list[EventOut],
    summary="Events of the case and its refunds, oldest first",
    responses=problems(404),
)
async def case_history(case_id: str, actor: CurrentActor, cases: CaseServiceDep) -> list[EventOut]:
    return [event_out(e) for e in await cases.history(case_id, actor)]
