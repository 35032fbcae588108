"""Payment events in (SPEC section 7): the gateway's signed events about a refund, through
HTTP with the real app. Signatures are made the way the official ``stripe`` package makes
them, so what passes here passes with Stripe."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from typing import Any

import httpx
import pytest
import stripe

from supportdesk.bootstrap import Container
from supportdesk.infrastructure.simulators.gateway import GatewaySandbox
from tests.factories import approved_refund

SECRET = "whsec_test_payment_events_secret"
WEBHOOKS = "/api/v1/payment-gateway/webhooks"
# A gateway whose answers get lost (so refunds stay processing), and the secret.
LOST_ANSWERS = {"payment_gateway_timeout_seconds": 0.3, "payment_gateway_webhook_secret": SECRET}


def stripe_header(payload: bytes, secret: str = SECRET, at: int | None = None) -> str:
    """The Stripe-Signature header as stripe-python's own tests build it."""
    timestamp = int(time.time()) if at is None else at
    signature = stripe.WebhookSignature._compute_signature(
        f"{timestamp}.{payload.decode()}", secret
    )
    return f"t={timestamp},v1={signature}"


def refund_event(
    gateway_refund: dict[str, Any], status: str, type_: str = "refund.updated", **fields: Any
) -> dict[str, Any]:
    return {
        "id": f"evt_{secrets.token_hex(8)}",
        "object": "event",
        "type": type_,
        "created": int(time.time()),
        "data": {
            "object": {**gateway_refund, "status": status, **fields},
            "previous_attributes": {"status": gateway_refund["status"]},
        },
    }


async def send(
    client: httpx.AsyncClient, event: dict[str, Any], *, secret: str = SECRET
) -> httpx.Response:
    payload = json.dumps(event).encode()
    return await client.post(
        WEBHOOKS,
        content=payload,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": stripe_header(payload, secret),
        },
    )


def sandbox_of(container: Container) -> GatewaySandbox:
    sandbox = container.integrations.gateway_sandbox
    assert sandbox is not None
    return sandbox


async def processing_refund(
    client: httpx.AsyncClient, as_user: Any, container: Container
) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    """Alice's refund, executed by bob; the gateway made it but its answer got lost, so
    the refund is processing. Bob's headers, the refund, and the gateway's refund."""
    bob = await as_user("bob")
    refund = await approved_refund(client, await as_user("alice"), bob)
    sandbox_of(container).inject("accept_then_timeout", delay_seconds=5)
    executed = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
    assert executed.status_code == 202, executed.text
    return bob, executed.json(), sandbox_of(container).refunds[0].to_stripe()


async def refunded_refund(
    client: httpx.AsyncClient, as_user: Any, container: Container
) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    bob = await as_user("bob")
    refund = await approved_refund(client, await as_user("alice"), bob)
    executed = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
    assert executed.json()["status"] == "refunded", executed.text
    return bob, executed.json(), sandbox_of(container).refunds[0].to_stripe()


async def history_types(
    client: httpx.AsyncClient, bob: dict[str, str], refund_id: str
) -> list[str]:
    history = await client.get(f"/api/v1/refunds/{refund_id}/history", headers=bob)
    return [e["type"] for e in history.json()]


@pytest.mark.parametrize("settings_overrides", [LOST_ANSWERS], indirect=True)
class TestSignatures:
    async def test_a_signed_succeeded_event_confirms_a_processing_refund(
        self, client: httpx.AsyncClient, as_user: Any, container: Container
    ) -> None:
        bob, refund, gateway = await processing_refund(client, as_user, container)

        answer = await send(client, refund_event(gateway, "succeeded"))

        assert answer.status_code == 200, answer.text
        assert answer.json() == {"received": True, "outcome": "refunded"}
        seen = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)).json()
        assert seen["status"] == "refunded"
        assert seen["gateway_refund_id"] == gateway["id"]
        assert seen["bank_reference"] == gateway["destination_details"]["card"]["reference"]

    @pytest.mark.parametrize(
        "how",
        ["wrong secret", "altered body", "no header", "too old", "garbage header"],
    )
    async def test_a_bad_signature_is_400_invalid_signature_and_changes_nothing(
        self, client: httpx.AsyncClient, as_user: Any, container: Container, how: str
    ) -> None:
        bob, refund, gateway = await processing_refund(client, as_user, container)
        event = refund_event(gateway, "succeeded")
        payload = json.dumps(event).encode()
        header: str | None = {
            "wrong secret": stripe_header(payload, "whsec_someone_else"),
            "altered body": stripe_header(payload.replace(b"succeeded", b"failed")),
            "no header": None,
            "too old": stripe_header(payload, at=int(time.time()) - 301),
            "garbage header": "v1=abc,t=notatime",
        }[how]

        answer = await client.post(
            WEBHOOKS,
            content=payload,
            headers={"Content-Type": "application/json"}
            | ({"Stripe-Signature": header} if header else {}),
        )

        assert answer.status_code == 400
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "invalid_signature"
        seen = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)).json()
        assert seen["status"] == "processing"
        # Nothing was stored about it either: the same event, signed, is acted on.
        assert (await send(client, event)).json()["outcome"] == "refunded"

    async def test_a_signature_made_by_the_sandbox_passes_stripes_own_verification(
        self, container: Container
    ) -> None:
        from supportdesk.infrastructure.simulators.gateway_events import stripe_signature

        payload = b'{"id": "evt_1"}'
        header = stripe_signature(payload, SECRET, int(time.time()))

        assert stripe.WebhookSignature.verify_header(payload.decode(), header, SECRET, 300)


@pytest.mark.parametrize("settings_overrides", [LOST_ANSWERS], indirect=True)
class TestEachEventOnce:
    async def test_a_replayed_event_changes_nothing(
        self, client: httpx.AsyncClient, as_user: Any, container: Container
    ) -> None:
        bob, refund, gateway = await processing_refund(client, as_user, container)
        event = refund_event(gateway, "succeeded")

        first = await send(client, event)
        again = await send(client, event)

        assert first.json()["outcome"] == "refunded"
        assert again.status_code == 200
        assert again.json()["outcome"] == "duplicate"
        assert (await history_types(client, bob, refund["id"])).count("refund_succeeded") == 1

    async def test_the_same_event_sent_twice_at_once_is_acted_on_once(
        self, client: httpx.AsyncClient, as_user: Any, container: Container
    ) -> None:
        bob, refund, gateway = await processing_refund(client, as_user, container)
        event = refund_event(gateway, "succeeded")

        answers = await asyncio.gather(*(send(client, event) for _ in range(5)))

        assert sorted(a.json()["outcome"] for a in answers) == ["duplicate"] * 4 + ["refunded"]
        assert (await history_types(client, bob, refund["id"])).count("refund_succeeded") == 1

    async def test_an_event_about_no_refund_of_ours_is_accepted_and_ignored(
        self, client: httpx.AsyncClient
    ) -> None:
        other = {"id": "re_x", "object": "refund", "status": "succeeded", "metadata": {}}

        charge = await send(client, {"id": "evt_c", "type": "charge.succeeded", "data": {}})
        stranger = await send(client, refund_event(other, "succeeded"))

        assert charge.json()["outcome"] == "ignored"
        assert stranger.json()["outcome"] == "ignored"

    async def test_a_signed_body_that_is_not_an_event_is_422_and_not_a_500(
        self, client: httpx.AsyncClient
    ) -> None:
        for payload in (b"not json", b"[1, 2]", b'{"type": "refund.updated"}'):
            answer = await client.post(
                WEBHOOKS,
                content=payload,
                headers={"Stripe-Signature": stripe_header(payload)},
            )
            assert answer.status_code == 422, payload
            assert answer.json()["code"] == "validation_error"


@pytest.mark.parametrize("settings_overrides", [LOST_ANSWERS], indirect=True)
class TestOutOfOrder:
    async def test_a_succeeded_arriving_after_failed_leaves_the_refund_failed(
        self, client: httpx.AsyncClient, as_user: Any, container: Container
    ) -> None:
        bob, refund, gateway = await processing_refund(client, as_user, container)
        succeeded = refund_event(gateway, "succeeded")
        failed = refund_event(gateway, "failed", failure_reason="expired_or_canceled_card")

        assert (await send(client, failed)).json()["outcome"] == "failed"
        assert (await send(client, succeeded)).json()["outcome"] == "unchanged"

        seen = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)).json()
        assert (seen["status"], seen["failure_reason"]) == ("failed", "expired_or_canceled_card")
        assert seen["came_back"] is False  # it never reached the customer's bank
        assert "settle" in seen["allowed_actions"]

    async def test_a_pending_arriving_after_succeeded_is_older_news(
        self, client: httpx.AsyncClient, as_user: Any, container: Container
    ) -> None:
        bob, refund, gateway = await processing_refund(client, as_user, container)

        await send(client, refund_event(gateway, "succeeded"))
        late = await send(client, refund_event(gateway, "pending", pending_reason="processing"))

        assert late.json()["outcome"] == "unchanged"
        seen = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)).json()
        assert (seen["status"], seen["pending_reason"]) == ("refunded", None)

    async def test_a_pending_refund_shows_why_the_gateway_holds_it(
        self, client: httpx.AsyncClient, as_user: Any, container: Container
    ) -> None:
        bob, refund, gateway = await processing_refund(client, as_user, container)

        held = await send(
            client, refund_event(gateway, "pending", pending_reason="insufficient_funds")
        )
        again = await send(
            client, refund_event(gateway, "pending", pending_reason="insufficient_funds")
        )

        assert (held.json()["outcome"], again.json()["outcome"]) == ("pending", "unchanged")
        seen = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)).json()
        assert (seen["status"], seen["pending_reason"]) == ("processing", "insufficient_funds")
        assert (await history_types(client, bob, refund["id"])).count("refund_pending") == 1

    async def test_an_event_of_an_earlier_attempt_does_not_decide_the_current_one(
        self, client: httpx.AsyncClient, as_user: Any, container: Container
    ) -> None:
        bob, refund, gateway = await processing_refund(client, as_user, container)
        old_attempt = {**gateway, "metadata": {**gateway["metadata"], "attempt": "0"}}

        answer = await send(client, refund_event(old_attempt, "succeeded"))

        assert answer.json()["outcome"] == "unchanged"
        seen = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)).json()
        assert seen["status"] == "processing"


@pytest.mark.parametrize(
    "settings_overrides", [{"payment_gateway_webhook_secret": SECRET}], indirect=True
)
class TestFailedAfterSucceeded:
    async def test_failed_after_succeeded_fails_the_refund_reopens_the_case_and_makes_it_urgent(
        self, client: httpx.AsyncClient, as_user: Any, container: Container
    ) -> None:
        bob, refund, gateway = await refunded_refund(client, as_user, container)
        case_id = refund["support_case_id"]
        resolved = await client.patch(
            f"/api/v1/support-cases/{case_id}", headers=bob, json={"status": "resolved"}
        )
        assert resolved.status_code == 200, resolved.text

        answer = await send(
            client, refund_event(gateway, "failed", failure_reason="expired_or_canceled_card")
        )

        assert answer.json()["outcome"] == "reversed"
        seen = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)).json()
        assert (seen["status"], seen["failure_reason"]) == ("failed", "expired_or_canceled_card")
        assert seen["came_back"] is True
        assert "settle" in seen["allowed_actions"]
        assert (await history_types(client, bob, refund["id"]))[-1] == "refund_reversed"
        case = (await client.get(f"/api/v1/support-cases/{case_id}", headers=bob)).json()
        assert (case["status"], case["priority"]) == ("open", "urgent")

    async def test_a_refund_that_came_back_can_be_paid_again_as_a_new_gateway_refund(
        self, client: httpx.AsyncClient, as_user: Any, container: Container
    ) -> None:
        bob, refund, gateway = await refunded_refund(client, as_user, container)
        await send(client, refund_event(gateway, "failed", failure_reason="lost_or_stolen_card"))
        sandbox_of(container).change_status(gateway["id"], "failed", "lost_or_stolen_card")

        again = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)

        assert again.json()["status"] == "refunded", again.text
        assert again.json()["came_back"] is False
        assert again.json()["gateway_refund_id"] not in (None, gateway["id"])
        assert len(sandbox_of(container).refunds) == 2

    async def test_a_closed_case_is_reopened_when_its_refund_comes_back(
        self, client: httpx.AsyncClient, as_user: Any, container: Container
    ) -> None:
        bob, refund, gateway = await refunded_refund(client, as_user, container)
        case_id = refund["support_case_id"]
        closed = await client.patch(
            f"/api/v1/support-cases/{case_id}", headers=bob, json={"status": "closed"}
        )
        assert closed.status_code == 200, closed.text

        await send(client, refund_event(gateway, "failed", failure_reason="lost_or_stolen_card"))

        case = (await client.get(f"/api/v1/support-cases/{case_id}", headers=bob)).json()
        assert (case["status"], case["priority"]) == ("open", "urgent")

    async def test_the_bank_reference_is_stored_when_an_event_brings_it(
        self, client: httpx.AsyncClient, as_user: Any, container: Container
    ) -> None:
        sandbox_of(container).bank_references = False
        bob, refund, gateway = await refunded_refund(client, as_user, container)
        assert refund["bank_reference"] is None
        with_reference = {
            **gateway,
            "destination_details": {
                "type": "card",
                "card": {"reference": "74850251234567890123456"},
            },
        }

        answer = await send(client, refund_event(with_reference, "succeeded"))

        assert answer.json()["outcome"] == "bank_reference"
        seen = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)).json()
        assert seen["bank_reference"] == "74850251234567890123456"


@pytest.mark.parametrize(
    "settings_overrides",
    [
        {
            "payment_gateway_webhook_secret": SECRET,
            "payment_gateway_sandbox_events_url": WEBHOOKS,
            "outbox_poll_seconds": 0.1,
        }
    ],
    indirect=True,
)
class TestTheJourney:
    async def test_executed_then_succeeded_then_failed_ends_failed_reopened_mailed_and_settleable(
        self, client: httpx.AsyncClient, as_user: Any, container: Container
    ) -> None:
        bob = await as_user("bob")
        refund = await approved_refund(client, await as_user("alice"), bob)
        sandbox = sandbox_of(container)
        sandbox.inject("fail_after_success", delay_seconds=0.2)

        executed = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
        assert executed.json()["status"] == "refunded", executed.text
        await sandbox.settled()  # the sandbox's events, sent in-process to the app

        seen = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)).json()
        assert (seen["status"], seen["failure_reason"]) == ("failed", "expired_or_canceled_card")
        types = await history_types(client, bob, refund["id"])
        assert types[-2:] == ["refund_succeeded", "refund_reversed"]
        case = (
            await client.get(f"/api/v1/support-cases/{refund['support_case_id']}", headers=bob)
        ).json()
        assert case["priority"] == "urgent"

        mail = await _mail_to(client, "alice@example.com", "came back")
        assert "bank transfer or as store credit" in mail["text"]

        # The settlement the agent is offered: a bank transfer of the whole amount.
        assert "settle" in seen["allowed_actions"]
        settled = await client.post(
            f"/api/v1/refunds/{refund['id']}/settlement",
            headers=bob,
            json={
                "type": "bank_transfer",
                "amount": seen["total_amount"],
                "note": "the card was cancelled; paid by bank transfer",
            },
        )
        assert settled.status_code == 200, settled.text
        assert settled.json()["status"] == "settled"


async def _mail_to(client: httpx.AsyncClient, to: str, subject_part: str) -> dict[str, Any]:
    for _ in range(100):
        items = (await client.get("/sim/mail/messages", params={"to": to})).json()["items"]
        for mail in items:
            if subject_part in mail["subject"]:
                return dict(mail)
        await asyncio.sleep(0.05)
    raise AssertionError(f"no mail to {to} about {subject_part!r}")
