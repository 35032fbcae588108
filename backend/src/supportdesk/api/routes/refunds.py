"""Refunds: quote, request, review, execute, settle, follow."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from supportdesk.api.deps import (
    CurrentActor,
    ExpectedVersion,
    ReadQueriesDep,
    RefundServiceDep,
    StaffActor,
    etag,
)
from supportdesk.api.filters import Cursor, Limit, RefundFiltersDep
from supportdesk.api.idempotency import idempotent
from supportdesk.api.openapi import problems
from supportdesk.api.presenters import event_out, quote_out, refund_out
from supportdesk.api.schemas import (
    AmountRefundIn,
    ApproveIn,
    EventOut,
    Page,
    QuoteOut,
    RefundOut,
    RefundQuoteIn,
    RefundRequestBody,
    RefundRequestIn,
    RejectIn,
    SettlementIn,
)
from supportdesk.application.refunds import AmountRefundRequest, RefundRequest, RefundService
from supportdesk.domain.access import Actor
from supportdesk.domain.refunds import (
    Refund,
    RefundStatus,
    RequestedItem,
    Settlement,
)

router = APIRouter(tags=["refunds"])


def _amount(body: AmountRefundIn) -> AmountRefundRequest:
    return AmountRefundRequest(
        amount=body.amount,
        reason_code=body.reason_code,
        note=body.note or "",
        attachment_ids=body.attachment_ids,
    )


def _request(body: RefundQuoteIn) -> RefundRequest:
    return RefundRequest(
        items=[
            RequestedItem(line_id=i.line_id, quantity=i.quantity, reason_code=i.reason_code)
            for i in body.items
        ],
        reason=body.reason,
        include_shipping=body.include_shipping,
        attachment_ids=body.attachment_ids if isinstance(body, RefundRequestIn) else (),
        reason_code=body.reason_code,
    )


async def _view(refund: Refund, actor: Actor, refunds: RefundService) -> RefundOut:
    # One refund, answered to staff who may decide it: their limit per order counts what
    # the order's other refunds already give, and shows before they try.
    decided = (
        await refunds.decided_on_order_of(refund) if actor.is_staff and not refund.is_final else 0
    )
    policy = await refunds.in_force()
    return refund_out(
        refund,
        actor,
        policy,
        refunds.clock.now(),
        decided_on_order=decided,
        labels=await refunds.reason_labels(),
        window=await refunds.window_shown(refund, policy),
    )


async def _out(
    refund: Refund, actor: Actor, refunds: RefundService, response: Response
) -> RefundOut:
    response.headers["ETag"] = etag(refund.version)
    return await _view(refund, actor, refunds)


@router.post(
    "/support-cases/{case_id}/refunds",
    response_model=RefundOut,
    status_code=201,
    summary="Ask for order items back (the case's customer, or staff on their behalf), or "
    "give an amount (staff)",
    responses=problems(403, 404, 409),
)
async def request_refund(
    case_id: str,
    body: RefundRequestBody,
    actor: CurrentActor,
    refunds: RefundServiceDep,
    response: Response,
) -> RefundOut:
    request = _amount(body) if isinstance(body, AmountRefundIn) else _request(body)
    refund = await refunds.request(case_id, request, actor)
    response.headers["Location"] = f"/api/v1/refunds/{refund.id}"
    return await _out(refund, actor, refunds, response)


@router.post(
    "/support-cases/{case_id}/refunds/quote",
    response_model=QuoteOut,
    summary="What a refund request would get now (holds and stores nothing)",
    responses=problems(404),
)
async def quote_refund(
    case_id: str, body: RefundQuoteIn, actor: CurrentActor, refunds: RefundServiceDep
) -> QuoteOut:
    return quote_out(await refunds.quote(case_id, _request(body), actor))


@router.get("/refunds", response_model=Page[RefundOut], summary="Refunds, filtered")
async def list_refunds(
    actor: CurrentActor,
    refunds: RefundServiceDep,
    read: ReadQueriesDep,
    filters: RefundFiltersDep,
    limit: Limit = 25,
    cursor: Cursor = None,
) -> Page[RefundOut]:
    page = await read.refunds(actor, filters, limit=limit, cursor=cursor)
    now = refunds.clock.now()
    labels = await refunds.reason_labels()
    policy = await refunds.in_force()
    return Page(
        items=[refund_out(r, actor, policy, now, labels=labels) for r in page.items],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/refunds/{refund_id}", response_model=RefundOut, summary="One refund", responses=problems(404)
)
async def get_refund(
    refund_id: str,
    actor: CurrentActor,
    refunds: RefundServiceDep,
    response: Response,
) -> RefundOut:
    return await _out(await refunds.get(refund_id, actor), actor, refunds, response)


@router.post(
    "/refunds/{refund_id}/approve",
    response_model=RefundOut,
    summary="Approve for the gateway (inside the window)",
    responses=problems(403, 404, 409),
)
async def approve_refund(
    refund_id: str,
    actor: StaffActor,
    refunds: RefundServiceDep,
    version: ExpectedVersion,
    response: Response,
    body: ApproveIn | None = None,
) -> RefundOut:
    refund = await refunds.approve(
        refund_id,
        actor,
        note=body.note if body else None,
        note_public=body.note_public if body else False,
        restock=body.restock if body else None,
        expected_version=version,
    )
    return await _out(refund, actor, refunds, response)


@router.post(
    "/refunds/{refund_id}/reject",
    response_model=RefundOut,
    summary="Reject",
    responses=problems(403, 404, 409),
)
async def reject_refund(
    refund_id: str,
    body: RejectIn,
    actor: StaffActor,
    refunds: RefundServiceDep,
    version: ExpectedVersion,
    response: Response,
) -> RefundOut:
    refund = await refunds.reject(refund_id, actor, reason=body.reason, expected_version=version)
    return await _out(refund, actor, refunds, response)


@router.post(
    "/refunds/{refund_id}/cancel",
    response_model=RefundOut,
    summary="Withdraw my refund request",
    responses=problems(403, 404, 409),
)
async def cancel_refund(
    refund_id: str,
    actor: CurrentActor,
    refunds: RefundServiceDep,
    version: ExpectedVersion,
    response: Response,
) -> RefundOut:
    refund = await refunds.cancel(refund_id, actor, expected_version=version)
    return await _out(refund, actor, refunds, response)


@router.post(
    "/refunds/{refund_id}/settlement",
    response_model=RefundOut,
    summary="Record a settlement outside the gateway",
    responses=problems(403, 404, 409),
)
async def settle_refund(
    refund_id: str,
    body: SettlementIn,
    actor: StaffActor,
    refunds: RefundServiceDep,
    version: ExpectedVersion,
    response: Response,
) -> RefundOut:
    settlement = Settlement(
        type=body.type,
        amount=body.amount,
        note=body.note,
        reference=body.reference or None,
        reason_code=body.reason_code,
    )
    refund = await refunds.settle(
        refund_id, settlement, actor, expected_version=version, restock=body.restock
    )
    return await _out(refund, actor, refunds, response)


@router.post(
    "/refunds/{refund_id}/execute",
    response_model=RefundOut,
    summary="Pay the refund back through the gateway, exactly once",
    responses={
        202: {"model": RefundOut, "description": "the gateway's answer is not known yet"},
        **problems(403, 404, 409, 502),
    },
)
@idempotent("execute", per=("refund_id",))
async def execute_refund(
    refund_id: str, actor: StaffActor, refunds: RefundServiceDep, version: ExpectedVersion
) -> JSONResponse:
    refund = await refunds.execute(refund_id, actor, expected_version=version)
    # 202 while the gateway's answer is unknown: reconciliation resolves the attempt later.
    status = 202 if refund.status is RefundStatus.PROCESSING else 200
    return JSONResponse(
        (await _view(refund, actor, refunds)).model_dump(mode="json"),
        status_code=status,
        headers={"ETag": etag(refund.version)},
    )


@router.get(
    "/refunds/{refund_id}/history",
    response_model=list[EventOut],
    summary="A refund's events, oldest first",
    responses=problems(404),
)
async def refund_history(
    refund_id: str, actor: CurrentActor, refunds: RefundServiceDep
) -> list[EventOut]:
    return [event_out(e) for e in await refunds.history(refund_id, actor)]
