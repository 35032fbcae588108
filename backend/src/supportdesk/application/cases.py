"""Use cases of a support case: open, follow, change, message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from supportdesk.application.attachments import link_files
from supportdesk.application.conflicts import again_on_conflict
from supportdesk.application.orders import asking_the_order_system
from supportdesk.application.ports import Clock, OrderSystem, ReadQueries, UnitOfWork
from supportdesk.domain.access import Actor
from supportdesk.domain.attachments import AttachmentLimits
from supportdesk.domain.cases import (
    CaseStatus,
    Category,
    Channel,
    OrderReference,
    Priority,
    SupportCase,
)
from supportdesk.domain.errors import (
    DomainError,
    Forbidden,
    NotFound,
    OrderNotFound,
    ValidationFailed,
    VersionConflict,
)
from supportdesk.domain.events import Event, new_id
from supportdesk.domain.messages import Message
from supportdesk.domain.refunds import Refund
from supportdesk.domain.sla import SlaPolicy, SlaState, sla_state


@dataclass(frozen=True, slots=True)
class OpenCase:
    order_id: str
    subject: str
    description: str
    category: Category
    priority: Priority = Priority.NORMAL
    # How the customer reached us: staff must say; a customer's own case is ``web``.
    channel: Channel | None = None


@dataclass(frozen=True, slots=True)
class ChangeCase:
    status: CaseStatus | None = None
    priority: Priority | None = None
    assignee_id: str | None = None
    unassign: bool = False
    note: str | None = None
    # Staff notes are internal unless the agent says the customer may read them.
    note_public: bool = False


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """What a change did to one case of a bulk action: done, or refused and why."""

    case_id: str
    ok: bool
    code: str | None = None
    detail: str | None = None
    view: CaseView | None = None


@dataclass(frozen=True, slots=True)
class CaseView:
    case: SupportCase
    refunds: list[Refund]
    # The SLA clocks at ``read_at``, for staff (docs/sla.md); None for customers.
    sla: SlaState | None = None
    read_at: datetime | None = None


def check_version(expected: int | None, actual: int) -> None:
    """A client that sent If-Match must have seen the current version."""
    if expected is not None and expected != actual:
        raise VersionConflict(
            f"you saw version {expected}, the current one is {actual}; reload and retry",
            current_version=actual,
        )


class CaseService:
    """Use cases of a support case's life: open, change, message, follow."""

    def __init__(
        self,
        uow: UnitOfWork,
        orders: OrderSystem,
        clock: Clock,
        reads: UnitOfWork | None = None,
        queries: ReadQueries | None = None,
        attachment_limits: AttachmentLimits | None = None,
        sla: SlaPolicy | None = None,
    ) -> None:
        self.uow = uow
        # The SLA policy a case's clocks are read by (docs/sla.md); None: no clocks.
        self.sla = sla
        self.attachment_limits = attachment_limits or AttachmentLimits()
        # Reads that write nothing go through ``reads`` (on SQLite a deferred transaction on
        # the reader engine), so they never queue behind writers for the write lock.
        self.reads = reads or uow
        self.queries = queries
        self.orders = orders
        self.clock = clock

    async def open(self, command: OpenCase, actor: Actor) -> SupportCase:
        """A customer opens a case about one of their own orders; staff open one for the
        customer of any order, saying by which channel the customer reached them (the case
        is the customer's, its opening the agent's). The order's lines and customer are
        kept as they were at that moment. Someone else's order is, to a customer,
        indistinguishable from an unknown one."""
        if not actor.is_staff and actor.customer_id is None:
            raise Forbidden("cases are opened by customers about their own orders")
        if actor.is_staff and command.channel is None:
            raise ValidationFailed(
                "say how the customer reached you: channel web, email, phone or chat",
                field="channel",
            )
        with asking_the_order_system():
            order = await self.orders.get_order(command.order_id)
        if order is None or not actor.may_see(order.customer_id):
            whose = "" if actor.is_staff else " of yours"
            raise OrderNotFound(f"no order '{command.order_id}'{whose}", field="order_id")
        case = SupportCase.open(
            id=new_id("case"),
            customer_id=order.customer_id,
            order=OrderReference.snapshot_of(order),
            subject=command.subject,
            description=command.description,
            category=command.category,
            priority=command.priority,
            by=actor,
            now=self.clock.now(),
            channel=command.channel or Channel.WEB,
        )
        async with self.uow:
            await self.uow.cases.add(case)
            await self.uow.commit()
        return case

    async def get(self, case_id: str, actor: Actor) -> CaseView:
        """The owner and staff read a case with its refunds; to anyone else it does not
        exist. Staff also read its SLA clocks as they stand now."""
        with_clocks = actor.is_staff and self.sla is not None
        found = await self._queries.case(actor, case_id, with_events=with_clocks)
        if found is None:
            raise _no_case(case_id)
        if not actor.is_staff:
            return CaseView(case=found.case, refunds=found.refunds)
        now = self.clock.now()
        sla = None
        if self.sla is not None and found.events is not None:
            sla = sla_state(
                self.sla,
                opened_at=found.case.created_at,
                priority=found.case.priority,
                events=found.events,
                now=now,
            )
        return CaseView(case=found.case, refunds=found.refunds, sla=sla, read_at=now)

    async def messages(self, case_id: str, actor: Actor) -> list[Message]:
        """A case's messages, oldest first; the owner reads the public ones only."""
        messages = await self._queries.messages(actor, case_id)
        if messages is None:
            raise _no_case(case_id)
        return messages

    async def history(self, case_id: str, actor: Actor) -> list[Event]:
        """Every change of the case and its refunds, oldest first; the owner reads what the
        domain lets a customer read of each (``Event.for_customer``)."""
        events = await self._queries.case_history(actor, case_id)
        if events is None:
            raise _no_case(case_id)
        return events

    async def change(
        self, case_id: str, command: ChangeCase, actor: Actor, expected_version: int | None
    ) -> CaseView:
        """Staff change status, priority and assignee; the owner may only close the case or
        reopen a resolved one. Each change is an event; a stale version is refused."""
        return await self._change(case_id, command, actor, expected_version)

    async def change_many(
        self, case_ids: list[str], command: ChangeCase, actor: Actor
    ) -> list[RowOutcome]:
        """Staff make one change to many cases. Each case is changed as ``change`` changes
        one (the same rules, events, mails and webhooks), in a unit of work of its own:
        done whole or not at all, whatever the others do. The rows carry no version: each
        applies to the case as it is, its row locked, and runs again if a writer that does
        not lock got there first. An assignee who cannot take cases is the request's fault,
        not a row's: refused before any case is touched."""
        if not actor.is_staff:
            raise Forbidden("bulk changes are for the support staff")
        async with self.reads:
            await self._check_assignee(command.assignee_id, self.reads)
        outcomes: list[RowOutcome] = []
        for case_id in case_ids:
            try:
                view = await again_on_conflict(
                    partial(self._change, case_id, command, actor, None, lock=True)
                )
            except DomainError as refused:
                outcomes.append(RowOutcome(case_id, False, refused.code, refused.detail))
            else:
                outcomes.append(RowOutcome(case_id, True, view=view))
        return outcomes

    async def _change(
        self,
        case_id: str,
        command: ChangeCase,
        actor: Actor,
        expected_version: int | None,
        *,
        lock: bool = False,
    ) -> CaseView:
        async with self.uow:
            if lock:
                await self.uow.cases.lock(case_id)
            case = await self._get_for(actor, case_id)
            check_version(expected_version, case.version)
            now = self.clock.now()
            if command.assignee_id is not None or command.unassign:
                await self._check_assignee(command.assignee_id)
                case.assign(command.assignee_id, by=actor, now=now)
            if command.priority is not None:
                case.change_priority(command.priority, by=actor, now=now)
            if command.status is not None and command.status is not case.status:
                case.change_status(
                    command.status,
                    by=actor,
                    now=now,
                    has_open_refunds=await self.uow.cases.has_open_refunds(case_id),
                    note=command.note,
                    note_public=command.note_public,
                )
            elif command.note:
                if not actor.is_staff:
                    raise Forbidden("customers write messages, not notes")
                case.add_note(command.note, by=actor, now=now, public=command.note_public)
            await self.uow.cases.save(case)
            refunds = await self.uow.refunds.of_case(case_id)
            await self.uow.commit()
        return CaseView(case=case, refunds=refunds)

    async def add_message(
        self,
        case_id: str,
        body: str,
        internal: bool,
        actor: Actor,
        attachment_ids: Sequence[str] = (),
    ) -> Message:
        """The owner and staff write on a case that is not closed; only staff write internal
        notes. The owner's reply on a case waiting on them puts it back in progress. Two
        people writing at once both get their message in: the case's row is locked before
        it is read, and a conflict with anything that does not lock it runs again. A
        message may name files its writer uploaded to the case (``link_refusal``)."""
        return await again_on_conflict(
            lambda: self._add_message(case_id, body, internal, actor, attachment_ids)
        )

    async def _add_message(
        self,
        case_id: str,
        body: str,
        internal: bool,
        actor: Actor,
        attachment_ids: Sequence[str],
    ) -> Message:
        async with self.uow:
            await self.uow.cases.lock(case_id)
            case = await self._get_for(actor, case_id)
            refusal = case.message_refusal(by=actor, internal=internal)
            if refusal is not None:
                raise refusal
            now = self.clock.now()
            message = Message.write(
                case_id=case_id, by=actor, body=body, internal=internal, now=now
            )
            if not actor.is_staff:
                case.customer_replied(by=actor, now=now)
            case.add_event(
                "internal_note_added" if internal else "message_added", by=actor, now=now
            )
            await self.uow.messages.add(message)
            files = await link_files(
                self.uow,
                case_id,
                attachment_ids,
                by=actor,
                internal=internal,
                limits=self.attachment_limits,
                message_id=message.id,
            )
            await self.uow.cases.save(case)
            await self.uow.commit()
        return replace(message, attachments=files)

    @property
    def _queries(self) -> ReadQueries:
        if self.queries is None:
            raise RuntimeError("this CaseService was built without the read queries")
        return self.queries

    async def _get_for(
        self, actor: Actor, case_id: str, uow: UnitOfWork | None = None
    ) -> SupportCase:
        """A case the actor may not see does not exist for them."""
        case = await (uow or self.uow).cases.get_for(actor, case_id)
        if case is None:
            raise _no_case(case_id)
        return case

    async def _check_assignee(self, assignee_id: str | None, uow: UnitOfWork | None = None) -> None:
        if assignee_id is None:
            return
        user = await (uow or self.uow).users.get(assignee_id)
        if user is None or not user.active or not user.actor.is_staff:
            raise ValidationFailed(
                "the assignee must be an active member of the support staff", field="assignee_id"
            )


def _no_case(case_id: str) -> NotFound:
    return NotFound(f"no support case '{case_id}'")
