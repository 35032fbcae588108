"""Builds the order-system and payment-gateway adapters from the settings.

Without ``ORDER_SYSTEM_URL`` / ``PAYMENT_GATEWAY_URL`` the simulators run inside this
process and are reached through ``httpx.ASGITransport``, so the embedded setup goes
through the very same adapters (parsing, timeouts, error mapping) as production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import httpx
from fastapi import FastAPI

from supportdesk.application.ports import (
    CacheBackend,
    OrderSystem,
    OrderWriteBack,
    PaymentGateway,
)
from supportdesk.infrastructure.gateway import StripeGateway
from supportdesk.infrastructure.orders import HttpOrderSystem
from supportdesk.infrastructure.settings import Settings
from supportdesk.infrastructure.simulators.gateway import GatewaySandbox
from supportdesk.infrastructure.simulators.orders import create_order_simulator

ORDER_SIMULATOR_BASE_URL = "http://order-system.internal"
GATEWAY_SANDBOX_BASE_URL = "http://payment-gateway.internal"


@dataclass
class Integrations:
    """The adapters, plus the embedded simulators when there are any (for ``/sim``)."""

    order_system: OrderSystem
    # The same adapter as order_system: the one connection to the shop's order system.
    order_write_back: OrderWriteBack
    gateway: PaymentGateway
    order_simulator_app: FastAPI | None
    gateway_sandbox: GatewaySandbox | None
    _clients: tuple[httpx.AsyncClient, ...]

    @property
    def gateway_app(self) -> FastAPI | None:
        return None if self.gateway_sandbox is None else self.gateway_sandbox.app

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()


def _timeout(seconds: float) -> httpx.Timeout:
    # Connecting should be quick everywhere; the read gets the configured budget.
    return httpx.Timeout(seconds, connect=min(seconds, 2.0))


def build_integrations(
    settings: Settings, cache: CacheBackend, *, now: datetime | None = None
) -> Integrations:
    """The adapters for ``settings``; ``now`` dates the embedded demo orders (tests)."""
    order_simulator_app: FastAPI | None = None
    api_key = (
        None
        if settings.order_system_api_key is None
        else settings.order_system_api_key.get_secret_value()
    )
    # The key goes on every call (reads too); httpx never logs headers, and our log masking
    # would hide a "Bearer …" that reached a log line anyway.
    order_headers = {"Accept": "application/json"}
    if api_key is not None:
        order_headers["Authorization"] = f"Bearer {api_key}"
    if settings.order_system_url is None:
        order_simulator_app = create_order_simulator(now, api_key=api_key)
        orders_client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=order_simulator_app),
            base_url=ORDER_SIMULATOR_BASE_URL,
            timeout=_timeout(settings.order_system_timeout_seconds),
            headers=order_headers,
        )
    else:
        orders_client = httpx.AsyncClient(
            base_url=settings.order_system_url,
            timeout=_timeout(settings.order_system_timeout_seconds),
            headers=order_headers,
        )

    gateway_sandbox: GatewaySandbox | None = None
    if settings.payment_gateway_url is None:
        gateway_sandbox = GatewaySandbox()
        gateway_client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway_sandbox.app),
            base_url=GATEWAY_SANDBOX_BASE_URL,
            timeout=_timeout(settings.payment_gateway_timeout_seconds),
        )
    else:
        gateway_client = httpx.AsyncClient(
            base_url=settings.payment_gateway_url,
            timeout=_timeout(settings.payment_gateway_timeout_seconds),
        )

    order_system = HttpOrderSystem(
        orders_client,
        cache,
        settings.order_cache_ttl_seconds,
        timeout_seconds=settings.order_system_timeout_seconds,
    )
    return Integrations(
        order_system=order_system,
        order_write_back=order_system,
        gateway=StripeGateway(
            gateway_client,
            settings.payment_gateway_api_key.get_secret_value(),
            settings.payment_gateway_timeout_seconds,
        ),
        order_simulator_app=order_simulator_app,
        gateway_sandbox=gateway_sandbox,
        _clients=(orders_client, gateway_client),
    )
