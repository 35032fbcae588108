"""CSV exports of the overview lists, with the same filters, streamed page by page so that
memory stays flat however many rows match.

The first page is read before the answer starts, so bad filters, a query that fails and a
database that is down are answered as problems with their own status, never as a 200. A
failure after the first byte can no longer change the status: it propagates, and the
server ends the connection without the closing chunk, so a client sees a cut-short body
rather than a complete-looking file (and the request is logged and counted as a 500).

Every cell is neutralised against formula injection as OWASP describes: a cell that
begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with a
single quote, so a spreadsheet shows a customer's ``=HYPERLINK(...)`` as text instead of
running it."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from supportdesk.api.deps import ReadQueriesDep, RefundServiceDep, StaffActor
from supportdesk.api.filters import CaseFiltersDep, RefundFiltersDep
from supportdesk.api.openapi import csv_answer, problems
from supportdesk.application.reads import PageOf
from supportdesk.domain.money import decimal_amount

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
    # Added later, so at the end: a shop's scripts that read columns by position still work.
    "customer_name",
    "customer_email",
    "channel",
]
REFUND_COLUMNS = [
    "id",
    "support_case_id",
    "order_id",
    "customer_id",
    "status",
    "currency",
    # Each amount twice: in the currency (a number a spreadsheet sums) and in cents, as
    # the API sends it (exact, for systems).
    "total",
    "total_amount_cents",
    "settlement_type",
    "settlement",
    "settlement_amount_cents",
    "gateway_refund_id",
    "created_at",
    "updated_at",
    # Added later, so at the end (as for the cases).
    "customer_name",
    "customer_email",
    # Why (docs/refund-reasons.md): the refund's reason, the settlement's, and every line
    # with its own ("L1:damaged L2:wrong_item"), so a spreadsheet can split the money.
    "reason_code",
    "reason_label",
    "settlement_reason_code",
    "line_reason_codes",
]


# OWASP's list of what makes a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """The cell as text a spreadsheet will not evaluate. Numbers are left alone: ours are
    never negative, and a number is not a formula."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _csv_line(values: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([neutralised(v) for v in values])
    return buffer.getvalue()


async def _csv(
    header: list[str],
    fetch: Callable[[str | None], Awaitable[PageOf[Any]]],
    row: Callable[[Any], list[Any]],
) -> AsyncIterator[str]:
    """The rows, page by page. The first page is read before the first byte is promised."""
    page = await fetch(None)

    async def lines() -> AsyncIterator[str]:
        nonlocal page
        yield _csv_line(header)
        while True:
            yield "".join(_csv_line(row(item)) for item in page.items)
            if page.next_cursor is None:
                return
            page = await fetch(page.next_cursor)

    return lines()


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
    responses={**csv_answer("case"), **problems(403)},
)
async def export_cases(
    actor: StaffActor, read: ReadQueriesDep, filters: CaseFiltersDep
) -> StreamingResponse:
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
            customer.name if (customer := case.order.customer) else None,
            customer.email if customer else None,
            case.channel.value,
        ]

    async def fetch(cursor: str | None) -> PageOf[Any]:
        return await read.cases(actor, filters, limit=BATCH, cursor=cursor)

    return _attachment("support-cases.csv", await _csv(CASE_COLUMNS, fetch, row))


@router.get(
    "/refunds/export.csv",
    summary="The filtered refunds as CSV",
    response_class=StreamingResponse,
    responses={**csv_answer("refund"), **problems(403)},
)
async def export_refunds(
    actor: StaffActor, read: ReadQueriesDep, filters: RefundFiltersDep, refunds: RefundServiceDep
) -> StreamingResponse:
    labels = await refunds.reason_labels()

    def row(refund: Any) -> list[Any]:
        settlement = refund.settlement
        return [
            refund.id,
            refund.support_case_id,
            refund.order_id,
            refund.customer_id,
            refund.status.value,
            refund.currency,
            decimal_amount(refund.total_amount, refund.currency),
            refund.total_amount,
            settlement.type.value if settlement else None,
            decimal_amount(settlement.amount, refund.currency) if settlement else None,
            settlement.amount if settlement else None,
            refund.gateway_refund_id,
            refund.created_at.isoformat(),
            refund.updated_at.isoformat(),
            refund.customer.name if refund.customer else None,
            refund.customer.email if refund.customer else None,
            refund.reason_code,
            labels.get(refund.reason_code, refund.reason_code) if refund.reason_code else None,
            settlement.reason_code if settlement else None,
            " ".join(
                f"{item.line_id}:{refund.reason_of_line(item.line_id)}"
                for item in refund.calculation.items
                if refund.reason_of_line(item.line_id)
            ),
        ]

    async def fetch(cursor: str | None) -> PageOf[Any]:
        return await read.refunds(actor, filters, limit=BATCH, cursor=cursor)

    return _attachment("refunds.csv", await _csv(REFUND_COLUMNS, fetch, row))
