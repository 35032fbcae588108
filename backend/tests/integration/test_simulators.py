"""The simulators themselves: the demo data of SPEC section 6, Stripe's wire behaviour,
the control endpoints browser tests use, the CLI and the integrations factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from typer.testing import CliRunner

from supportdesk.devdata.demo import DEMO_USERS, demo_orders
from supportdesk.domain.orders import Customer
from supportdesk.infrastructure.gateway import StripeGateway
from supportdesk.infrastructure.integrations import build_integrations
from supportdesk.infrastructure.orders import HttpOrderSystem
from supportdesk.infrastructure.settings import Settings
from supportdesk.infrastructure.simulators.gateway import GatewaySandbox
from supportdesk.infrastructure.simulators.orders import create_order_simulator, demo_payments
from supportdesk.simulate_cli import simulate_app
from tests.integration._loopback import serve_on_loopback

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
AUTH = {"Authorization": "Bearer sk_test_anything"}


@pytest.fixture(params=["asgi", "http"])
async def orders_api(request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    app = create_order_simulator(now=NOW)
    if request.param == "asgi":
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://orders") as client:
            yield client
        return
    async with serve_on_loopback(app) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


@pytest.fixture(params=["asgi", "http"])
async def gateway_api(
    request: pytest.FixtureRequest,
) -> AsyncIterator[tuple[GatewaySandbox, httpx.AsyncClient]]:
    sandbox = GatewaySandbox()
    if request.param == "asgi":
        transport = httpx.ASGITransport(app=sandbox.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield sandbox, client
        return
    async with serve_on_loopback(sandbox.app) as url, httpx.AsyncClient(base_url=url) as client:
        yield sandbox, client


def _refund(payment: str, amount: int) -> dict[str, str]:
    return {"payment_intent": payment, "amount": str(amount), "metadata[refund_id]": "RF-1"}


class TestDemoOrders:
    def test_delivery_dates_are_relative_to_when_the_simulator_starts(self) -> None:
        orders = {order.id: order for order in demo_orders(NOW)}

        assert orders["ORD-1001"].delivered_at == NOW - timedelta(days=3)
        assert orders["ORD-1002"].delivered_at == NOW - timedelta(days=20)
        assert orders["ORD-1004"].delivered_at == NOW - timedelta(days=13, hours=22)
        assert orders["ORD-1005"].delivered_at == NOW - timedelta(days=1)
        assert orders["ORD-2001"].delivered_at == NOW - timedelta(days=2)

    def test_the_lamp_order_is_shipped_a_day_ago_and_not_delivered(self) -> None:
        lamp = next(order for order in demo_orders(NOW) if order.id == "ORD-1003")

        assert (lamp.status.value, lamp.delivered_at) == ("shipped", None)
        assert lamp.shipped_at == NOW - timedelta(days=1)

    def test_the_travel_bag_shipped_twelve_days_ago_and_was_never_delivered(self) -> None:
        bag = next(order for order in demo_orders(NOW) if order.id == "ORD-1006")

        assert (bag.customer_id, bag.status.value, bag.delivered_at) == (
            "CUST-1001", "shipped", None,
        )  # fmt: skip
        assert bag.shipped_at == NOW - timedelta(days=12)
        assert [line.fields() for line in bag.lines] == [
            {"line_id": "L1", "sku": "BAG-4", "name": "Travel Bag", "quantity": 1,
             "unit_price": 6500, "discount": 0, "tax": 1235, "category": "luggage"},
        ]  # fmt: skip
        assert (bag.shipping.amount, bag.shipping.tax) == (499, 95)

    def test_dave_who_has_no_account_has_a_keyboard_delivered_four_days_ago(self) -> None:
        keyboard = next(order for order in demo_orders(NOW) if order.id == "ORD-3001")

        assert keyboard.customer == Customer("CUST-3001", "Dave Okafor", "dave@example.com")
        assert keyboard.delivered_at == NOW - timedelta(days=4)
        assert [line.fields() for line in keyboard.lines] == [
            {"line_id": "L1", "sku": "KB-2", "name": "Keyboard", "quantity": 1,
             "unit_price": 7900, "discount": 0, "tax": 1501, "category": "computers"},
        ]  # fmt: skip
        assert (keyboard.shipping.amount, keyboard.shipping.tax) == (0, 0)
        assert all(user.customer_id != "CUST-3001" for user in DEMO_USERS)

    def test_every_order_names_its_customer_by_name_and_email(self) -> None:
        named = {order.id: order.customer for order in demo_orders(NOW)}

        assert all(c is not None and c.id == o.customer_id
                   for o, c in zip(demo_orders(NOW), named.values(), strict=True))  # fmt: skip
        assert {c.name for c in named.values() if c} == {
            "Alice Martin", "Carol Diaz", "Dave Okafor",
        }  # fmt: skip
        assert named["ORD-2001"] == Customer("CUST-1002", "Carol Diaz", "carol@example.com")

    def test_each_captured_amount_is_every_line_gross_plus_shipping(self) -> None:
        amounts = {order.id: order.gross for order in demo_orders(NOW)}

        assert amounts == {
            "ORD-1001": 8999 + 1710 + 3 * 999 - 300 + 512 + 499 + 95,
            "ORD-1002": 4999 + 950 + 499 + 95,
            "ORD-1003": 2 * 2500 + 950,
            "ORD-1004": 4 * 1250 - 500 + 855 + 499 + 95,
            "ORD-1005": 89900 + 17081,
            "ORD-1006": 6500 + 1235 + 499 + 95,
            "ORD-2001": 11999 + 2280 + 499 + 95,
            "ORD-3001": 7900 + 1501,
        }

    def test_the_gateway_sandbox_is_seeded_with_every_demo_payment(self) -> None:
        payments = demo_payments()
        sandbox = GatewaySandbox()

        assert len({p.payment_reference for p in payments}) == 8
        for payment in payments:
            assert sandbox.payments[payment.payment_reference].amount == payment.amount


class TestOrderSimulatorApi:
    async def test_an_order_is_served_with_the_contracts_fields(
        self, orders_api: httpx.AsyncClient
    ) -> None:
        response = await orders_api.get("/orders/ORD-1003")

        assert response.status_code == 200
        body = response.json()
        assert set(body) >= {
            "id", "customer_id", "currency", "status", "placed_at", "shipped_at",
            "delivered_at", "payment_reference", "lines", "shipping",
        }  # fmt: skip
        assert body["delivered_at"] is None
        assert datetime.fromisoformat(body["shipped_at"]).utcoffset() == timedelta(0)
        assert body["lines"] == [
            {"line_id": "L1", "sku": "LMP-3", "name": "Desk Lamp", "quantity": 2,
             "unit_price": 2500, "discount": 0, "tax": 950, "category": "home",
             "refunded_quantity": 0, "restocked_quantity": 0},
        ]  # fmt: skip
        assert body["refunds"] == []
        assert body["shipping"] == {"amount": 0, "tax": 0}
        assert body["customer"] == {
            "id": "CUST-1001", "name": "Alice Martin", "email": "alice@example.com",
        }  # fmt: skip

    async def test_an_unknown_order_is_404(self, orders_api: httpx.AsyncClient) -> None:
        assert (await orders_api.get("/orders/ORD-0000")).status_code == 404

    async def test_orders_are_listed_by_customer(self, orders_api: httpx.AsyncClient) -> None:
        carol = (await orders_api.get("/orders", params={"customer_id": "CUST-1002"})).json()
        missing = await orders_api.get("/orders")

        assert [order["id"] for order in carol["items"]] == ["ORD-2001"]
        assert missing.status_code == 422

    async def test_faults_can_be_switched_on_over_http_and_reset(
        self, orders_api: httpx.AsyncClient
    ) -> None:
        injected = await orders_api.post("/_sandbox/faults", json={"mode": "server_error"})
        failed = await orders_api.get("/orders/ORD-1001")
        await orders_api.post("/_sandbox/faults", json={"mode": "server_error", "times": 5})
        await orders_api.post("/_sandbox/reset")
        healed = await orders_api.get("/orders/ORD-1001")

        assert (injected.status_code, failed.status_code, healed.status_code) == (201, 503, 200)


class TestGatewaySandboxApi:
    async def test_a_call_without_a_test_key_is_401_in_stripes_shape(
        self, gateway_api: tuple[GatewaySandbox, httpx.AsyncClient]
    ) -> None:
        _, client = gateway_api

        missing = await client.post("/v1/refunds", data=_refund("pi_x", 1))
        live = await client.get("/v1/refunds/re_1", headers={"Authorization": "Bearer sk_live"})

        assert (missing.status_code, live.status_code) == (401, 401)
        assert missing.json()["error"]["type"] == "invalid_request_error"

    async def test_a_replay_answers_the_stored_status_and_body(
        self, gateway_api: tuple[GatewaySandbox, httpx.AsyncClient]
    ) -> None:
        sandbox, client = gateway_api
        payment = demo_payments()[0].payment_reference
        headers = {**AUTH, "Idempotency-Key": "k1"}

        first = await client.post("/v1/refunds", data=_refund(payment, 100), headers=headers)
        again = await client.post("/v1/refunds", data=_refund(payment, 100), headers=headers)
        other = await client.post("/v1/refunds", data=_refund(payment, 101), headers=headers)

        assert (first.status_code, again.status_code) == (200, 200)
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        assert other.status_code == 400
        assert other.json()["error"]["type"] == "idempotency_error"
        assert len(sandbox.refunds) == 1

    async def test_concurrent_calls_with_one_key_make_one_refund(
        self, gateway_api: tuple[GatewaySandbox, httpx.AsyncClient]
    ) -> None:
        sandbox, client = gateway_api
        payment = demo_payments()[0].payment_reference
        headers = {**AUTH, "Idempotency-Key": "k1"}

        answers = await asyncio.gather(
            *(client.post("/v1/refunds", data=_refund(payment, 100), headers=headers)
              for _ in range(10))
        )  # fmt: skip

        assert {a.json()["id"] for a in answers} == {sandbox.refunds[0].id}
        assert len(sandbox.refunds) == 1

    async def test_unknown_parameters_are_refused_like_stripe(
        self, gateway_api: tuple[GatewaySandbox, httpx.AsyncClient]
    ) -> None:
        _, client = gateway_api

        response = await client.post("/v1/refunds", data={"colour": "blue"}, headers=AUTH)

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "parameter_unknown"

    async def test_control_endpoints_inject_list_add_and_reset(
        self, gateway_api: tuple[GatewaySandbox, httpx.AsyncClient]
    ) -> None:
        sandbox, client = gateway_api
        added = await client.post(
            "/_sandbox/payments",
            json={"payment_reference": "pi_new", "amount": 500, "currency": "EUR"},
        )
        fault = await client.post(
            "/_sandbox/faults", json={"mode": "decline", "idempotency_key": "k-declined"}
        )
        declined = await client.post(
            "/v1/refunds", data=_refund("pi_new", 100),
            headers={**AUTH, "Idempotency-Key": "k-declined"},
        )  # fmt: skip
        made = await client.post("/v1/refunds", data=_refund("pi_new", 500), headers=AUTH)
        listed = (await client.get("/_sandbox/refunds")).json()["items"]
        reset = await client.post("/_sandbox/reset")

        assert (added.status_code, fault.status_code, reset.status_code) == (201, 201, 204)
        assert declined.status_code == 402
        assert declined.json()["error"]["code"] == "card_declined"
        assert [(r["id"], r["amount"]) for r in listed] == [(made.json()["id"], 500)]
        assert sandbox.refunds == []
        assert "pi_new" not in sandbox.payments  # back to the demo payments

    async def test_a_bad_fault_request_is_422(
        self, gateway_api: tuple[GatewaySandbox, httpx.AsyncClient]
    ) -> None:
        _, client = gateway_api

        response = await client.post("/_sandbox/faults", json={"mode": "explode"})

        assert response.status_code == 422


class TestIntegrations:
    async def test_without_urls_the_embedded_simulators_answer_through_the_adapters(
        self,
    ) -> None:
        from supportdesk.infrastructure.cache import MemoryCache

        integrations = build_integrations(Settings(), MemoryCache(), now=NOW)
        try:
            order = await integrations.order_system.get_order("ORD-1001")
            assert order is not None
            refund = await integrations.gateway.create_refund(
                payment_reference=order.payment_reference, amount=100, currency="EUR",
                idempotency_key="k", metadata={},
            )  # fmt: skip
            assert integrations.gateway_sandbox is not None
            assert integrations.gateway_app is integrations.gateway_sandbox.app
            assert integrations.order_simulator_app is not None
            assert [r.id for r in integrations.gateway_sandbox.refunds] == [refund.id]
            assert await integrations.order_system.ping() is True
        finally:
            await integrations.aclose()

    async def test_with_urls_the_adapters_call_them_and_nothing_is_embedded(self) -> None:
        from supportdesk.infrastructure.cache import MemoryCache

        sandbox = GatewaySandbox()
        async with (
            serve_on_loopback(create_order_simulator(now=NOW)) as orders_url,
            serve_on_loopback(sandbox.app) as gateway_url,
        ):
            settings = Settings(order_system_url=orders_url, payment_gateway_url=gateway_url)
            integrations = build_integrations(settings, MemoryCache())
            try:
                assert isinstance(integrations.order_system, HttpOrderSystem)
                assert isinstance(integrations.gateway, StripeGateway)
                assert integrations.order_simulator_app is None
                assert integrations.gateway_sandbox is None
                orders = await integrations.order_system.orders_of_customer("CUST-1002")
                await integrations.gateway.create_refund(
                    payment_reference=orders[0].payment_reference, amount=100, currency="EUR",
                    idempotency_key="k", metadata={},
                )  # fmt: skip
                assert len(sandbox.refunds) == 1
            finally:
                await integrations.aclose()


def test_the_simulate_cli_offers_both_simulators() -> None:
    result = CliRunner().invoke(simulate_app, ["--help"])

    assert result.exit_code == 0
    assert "orders" in result.output
    assert "gateway" in result.output
