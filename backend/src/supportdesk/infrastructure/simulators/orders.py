"""A stand-in for the shop's order system, serving the demo orders (``devdata.demo``).

It speaks the contract of ``docs/order-system.md`` so the real ``HttpOrderSystem``
adapter is what talks to it, in-process or over the network. Dates are relative to
the moment the simulator is created, so the 14-day window always looks the same.
It can also be told to misbehave (``/_sandbox/faults``) so tests can prove how the
adapter copes with an order system that is down, slow or talks nonsense, and to move an
order's goods (``/_sandbox/orders/{id}/shipment``) so a parcel can be twelve days on its way
without waiting twelve days.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal

import httpx
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from supportdesk.devdata.demo import demo_orders
from supportdesk.domain.orders import Order, OrderStatus


@dataclass(frozen=True, slots=True)
class CapturedPayment:
    """What the customer paid for an order: the most the gateway may ever refund."""

    payment_reference: str
    amount: int
    currency: str


def demo_payments() -> list[CapturedPayment]:
    """The demo orders' payments, to seed the gateway sandbox (dates play no part)."""
    return [
        CapturedPayment(order.payment_reference, order.gross, order.currency)
        for order in demo_orders(datetime.now(UTC))
    ]


def order_to_json(order: Order, ledger: RefundLedger | None = None) -> dict[str, object]:
    """The wire shape of ``docs/order-system.openapi.yaml``; with the simulator's ledger,
    each line's ``refunded_quantity`` and ``restocked_quantity`` and the order's
    ``refunds`` (what supportdesk wrote back)."""

    def when(moment: datetime | None) -> str | None:
        return None if moment is None else moment.isoformat()

    return {
        "id": order.id,
        "customer_id": order.customer_id,
        "currency": order.currency,
        "status": order.status.value,
        "placed_at": when(order.placed_at),
        "shipped_at": when(order.shipped_at),
        "delivered_at": when(order.delivered_at),
        "payment_reference": order.payment_reference,
        "captured_amount": order.gross,
        "lines": [
            {
                **line.fields(),
                "refunded_quantity": ledger.refunded(order.id, line.line_id) if ledger else 0,
                "restocked_quantity": ledger.restocked(order.id, line.line_id) if ledger else 0,
            }
            for line in order.lines
        ],
        "shipping": {"amount": order.shipping.amount, "tax": order.shipping.tax},
        "refunds": ledger.answers_of(order.id) if ledger else [],
        "customer": None
        if order.customer is None
        else {"id": order.customer.id, "name": order.customer.name, "email": order.customer.email},
    }


_Cents = Annotated[int, Field(strict=True, ge=0)]
_Id = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=128)]


class WrittenBackLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    line_id: _Id
    quantity: Annotated[int, Field(strict=True, ge=1)]
    amount: _Cents


class RefundWriteBackIn(BaseModel):
    """The body of ``POST /orders/{id}/refunds``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    refund_id: _Id
    lines: list[WrittenBackLine]
    shipping_amount: _Cents
    total_amount: _Cents
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    kind: Literal["gateway", "settlement"]
    settlement_type: _Id | None = None
    restock: Annotated[bool, Field(strict=True)]
    gateway_refund_id: _Id | None = None


@dataclass
class RefundLedger:
    """The refunds written back, per order, in the order they came: the simulator's memory
    of what was refunded (process memory, like the rest of the simulator)."""

    bodies: dict[str, dict[str, RefundWriteBackIn]] = field(default_factory=dict)
    answers: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)

    def get(
        self, order_id: str, refund_id: str
    ) -> tuple[RefundWriteBackIn, dict[str, object]] | None:
        body = self.bodies.get(order_id, {}).get(refund_id)
        if body is None:
            return None
        return body, self.answers[order_id][refund_id]

    def record(self, order_id: str, body: RefundWriteBackIn, answer: dict[str, object]) -> None:
        self.bodies.setdefault(order_id, {})[body.refund_id] = body
        self.answers.setdefault(order_id, {})[body.refund_id] = answer

    def withdraw(self, order_id: str, refund_id: str) -> None:
        self.bodies.get(order_id, {}).pop(refund_id, None)
        self.answers.get(order_id, {}).pop(refund_id, None)

    def refunded(self, order_id: str, line_id: str) -> int:
        return sum(
            line.quantity
            for body in self.bodies.get(order_id, {}).values()
            for line in body.lines
            if line.line_id == line_id
        )

    def restocked(self, order_id: str, line_id: str) -> int:
        return sum(
            line.quantity
            for body in self.bodies.get(order_id, {}).values()
            if body.restock
            for line in body.lines
            if line.line_id == line_id
        )

    def answers_of(self, order_id: str) -> list[dict[str, object]]:
        return list(self.answers.get(order_id, {}).values())

    def clear(self) -> None:
        self.bodies.clear()
        self.answers.clear()


class ShipmentRequest(BaseModel):
    """Where an order's goods are, set by a test: not shipped (``shipped_at`` null), shipped,
    or delivered (``delivered_at``); ``cancelled`` for an order the shop cancelled."""

    model_config = ConfigDict(extra="forbid")

    shipped_at: AwareDatetime | None
    delivered_at: AwareDatetime | None = None
    cancelled: bool = False

    @model_validator(mode="after")
    def _in_order(self) -> ShipmentRequest:
        if self.delivered_at is not None:
            if self.shipped_at is None or self.delivered_at < self.shipped_at:
                raise ValueError("an order is delivered after it shipped")
            if self.cancelled:
                raise ValueError("a delivered order is not cancelled")
        return self

    def applied_to(self, order: Order) -> Order:
        if self.cancelled:
            status = OrderStatus.CANCELLED
        elif self.delivered_at is not None:
            status = OrderStatus.DELIVERED
        else:
            status = OrderStatus.SHIPPED if self.shipped_at else OrderStatus.PLACED
        return replace(
            order, status=status, shipped_at=self.shipped_at, delivered_at=self.delivered_at
        )


class OrderFault(StrEnum):
    SERVER_ERROR = "server_error"  # 503, nothing else
    GARBAGE = "garbage"  # 200 with a body that is not an order
    SLOW = "slow"  # answers after delay_seconds
    DROP = "drop"  # the connection closes without a complete answer


class OrderFaultRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: OrderFault
    times: int = Field(1, ge=1, le=1000)
    delay_seconds: float = Field(1.0, ge=0, le=600)


@dataclass
class OrderFaults:
    """Faults for the next calls to the order endpoints, consumed one per call."""

    pending: list[OrderFaultRequest] = field(default_factory=list)
    calls: int = 0  # order-endpoint calls answered, faulty or not: tests count retries

    def inject(self, mode: OrderFault | str, times: int = 1, delay_seconds: float = 1.0) -> None:
        self.pending.append(
            OrderFaultRequest(mode=OrderFault(mode), times=times, delay_seconds=delay_seconds)
        )

    def take(self) -> OrderFaultRequest | None:
        if not self.pending:
            return None
        fault = self.pending[0]
        fault.times -= 1
        if fault.times == 0:
            self.pending.pop(0)
        return fault

    def reset(self) -> None:
        self.pending.clear()
        self.calls = 0


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised after the answer has started so the server has to cut the connection.

    An httpx error on purpose: over ``ASGITransport`` the exception reaches the client
    as it is, and there it should look like the drop a real socket gives.
    """


def dropped_response() -> Response:
    """An answer that never completes: the client sees the connection drop.

    ASGI has no "close the socket" message. Starting a streamed answer and then
    failing makes uvicorn cut the connection (it cannot send a 500 any more), and
    makes ``httpx.ASGITransport`` raise, which is as close to a drop as ASGI gets.
    """

    async def body() -> AsyncIterator[bytes]:
        raise ConnectionDropped("the simulator dropped the connection on purpose")
        yield b""  # pragma: no cover - makes this an async generator

    return StreamingResponse(body(), media_type="application/json")


def create_order_simulator(now: datetime | None = None, api_key: str | None = None) -> FastAPI:
    """The order system's API over the demo orders, dated relative to ``now``.

    ``app.state.faults`` is the ``OrderFaults`` the tests drive from Python;
    ``app.state.ledger`` the ``RefundLedger`` of the refunds written back. With
    ``api_key``, every order call must carry it as ``Authorization: Bearer …`` (401 else).
    """
    started = now or datetime.now(UTC)
    demo = {order.id: order for order in demo_orders(started)}
    orders = dict(demo)
    faults = OrderFaults()
    ledger = RefundLedger()
    app = FastAPI(title="Order system simulator", version="1.0.0", docs_url="/docs")
    app.state.faults = faults
    app.state.ledger = ledger

    async def authorised(authorization: Annotated[str | None, Header()] = None) -> None:
        if api_key is None:
            return
        scheme, _, given = (authorization or "").partition(" ")
        # Compared in constant time, so the answer's timing tells nothing of the key.
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), api_key.encode()
        ):
            raise HTTPException(
                status_code=401,
                detail="a valid API key is required (Authorization: Bearer …)",
                headers={"WWW-Authenticate": "Bearer"},
            )

    order_call = [Depends(authorised)]

    async def misbehave() -> Response | None:
        faults.calls += 1
        fault = faults.take()
        if fault is None:
            return None
        if fault.mode is OrderFault.SLOW:
            await asyncio.sleep(fault.delay_seconds)
            return None
        if fault.mode is OrderFault.SERVER_ERROR:
            return JSONResponse({"detail": "order system unavailable"}, status_code=503)
        if fault.mode is OrderFault.GARBAGE:
            return Response(b"<html>maintenance</html>", media_type="text/html")
        return dropped_response()

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/orders/{order_id}", response_model=None, dependencies=order_call)
    async def get_order(order_id: str) -> Response | dict[str, object]:
        if (failure := await misbehave()) is not None:
            return failure
        order = orders.get(order_id)
        if order is None:
            raise HTTPException(status_code=404, detail=f"order {order_id} not found")
        return order_to_json(order, ledger)

    @app.get("/orders", response_model=None, dependencies=order_call)
    async def orders_of_customer(
        customer_id: Annotated[str, Query(min_length=1)],
    ) -> Response | dict[str, object]:
        if (failure := await misbehave()) is not None:
            return failure
        found = [order_to_json(o, ledger) for o in orders.values() if o.customer_id == customer_id]
        return {"items": found}

    @app.post("/orders/{order_id}/refunds", response_model=None, dependencies=order_call)
    async def record_refund(order_id: str, body: RefundWriteBackIn) -> Response:
        """Idempotent by ``refund_id``: the same body again answers the first answer (200)
        and changes nothing; another body under a known ``refund_id`` is 409."""
        if (failure := await misbehave()) is not None:
            return failure
        order = orders.get(order_id)
        if order is None:
            raise HTTPException(status_code=404, detail=f"order {order_id} not found")
        known = ledger.get(order_id, body.refund_id)
        if known is not None:
            first, first_answer = known
            if first != body:
                raise HTTPException(
                    status_code=409,
                    detail=f"refund {body.refund_id} was recorded with another body",
                )
            return JSONResponse(first_answer, status_code=200)
        problem = _refusal(order, body, ledger)
        if problem is not None:
            raise HTTPException(status_code=422, detail=problem)
        answer: dict[str, object] = {
            "refund_id": body.refund_id,
            "order_id": order_id,
            "recorded_at": datetime.now(UTC).isoformat(),
            **body.model_dump(exclude={"refund_id"}),
        }
        ledger.record(order_id, body, answer)
        return JSONResponse(answer, status_code=201)

    @app.delete("/orders/{order_id}/refunds/{refund_id}", status_code=204, dependencies=order_call)
    async def withdraw_refund(order_id: str, refund_id: str) -> Response:
        """The refund did not happen after all: forgotten, its units no longer refunded.
        Idempotent: a refund not held is forgotten already (204 too)."""
        if (failure := await misbehave()) is not None:
            return failure
        if order_id not in orders:
            raise HTTPException(status_code=404, detail=f"order {order_id} not found")
        ledger.withdraw(order_id, refund_id)
        return Response(status_code=204)

    @app.post("/_sandbox/faults", status_code=201)
    async def inject_fault(fault: OrderFaultRequest) -> OrderFaultRequest:
        faults.pending.append(fault)
        return fault

    @app.post("/_sandbox/orders/{order_id}/shipment")
    async def set_shipment(order_id: str, shipment: ShipmentRequest) -> dict[str, object]:
        """Move an order's goods on (or back): a parcel shipped twelve days ago, without
        waiting twelve days. Supportdesk may see the change only after its order cache's
        TTL."""
        order = orders.get(order_id)
        if order is None:
            raise HTTPException(status_code=404, detail=f"order {order_id} not found")
        orders[order_id] = shipment.applied_to(order)
        return order_to_json(orders[order_id], ledger)

    @app.post("/_sandbox/reset", status_code=204)
    async def reset() -> Response:
        faults.reset()
        ledger.clear()
        orders.clear()
        orders.update(demo)
        return Response(status_code=204)

    return app


def _refusal(order: Order, body: RefundWriteBackIn, ledger: RefundLedger) -> str | None:
    """Why the order cannot take this refund, or None: its currency, its lines, and never
    more units back than were bought."""
    if body.currency != order.currency:
        return f"the order is in {order.currency}, the refund in {body.currency}"
    seen: set[str] = set()
    for item in body.lines:
        line = order.line(item.line_id)
        if line is None:
            return f"order {order.id} has no line {item.line_id}"
        if item.line_id in seen:
            return f"line {item.line_id} is named twice"
        seen.add(item.line_id)
        left = line.quantity - ledger.refunded(order.id, line.line_id)
        if item.quantity > left:
            return f"line {line.line_id} has {left} unit(s) left to refund, not {item.quantity}"
    return None
