"""``supportdesk simulate``: run the order simulator or the gateway sandbox on their own.

For running the app against them over real HTTP, the way it would talk to the shop's
order system and to Stripe (``ORDER_SYSTEM_URL`` / ``PAYMENT_GATEWAY_URL``).
"""

from __future__ import annotations

import os
from typing import Annotated

import httpx
import typer
import uvicorn

from supportdesk.infrastructure.simulators.gateway import GatewaySandbox
from supportdesk.infrastructure.simulators.gateway_events import EventSender
from supportdesk.infrastructure.simulators.orders import create_order_simulator

simulate_app = typer.Typer(
    help="Run the order-system simulator or the payment-gateway sandbox on 127.0.0.1.",
    no_args_is_help=True,
)

PortOption = Annotated[int, typer.Option("--port", "-p", min=1, max=65535, help="TCP port")]


@simulate_app.command()
def orders(port: PortOption = 8100) -> None:
    """Serve the demo orders (dated from now) as the shop's order system would. With
    ORDER_SYSTEM_API_KEY set, every order call must carry it as a bearer token."""
    api_key = os.environ.get("ORDER_SYSTEM_API_KEY") or None
    uvicorn.run(create_order_simulator(api_key=api_key), host="127.0.0.1", port=port)


@simulate_app.command()
def gateway(
    port: PortOption = 8200,
    events_url: Annotated[
        str | None,
        typer.Option(help="Send signed Stripe events (refund.updated, …) to this URL"),
    ] = None,
    events_secret: Annotated[
        str,
        typer.Option(help="The whsec_ secret the events are signed with"),
    ] = "whsec_sandbox",
) -> None:
    """Serve a Stripe-like refunds sandbox that knows the demo orders' payments."""
    sandbox = GatewaySandbox()
    if events_url is not None:
        client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=2.0))
        sandbox.send_events(EventSender(events_url, events_secret, client))
    uvicorn.run(sandbox.app, host="127.0.0.1", port=port)
