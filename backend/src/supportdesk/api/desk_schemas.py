"""Request and answer models of the agent's desk: bulk changes and canned replies
(docs/desk.md). Beside ``schemas.py``, which holds the rest."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StrictBool, StringConstraints, field_validator

from supportdesk.api.schemas import Input, OneLine
from supportdesk.domain.canned_replies import MOST_BODY, MOST_TITLE
from supportdesk.domain.cases import CaseStatus, Priority

# One request changes at most this many cases: a page of the list at its largest.
MOST_BULK_IDS = 100

# A case's id as this service makes them (``case_`` and letters or digits): anything else
# names no case, and is the client's mistake rather than a row to report on.
CaseId = Annotated[str, StringConstraints(max_length=64, pattern=r"^case_[A-Za-z0-9]+$")]


class BulkChangesIn(Input):
    status: CaseStatus | None = None
    priority: Priority | None = None
    assignee_id: Annotated[str, StringConstraints(min_length=1, max_length=64), OneLine] | None = (
        Field(None, description="a staff user's id; null unassigns")
    )


class BulkChangeIn(Input):
    ids: list[CaseId] = Field(min_length=1, max_length=MOST_BULK_IDS)
    changes: BulkChangesIn

    @field_validator("ids")
    @classmethod
    def _distinct(cls, ids: list[str]) -> list[str]:
        """A case named twice would be changed twice, its second row reporting on the
        first: the client's list is wrong, so say so."""
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"each case once: {', '.join(repeated)} named more than once")
        return ids

    @field_validator("changes")
    @classmethod
    def _something(cls, changes: BulkChangesIn) -> BulkChangesIn:
        if not changes.model_fields_set:
            raise ValueError("say what to change: status, priority or assignee_id")
        return changes


class BulkRowOut(BaseModel):
    id: str
    ok: bool
    code: str | None = Field(None, description="why not, when not: the single change's code")
    detail: str | None = None
    version: int | None = Field(None, description="the case's version after the change")


class BulkResultOut(BaseModel):
    results: list[BulkRowOut]


Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MOST_TITLE), OneLine
]
Body = Annotated[str, StringConstraints(min_length=1, max_length=MOST_BODY)]


class CannedReplyIn(Input):
    title: Title
    body: Body
    shared: StrictBool = False
    set_status: CaseStatus | None = Field(
        None, description="a status the case moves to when the reply is sent"
    )

    @field_validator("body")
    @classmethod
    def _not_blank(cls, body: str) -> str:
        if not body.strip():
            raise ValueError("the body is empty")
        return body


class CannedReplyPatchIn(Input):
    title: Title | None = None
    body: Body | None = None
    shared: StrictBool | None = None
    set_status: CaseStatus | None = None

    @field_validator("body")
    @classmethod
    def _not_blank(cls, body: str | None) -> str | None:
        if body is not None and not body.strip():
            raise ValueError("the body is empty")
        return body


class CannedReplyOut(BaseModel):
    id: str
    title: str
    body: str
    shared: bool
    set_status: CaseStatus | None
    owner_id: str
    placeholders: list[str] = Field(description="the placeholders the body uses")
    may_change: bool = Field(description="whether the caller may change or delete it")
    version: int
    created_at: datetime
    updated_at: datetime
