"""Issue 16 (part 2): refunds written back to the shop's order system.

The order system's ``POST /orders/{id}/refunds`` (the simulator, as docs/order-system.md
describes it), the adapter that sends it, and the ``order_system`` outbox channel that sends
it once a refund's money went back: the simulator's order then shows the refunded units
once, whatever is repeated, and agrees with our refundable quantities.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
import yaml
from fastapi import FastAPI
from sqlalchemy import select

from supportdesk.application.outbox import OutboxItem
from supportdesk.application.ports import WriteBackRefused, WriteBackUnknown
from supportdesk.application.writeback import ORDER_SYSTEM_CHANNEL, OrderSystemChannel
from supportdesk.bootstrap import Container
from supportdesk.domain.refunds import RefundWriteBack, WriteBackKind, WriteBackLine
from supportdesk.infrastructure.cache import MemoryCache
from supportdesk.infrastructure.db.mapping import event_from_record
from supportdesk.infrastructure.db.models import EventRecord, OutboxRecord
from supportdesk.infrastructure.orders import HttpOrderSystem, write_back_json
from supportdesk.infrastructure.simulators.orders import (
    RefundLedger,
    RefundWriteBackIn,
    create_order_simulator,
)
from tests.api.test_payment_events import SECRET as PAYMENT_EVENTS_SECRET
from tests.api.test_payment_events import refund_event
from tests.api.test_payment_events import send as send_payment_event
from tests.factories import approved_refund, open_case, request_refund

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DOCS = Path(__file__).resolve().parents[3] / "docs"
KEY = "osk_test_write_back_0123456789"
BEARER = {"Authorization": f"Bearer {KEY}"}


def body(refund_id: str = "rf_1", **changes: Any) -> dict[str, Any]:
    """Two of ORD-1001's three cables, paid back through the gateway."""
    return {
        "refund_id": refund_id,
        "lines": [{"line_id": "L2", "quantity": 2, "amount": 2140}],
        "shipping_amount": 0,
        "total_amount": 2140,
        "currency": "EUR",
        "kind": "gateway",
        "settlement_type": None,
        "restock": False,
        "gateway_refund_id": "re_1",
        **changes,
    }


def a_write_back(
    refund_id: str = "rf_1", order_id: str = "ORD-1001", **changes: Any
) -> RefundWriteBack:
    values: dict[str, Any] = {
        "order_id": order_id,
        "refund_id": refund_id,
        "lines": (WriteBackLine("L2", 2, 2140),),
        "shipping_amount": 0,
        "total_amount": 2140,
        "currency": "EUR",
        "kind": WriteBackKind.GATEWAY,
        "settlement_type": None,
        "restock": False,
        "gateway_refund_id": "re_1",
        **changes,
    }
    return RefundWriteBack(**values)


def refunded(order: dict[str, Any]) -> dict[str, int]:
    return {line["line_id"]: line["refunded_quantity"] for line in order["lines"]}


@pytest.fixture
def simulator() -> FastAPI:
    return create_order_simulator(now=NOW, api_key=KEY)


@pytest.fixture
async def orders(simulator: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The order system as a caller with the right key sees it."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=simulator), base_url="http://orders", headers=BEARER
    ) as client:
        yield client


class TestTheOrderSystemsRefundEndpoint:
    async def test_a_write_back_shows_its_units_as_refunded_on_the_order(
        self, orders: httpx.AsyncClient
    ) -> None:
        answer = await orders.post("/orders/ORD-1001/refunds", json=body(restock=True))

        assert answer.status_code == 201, answer.text
        assert answer.json()["refund_id"] == "rf_1"
        order = (await orders.get("/orders/ORD-1001")).json()
        assert refunded(order) == {"L1": 0, "L2": 2}
        assert [line["restocked_quantity"] for line in order["lines"]] == [0, 2]
        assert [r["refund_id"] for r in order["refunds"]] == ["rf_1"]
        listed = (await orders.get("/orders", params={"customer_id": "CUST-1001"})).json()
        assert refunded(next(o for o in listed["items"] if o["id"] == "ORD-1001"))["L2"] == 2

    async def test_the_same_refund_id_again_answers_the_first_answer_and_changes_nothing(
        self, orders: httpx.AsyncClient
    ) -> None:
        first = await orders.post("/orders/ORD-1001/refunds", json=body())
        again = await orders.post("/orders/ORD-1001/refunds", json=body())

        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json() == first.json()
        order = (await orders.get("/orders/ORD-1001")).json()
        assert refunded(order)["L2"] == 2
        assert len(order["refunds"]) == 1

    @pytest.mark.parametrize(
        "changes",
        [{"total_amount": 2000}, {"restock": True}, {"kind": "settlement"}],
        ids=["amount", "restock", "kind"],
    )
    async def test_another_body_under_a_known_refund_id_is_409_and_changes_nothing(
        self, orders: httpx.AsyncClient, changes: dict[str, Any]
    ) -> None:
        first = await orders.post("/orders/ORD-1001/refunds", json=body())
        other = await orders.post("/orders/ORD-1001/refunds", json=body(**changes))

        assert other.status_code == 409, other.text
        order = (await orders.get("/orders/ORD-1001")).json()
        assert order["refunds"] == [first.json()]
        assert refunded(order)["L2"] == 2

    async def test_more_units_back_than_were_bought_is_refused_and_changes_nothing(
        self, orders: httpx.AsyncClient
    ) -> None:
        await orders.post("/orders/ORD-1001/refunds", json=body("rf_1"))
        too_many = await orders.post("/orders/ORD-1001/refunds", json=body("rf_2"))

        assert too_many.status_code == 422
        assert refunded((await orders.get("/orders/ORD-1001")).json())["L2"] == 2

    async def test_a_withdrawn_refund_is_forgotten_and_may_be_written_again_otherwise(
        self, orders: httpx.AsyncClient
    ) -> None:
        assert (await orders.post("/orders/ORD-1001/refunds", json=body())).status_code == 201

        gone = await orders.delete("/orders/ORD-1001/refunds/rf_1")
        again = await orders.delete("/orders/ORD-1001/refunds/rf_1")
        order = (await orders.get("/orders/ORD-1001")).json()
        settled = body(kind="settlement", settlement_type="bank_transfer", gateway_refund_id=None)
        rewritten = await orders.post("/orders/ORD-1001/refunds", json=settled)

        assert (gone.status_code, again.status_code) == (204, 204)
        assert refunded(order) == {"L1": 0, "L2": 0}
        assert order["refunds"] == []
        assert rewritten.status_code == 201, rewritten.text
        assert (await orders.delete("/orders/ORD-404/refunds/rf_1")).status_code == 404

    @pytest.mark.parametrize(
        "changes",
        [
            {"lines": [{"line_id": "L9", "quantity": 1, "amount": 1}]},
            {"currency": "USD"},
            {"kind": "cash"},
            {"restock": "yes"},
            {"total_amount": "2140"},
            {"surprise": 1},
        ],
        ids=["unknown-line", "currency", "kind", "restock-text", "amount-text", "extra-field"],
    )
    async def test_a_malformed_write_back_is_422(
        self, orders: httpx.AsyncClient, changes: dict[str, Any]
    ) -> None:
        answer = await orders.post("/orders/ORD-1001/refunds", json=body(**changes))

        assert answer.status_code == 422, answer.text
        assert refunded((await orders.get("/orders/ORD-1001")).json())["L2"] == 0

    async def test_a_refund_of_an_unknown_order_is_404(self, orders: httpx.AsyncClient) -> None:
        assert (await orders.post("/orders/ORD-0000/refunds", json=body())).status_code == 404

    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": KEY},
            {"Authorization": f"Basic {KEY}"},
        ],
        ids=["missing", "wrong", "no-scheme", "basic"],
    )
    async def test_every_order_call_without_the_key_is_401(
        self, simulator: FastAPI, headers: dict[str, str]
    ) -> None:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=simulator), base_url="http://orders", headers=headers
        ) as stranger:
            answers = [
                await stranger.get("/orders/ORD-1001"),
                await stranger.get("/orders", params={"customer_id": "CUST-1001"}),
                await stranger.post("/orders/ORD-1001/refunds", json=body()),
                await stranger.delete("/orders/ORD-1001/refunds/rf_1"),
            ]
            assert [a.status_code for a in answers] == [401, 401, 401, 401]
            assert (await stranger.get("/health")).status_code == 200  # readiness needs none
        ledger: RefundLedger = simulator.state.ledger
        assert ledger.answers_of("ORD-1001") == []


@pytest.fixture
def schemas() -> dict[str, Any]:
    # PyYAML comes with uvicorn[standard] and schemathesis.
    document = yaml.safe_load((DOCS / "order-system.openapi.yaml").read_text())
    found: dict[str, Any] = document["components"]["schemas"]
    return found


class TestTheDocumentedContract:
    """docs/order-system.openapi.yaml is what the adapter sends and the simulator takes."""

    def test_the_adapter_sends_every_documented_field_and_no_other(
        self, schemas: dict[str, Any]
    ) -> None:
        documented = schemas["RefundWriteBack"]
        sent = write_back_json(a_write_back())
        assert set(sent) == set(documented["required"]) == set(documented["properties"])
        line = documented["properties"]["lines"]["items"]
        assert all(set(item) == set(line["required"]) for item in sent["lines"])  # type: ignore[attr-defined]

    def test_the_simulator_takes_exactly_the_documented_body(self, schemas: dict[str, Any]) -> None:
        assert set(RefundWriteBackIn.model_fields) == set(schemas["RefundWriteBack"]["properties"])

    async def test_a_recorded_refund_answers_the_documented_fields(
        self, orders: httpx.AsyncClient, schemas: dict[str, Any]
    ) -> None:
        answer = (await orders.post("/orders/ORD-1001/refunds", json=body())).json()
        extra = schemas["RecordedRefund"]["allOf"][1]["required"]
        assert set(answer) == set(schemas["RefundWriteBack"]["required"]) | set(extra)


class TestTheAdapter:
    def adapter(self, simulator: FastAPI, headers: dict[str, str] = BEARER) -> HttpOrderSystem:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=simulator), base_url="http://orders", headers=headers
        )
        return HttpOrderSystem(client, MemoryCache(), 0, timeout_seconds=0.3)

    async def test_a_write_back_is_sent_and_recorded(self, simulator: FastAPI) -> None:
        await self.adapter(simulator).write_back_refund(a_write_back(restock=True))

        ledger: RefundLedger = simulator.state.ledger
        assert ledger.refunded("ORD-1001", "L2") == 2
        assert ledger.restocked("ORD-1001", "L2") == 2

    async def test_sending_the_same_write_back_again_changes_nothing(
        self, simulator: FastAPI
    ) -> None:
        adapter = self.adapter(simulator)
        await adapter.write_back_refund(a_write_back())
        await adapter.write_back_refund(a_write_back())

        assert simulator.state.ledger.refunded("ORD-1001", "L2") == 2

    @pytest.mark.parametrize("fault", ["server_error", "drop", "slow"])
    async def test_no_answer_a_timeout_or_a_5xx_is_unknown_not_refused(
        self, simulator: FastAPI, fault: str
    ) -> None:
        simulator.state.faults.inject(fault, delay_seconds=2.0)
        with pytest.raises(WriteBackUnknown):
            await self.adapter(simulator).write_back_refund(a_write_back())

    async def test_a_conflict_is_unknown_not_refused(self, simulator: FastAPI) -> None:
        # A 409 is also what an order system answers while a first request of the same
        # refund_id is still running: only a later try can tell.
        adapter = self.adapter(simulator)
        await adapter.write_back_refund(a_write_back())
        with pytest.raises(WriteBackUnknown, match="409"):
            await adapter.write_back_refund(a_write_back(total_amount=1))

    @pytest.mark.parametrize(
        ("headers", "write_back", "status"),
        [
            ({}, a_write_back(), "401"),
            (BEARER, a_write_back(order_id="ORD-0000"), "404"),
            (BEARER, a_write_back(currency="USD"), "422"),
        ],
        ids=["no-key", "unknown-order", "unacceptable"],
    )
    async def test_any_other_4xx_is_a_refusal(
        self,
        simulator: FastAPI,
        headers: dict[str, str],
        write_back: RefundWriteBack,
        status: str,
    ) -> None:
        with pytest.raises(WriteBackRefused, match=status):
            await self.adapter(simulator, headers).write_back_refund(write_back)

    async def test_the_api_key_never_reaches_the_logs(self, simulator: FastAPI) -> None:
        wrong_key = "osk_test_this_one_is_wrong_98765"
        with structlog.testing.capture_logs() as logs:
            await self.adapter(simulator).write_back_refund(a_write_back())
            with pytest.raises(WriteBackRefused):
                await self.adapter(
                    simulator, {"Authorization": f"Bearer {wrong_key}"}
                ).write_back_refund(a_write_back("rf_2"))
        assert logs  # the success was logged
        assert KEY not in repr(logs) and wrong_key not in repr(logs)


# --- through the app: approve + execute, settle, and the outbox channel ------------------

WRITE_BACK_SETTINGS = {"dispatcher_in_serve": False, "order_system_api_key": KEY}


async def deliver_everything(container: Container) -> None:
    dispatcher = container.dispatcher()
    while await dispatcher.dispatch_once():
        pass


async def simulated_order(container: Container, order_id: str) -> dict[str, Any]:
    app = container.integrations.order_simulator_app
    assert app is not None
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://orders", headers=BEARER
    ) as orders:
        answer = await orders.get(f"/orders/{order_id}")
        assert answer.status_code == 200
        order: dict[str, Any] = answer.json()
        return order


async def our_refundable(
    client: httpx.AsyncClient, headers: dict[str, str], order_id: str
) -> dict[str, int]:
    order = (await client.get(f"/api/v1/orders/{order_id}", headers=headers)).json()
    return {line["line_id"]: line["refundable_quantity"] for line in order["lines"]}


async def order_system_rows(container: Container) -> list[OutboxRecord]:
    async with container.database.read_sessions()() as session:
        return list(
            (
                await session.scalars(
                    select(OutboxRecord).where(OutboxRecord.channel == ORDER_SYSTEM_CHANNEL)
                )
            ).all()
        )


@pytest.mark.parametrize("settings_overrides", [WRITE_BACK_SETTINGS], indirect=True)
class TestWrittenBackThroughTheOutbox:
    async def test_an_executed_refund_is_written_back_once_and_both_systems_agree(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        refund = await approved_refund(client, alice, bob, items=[("L2", 2)])
        executed = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
        assert executed.json()["status"] == "refunded"
        await deliver_everything(container)

        order = await simulated_order(container, "ORD-1001")
        assert refunded(order) == {"L1": 0, "L2": 2}
        [written] = order["refunds"]
        assert written["refund_id"] == refund["id"]
        assert written["kind"] == "gateway"
        assert written["total_amount"] == executed.json()["total_amount"]
        assert written["gateway_refund_id"] == executed.json()["gateway_refund_id"]
        assert written["restock"] is False  # a damaged item (the case's category)
        ours = await our_refundable(client, alice, "ORD-1001")
        theirs = {
            line["line_id"]: line["quantity"] - line["refunded_quantity"] for line in order["lines"]
        }
        assert theirs == ours
        assert all(row.state == "delivered" for row in await order_system_rows(container))

    async def test_a_settlement_is_written_back_with_its_kind_type_and_amount(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        # ORD-1002 was delivered 20 days ago: outside the window, so it is settled.
        case = await open_case(client, alice, "ORD-1002", category="return_refund")
        requested = await request_refund(client, alice, case["id"], [("L1", 1)])
        assert requested.json()["restock"] is True  # a return: restocked by default
        settled = await client.post(
            f"/api/v1/refunds/{requested.json()['id']}/settlement",
            headers=bob,
            json={"type": "voucher", "amount": 3000, "note": "a voucher instead"},
        )
        assert settled.status_code == 200, settled.text
        await deliver_everything(container)

        order = await simulated_order(container, "ORD-1002")
        assert refunded(order) == {"L1": 1}
        assert [line["restocked_quantity"] for line in order["lines"]] == [1]
        [written] = order["refunds"]
        assert (written["kind"], written["settlement_type"], written["total_amount"]) == (
            "settlement",
            "voucher",
            3000,
        )
        assert written["gateway_refund_id"] is None
        ours = await our_refundable(client, alice, "ORD-1002")
        assert ours == {"L1": 0}

    async def test_the_same_write_back_delivered_twice_changes_nothing(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        refund = await approved_refund(client, alice, bob, items=[("L2", 1)])
        await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
        async with container.database.read_sessions()() as session:
            event = (
                await session.scalars(
                    select(EventRecord).where(
                        EventRecord.entity_id == refund["id"], EventRecord.to_status == "refunded"
                    )
                )
            ).one()
        item = OutboxItem(
            id=1, channel=ORDER_SYSTEM_CHANNEL, event=event_from_record(event), attempts=0
        )
        channel = container.channels[ORDER_SYSTEM_CHANNEL]

        await channel.deliver(item)
        await channel.deliver(item)  # as a crash between delivery and record would repeat it
        await deliver_everything(container)  # and the outbox's own row, a third time

        order = await simulated_order(container, "ORD-1001")
        assert refunded(order) == {"L1": 0, "L2": 1}
        assert len(order["refunds"]) == 1

    async def test_the_approver_decides_the_restock_and_the_order_system_is_told(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice, "ORD-1001", category="return_refund")
        requested = (await request_refund(client, alice, case["id"], [("L1", 1)])).json()
        assert requested["restock"] is True
        approved = await client.post(
            f"/api/v1/refunds/{requested['id']}/approve", headers=bob, json={"restock": False}
        )
        assert approved.json()["restock"] is False
        await client.post(f"/api/v1/refunds/{requested['id']}/execute", headers=bob)
        await deliver_everything(container)

        order = await simulated_order(container, "ORD-1001")
        assert order["refunds"][0]["restock"] is False
        assert [line["restocked_quantity"] for line in order["lines"]] == [0, 0]

    async def test_restock_must_be_a_boolean(self, client: httpx.AsyncClient, as_user: Any) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice, "ORD-1001")
        requested = (await request_refund(client, alice, case["id"], [("L1", 1)])).json()
        answer = await client.post(
            f"/api/v1/refunds/{requested['id']}/approve", headers=bob, json={"restock": "yes"}
        )
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith("application/problem+json")
        again = await client.get(f"/api/v1/refunds/{requested['id']}", headers=bob)
        assert again.json()["status"] == "requested"

    async def test_changes_before_the_money_goes_back_write_nothing_back(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        await approved_refund(client, alice, bob, items=[("L2", 1)])
        await deliver_everything(container)

        order = await simulated_order(container, "ORD-1001")
        assert order["refunds"] == []
        assert container.integrations.order_simulator_app is not None
        # Every event has its row (the channel decides at delivery), delivered by doing nothing.
        assert all(row.state == "delivered" for row in await order_system_rows(container))

    async def test_an_order_system_that_fails_gets_the_write_back_on_a_later_try(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        refund = await approved_refund(client, alice, bob, items=[("L2", 1)])
        await deliver_everything(container)  # the events so far: nothing to write back
        app = container.integrations.order_simulator_app
        assert app is not None
        await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
        app.state.faults.inject("server_error")
        await container.dispatcher().dispatch_once()

        rows = [r for r in await order_system_rows(container) if r.state != "delivered"]
        assert [(r.state, r.attempts) for r in rows] == [("pending", 1)]
        assert "503" in (rows[0].last_error or "")
        assert (await simulated_order(container, "ORD-1001"))["refunds"] == []

        async with container.database.write_sessions()() as session, session.begin():
            row = await session.get(OutboxRecord, rows[0].id)
            assert row is not None
            row.next_attempt_at = datetime.now(UTC)  # its back-off is over
        await deliver_everything(container)

        order = await simulated_order(container, "ORD-1001")
        assert refunded(order)["L2"] == 1
        assert all(row.state == "delivered" for row in await order_system_rows(container))

    async def test_a_refused_write_back_is_dead_at_once_for_an_admin(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        refund = await approved_refund(client, alice, bob, items=[("L2", 1)])
        await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
        channel = container.channels[ORDER_SYSTEM_CHANNEL]
        assert isinstance(channel, OrderSystemChannel)
        # The shop rotated the key and we were not told: the order system refuses us.
        channel.order_system = HttpOrderSystem(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=container.integrations.order_simulator_app),
                base_url="http://orders",
                headers={"Authorization": "Bearer stale"},
            ),
            MemoryCache(),
            0,
        )
        await deliver_everything(container)

        dead = [r for r in await order_system_rows(container) if r.state == "dead"]
        assert len(dead) == 1 and "401" in (dead[0].last_error or "")
        assert "stale" not in (dead[0].last_error or "")


@pytest.mark.parametrize(
    "settings_overrides",
    [{**WRITE_BACK_SETTINGS, "payment_gateway_webhook_secret": PAYMENT_EVENTS_SECRET}],
    indirect=True,
)
class TestMoneyThatCameBack:
    async def _refunded_then_came_back_then_settled(
        self, container: Container, client: httpx.AsyncClient, as_user: Any, deliver_between: bool
    ) -> dict[str, Any]:
        alice, bob = await as_user("alice"), await as_user("bob")
        refund = await approved_refund(client, alice, bob, items=[("L2", 1)])
        executed = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
        assert executed.json()["status"] == "refunded", executed.text
        if deliver_between:
            await deliver_everything(container)
        sandbox = container.integrations.gateway_sandbox
        assert sandbox is not None
        came_back = await send_payment_event(
            client,
            refund_event(
                sandbox.refunds[0].to_stripe(), "failed", failure_reason="lost_or_stolen_card"
            ),
        )
        assert came_back.json()["outcome"] == "reversed", came_back.text
        if deliver_between:
            await deliver_everything(container)
            order = await simulated_order(container, "ORD-1001")
            assert order["refunds"] == []  # the order system forgot the refund
            assert refunded(order)["L2"] == 0
        settled = await client.post(
            f"/api/v1/refunds/{refund['id']}/settlement",
            headers=bob,
            json={"type": "bank_transfer", "amount": executed.json()["total_amount"], "note": "n"},
        )
        assert settled.status_code == 200, settled.text
        await deliver_everything(container)
        return refund

    @pytest.mark.parametrize("deliver_between", [True, False], ids=["in-turn", "all-at-the-end"])
    async def test_a_refund_that_came_back_and_was_settled_is_held_once_as_the_settlement(
        self, container: Container, client: httpx.AsyncClient, as_user: Any, deliver_between: bool
    ) -> None:
        refund = await self._refunded_then_came_back_then_settled(
            container, client, as_user, deliver_between
        )

        order = await simulated_order(container, "ORD-1001")
        [written] = order["refunds"]
        assert (written["refund_id"], written["kind"], written["settlement_type"]) == (
            refund["id"],
            "settlement",
            "bank_transfer",
        )
        assert refunded(order)["L2"] == 1
        assert all(row.state == "delivered" for row in await order_system_rows(container))

    async def test_a_settlement_finding_the_gateway_refund_still_held_replaces_it(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        """The order system was away when it was to forget the refund that came back: the
        settlement's write-back meets the old record (409), forgets it and writes itself."""
        alice, bob = await as_user("alice"), await as_user("bob")
        refund = await approved_refund(client, alice, bob, items=[("L2", 1)])
        executed = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
        await deliver_everything(container)
        sandbox = container.integrations.gateway_sandbox
        assert sandbox is not None
        await send_payment_event(
            client, refund_event(sandbox.refunds[0].to_stripe(), "failed", failure_reason="x")
        )
        app = container.integrations.order_simulator_app
        assert app is not None
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://orders", headers=BEARER
        ) as orders:
            fault = await orders.post("/_sandbox/faults", json={"mode": "server_error"})
            assert fault.status_code == 201, fault.text
        await deliver_everything(container)  # the withdrawal fails: retried later
        assert len((await simulated_order(container, "ORD-1001"))["refunds"]) == 1

        await client.post(
            f"/api/v1/refunds/{refund['id']}/settlement",
            headers=bob,
            json={"type": "bank_transfer", "amount": executed.json()["total_amount"], "note": "n"},
        )
        await deliver_everything(container)

        [written] = (await simulated_order(container, "ORD-1001"))["refunds"]
        assert written["kind"] == "settlement"
