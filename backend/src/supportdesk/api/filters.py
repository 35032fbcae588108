"""The list filters, as dependencies shared by the lists and their CSV exports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query

from supportdesk.domain.cases import CaseStatus, Category, Priority
from supportdesk.domain.refunds import RefundStatus
from supportdesk.infrastructure.db.queries import CaseFilters, RefundFilters

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=500)]
Sort = Annotated[str, Query(pattern="^-?(created_at|updated_at)$")]
Id = Annotated[str | None, Query(max_length=64)]


async def case_filters(
    status: Annotated[list[CaseStatus] | None, Query()] = None,
    priority: Priority | None = None,
    category: Category | None = None,
    assignee_id: Id = None,
    customer_id: Id = None,
    order_id: Id = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    sort: Sort = "-created_at",
) -> CaseFilters:
    return CaseFilters(
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


async def refund_filters(
    status: Annotated[list[RefundStatus] | None, Query()] = None,
    order_id: Id = None,
    customer_id: Id = None,
    support_case_id: Id = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    sort: Sort = "-created_at",
) -> RefundFilters:
    return RefundFilters(
        status=[s.value for s in status or []],
        order_id=order_id,
        customer_id=customer_id,
        support_case_id=support_case_id,
        created_after=created_after,
        created_before=created_before,
        sort=sort,
    )


CaseFiltersDep = Annotated[CaseFilters, Depends(case_filters)]
RefundFiltersDep = Annotated[RefundFilters, Depends(refund_filters)]
