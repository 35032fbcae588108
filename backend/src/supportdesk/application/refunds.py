"""Use cases of a refund: quote, request, approve, reject, cancel, execute, settle, reconcile."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import structlog

from supportdesk.application.attachments import link_files
from supportdesk.application.cases import check_version
from supportdesk.application.conflicts import again_on_conflict
from supportdesk.application.orders import asking_the_order_system
from supportdesk.application.policy import FixedPolicy, PolicyStore
from supportdesk.application.ports import (
    Clock,
    GatewayDeclined,
    GatewayRefund,
    GatewayTimeout,
    GatewayUnavailable,
    OrderSystem,
    PaymentGateway,
    ReadQueries,
    UnitOfWork,
)
from supportdesk.application.reasons import ReasonCodeStore, StandardReasons, reasons_by_code
from supportdesk.domain.access import SYSTEM, Actor
from supportdesk.domain.attachments import AttachmentLimits
from supportdesk.domain.cases import SupportCase, restock_by_default
from supportdesk.domain.errors import (
    DomainError,
    FinalSale,
    NotFound,
    OrderNotFound,
    OutsideRefundWindow,
    PaymentGatewayError,
    SupervisorApprovalRequired,
    UpstreamUnavailable,
    VersionConflict,
)
from supportdesk.domain.events import Event, new_id
from supportdesk.domain.orders import Order
from supportdesk.domain.policy import (
    DecisionFacts,
    LineFacts,
    Money,
    PolicyDecision,
    PolicyRules,
    PublishedPolicy,
    Rule,
    decide,
)
from supportdesk.domain.reasons import chosen_reason, default_reason
from supportdesk.domain.refunds import (
    Compensation,
    Refund,
    RefundCalculation,
    RefundKind,
    RefundStatus,
    RequestedItem,
    Settlement,
    calculate_amount_refund,
    calculate_refund,
    compensation_of,
    decided_on_order,
)
from supportdesk.domain.window import RefundWindow, RefundWindowPolicy

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class RefundRequest:
    items: Sequence[RequestedItem]
    reason: str
    include_shipping: bool = False
    # Files the customer uploaded to the case to show what is wrong (a photo of the damage).
    attachment_ids: Sequence[str] = ()
    # Chosen from the reasons list; None: the case category's (docs/refund-reasons.md).
    reason_code: str | None = None


@dataclass(frozen=True, slots=True)
class AmountRefundRequest:
    """Staff give an amount not tied to units: a goodwill gesture, shipping only, a price
    adjustment."""

    amount: int
    reason_code: str
    note: str = ""
    attachment_ids: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Quote:
    calculation: RefundCalculation
    window: RefundWindow
    compensation: Compensation


@dataclass(frozen=True, slots=True)
class RefundPolicy:
    """The refund rules of the service's settings: version 1 of the policy, until an admin
    publishes another (docs/refund-policy.md)."""

    window: RefundWindowPolicy
    supervisor_threshold: int
    # The web app asks staff to confirm before money above this leaves (minor units).
    confirm_above: int = 10000

    def first_version(self) -> PublishedPolicy:
        limit = self.supervisor_threshold
        return PublishedPolicy(
            version=1,
            rules=PolicyRules(
                window_days=self.window.days,
                lost_parcel_after_days=self.window.lost_parcel_after_days,
                approval_threshold=limit,
                amount_refund_threshold=limit,
                settlement_threshold=limit,
            ),
            note="the service's settings",
        )


def money_of(refund: Refund) -> Money:
    return Money.AMOUNT if refund.kind is RefundKind.AMOUNT else Money.UNITS


@dataclass(frozen=True, slots=True)
class PolicyInForce:
    """A published version of the policy as a refund is judged and shown by it."""

    published: PublishedPolicy
    confirm_above: int = 10000

    @property
    def rules(self) -> PolicyRules:
        return self.published.rules

    def window_of(self, refund: Refund) -> RefundWindowPolicy:
        """The window's days for the refund's lines (their categories may have their own)."""
        return self.rules.window(item.category for item in refund.calculation.items)

    def approval_threshold(self, refund: Refund) -> int:
        return self.rules.threshold(money_of(refund))

    def final_sale(self, refund: Refund) -> list[str]:
        """The names of the refund's lines sold as final sale (none for an amount)."""
        if refund.kind is RefundKind.AMOUNT:
            return []
        return [line.name for line in self.rules.final_sale(_line_facts(refund))]


_REFUSING_RULES: dict[type[DomainError], Rule] = {
    OutsideRefundWindow: Rule.OUTSIDE_WINDOW,
    FinalSale: Rule.FINAL_SALE,
    SupervisorApprovalRequired: Rule.ABOVE_AGENT_LIMIT,
}


@contextmanager
def refused_under(policy: PolicyInForce) -> Iterator[None]:
    """A refusal by the policy names its version and rule, as a decision would."""
    try:
        yield
    except (OutsideRefundWindow, FinalSale, SupervisorApprovalRequired) as refusal:
        refusal.context.update(
            policy_version=policy.published.version, rule=_REFUSING_RULES[type(refusal)].value
        )
        raise


def _line_facts(refund: Refund) -> tuple[LineFacts, ...]:
    return tuple(
        LineFacts(sku=item.sku, category=item.category, name=item.name)
        for item in refund.calculation.items
    )


class RefundService:
    """Use cases of a refund's life: request, approve, reject, execute, settle."""

    def __init__(
        self,
        uow: UnitOfWork,
        orders: OrderSystem,
        gateway: PaymentGateway,
        clock: Clock,
        policy: RefundPolicy,
        reads: UnitOfWork | None = None,
        queries: ReadQueries | None = None,
        attachment_limits: AttachmentLimits | None = None,
        reasons: ReasonCodeStore | None = None,
        policies: PolicyStore | None = None,
    ) -> None:
        self.uow = uow
        # The versions admins publish; without them, the settings' version 1 for good.
        self.policies = policies or FixedPolicy(policy.first_version())
        self.reasons = reasons or StandardReasons()
        self.attachment_limits = attachment_limits or AttachmentLimits()
        # Reads that write nothing: see CaseService.
        self.reads = reads or uow
        self.queries = queries
        self.orders = orders
        self.gateway = gateway
        self.clock = clock
        self.policy = policy

    async def in_force(self, *, fresh: bool = False) -> PolicyInForce:
        """The policy refunds are decided and shown by now (``fresh``: read now, for a
        decision)."""
        return PolicyInForce(await self.policies.current(fresh=fresh), self.policy.confirm_above)

    async def quote(self, case_id: str, request: RefundRequest, actor: Actor) -> Quote:
        """What this request would get now, and the window: holds nothing, stores nothing."""
        async with self.reads:
            case = await self._case_for(actor, case_id, self.reads)
            order = await self._order_of(case)
            taken, shipping_taken = await self.reads.refunds.units_taken(order.id)
            compensation = compensation_of(order, await self.reads.refunds.of_order(order.id))
        await self._with_reasons(request, case)
        calculation = calculate_refund(
            order,
            request.items,
            units_taken=taken,
            shipping_taken=shipping_taken,
            include_shipping=request.include_shipping,
        )
        categories = [item.category for item in calculation.items]
        policy = await self.in_force()
        return Quote(
            calculation=calculation,
            window=policy.rules.window(categories).window_of(
                order, self.clock.now(), category=case.category
            ),
            compensation=compensation,
        )

    async def compensation(self, case_id: str, actor: Actor) -> Compensation:
        """What the case's order has given back, holds and has left to give."""
        async with self.reads:
            case = await self._case_for(actor, case_id, self.reads)
        order = await self._order_of(case)
        async with self.reads:
            return compensation_of(order, await self.reads.refunds.of_order(order.id))

    async def request(
        self, case_id: str, request: RefundRequest | AmountRefundRequest, actor: Actor
    ) -> Refund:
        """The case's owner (or staff for them) asks for units of the case's order back, or
        staff give an amount. Units already refunded or held by another active refund cannot
        be asked for again, and nothing may give back more than the order's budget: requests
        on one order are serialised, so two racing for the last unit or the last euro
        cannot both win."""
        async with self.reads:
            case = await self._case_for(actor, case_id, self.reads)
        refusal = case.refund_request_refusal(by=actor)
        if refusal is not None:
            raise refusal
        request = await self._with_reasons(request, case)
        labels = await self.reason_labels()
        order = await self._order_of(case)
        # Anything that changed the case without locking it conflicts below: look again.
        return await again_on_conflict(
            lambda: self._request(case_id, request, actor, order, labels)
        )

    async def _request(
        self,
        case_id: str,
        request: RefundRequest | AmountRefundRequest,
        actor: Actor,
        order: Order,
        labels: Mapping[str, str],
    ) -> Refund:
        async with self.uow:
            await self.uow.refunds.lock_order(order.id)
            await self.uow.cases.lock(case_id)
            # Read again under the locks: the case may have been closed meanwhile. Touching
            # it below makes a close racing with this request conflict instead of passing.
            case = await self._case_for(actor, case_id)
            refusal = case.refund_request_refusal(by=actor)
            if refusal is not None:
                raise refusal
            line_reason_codes: dict[str, str] = {}
            if isinstance(request, AmountRefundRequest):
                kind = RefundKind.AMOUNT
                calculation = calculate_amount_refund(order, request.amount)
                reason = request.note
            else:
                kind = RefundKind.UNITS
                taken, shipping_taken = await self.uow.refunds.units_taken(order.id)
                calculation = calculate_refund(
                    order,
                    request.items,
                    units_taken=taken,
                    shipping_taken=shipping_taken,
                    include_shipping=request.include_shipping,
                )
                reason = request.reason
                line_reason_codes = {
                    item.line_id: item.reason_code for item in request.items if item.reason_code
                }
            compensation = compensation_of(order, await self.uow.refunds.of_order(order.id))
            compensation.check(
                calculation.total_amount,
                field="amount" if kind is RefundKind.AMOUNT else "items",
            )
            refund = Refund.request(
                id=new_id("rf"),
                support_case_id=case.id,
                order=order,
                calculation=calculation,
                reason=reason,
                by=actor,
                now=self.clock.now(),
                restock=restock_by_default(case.category) if kind is RefundKind.UNITS else False,
                kind=kind,
                reason_code=request.reason_code,
                line_reason_codes=line_reason_codes,
                category=case.category,
                reason_label=labels.get(request.reason_code or ""),
            )
            await self.uow.refunds.add(refund)
            await link_files(
                self.uow,
                case.id,
                request.attachment_ids,
                by=actor,
                internal=False,
                limits=self.attachment_limits,
                refund_id=refund.id,
            )
            await self.uow.cases.touch(case, refund.created_at)
            await self.uow.commit()
        return refund

    async def _with_reasons(
        self, request: RefundRequest | AmountRefundRequest, case: SupportCase
    ) -> RefundRequest | AmountRefundRequest:
        """The request with its reasons checked: each named one is on the list and still
        offered (422 naming the field otherwise); none named is the case category's. Staff
        giving an amount always name theirs."""
        known = await reasons_by_code(self.reasons)
        if isinstance(request, AmountRefundRequest):
            chosen_reason(request.reason_code, known, field="reason_code")
            return request
        for index, item in enumerate(request.items):
            if item.reason_code is not None:
                chosen_reason(item.reason_code, known, field=f"items.{index}.reason_code")
        if request.reason_code is not None:
            chosen_reason(request.reason_code, known, field="reason_code")
            return request
        return replace(request, reason_code=default_reason(case.category, known))

    async def reason_labels(self) -> dict[str, str]:
        """Every reason's label, deactivated ones too: answers name the reasons refunds
        have, whatever the list offers now."""
        return {reason.code: reason.label for reason in await self.reasons.all()}

    async def get(self, refund_id: str, actor: Actor) -> Refund:
        """The owner and staff read a refund; to anyone else it does not exist."""
        async with self.reads:
            return await self._refund_for(actor, refund_id, self.reads)

    async def history(self, refund_id: str, actor: Actor) -> list[Event]:
        """The refund's events, oldest first, as the actor may read them."""
        if self.queries is None:
            raise RuntimeError("this RefundService was built without the read queries")
        events = await self.queries.refund_history(actor, refund_id)
        if events is None:
            raise NotFound(f"no refund '{refund_id}'")
        return events

    async def window_for(self, refund: Refund, policy: PolicyInForce) -> RefundWindow:
        """The window as it is now for the refund's order, by the rule its case's category
        picks for an order that has not arrived (domain/window.py), and the days of its
        lines' categories."""
        async with self.reads:
            case = await self.reads.cases.get(refund.support_case_id)
        with asking_the_order_system():
            order = await self.orders.get_order(refund.order_id)
        window = policy.window_of(refund)
        if order is None:
            return window.window_for(None, self.clock.now())
        return window.window_of(order, self.clock.now(), category=case.category if case else None)

    async def window_shown(self, refund: Refund, policy: PolicyInForce) -> RefundWindow:
        """The window a refund's own page shows. While it is requested the window decides
        whether it may be approved, so it is worked out from the order as it is now (it
        may have shipped or arrived since the request); after that, and when the order
        system does not answer, from what the refund saw of its order."""
        if refund.status is RefundStatus.REQUESTED:
            try:
                return await self.window_for(refund, policy)
            except UpstreamUnavailable:
                log.warning("refund_window_as_last_seen", refund_id=refund.id)
        return refund.window_at(policy.window_of(refund), self.clock.now())

    async def approve(
        self,
        refund_id: str,
        actor: Actor,
        *,
        note: str | None,
        expected_version: int | None,
        note_public: bool = False,
        restock: bool | None = None,
    ) -> Refund:
        """Staff approve a requested refund inside the delivery window; above the supervisor
        threshold only a supervisor or admin may. The window seen is recorded, and whether
        the units go back in stock (``None``: the case category's default, set at request)."""
        async with self.reads:
            refund = await self._refund_for(actor, refund_id, self.reads)
        policy = await self.in_force(fresh=True)
        window = await self.window_for(refund, policy)
        async with self.uow:
            refund = await self._refund_for(actor, refund_id)
            check_version(expected_version, refund.version)
            now = self.clock.now()
            decided = await self._decided_on_order(refund)
            with refused_under(policy):
                refund.approve(
                    by=actor,
                    now=now,
                    window=window,
                    supervisor_threshold=policy.approval_threshold(refund),
                    note=note,
                    note_public=note_public,
                    restock=restock,
                    decided_on_order=decided,
                    final_sale=policy.final_sale(refund),
                )
            refund.decision = self._decision(
                policy, refund, "approved", actor, now, refund.total_amount, decided
            )
            await self.uow.refunds.save(refund)
            await self.uow.commit()
        return refund

    @staticmethod
    def _decision(
        policy: PolicyInForce,
        refund: Refund,
        action: str,
        actor: Actor,
        now: datetime,
        amount: int,
        decided: int,
        *,
        money: Money | None = None,
        window: RefundWindow | None = None,
    ) -> PolicyDecision:
        """The decision's record: the version it was taken under, the rule and the facts."""
        shown = window or refund.approval_window
        return decide(
            policy.published,
            DecisionFacts(
                action=action,
                at=now,
                role=actor.role,
                money=money or money_of(refund),
                amount=amount,
                currency=refund.currency,
                decided_on_order=decided,
                basis=shown.basis if shown else refund.window_basis,
                shipped_at=shown.shipped_at if shown else refund.shipped_at,
                delivered_at=shown.delivered_at if shown else refund.delivered_at,
                lines=_line_facts(refund),
            ),
        )

    async def _decided_on_order(self, refund: Refund) -> int:
        """What the order's other refunds already give, under the order's lock: two agents
        deciding two refunds of one order at once are counted one after the other."""
        await self.uow.refunds.lock_order(refund.order_id)
        return decided_on_order(await self.uow.refunds.of_order(refund.order_id), refund.id)

    async def decided_on_order_of(self, refund: Refund) -> int:
        """The same, read without a lock: what the refund page tells an agent before
        trying."""
        async with self.reads:
            return decided_on_order(await self.reads.refunds.of_order(refund.order_id), refund.id)

    async def reject(
        self, refund_id: str, actor: Actor, *, reason: str, expected_version: int | None
    ) -> Refund:
        """Staff reject a requested refund with a reason; its units are released. The
        decision records what the policy said of the gateway then."""
        async with self.reads:
            seen = await self._refund_for(actor, refund_id, self.reads)
        policy = await self.in_force(fresh=True)
        window = await self.window_shown(seen, policy)
        async with self.uow:
            refund = await self._refund_for(actor, refund_id)
            check_version(expected_version, refund.version)
            now = self.clock.now()
            refund.reject(by=actor, now=now, reason=reason)
            refund.decision = self._decision(
                policy, refund, "rejected", actor, now, refund.total_amount, 0, window=window
            )
            await self.uow.refunds.save(refund)
            await self.uow.commit()
        return refund

    async def cancel(self, refund_id: str, actor: Actor, *, expected_version: int | None) -> Refund:
        """The customer who asked may cancel while the refund is requested."""
        async with self.uow:
            refund = await self._refund_for(actor, refund_id)
            check_version(expected_version, refund.version)
            refund.cancel(by=actor, now=self.clock.now())
            await self.uow.refunds.save(refund)
            await self.uow.commit()
        return refund

    async def settle(
        self,
        refund_id: str,
        settlement: Settlement,
        actor: Actor,
        *,
        expected_version: int | None,
        restock: bool | None = None,
    ) -> Refund:
        """Outside the gateway: staff record a settlement of 0 … total on a requested or
        failed refund, and may decide whether the units go back in stock. Its reason is one
        offered on the list, or else the refund's."""
        if settlement.reason_code is not None:
            chosen_reason(
                settlement.reason_code, await reasons_by_code(self.reasons), field="reason_code"
            )
        async with self.reads:
            seen = await self._refund_for(actor, refund_id, self.reads)
        policy = await self.in_force(fresh=True)
        window = await self.window_shown(seen, policy)
        async with self.uow:
            refund = await self._refund_for(actor, refund_id)
            check_version(expected_version, refund.version)
            now = self.clock.now()
            decided = await self._decided_on_order(refund)
            with refused_under(policy):
                refund.settle(
                    settlement,
                    by=actor,
                    now=now,
                    restock=restock,
                    supervisor_threshold=policy.rules.settlement_threshold,
                    decided_on_order=decided,
                )
            refund.decision = self._decision(
                policy,
                refund,
                "settled",
                actor,
                now,
                settlement.amount,
                decided,
                money=Money.SETTLEMENT,
                window=window,
            )
            await self.uow.refunds.save(refund)
            await self.uow.commit()
        return refund

    async def execute(
        self, refund_id: str, actor: Actor, *, expected_version: int | None
    ) -> Refund:
        """Pay the refund back through the gateway, exactly once.

        The intent (status ``processing`` under a new attempt number) is committed first by a
        conditional update, so of any number of concurrent callers exactly one goes on to
        call the gateway; the others get a conflict. The gateway is called outside any
        transaction with an idempotency key of the refund and attempt, and its answer is
        recorded in a second transaction. An unknown outcome leaves the refund in
        ``processing`` for reconciliation, which asks again with the same key.
        """
        async with self.uow:
            refund = await self._refund_for(actor, refund_id)
            check_version(expected_version, refund.version)
            source = refund.status
            refund.start_attempt(by=actor, now=self.clock.now())
            await self.uow.refunds.save(refund, expected_status=source)
            await self.uow.commit()
        return await self._resolve_attempt(refund, actor)

    async def reconcile(self, *, stale_after: timedelta, limit: int = 100) -> list[Refund]:
        """Resolve the gateway attempts of refunds left in ``processing`` (a timeout, a crash):
        learn from the gateway what became of each attempt and record it.

        Each is claimed under a lease first, so replicas never work on the same refund at
        once; asking again with the attempt's idempotency key cannot make a second refund.
        """
        now = self.clock.now()
        async with self.uow:
            claimed = await self.uow.refunds.claim_for_reconciliation(
                now=now,
                stale_before=now - stale_after,
                lease_until=now + timedelta(seconds=120),
                limit=limit,
            )
            await self.uow.commit()
        resolved: list[Refund] = []
        for refund_id in claimed:
            async with self.reads:
                refund = await self.reads.refunds.get(refund_id)
            if refund is None or refund.status is not RefundStatus.PROCESSING:
                continue
            try:
                resolved.append(await self._resolve_attempt(refund, SYSTEM, reconciling=True))
            except PaymentGatewayError:
                log.warning("reconciliation_gateway_unavailable", refund_id=refund_id)
        return resolved

    async def _resolve_attempt(
        self, refund: Refund, actor: Actor, *, reconciling: bool = False
    ) -> Refund:
        attempt = refund.attempt
        try:
            answer = await self._ask_gateway(refund, reconciling=reconciling)
        except GatewayTimeout:
            log.warning("gateway_outcome_unknown", refund_id=refund.id, attempt=attempt)
            return refund
        except GatewayDeclined as declined:
            return await self._record_outcome(refund.id, attempt, None, declined.reason, actor)
        except GatewayUnavailable as exc:
            raise PaymentGatewayError(
                f"the payment gateway could not be reached ({exc}); the refund stays "
                "processing and is retried with the same idempotency key"
            ) from exc
        if answer.status == "succeeded":
            return await self._record_outcome(
                refund.id, attempt, answer.id, None, actor, bank_reference=answer.bank_reference
            )
        if answer.status in ("failed", "canceled"):
            reason = answer.failure_reason or f"gateway refund {answer.status}"
            return await self._record_outcome(refund.id, attempt, None, reason, actor)
        return refund  # pending at the gateway: reconciliation looks again later

    async def _ask_gateway(self, refund: Refund, *, reconciling: bool) -> GatewayRefund:
        """Make the attempt's refund, or learn what became of it.

        Reconciling, the gateway is first asked for a refund carrying this attempt's
        metadata: a gateway that stored an error under the idempotency key (Stripe keeps
        a 500) would otherwise answer the same error forever, even though it made the refund.
        """
        metadata = {"refund_id": refund.id, "attempt": str(refund.attempt)}
        if refund.gateway_refund_id:
            known = await self.gateway.get_refund(refund.gateway_refund_id)
            if known is not None:
                return known
        if reconciling:
            found = await self.gateway.find_refund(
                payment_reference=refund.payment_reference, metadata=metadata
            )
            if found is not None:
                return found
        return await self.gateway.create_refund(
            payment_reference=refund.payment_reference,
            amount=refund.total_amount,
            currency=refund.currency,
            idempotency_key=refund.gateway_idempotency_key,
            metadata=metadata,
        )

    async def _record_outcome(
        self,
        refund_id: str,
        attempt: int,
        gateway_refund_id: str | None,
        failure_reason: str | None,
        actor: Actor,
        *,
        bank_reference: str | None = None,
    ) -> Refund:
        """Record the gateway's answer on the attempt that asked, unless it is already
        recorded (a concurrent reconciliation got there first)."""
        async with self.uow:
            refund = await self.uow.refunds.get(refund_id)
            if refund is None:
                raise NotFound(f"no refund '{refund_id}'")
            if refund.status is not RefundStatus.PROCESSING or refund.attempt != attempt:
                return refund
            now = self.clock.now()
            if gateway_refund_id is not None:
                refund.gateway_succeeded(
                    gateway_refund_id, by=actor, now=now, bank_reference=bank_reference
                )
            else:
                refund.gateway_failed(failure_reason or "declined", by=actor, now=now)
            try:
                await self.uow.refunds.save(refund, expected_status=RefundStatus.PROCESSING)
            except VersionConflict:
                pass  # someone else recorded it first: answer with what they recorded
            else:
                await self.uow.commit()
                return refund
        async with self.reads:
            current = await self.reads.refunds.get(refund_id)
        return current or refund

    async def _refund_for(
        self, actor: Actor, refund_id: str, uow: UnitOfWork | None = None
    ) -> Refund:
        refund = await (uow or self.uow).refunds.get_for(actor, refund_id)
        if refund is None:
            raise NotFound(f"no refund '{refund_id}'")
        return refund

    async def _case_for(
        self, actor: Actor, case_id: str, uow: UnitOfWork | None = None
    ) -> SupportCase:
        case = await (uow or self.uow).cases.get_for(actor, case_id)
        if case is None:
            raise NotFound(f"no support case '{case_id}'")
        return case

    async def _order_of(self, case: SupportCase) -> Order:
        with asking_the_order_system():
            order = await self.orders.get_order(case.order_id)
        if order is None:
            raise OrderNotFound(f"the order '{case.order_id}' is unknown to the order system")
        return order
