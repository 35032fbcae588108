"""A stand-in for the shop's order system, serving the demo orders (``devdata.demo``).

It speaks the contract of ``docs/order-system.md`` so the real ``HttpOrderSystem``
adapter is what talks to it, in-process or over the network. Dates are relative to
the moment the simulator is created, so the 14-day window always looks the same.
It can also be told to misbehave (``/_sandbox/faults``) so tests can prove how the
adapter copes with an order system that is down, slow or talks nonsense.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

import httpx
from fastapi import FastAPI, HTTPException, Query, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from supportdesk.devdata.demo import demo_orders
from supportdesk.domain.orders import Order


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


def order_to_json(order: Order) -> dict[str, object]:
    """The wire shape of ``docs/order-system.openapi.yaml``."""

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
        "lines": [line.fields() for line in order.lines],
        "shipping": {"amount": order.shipping.amount, "tax": order.shipping.tax},
        "customer": None
        if order.customer is None
        else {"id": order.customer.id, "name": order.customer.name, "email": order.customer.email},
    }


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


def create_order_simulator(now: datetime | None = None) -> FastAPI:
    """The order system's API over the demo orders, dated relative to ``now``.

    ``app.state.faults`` is the ``OrderFaults`` the tests drive from Python.
    """
    started = now or datetime.now(UTC)
    orders = {order.id: order for order in demo_orders(started)}
    faults = OrderFaults()
    app = FastAPI(title="Order system simulator", version="1.0.0", docs_url="/docs")
    app.state.faults = faults

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

    @app.get("/orders/{order_id}", response_model=None)
    async def get_order(order_id: str) -> Response | dict[str, object]:
        if (failure := await misbehave()) is not None:
            return failure
        order = orders.get(order_id)
        if order is None:
            raise HTTPException(status_code=404, detail=f"order {order_id} not found")
        return order_to_json(order)

    @app.get("/orders", response_model=None)
    async def orders_of_customer(
        customer_id: Annotated[str, Query(min_length=1)],
    ) -> Response | dict[str, object]:
        if (failure := await misbehave()) is not None:
            return failure
        found = [order_to_json(o) for o in orders.values() if o.customer_id == customer_id]
        return {"items": found}

    @app.post("/_sandbox/faults", status_code=201)
    async def inject_fault(fault: OrderFaultRequest) -> OrderFaultRequest:
        faults.pending.append(fault)
        return fault

    @app.post("/_sandbox/reset", status_code=204)
    async def reset() -> Response:
        faults.reset()
        return Response(status_code=204)

    return app
