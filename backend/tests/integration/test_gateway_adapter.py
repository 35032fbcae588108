"""StripeGateway against the gateway sandbox, in-process (ASGI) and over real HTTP.

The point of these tests is the money: whatever fails, a retry under the same
idempotency key never refunds twice, and only a "no" the gateway said for sure is
reported as "not made".
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

import httpx
import pytest

from supportdesk.application.ports import (
    GatewayDeclined,
    GatewayError,
    GatewayRefund,
    GatewayTimeout,
    GatewayUnavailable,
)
from supportdesk.infrastructure.gateway import StripeGateway
from supportdesk.infrastructure.simulators.gateway import GatewaySandbox
from tests.integration._loopback import serve_on_loopback, unused_port

pytestmark = pytest.mark.integration

PAYMENT = "pi_test_order"
CAPTURED = 10_000
KEY = "sk_test_123"


@dataclass
class Gateway:
    sandbox: GatewaySandbox
    client: httpx.AsyncClient

    def adapter(self, *, timeout_seconds: float = 1.0, api_key: str = KEY) -> StripeGateway:
        return StripeGateway(self.client, api_key, timeout_seconds)

    async def refund(
        self,
        amount: int = 2_500,
        key: str = "refund-1:attempt-1",
        *,
        payment: str = PAYMENT,
        timeout_seconds: float = 1.0,
    ) -> GatewayRefund:
        return await self.adapter(timeout_seconds=timeout_seconds).create_refund(
            payment_reference=payment,
            amount=amount,
            currency="EUR",
            idempotency_key=key,
            metadata={"refund_id": "RF-1", "attempt": "1"},
        )


@pytest.fixture(params=["asgi", "http"])
async def gateway(request: pytest.FixtureRequest) -> AsyncIterator[Gateway]:
    from supportdesk.infrastructure.simulators.orders import CapturedPayment

    sandbox = GatewaySandbox([CapturedPayment(PAYMENT, CAPTURED, "EUR")])
    if request.param == "asgi":
        transport = httpx.ASGITransport(app=sandbox.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield Gateway(sandbox, client)
        return
    async with (
        serve_on_loopback(sandbox.app) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(2.0)) as client,
    ):
        yield Gateway(sandbox, client)


class TestRefunding:
    async def test_a_refund_is_made_and_read_back(self, gateway: Gateway) -> None:
        made = await gateway.adapter().create_refund(
            payment_reference=PAYMENT, amount=2_500, currency="EUR",
            idempotency_key="k1", metadata={"refund_id": "RF-1"},
        )  # fmt: skip

        assert (made.status, made.amount, made.currency) == ("succeeded", 2_500, "EUR")
        assert made.id.startswith("re_")
        assert await gateway.adapter().get_refund(made.id) == made
        [stored] = gateway.sandbox.refunds
        assert (stored.payment_intent, stored.metadata) == (PAYMENT, {"refund_id": "RF-1"})

    async def test_an_unknown_refund_reads_as_none(self, gateway: Gateway) -> None:
        assert await gateway.adapter().get_refund("re_missing") is None

    async def test_the_same_key_twice_refunds_once_and_answers_the_same(
        self, gateway: Gateway
    ) -> None:
        first = await gateway.refund(key="k1")
        second = await gateway.refund(key="k1")

        assert first == second
        assert len(gateway.sandbox.refunds) == 1

    async def test_the_same_key_with_another_amount_is_refused(self, gateway: Gateway) -> None:
        await gateway.refund(2_500, key="k1")

        with pytest.raises(GatewayDeclined, match="idempotency_error"):
            await gateway.refund(2_600, key="k1")
        assert len(gateway.sandbox.refunds) == 1

    async def test_refunds_never_exceed_what_the_payment_captured(self, gateway: Gateway) -> None:
        await gateway.refund(6_000, key="k1")
        await gateway.refund(4_000, key="k2")

        with pytest.raises(GatewayDeclined, match="charge_already_refunded"):
            await gateway.refund(1, key="k3")
        assert gateway.sandbox.refunded_amount(PAYMENT) == CAPTURED

    async def test_one_cent_more_than_is_left_is_refused(self, gateway: Gateway) -> None:
        await gateway.refund(6_000, key="k1")

        with pytest.raises(GatewayDeclined, match="amount_too_large"):
            await gateway.refund(4_001, key="k2")
        assert gateway.sandbox.refunded_amount(PAYMENT) == 6_000

    async def test_concurrent_refunds_of_the_whole_payment_make_only_one(
        self, gateway: Gateway
    ) -> None:
        results = await asyncio.gather(
            *(gateway.refund(CAPTURED, key=f"k{i}") for i in range(5)), return_exceptions=True
        )

        assert sum(not isinstance(r, BaseException) for r in results) == 1
        assert all(isinstance(r, GatewayDeclined) for r in results if isinstance(r, BaseException))
        assert gateway.sandbox.refunded_amount(PAYMENT) == CAPTURED

    async def test_an_unknown_payment_is_declined(self, gateway: Gateway) -> None:
        with pytest.raises(GatewayDeclined, match="resource_missing"):
            await gateway.refund(payment="pi_unknown")

    async def test_a_wrong_api_key_is_unavailable_not_declined(self, gateway: Gateway) -> None:
        with pytest.raises(GatewayUnavailable):
            await gateway.adapter(api_key="sk_live_nope").create_refund(
                payment_reference=PAYMENT, amount=1, currency="EUR", idempotency_key="k",
                metadata={},
            )  # fmt: skip


class TestFaults:
    async def test_a_decline_is_declined_with_the_issuers_reason_and_makes_nothing(
        self, gateway: Gateway
    ) -> None:
        gateway.sandbox.inject("decline")

        with pytest.raises(GatewayDeclined) as declined:
            await gateway.refund()
        assert "generic_decline" in declined.value.reason
        assert gateway.sandbox.refunds == []

    async def test_a_decline_is_remembered_for_its_key(self, gateway: Gateway) -> None:
        gateway.sandbox.inject("decline")
        with pytest.raises(GatewayDeclined):
            await gateway.refund(key="k1")

        with pytest.raises(GatewayDeclined):
            await gateway.refund(key="k1")
        assert await gateway.refund(key="k2") is not None

    async def test_a_server_error_is_an_unknown_outcome_and_is_not_retried(
        self, gateway: Gateway
    ) -> None:
        gateway.sandbox.inject("server_error", times=2)

        with pytest.raises(GatewayTimeout):
            await gateway.refund(key="k1")
        # One POST only: the second fault is still waiting for the next call.
        with pytest.raises(GatewayTimeout):
            await gateway.refund(key="k1")
        assert await gateway.refund(key="k1") is not None
        assert len(gateway.sandbox.refunds) == 1

    async def test_a_dropped_connection_is_an_unknown_outcome(self, gateway: Gateway) -> None:
        gateway.sandbox.inject("drop")

        with pytest.raises(GatewayTimeout):
            await gateway.refund(key="k1")
        assert gateway.sandbox.refunds == []
        await gateway.refund(key="k1")
        assert len(gateway.sandbox.refunds) == 1

    async def test_a_slow_answer_within_the_timeout_is_a_refund(self, gateway: Gateway) -> None:
        gateway.sandbox.inject("slow", delay_seconds=0.05)

        assert await gateway.refund(timeout_seconds=1.0) is not None

    async def test_a_slow_answer_past_the_timeout_is_unknown_and_a_retry_refunds_once(
        self, gateway: Gateway
    ) -> None:
        gateway.sandbox.inject("slow", delay_seconds=0.3)

        with pytest.raises(GatewayTimeout):
            await gateway.refund(key="k1", timeout_seconds=0.1)
        # Over HTTP the sandbox finishes the refund after we stopped waiting.
        await asyncio.sleep(0.3)
        retried = await gateway.refund(key="k1")
        assert [r.id for r in gateway.sandbox.refunds] == [retried.id]

    async def test_accepted_then_timed_out_is_unknown_and_the_retry_replays_the_refund(
        self, gateway: Gateway
    ) -> None:
        gateway.sandbox.inject("accept_then_timeout", delay_seconds=0.6)

        with pytest.raises(GatewayTimeout):
            await gateway.refund(key="k1", timeout_seconds=0.2)
        [made] = gateway.sandbox.refunds  # the money did move
        retried = await gateway.refund(key="k1")
        assert retried.id == made.id
        assert len(gateway.sandbox.refunds) == 1

    async def test_a_fault_for_one_key_leaves_other_keys_alone(self, gateway: Gateway) -> None:
        gateway.sandbox.inject("decline", idempotency_key="k2")

        await gateway.refund(key="k1")
        with pytest.raises(GatewayDeclined):
            await gateway.refund(key="k2")
        assert len(gateway.sandbox.refunds) == 1


async def test_an_unreachable_gateway_is_unavailable() -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{unused_port()}") as client:
        adapter = StripeGateway(client, KEY, 1.0)
        with pytest.raises(GatewayUnavailable):
            await adapter.create_refund(
                payment_reference=PAYMENT, amount=1, currency="EUR", idempotency_key="k",
                metadata={},
            )  # fmt: skip
        with pytest.raises(GatewayUnavailable):
            await adapter.get_refund("re_1")


def _stripe(status: int, body: object = None, *, raw: bytes | None = None) -> httpx.Response:
    if raw is not None:
        return httpx.Response(status, content=raw)
    return httpx.Response(status, json=body)


def _error(type_: str, code: str | None = None) -> dict[str, object]:
    return {"error": {"type": type_, "code": code, "message": "m"}}


def _broken(exc: Callable[[httpx.Request], Exception]) -> Callable[[httpx.Request], httpx.Response]:
    def raise_(request: httpx.Request) -> httpx.Response:
        raise exc(request)

    return raise_


# Each answer Stripe (or something between us and Stripe) may give, and the port error
# it must become. docs/payment-gateway.md has the same table in words.
CREATE_MAPPING: dict[str, tuple[Callable[[httpx.Request], httpx.Response], type[GatewayError]]] = {
    "402 card_error": (lambda r: _stripe(402, _error("card_error", "card_declined")),
                       GatewayDeclined),
    "400 invalid_request": (lambda r: _stripe(400, _error("invalid_request_error",
                                                          "amount_too_large")), GatewayDeclined),
    "400 idempotency_error": (lambda r: _stripe(400, _error("idempotency_error")),
                              GatewayDeclined),
    "401 bad key": (lambda r: _stripe(401, _error("invalid_request_error")), GatewayUnavailable),
    "404 wrong url": (lambda r: _stripe(404, raw=b"not found"), GatewayUnavailable),
    "429 rate limited": (lambda r: _stripe(429, _error("rate_limit_error")), GatewayUnavailable),
    "409 key in flight": (lambda r: _stripe(409, _error("idempotency_error")), GatewayTimeout),
    "500 api_error": (lambda r: _stripe(500, _error("api_error")), GatewayTimeout),
    "502 from a proxy": (lambda r: _stripe(502, raw=b"<html>bad gateway</html>"), GatewayTimeout),
    "503": (lambda r: _stripe(503, raw=b""), GatewayTimeout),
    "200 unreadable": (lambda r: _stripe(200, raw=b"{not json"), GatewayTimeout),
    "connect refused": (_broken(lambda r: httpx.ConnectError("refused", request=r)),
                        GatewayUnavailable),
    "connect timeout": (_broken(lambda r: httpx.ConnectTimeout("slow", request=r)),
                        GatewayUnavailable),
    "read timeout": (_broken(lambda r: httpx.ReadTimeout("slow", request=r)), GatewayTimeout),
    "connection reset": (_broken(lambda r: httpx.ReadError("reset", request=r)), GatewayTimeout),
    "server hung up": (_broken(lambda r: httpx.RemoteProtocolError("eof", request=r)),
                       GatewayTimeout),
}  # fmt: skip


@pytest.mark.parametrize("case", CREATE_MAPPING)
async def test_each_failure_of_create_refund_maps_to_its_port_error(case: str) -> None:
    answer, expected = CREATE_MAPPING[case]
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return answer(request)

    transport = httpx.MockTransport(handler)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        with pytest.raises(expected):
            await StripeGateway(client, KEY, 1.0).create_refund(
                payment_reference=PAYMENT, amount=1, currency="EUR", idempotency_key="k",
                metadata={},
            )  # fmt: skip
    assert len(calls) == 1  # never retried inside the adapter


@pytest.mark.parametrize("status", [401, 429, 500, 503])
async def test_a_failed_read_of_a_refund_is_unavailable(status: int) -> None:
    transport = httpx.MockTransport(lambda request: _stripe(status, _error("api_error")))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        with pytest.raises(GatewayUnavailable):
            await StripeGateway(client, KEY, 1.0).get_refund("re_1")


async def test_the_request_is_stripes_form_with_key_and_idempotency_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _stripe(200, {"id": "re_1", "object": "refund", "amount": 700,
                             "currency": "eur", "status": "pending"})  # fmt: skip

    transport = httpx.MockTransport(handler)
    async with httpx.AsyncClient(transport=transport, base_url="https://api.stripe.com") as client:
        refund = await StripeGateway(client, KEY, 1.0).create_refund(
            payment_reference="pi_1", amount=700, currency="EUR", idempotency_key="RF-1:1",
            metadata={"refund_id": "RF-1"},
        )  # fmt: skip

    [request] = seen
    assert (request.method, str(request.url)) == ("POST", "https://api.stripe.com/v1/refunds")
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["Idempotency-Key"] == "RF-1:1"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert dict(parse_qsl(request.content.decode())) == {
        "payment_intent": "pi_1",
        "amount": "700",
        "metadata[refund_id]": "RF-1",
    }
    assert (refund.status, refund.currency) == ("pending", "EUR")


ARN = "74987505246123456789012"
BANK_REFERENCES = {
    "a card's available ARN": ({"type": "card", "card": {"reference": ARN,
                                "reference_status": "available"}}, ARN),
    "a card's pending one": ({"type": "card", "card": {"reference": None,
                              "reference_status": "pending"}}, None),
    "an unavailable one": ({"type": "card", "card": {"reference": ARN,
                            "reference_status": "unavailable"}}, None),
    "another method's block": ({"type": "sepa_bank_transfer", "sepa_bank_transfer": {
                                "reference": "SEPA-REF-1", "reference_status": "available"}},
                               "SEPA-REF-1"),
    "no details at all": (None, None),
    "a malformed block": ({"type": "card", "card": "ARN"}, None),
    "an over-long value": ({"type": "card", "card": {"reference": "9" * 65,
                            "reference_status": "available"}}, None),
}  # fmt: skip


@pytest.mark.parametrize("case", BANK_REFERENCES)
async def test_the_bank_reference_is_taken_only_when_the_gateway_says_it_is_available(
    case: str,
) -> None:
    details, expected = BANK_REFERENCES[case]
    body = {"id": "re_1", "object": "refund", "amount": 700, "currency": "eur",
            "status": "succeeded", "destination_details": details}  # fmt: skip
    transport = httpx.MockTransport(lambda request: _stripe(200, body))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        refund = await StripeGateway(client, KEY, 1.0).get_refund("re_1")
    assert refund is not None and refund.bank_reference == expected


async def test_the_sandbox_gives_a_card_refunds_bank_reference_as_stripe_does(
    gateway: Gateway,
) -> None:
    made = await gateway.refund()
    [stored] = gateway.sandbox.refunds
    assert stored.bank_reference and len(stored.bank_reference) == 23
    assert made.bank_reference == stored.bank_reference
    gateway.sandbox.bank_references = False
    assert (await gateway.refund(key="refund-2:attempt-1")).bank_reference is None


class TestFindRefund:
    async def test_finds_the_payments_refund_by_its_metadata(self, gateway: Gateway) -> None:
        made = await gateway.refund(key="k1")  # metadata refund_id=RF-1, attempt=1
        adapter = gateway.adapter()

        found = await adapter.find_refund(
            payment_reference=PAYMENT, metadata={"refund_id": "RF-1", "attempt": "1"}
        )
        other_attempt = await adapter.find_refund(
            payment_reference=PAYMENT, metadata={"refund_id": "RF-1", "attempt": "2"}
        )
        other_payment = await adapter.find_refund(
            payment_reference="pi_other", metadata={"refund_id": "RF-1", "attempt": "1"}
        )

        assert found == made
        assert other_attempt is None
        assert other_payment is None
