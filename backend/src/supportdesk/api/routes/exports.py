"""CSV exports of the overview lists, with the same filters, streamed page by page so that
memory stays flat however many rows match."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from supportdesk.api.deps import ContainerDep, StaffActor
from supportdesk.api.routes.cases import Sort
from supportdesk.domain.cases import CaseStatus, Category, Priority
from supportdesk.domain.refunds import RefundStatus
from supportdesk.infrastructure.db.queries import CaseFilters, PageOf, RefundFilters

router = APIRouter(tags=["overview"])

BATCH = 500

CASE_COLUMNS = [
    "id",
    "customer_id",
    "order_id",
    "subject",
    "category",
    "priority",
    "status",
    "assignee_id",
    "created_at",
    "updated_at",
    "refunds",
]
REFUND_COLUMNS = [
    "id",
    "support_case_id",
    "order_id",
    "customer_id",
    "status",
    "currency",
    "total_amount",
    "settlement_type",
    "settlement_amount",
    "gateway_refund_id",
    "created_at",
    "updated_at",
]


def _csv_line(values: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["" if v is None else v for v in values])
    return buffer.getvalue()


async def _stream(
    header: list[str],
    fetch: Callable[[str | None], Awaitable[PageOf[Any]]],
    row: Callable[[Any], list[Any]],
) -> AsyncIterator[str]:
    yield _csv_line(header)
    cursor: str | None = None
    while True:
        page = await fetch(cursor)
        yield "".join(_csv_line(row(item)) for item in page.items)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _attachment(name: str, body: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/support-cases/export.csv",
    summary="The filtered cases as CSV",
    response_class=StreamingResponse,
)
async def export_cases(
    actor: StaffActor,
    container: ContainerDep,
    status: Annotated[list[CaseStatus] | None, Query()] = None,
    priority: Priority | None = None,
    category: Category | None = None,
    assignee_id: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    sort: Sort = "-created_at",
) -> StreamingResponse:
    filters = CaseFilters(
        status=[s.value for s in status or []],
        priority=priority,
        category=category,
        assignee_id=assignee_id,
        customer_id=customer_id,
        order_id=order_id,
        q=q,
        created_after=created_after,
        created_before=created_before,
        sort=sort,
    )

    def row(item: Any) -> list[Any]:
        case, refunds = item
        return [
            case.id,
            case.customer_id,
            case.order_id,
            case.subject,
            case.category.value,
            case.priority.value,
            case.status.value,
            case.assignee_id,
            case.created_at.isoformat(),
            case.updated_at.isoformat(),
            " ".join(f"{r.id}:{r.status.value}" for r in refunds),
        ]

    async def fetch(cursor: str | None) -> PageOf[Any]:
        return await container.read.cases(actor, filters, limit=BATCH, cursor=cursor)

    return _attachment("support-cases.csv", _stream(CASE_COLUMNS, fetch, row))


@router.get(
    "/refunds/export.csv", summary="The filtered refunds as CSV", response_class=StreamingResponse
)
async def export_refunds(
    actor: StaffActor,
    container: ContainerDep,
    status: Annotated[list[RefundStatus] | None, Query()] = None,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    support_case_id: Annotated[str | None, Query(max_length=64)] = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    sort: Sort = "-created_at",
) -> StreamingResponse:
    filters = RefundFilters(
        status=[s.value for s in status or []],
        order_id=order_id,
        customer_id=customer_id,
        support_case_id=support_case_id,
        created_after=created_after,
        created_before=created_before,
        sort=sort,
    )

    def row(refund: Any) -> list[Any]:
        settlement = refund.settlement
        return [
            refund.id,
            refund.support_case_id,
            refund.order_id,
            refund.customer_id,
            refund.status.value,
            refund.currency,
            refund.total_amount,
            settlement.type.value if settlement else None,
            settlement.amount if settlement else None,
            refund.gateway_refund_id,
            refund.created_at.isoformat(),
            refund.updated_at.isoformat(),
        ]

    async def fetch(cursor: str | None) -> PageOf[Any]:
        return await container.read.refunds(actor, filters, limit=BATCH, cursor=cursor)

    return _attachment("refunds.csv", _stream(REFUND_COLUMNS, fetch, row))
