"""The shop's order system over HTTP (``docs/order-system.md``), as the ``OrderSystem`` port.

Orders are read-only for us and read on almost every request, so the adapter is built
to keep going when the order system is not: short timeouts, a few retries with
backoff and jitter (safe: these are idempotent reads), a circuit breaker so a dead
upstream costs one fast failure instead of a pile of waiting requests, and a short
cache. Anything it cannot turn into a valid order is ``OrderSystemUnavailable``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Annotated, Literal, NoReturn
from urllib.parse import quote

import httpx
import structlog
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from supportdesk.application.ports import (
    CacheBackend,
    OrderSystemUnavailable,
    WriteBackConflict,
    WriteBackRefused,
    WriteBackUnknown,
)
from supportdesk.domain.orders import Customer, Order, OrderLine, OrderStatus, Shipping
from supportdesk.domain.refunds import RefundWriteBack

log = structlog.get_logger(__name__)

_CACHE_PREFIX = "orders:v1:"


class CircuitBreaker:
    """Fails fast after ``failure_threshold`` failures in a row, for ``reset_after_seconds``.

    Then one trial call is let through (half-open): its success closes the circuit,
    its failure opens it again. No await inside, so on one event loop it needs no lock.
    Small on purpose: the async breaker libraries on PyPI are thin or unmaintained.
    """

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_after_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_after_seconds = reset_after_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_started_at: float | None = None

    @property
    def state(self) -> Literal["closed", "open", "half_open"]:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.reset_after_seconds:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        """Whether a call may go out now; in half-open, only the first caller's may.

        A trial that never reported back (its caller was cancelled) stops blocking
        after another cool-down, so the circuit cannot stay shut for good.
        """
        state = self.state
        if state == "closed":
            return True
        now = self._clock()
        trial_lost = (
            self._trial_started_at is not None
            and now - self._trial_started_at >= self.reset_after_seconds
        )
        if state == "half_open" and (self._trial_started_at is None or trial_lost):
            self._trial_started_at = now
            return True
        return False

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_started_at = None

    def record_failure(self) -> None:
        self._failures += 1
        self._trial_started_at = None
        if self._opened_at is not None or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()


# The wire format, validated strictly: wrong types, negative money or naive timestamps
# mean the upstream is broken, and a wrong refund is worse than no answer.
_Cents = Annotated[int, Field(strict=True, ge=0)]
_Text = Annotated[str, StringConstraints(strict=True, min_length=1)]


class _WireModel(BaseModel):
    # Unknown fields are ignored so the order system may add some without breaking us.
    model_config = ConfigDict(extra="ignore", frozen=True)


class _LineWire(_WireModel):
    line_id: _Text
    sku: _Text
    name: _Text
    quantity: Annotated[int, Field(strict=True, ge=1)]
    unit_price: _Cents
    discount: _Cents
    tax: _Cents
    category: _Text | None = None


class _ShippingWire(_WireModel):
    amount: _Cents
    tax: _Cents


class _CustomerWire(_WireModel):
    id: _Text
    name: _Text
    email: _Text


class _OrderWire(_WireModel):
    id: _Text
    customer_id: _Text
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    status: OrderStatus
    placed_at: AwareDatetime
    shipped_at: AwareDatetime | None
    delivered_at: AwareDatetime | None
    payment_reference: _Text
    lines: list[_LineWire] = Field(min_length=1)
    shipping: _ShippingWire
    customer: _CustomerWire | None = None

    @model_validator(mode="after")
    def _consistent(self) -> _OrderWire:
        if len({line.line_id for line in self.lines}) != len(self.lines):
            raise ValueError("line ids repeat")
        if any(line.quantity * line.unit_price < line.discount for line in self.lines):
            raise ValueError("a line's discount exceeds its price")
        if (self.status is OrderStatus.DELIVERED) != (self.delivered_at is not None):
            raise ValueError("delivered_at must be set exactly when the status is delivered")
        # The refund window of an undelivered order rests on shipped_at (not shipped: a
        # cancellation; shipped long ago: lost in transit), so the two must agree.
        if self.status is OrderStatus.SHIPPED and self.shipped_at is None:
            raise ValueError("a shipped order must say when it shipped")
        if self.status is OrderStatus.PLACED and self.shipped_at is not None:
            raise ValueError("an order that is only placed cannot have shipped")
        if self.customer is not None and self.customer.id != self.customer_id:
            raise ValueError("the order's customer is not the one customer_id names")
        return self

    def to_domain(self) -> Order:
        return Order(
            id=self.id,
            customer_id=self.customer_id,
            currency=self.currency,
            status=self.status,
            placed_at=self.placed_at,
            shipped_at=self.shipped_at,
            delivered_at=self.delivered_at,
            payment_reference=self.payment_reference,
            lines=tuple(OrderLine.from_fields(line.model_dump()) for line in self.lines),
            shipping=Shipping(amount=self.shipping.amount, tax=self.shipping.tax),
            customer=None
            if self.customer is None
            else Customer(id=self.customer.id, name=self.customer.name, email=self.customer.email),
        )


class _OrderListWire(_WireModel):
    items: list[_OrderWire]


class _Transient(Exception):
    """A failure worth another try: no answer, a timeout, a 5xx or a 429."""


# Cached orders kept parsed (``HttpOrderSystem._cached_order``): a few KB each.
_MOST_PARSED = 256


class HttpOrderSystem:
    """``OrderSystem`` over the order system's HTTP API.

    ``client`` carries the base URL and connect/read timeouts; ``timeout_seconds`` also
    bounds each attempt as a whole (``ASGITransport`` ignores httpx's timeouts).
    ``cache_ttl_seconds=0`` turns caching off. Only found orders are cached: an order
    placed a moment ago must not stay "not found" for the TTL.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        cache: CacheBackend,
        cache_ttl_seconds: int,
        *,
        timeout_seconds: float = 3.0,
        attempts: int = 3,
        backoff_initial_seconds: float = 0.1,
        backoff_max_seconds: float = 1.0,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self._client = client
        self._cache = cache
        self._cache_ttl = cache_ttl_seconds
        self._timeout = timeout_seconds
        self._attempts = attempts
        self._backoff_initial = backoff_initial_seconds
        self._backoff_max = backoff_max_seconds
        self.breaker = breaker or CircuitBreaker()
        # The cached copies' orders, by the copy's text: the same text is the same order, and
        # an order is immutable. Parsing a cached copy was a twenty-fifth of opening a case.
        self._parsed: dict[str, Order] = {}

    async def get_order(self, order_id: str) -> Order | None:
        key = f"{_CACHE_PREFIX}order:{order_id}"
        cached = await self._cache_get(key)
        if cached is not None:
            return self._cached_order(cached)
        response = await self._fetch(f"/orders/{quote(order_id, safe='')}")
        if response.status_code == 404:
            return None
        order = self._parse_order(response.content)
        if order.id != order_id:
            raise OrderSystemUnavailable(f"the order system answered {order.id} for {order_id}")
        await self._cache_set(key, response.content)
        return order

    async def orders_of_customer(self, customer_id: str) -> list[Order]:
        key = f"{_CACHE_PREFIX}customer:{customer_id}"
        cached = await self._cache_get(key)
        if cached is not None:
            return self._parse_orders(cached.encode())
        response = await self._fetch("/orders", params={"customer_id": customer_id})
        if response.status_code == 404:
            return []
        orders = self._parse_orders(response.content)
        if any(order.customer_id != customer_id for order in orders):
            # Showing one customer another's orders is the one mistake we must not make.
            raise OrderSystemUnavailable("the order system answered orders of another customer")
        await self._cache_set(key, response.content)
        return orders

    async def write_back_refund(self, write_back: RefundWriteBack) -> None:
        """``POST /orders/{id}/refunds``, one try (the outbox retries, with its back-off).

        2xx: recorded (a repeat of the same ``refund_id`` answers the first answer). No
        answer, a timeout, a 5xx, a 429 or a 409 (the order system's "a request with this
        refund_id is still running", or another body under it) is ``WriteBackUnknown``:
        only trying again can tell. Other 4xx are ``WriteBackRefused``. The breaker and the
        cache are the reads' and stay untouched; the order's cached copy is dropped, so
        its refunded quantities show at once."""
        path = f"/orders/{quote(write_back.order_id, safe='')}/refunds"
        await self._write("POST", path, write_back.order_id, json=write_back_json(write_back))
        log.info(
            "refund_written_back", order_id=write_back.order_id, refund_id=write_back.refund_id
        )

    async def withdraw_refund(self, order_id: str, refund_id: str) -> None:
        """``DELETE /orders/{id}/refunds/{refund_id}``, one try; 2xx (204 whether or not it
        held the refund) is done. The answers mean what they mean for the write-back."""
        path = f"/orders/{quote(order_id, safe='')}/refunds/{quote(refund_id, safe='')}"
        await self._write("DELETE", path, order_id)
        log.info("refund_withdrawn", order_id=order_id, refund_id=refund_id)

    async def _write(
        self, method: str, path: str, order_id: str, json: dict[str, object] | None = None
    ) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._client.request(method, path, json=json)
        except (httpx.TransportError, TimeoutError) as exc:
            raise WriteBackUnknown(
                f"no answer from the order system: {type(exc).__name__}"
            ) from exc
        status = response.status_code
        if status == 409:
            raise WriteBackConflict(f"the order system answered 409: {_excerpt(response)}")
        if status >= 500 or status == 429:
            raise WriteBackUnknown(f"the order system answered {status}: {_excerpt(response)}")
        if status >= 400:
            raise WriteBackRefused(f"the order system refused with {status}: {_excerpt(response)}")
        if status >= 300:
            raise WriteBackUnknown(f"the order system answered {status}")
        await self._cache_forget(f"{_CACHE_PREFIX}order:{order_id}")

    async def ping(self) -> bool:
        """One quick call, no retries, breaker untouched: readiness reports, not heals."""
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._client.get("/health")
        except (httpx.HTTPError, TimeoutError):
            return False
        return response.status_code == 200

    async def _fetch(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        """GET with retries; a 200 or a 404, else ``OrderSystemUnavailable``."""
        if not self.breaker.allow():
            raise OrderSystemUnavailable("the order system is failing; not calling it for now")
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential_jitter(
                multiplier=self._backoff_initial,
                max=self._backoff_max,
                jitter=self._backoff_initial,
            ),
            retry=retry_if_exception_type(_Transient),
            reraise=True,
        )
        try:
            response: httpx.Response = await retrying(self._attempt, path, params)
        except _Transient as exc:
            self.breaker.record_failure()
            log.warning("order_system_unavailable", path=path, error=str(exc))
            raise OrderSystemUnavailable("the order system did not answer") from exc
        if response.status_code not in (200, 404):
            self.breaker.record_success()  # it answered: up, just unhappy with us
            log.warning("order_system_refused", path=path, status=response.status_code)
            raise OrderSystemUnavailable(f"the order system answered {response.status_code}")
        self.breaker.record_success()
        return response

    async def _attempt(self, path: str, params: dict[str, str] | None) -> httpx.Response:
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._client.get(path, params=params)
        except (httpx.TransportError, TimeoutError) as exc:
            raise _Transient(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise _Transient(f"status {response.status_code}")
        return response

    def _cached_order(self, cached: str) -> Order:
        order = self._parsed.get(cached)
        if order is None:
            order = self._parse_order(cached.encode())
            if len(self._parsed) >= _MOST_PARSED:
                self._parsed.clear()
            self._parsed[cached] = order
        return order

    def _parse_order(self, content: bytes) -> Order:
        try:
            return _OrderWire.model_validate_json(content).to_domain()
        except ValidationError as exc:
            self._garbage(exc)

    def _parse_orders(self, content: bytes) -> list[Order]:
        try:
            return [wire.to_domain() for wire in _OrderListWire.model_validate_json(content).items]
        except ValidationError as exc:
            self._garbage(exc)

    def _garbage(self, exc: ValidationError) -> NoReturn:
        # Garbage counts against the breaker: a system that talks nonsense is down.
        self.breaker.record_failure()
        log.warning("order_system_garbage", errors=exc.error_count(), first=str(exc)[:300])
        raise OrderSystemUnavailable("the order system answered something that is not an order")

    async def _cache_get(self, key: str) -> str | None:
        if self._cache_ttl <= 0:
            return None
        try:
            return await self._cache.get(key)
        except Exception as exc:  # the cache is a shortcut; the order system is the truth
            log.warning("order_cache_unavailable", error=str(exc))
            return None

    async def _cache_forget(self, key: str) -> None:
        if self._cache_ttl <= 0:
            return
        try:
            await self._cache.delete(key)
        except Exception as exc:  # see _cache_get: the copy ends with its TTL anyway
            log.warning("order_cache_unavailable", error=str(exc))

    async def _cache_set(self, key: str, content: bytes) -> None:
        if self._cache_ttl <= 0:
            return
        try:
            await self._cache.set(key, content.decode(), ttl_seconds=self._cache_ttl)
        except Exception as exc:  # see _cache_get
            log.warning("order_cache_unavailable", error=str(exc))


def write_back_json(write_back: RefundWriteBack) -> dict[str, object]:
    """The body of ``POST /orders/{id}/refunds`` (docs/order-system.openapi.yaml)."""
    return {
        "refund_id": write_back.refund_id,
        "lines": [
            {"line_id": line.line_id, "quantity": line.quantity, "amount": line.amount}
            for line in write_back.lines
        ],
        "shipping_amount": write_back.shipping_amount,
        "total_amount": write_back.total_amount,
        "currency": write_back.currency,
        "kind": write_back.kind.value,
        "settlement_type": write_back.settlement_type,
        "restock": write_back.restock,
        "gateway_refund_id": write_back.gateway_refund_id,
    }


def _excerpt(response: httpx.Response) -> str:
    # Enough of the body to tell an admin why (last_error); never our request's headers.
    return response.text[:200]
