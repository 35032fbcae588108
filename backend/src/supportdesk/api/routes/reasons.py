"""The reasons list: why refunds and settlements are given (docs/refund-reasons.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictBool, StringConstraints

from supportdesk.api.deps import (
    AdminActor,
    CurrentActor,
    ExpectedVersion,
    ReasonCodeServiceDep,
    etag,
)
from supportdesk.api.openapi import problems
from supportdesk.api.schemas import Input, OneLine, Page, ReasonCodeValue
from supportdesk.application.reasons import ReasonChanges
from supportdesk.domain.reasons import CODE_PATTERN, MOST_LABEL, ReasonCode

router = APIRouter(prefix="/reason-codes", tags=["reasons"])

Code = Annotated[str, Path(min_length=2, max_length=40, pattern=CODE_PATTERN)]
Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MOST_LABEL), OneLine
]


class ReasonCodeIn(Input):
    code: ReasonCodeValue = Field(
        description="lower-case letters, digits and underscores; never changes once given"
    )
    label: Label


class ReasonCodePatchIn(Input):
    label: Label | None = None
    active: StrictBool | None = Field(
        None, description="false takes it off the choices for new refunds; old ones keep it"
    )


class ReasonCodeOut(BaseModel):
    code: str
    label: str
    active: bool
    position: int = Field(description="where it stands in the choices, lowest first")
    version: int
    created_at: datetime
    updated_at: datetime


def _out(reason: ReasonCode) -> ReasonCodeOut:
    return ReasonCodeOut(
        code=reason.code,
        label=reason.label,
        active=reason.active,
        position=reason.position,
        version=reason.version,
        created_at=reason.created_at,
        updated_at=reason.updated_at,
    )


@router.get(
    "",
    response_model=Page[ReasonCodeOut],
    summary="The reasons offered for refunds and settlements, in order (anyone signed in)",
    description="A short list kept by admins, answered whole: `next_cursor` is always null. "
    "`include_inactive=true` (admins) adds the deactivated reasons.",
    responses=problems(403),
)
async def list_reason_codes(
    actor: CurrentActor,
    reasons: ReasonCodeServiceDep,
    include_inactive: Annotated[
        Literal["true", "false"],
        Query(description="`true` (admins) adds the deactivated reasons"),
    ] = "false",
) -> Page[ReasonCodeOut]:
    # Spelled out rather than a bool: a query string's "yes", "1" or "on" is not taken for
    # true, as a JSON body takes only true and false.
    found = await reasons.list(actor, include_inactive=include_inactive == "true")
    return Page(items=[_out(r) for r in found], next_cursor=None)


@router.post(
    "",
    response_model=ReasonCodeOut,
    status_code=201,
    summary="Add a reason (admins)",
    responses=problems(403, 409),
)
async def create_reason_code(
    body: ReasonCodeIn, actor: AdminActor, reasons: ReasonCodeServiceDep
) -> JSONResponse:
    reason = await reasons.create(body.code, body.label, actor)
    return JSONResponse(
        _out(reason).model_dump(mode="json"),
        status_code=201,
        headers={"ETag": etag(reason.version), "Location": f"/api/v1/reason-codes/{reason.code}"},
    )


@router.patch(
    "/{code}",
    response_model=ReasonCodeOut,
    summary="Rename a reason's label, deactivate or reactivate it (admins)",
    responses=problems(403, 404, 409),
)
async def change_reason_code(
    code: Code,
    body: ReasonCodePatchIn,
    actor: AdminActor,
    reasons: ReasonCodeServiceDep,
    version: ExpectedVersion,
    response: Response,
) -> ReasonCodeOut:
    reason = await reasons.change(
        code,
        ReasonChanges(
            label=body.label, active=body.active, fields=frozenset(body.model_fields_set)
        ),
        actor,
        version,
    )
    response.headers["ETag"] = etag(reason.version)
    return _out(reason)
