"""PaymentEventService against in-memory fakes: the signature first, each event once, and
the refund's state (never the arrival order) deciding what an event means."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest

from supportdesk.application.payment_events import PaymentEventService, verify_signature
from supportdesk.domain.errors import InvalidSignature
from supportdesk.domain.refunds import RefundStatus

from .builders import AGENT, Desk, a_desk, an_approved_refund
from .fakes import FakeUnitOfWork

SECRET = "whsec_service_test"


def signed(payload: bytes, at: float, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode(), f"{int(at)}.".encode() + payload, hashlib.sha256)
    return f"t={int(at)},v1={digest.hexdigest()}"


def event(refund_id: str, status: str, *, event_id: str = "evt_1", **fields: Any) -> bytes:
    gateway_refund = {
        "id": "re_1",
        "object": "refund",
        "status": status,
        "metadata": {"refund_id": refund_id, "attempt": "1"},
        **fields,
    }
    return json.dumps(
        {"id": event_id, "type": "refund.updated", "data": {"object": gateway_refund}}
    ).encode()


def service(desk: Desk) -> PaymentEventService:
    return PaymentEventService(FakeUnitOfWork(desk.store), desk.clock, SECRET)


async def a_refund_the_gateway_made(desk: Desk) -> str:
    refund = await an_approved_refund(desk)
    done = await desk.refunds.execute(refund.id, AGENT, expected_version=None)
    assert done.status is RefundStatus.REFUNDED
    return refund.id


class TestVerifySignature:
    def test_a_signature_over_the_body_with_the_secret_within_five_minutes_passes(self) -> None:
        desk = a_desk()
        now = desk.clock.now()
        payload = b'{"id": "evt_1"}'

        verify_signature(payload, signed(payload, now.timestamp() - 299), SECRET, now=now)

    @pytest.mark.parametrize(
        "header",
        [
            None,
            "",
            "t=abc,v1=00",
            "v1=00",
            "t=1700000000",
        ],
    )
    def test_a_missing_or_malformed_header_is_refused(self, header: str | None) -> None:
        desk = a_desk()
        with pytest.raises(InvalidSignature):
            verify_signature(b"{}", header, SECRET, now=desk.clock.now())

    def test_an_old_signature_or_another_secret_or_no_secret_configured_is_refused(self) -> None:
        now = a_desk().clock.now()
        payload = b"{}"
        for header, secret in [
            (signed(payload, (now - timedelta(minutes=6)).timestamp()), SECRET),
            (signed(payload, now.timestamp(), "whsec_other"), SECRET),
            (signed(payload, now.timestamp()), None),
        ]:
            with pytest.raises(InvalidSignature):
                verify_signature(payload, header, secret, now=now)

    def test_any_of_several_v1_signatures_may_match_while_a_secret_is_rolled(self) -> None:
        now = a_desk().clock.now()
        payload = b"{}"
        good = signed(payload, now.timestamp()).split("v1=")[1]
        header = f"t={int(now.timestamp())},v1={'0' * 64},v1={good}"

        verify_signature(payload, header, SECRET, now=now)


class TestReceive:
    async def test_a_bad_signature_changes_nothing_not_even_the_record_of_the_event(
        self,
    ) -> None:
        desk = a_desk()
        refund_id = await a_refund_the_gateway_made(desk)
        payload = event(refund_id, "failed", failure_reason="lost_or_stolen_card")

        with pytest.raises(InvalidSignature):
            await service(desk).receive(payload, signed(payload, 0))

        assert desk.store.refunds[refund_id].status is RefundStatus.REFUNDED
        assert desk.store.payment_events == {}

    async def test_failed_after_succeeded_reverses_the_refund_once(self) -> None:
        desk = a_desk()
        refund_id = await a_refund_the_gateway_made(desk)
        desk.store.refunds[refund_id].gateway_refund_id = "re_1"
        payload = event(refund_id, "failed", failure_reason="expired_or_canceled_card")
        header = signed(payload, desk.clock.now().timestamp())

        first = await service(desk).receive(payload, header)
        again = await service(desk).receive(payload, header)

        assert (first, again) == ("reversed", "duplicate")
        refund = desk.store.refunds[refund_id]
        assert (refund.status, refund.came_back) == (RefundStatus.FAILED, True)
        assert [e.type for e in desk.store.events].count("refund_reversed") == 1
        assert desk.store.payment_events["evt_1"] == ("refund.updated", refund_id, "reversed")
