"""The gateway sandbox, driven by the official ``stripe`` SDK over real HTTP: whatever
supportdesk (or a developer trying the sandbox) does with Stripe's refunds, the SDK gets
the answers and the errors it gets from Stripe.

The SDK is synchronous; its calls run in a thread while uvicorn serves the sandbox on
this test's event loop.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import httpx
import pytest
import stripe
from fastapi import FastAPI, Request, Response

from supportdesk.infrastructure.simulators.gateway import GatewaySandbox, charge_id
from supportdesk.infrastructure.simulators.gateway_events import EventSender
from supportdesk.infrastructure.simulators.orders import demo_payments
from tests.integration._loopback import serve_on_loopback

pytestmark = pytest.mark.integration

T = TypeVar("T")
PAYMENT = demo_payments()[0]  # ORD-1001's payment
OTHER_PAYMENT = demo_payments()[1]
SECRET = "whsec_sandbox_test_secret"


async def sdk(call: Callable[[], T]) -> T:
    return await asyncio.to_thread(call)


@pytest.fixture
async def sandbox_and_sdk() -> AsyncIterator[tuple[GatewaySandbox, stripe.StripeClient]]:
    sandbox = GatewaySandbox()
    async with serve_on_loopback(sandbox.app) as url:
        client = stripe.StripeClient(
            "sk_test_sdk",
            base_addresses={"api": url},
            # The SDK retries 409s and connection errors by itself; these tests want to see
            # each answer as the sandbox gave it.
            max_network_retries=0,
        )
        yield sandbox, client
        await sandbox.settled()


def _create(
    client: stripe.StripeClient, amount: int, key: str | None = None, **params: Any
) -> stripe.Refund:
    options: dict[str, Any] = {"idempotency_key": key} if key else {}
    amount = params.pop("amount_override", amount)
    return client.v1.refunds.create(
        params={"payment_intent": PAYMENT.payment_reference, "amount": amount, **params},
        options=options,
    )


class TestCreatingWithTheSdk:
    async def test_a_refund_made_with_a_key_is_replayed_for_the_same_key(
        self, sandbox_and_sdk: tuple[GatewaySandbox, stripe.StripeClient]
    ) -> None:
        sandbox, client = sandbox_and_sdk

        first = await sdk(lambda: _create(client, 500, "key-1", metadata={"refund_id": "RF-1"}))
        again = await sdk(lambda: _create(client, 500, "key-1", metadata={"refund_id": "RF-1"}))

        assert first.id == again.id
        assert first.status == "succeeded"
        assert first.metadata["refund_id"] == "RF-1"
        assert first.charge == charge_id(PAYMENT.payment_reference)
        assert again.last_response is not None
        assert again.last_response.headers.get("Idempotent-Replayed") == "true"
        assert len(sandbox.refunds) == 1

    async def test_the_same_key_with_other_parameters_is_an_idempotency_error(
        self, sandbox_and_sdk: tuple[GatewaySandbox, stripe.StripeClient]
    ) -> None:
        _, client = sandbox_and_sdk
        await sdk(lambda: _create(client, 500, "key-1"))

        with pytest.raises(stripe.IdempotencyError):
            await sdk(lambda: _create(client, 501, "key-1"))

    async def test_a_second_request_while_the_first_with_its_key_is_in_flight_is_409(
        self, sandbox_and_sdk: tuple[GatewaySandbox, stripe.StripeClient]
    ) -> None:
        sandbox, client = sandbox_and_sdk
        sandbox.inject("slow", idempotency_key="key-1", delay_seconds=0.5)

        first = asyncio.create_task(sdk(lambda: _create(client, 500, "key-1")))
        await asyncio.sleep(0.2)
        # The SDK raises its generic APIError for a 409, as it does against Stripe.
        with pytest.raises(stripe.APIError) as in_flight:
            await sdk(lambda: _create(client, 500, "key-1"))

        assert in_flight.value.http_status == 409
        assert in_flight.value.json_body["error"]["type"] == "idempotency_error"
        assert in_flight.value.json_body["error"]["code"] == "idempotency_key_in_use"
        assert (await first).status == "succeeded"
        assert len(sandbox.refunds) == 1

    async def test_charge_currency_reason_and_expand_are_taken_as_stripe_takes_them(
        self, sandbox_and_sdk: tuple[GatewaySandbox, stripe.StripeClient]
    ) -> None:
        _, client = sandbox_and_sdk
        charge = charge_id(PAYMENT.payment_reference)

        refund = await sdk(
            lambda: client.v1.refunds.create(
                params={
                    "charge": charge,
                    "amount": 300,
                    "currency": PAYMENT.currency.lower(),
                    "reason": "requested_by_customer",
                    "expand": ["charge"],
                }
            )
        )

        assert refund.payment_intent == PAYMENT.payment_reference
        assert refund.reason == "requested_by_customer"
        assert refund.charge.id == charge  # expanded into the charge object
        assert refund.charge.amount_refunded == 300

    @pytest.mark.parametrize(
        ("params", "param", "code"),
        [
            ({"reason": "because"}, "reason", None),
            ({"currency": "usd"}, "currency", None),
            ({"colour": "blue"}, "colour", "parameter_unknown"),
            ({"amount_override": 10**9}, "amount", "amount_too_large"),
            ({"payment_intent": "pi_nobody"}, "payment_intent", "resource_missing"),
        ],
    )
    async def test_a_refused_parameter_is_an_invalid_request_naming_it(
        self,
        sandbox_and_sdk: tuple[GatewaySandbox, stripe.StripeClient],
        params: dict[str, Any],
        param: str,
        code: str | None,
    ) -> None:
        sandbox, client = sandbox_and_sdk

        with pytest.raises(stripe.InvalidRequestError) as refused:
            await sdk(lambda: _create(client, 100, **params))

        error = refused.value
        assert (error.http_status, error.param, error.code) == (400, param, code)
        assert error.json_body is not None
        assert set(error.json_body["error"]) >= {"type", "code", "message", "param"}
        assert sandbox.refunds == []

    async def test_a_decline_is_a_card_error(
        self, sandbox_and_sdk: tuple[GatewaySandbox, stripe.StripeClient]
    ) -> None:
        sandbox, client = sandbox_and_sdk
        sandbox.inject("decline")

        with pytest.raises(stripe.CardError) as declined:
            await sdk(lambda: _create(client, 100))

        assert declined.value.code == "card_declined"
        assert declined.value.http_status == 402


class TestListingWithTheSdk:
    async def test_auto_paging_walks_every_refund_once_and_ends(
        self, sandbox_and_sdk: tuple[GatewaySandbox, stripe.StripeClient]
    ) -> None:
        _, client = sandbox_and_sdk
        made = [(await sdk(lambda: _create(client, 10))).id for _ in range(7)]

        page = await sdk(lambda: client.v1.refunds.list(params={"limit": 3}))
        walked = await sdk(lambda: [r.id for r in page.auto_paging_iter()])

        assert page.has_more is True
        assert len(page.data) == 3
        assert walked == list(reversed(made))  # newest first, each once

    async def test_ending_before_pages_back_towards_the_newest(
        self, sandbox_and_sdk: tuple[GatewaySandbox, stripe.StripeClient]
    ) -> None:
        _, client = sandbox_and_sdk
        made = [(await sdk(lambda: _create(client, 10))).id for _ in range(5)]

        newer = await sdk(
            lambda: client.v1.refunds.list(params={"limit": 2, "ending_before": made[1]})
        )

        assert [r.id for r in newer.data] == [made[3], made[2]]
        assert newer.has_more is True

    async def test_the_payment_intent_charge_and_created_filters_narrow_the_list(
        self, sandbox_and_sdk: tuple[GatewaySandbox, stripe.StripeClient]
    ) -> None:
        sandbox, client = sandbox_and_sdk
        mine = await sdk(lambda: _create(client, 10))
        other = await sdk(
            lambda: client.v1.refunds.create(
                params={"payment_intent": OTHER_PAYMENT.payment_reference, "amount": 10}
            )
        )
        sandbox.refunds[0].created = int(time.time()) - 3600  # made an hour ago

        by_intent = await sdk(
            lambda: client.v1.refunds.list(params={"payment_intent": PAYMENT.payment_reference})
        )
        by_charge = await sdk(
            lambda: client.v1.refunds.list(
                params={"charge": charge_id(OTHER_PAYMENT.payment_reference)}
            )
        )
        recent = await sdk(
            lambda: client.v1.refunds.list(params={"created": {"gte": int(time.time()) - 60}})
        )

        assert [r.id for r in by_intent.data] == [mine.id]
        assert [r.id for r in by_charge.data] == [other.id]
        assert [r.id for r in recent.data] == [other.id]

    async def test_a_limit_out_of_range_is_an_invalid_request(
        self, sandbox_and_sdk: tuple[GatewaySandbox, stripe.StripeClient]
    ) -> None:
        _, client = sandbox_and_sdk

        with pytest.raises(stripe.InvalidRequestError) as refused:
            await sdk(lambda: client.v1.refunds.list(params={"limit": 101}))

        assert refused.value.param == "limit"


class TestRetrievingModifyingCancelling:
    async def test_retrieve_answers_the_refund_and_an_unknown_id_is_resource_missing(
        self, sandbox_and_sdk: tuple[GatewaySandbox, stripe.StripeClient]
    ) -> None:
        _, client = sandbox_and_sdk
        made = await sdk(lambda: _create(client, 10))

        found = await sdk(
            lambda: client.v1.refunds.retrieve(made.id, params={"expand": ["payment_intent"]})
        )
        with pytest.raises(stripe.InvalidRequestError) as missing:
            await sdk(lambda: client.v1.refunds.retrieve("re_nothing"))

        assert found.id == made.id
        assert found.payment_intent.id == PAYMENT.payment_reference
        assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")

    async def test_modify_sets_and_unsets_metadata_only(
        self, sandbox_and_sdk: tuple[GatewaySandbox, stripe.StripeClient]
    ) -> None:
        _, client = sandbox_and_sdk
        made = await sdk(lambda: _create(client, 10, metadata={"a": "1", "b": "2"}))

        changed = await sdk(
            lambda: client.v1.refunds.update(made.id, params={"metadata": {"a": "", "c": "3"}})
        )
        with pytest.raises(stripe.InvalidRequestError) as refused:
            await sdk(lambda: client.v1.refunds.update(made.id, params={"amount": 5}))

        assert changed.metadata.to_dict() == {"b": "2", "c": "3"}
        assert refused.value.code == "parameter_unknown"

    async def test_only_a_refund_waiting_on_the_customer_can_be_cancelled(
        self, sandbox_and_sdk: tuple[GatewaySandbox, stripe.StripeClient]
    ) -> None:
        sandbox, client = sandbox_and_sdk
        done = await sdk(lambda: _create(client, 10))
        sandbox.inject("requires_action")
        waiting = await sdk(lambda: _create(client, 20))

        cancelled = await sdk(lambda: client.v1.refunds.cancel(waiting.id))
        with pytest.raises(stripe.InvalidRequestError) as refused:
            await sdk(lambda: client.v1.refunds.cancel(done.id))

        assert waiting.status == "requires_action"
        assert cancelled.status == "canceled"
        assert refused.value.http_status == 400
        # A cancelled refund gave nothing back: its amount is refundable again.
        assert sandbox.refunded_amount(PAYMENT.payment_reference) == 10

    async def test_an_unknown_url_and_a_wrong_key_are_errors_in_stripes_shape(
        self, sandbox_and_sdk: tuple[GatewaySandbox, stripe.StripeClient]
    ) -> None:
        _, client = sandbox_and_sdk
        live = stripe.StripeClient(
            "sk_live_nope", base_addresses={"api": client._requestor.base_addresses["api"]},
            max_network_retries=0,
        )  # fmt: skip

        with pytest.raises(stripe.AuthenticationError):
            await sdk(lambda: live.v1.refunds.list())
        with pytest.raises(stripe.InvalidRequestError) as unknown:
            await sdk(lambda: client.raw_request("get", "/v1/refunds/re_1/nothing"))

        assert unknown.value.http_status == 404


class TestEventsOut:
    async def test_a_refund_that_fails_after_success_sends_signed_events_stripe_verifies(
        self,
    ) -> None:
        sandbox = GatewaySandbox()
        received: list[stripe.Event] = []
        receiver = FastAPI()

        @receiver.post("/hooks")
        async def hook(request: Request) -> Response:
            payload = await request.body()
            # The official SDK's verification: the signature, and the 5-minute tolerance.
            event = stripe.Webhook.construct_event(
                payload, request.headers["stripe-signature"], SECRET
            )
            received.append(event)
            return Response(status_code=200)

        transport = httpx.ASGITransport(app=receiver)
        async with httpx.AsyncClient(transport=transport, base_url="http://shop") as hooks:
            sandbox.send_events(EventSender("/hooks", SECRET, hooks))
            sandbox.inject("fail_after_success", delay_seconds=0.05)
            async with serve_on_loopback(sandbox.app) as url:
                client = stripe.StripeClient(
                    "sk_test_sdk", base_addresses={"api": url}, max_network_retries=0
                )
                made = await sdk(lambda: _create(client, 10))
                await sandbox.settled()

        assert made.status == "succeeded"
        assert [(e.type, e.data.object["status"]) for e in received] == [
            ("refund.created", "succeeded"),
            ("refund.updated", "failed"),
            ("charge.refund.updated", "failed"),
        ]
        assert received[1].data.object["failure_reason"] == "expired_or_canceled_card"
        assert received[1].data.previous_attributes["status"] == "succeeded"
        assert sandbox.refunded_amount(PAYMENT.payment_reference) == 0

    async def test_a_pending_refund_succeeds_later(self) -> None:
        sandbox = GatewaySandbox()
        sandbox.inject(
            "pending_then_succeeded", delay_seconds=0.05, pending_reason="charge_pending"
        )
        async with serve_on_loopback(sandbox.app) as url:
            client = stripe.StripeClient(
                "sk_test_sdk", base_addresses={"api": url}, max_network_retries=0
            )
            made = await sdk(lambda: _create(client, 10))
            await sandbox.settled()
            later = await sdk(lambda: client.v1.refunds.retrieve(made.id))

        assert (made.status, made.pending_reason) == ("pending", "charge_pending")
        assert later.status == "succeeded"
        assert later.destination_details.card.reference is not None
        assert [e["type"] for e in sandbox.events] == [
            "refund.created",
            "refund.updated",
            "charge.refund.updated",
        ]
        assert json.dumps(sandbox.events)  # plain JSON, as sent
