"""HttpOrderSystem against the order simulator, in-process (ASGI) and over real HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from supportdesk.application.ports import OrderSystemUnavailable
from supportdesk.devdata.demo import demo_orders
from supportdesk.domain.orders import Customer, OrderStatus
from supportdesk.infrastructure.cache import MemoryCache
from supportdesk.infrastructure.orders import CircuitBreaker, HttpOrderSystem
from supportdesk.infrastructure.simulators.orders import (
    OrderFaults,
    create_order_simulator,
    order_to_json,
)
from tests.integration._loopback import serve_on_loopback, unused_port

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Upstream:
    app: FastAPI
    client: httpx.AsyncClient

    @property
    def faults(self) -> OrderFaults:
        faults: OrderFaults = self.app.state.faults
        return faults

    def adapter(
        self,
        *,
        cache_ttl_seconds: int = 0,
        cache: MemoryCache | None = None,
        breaker: CircuitBreaker | None = None,
        timeout_seconds: float = 0.5,
        attempts: int = 3,
    ) -> HttpOrderSystem:
        return HttpOrderSystem(
            self.client,
            cache or MemoryCache(),
            cache_ttl_seconds,
            timeout_seconds=timeout_seconds,
            attempts=attempts,
            backoff_initial_seconds=0.001,
            backoff_max_seconds=0.01,
            breaker=breaker,
        )


@pytest.fixture(params=["asgi", "http"])
async def upstream(request: pytest.FixtureRequest) -> AsyncIterator[Upstream]:
    app = create_order_simulator(now=NOW)
    if request.param == "asgi":
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://orders") as client:
            yield Upstream(app, client)
        return
    async with (
        serve_on_loopback(app) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(1.0)) as client,
    ):
        yield Upstream(app, client)


class TestReadingOrders:
    async def test_an_order_is_mapped_to_the_domain_with_every_field(
        self, upstream: Upstream
    ) -> None:
        order = await upstream.adapter().get_order("ORD-1001")

        assert order is not None
        assert (order.id, order.customer_id, order.currency) == ("ORD-1001", "CUST-1001", "EUR")
        assert order.status is OrderStatus.DELIVERED
        assert order.delivered_at == NOW - timedelta(days=3)
        assert order.payment_reference.startswith("pi_")
        assert [(line.line_id, line.gross) for line in order.lines] == [
            ("L1", 10709),
            ("L2", 3209),
        ]
        assert (order.shipping.amount, order.shipping.tax) == (499, 95)

    async def test_the_order_names_its_customer(self, upstream: Upstream) -> None:
        order = await upstream.adapter().get_order("ORD-3001")

        assert order is not None
        assert order.customer == Customer("CUST-3001", "Dave Okafor", "dave@example.com")

    async def test_an_unknown_order_is_none(self, upstream: Upstream) -> None:
        assert await upstream.adapter().get_order("ORD-9999") is None

    async def test_an_order_id_with_a_slash_cannot_reach_another_path(
        self, upstream: Upstream
    ) -> None:
        assert await upstream.adapter().get_order("../orders?customer_id=CUST-1001") is None

    async def test_a_customers_orders_are_all_theirs(self, upstream: Upstream) -> None:
        adapter = upstream.adapter()

        alice = await adapter.orders_of_customer("CUST-1001")
        nobody = await adapter.orders_of_customer("CUST-0000")

        assert [o.id for o in alice] == [
            "ORD-1001", "ORD-1002", "ORD-1003", "ORD-1004", "ORD-1005", "ORD-1006",
        ]  # fmt: skip
        assert nobody == []

    async def test_ping_is_true_while_the_order_system_answers(self, upstream: Upstream) -> None:
        assert await upstream.adapter().ping() is True


class TestRetries:
    async def test_a_failing_read_is_retried_until_it_succeeds(self, upstream: Upstream) -> None:
        upstream.faults.inject("server_error", times=2)

        order = await upstream.adapter(attempts=3).get_order("ORD-1002")

        assert order is not None
        assert upstream.faults.calls == 3

    async def test_a_dropped_connection_is_retried(self, upstream: Upstream) -> None:
        upstream.faults.inject("drop")

        assert await upstream.adapter().get_order("ORD-1002") is not None
        assert upstream.faults.calls == 2

    async def test_after_the_last_attempt_the_order_system_is_unavailable(
        self, upstream: Upstream
    ) -> None:
        upstream.faults.inject("server_error", times=3)

        with pytest.raises(OrderSystemUnavailable):
            await upstream.adapter(attempts=3).orders_of_customer("CUST-1001")
        assert upstream.faults.calls == 3

    async def test_a_slow_answer_times_out_and_is_retried(self, upstream: Upstream) -> None:
        upstream.faults.inject("slow", times=1, delay_seconds=0.5)

        order = await upstream.adapter(timeout_seconds=0.1).get_order("ORD-1002")

        assert order is not None
        assert upstream.faults.calls == 2

    async def test_an_answer_that_never_comes_in_time_is_unavailable(
        self, upstream: Upstream
    ) -> None:
        upstream.faults.inject("slow", times=2, delay_seconds=0.4)

        with pytest.raises(OrderSystemUnavailable):
            await upstream.adapter(timeout_seconds=0.1, attempts=2).get_order("ORD-1002")

    async def test_garbage_is_not_retried_and_is_unavailable(self, upstream: Upstream) -> None:
        upstream.faults.inject("garbage", times=5)

        with pytest.raises(OrderSystemUnavailable):
            await upstream.adapter().get_order("ORD-1001")
        assert upstream.faults.calls == 1


class TestCircuitBreaker:
    async def test_after_repeated_failures_calls_fail_fast_until_the_cool_down_ends(
        self, upstream: Upstream
    ) -> None:
        clock = FakeClock()
        breaker = CircuitBreaker(failure_threshold=2, reset_after_seconds=10, clock=clock)
        adapter = upstream.adapter(breaker=breaker, attempts=1)
        upstream.faults.inject("server_error", times=2)

        for _ in range(2):
            with pytest.raises(OrderSystemUnavailable):
                await adapter.get_order("ORD-1001")
        with pytest.raises(OrderSystemUnavailable, match="not calling"):
            await adapter.get_order("ORD-1001")
        assert upstream.faults.calls == 2  # the third call never left
        assert breaker.state == "open"

        clock.now += 10
        assert await adapter.get_order("ORD-1001") is not None
        assert breaker.state == "closed"

    async def test_a_failed_trial_call_opens_the_circuit_again(self) -> None:
        clock = FakeClock()
        breaker = CircuitBreaker(failure_threshold=1, reset_after_seconds=5, clock=clock)
        breaker.record_failure()
        clock.now += 5

        assert breaker.allow() is True
        assert breaker.allow() is False  # only one trial at a time
        breaker.record_failure()
        assert breaker.state == "open"

    async def test_a_trial_call_that_never_reports_back_stops_blocking(self) -> None:
        clock = FakeClock()
        breaker = CircuitBreaker(failure_threshold=1, reset_after_seconds=5, clock=clock)
        breaker.record_failure()
        clock.now += 5
        assert breaker.allow() is True  # its caller is then cancelled

        clock.now += 5
        assert breaker.allow() is True

    async def test_a_refused_connection_counts_as_a_failure(self) -> None:
        breaker = CircuitBreaker(failure_threshold=1, reset_after_seconds=60)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{unused_port()}") as client:
            adapter = HttpOrderSystem(
                client, MemoryCache(), 0, attempts=2, backoff_initial_seconds=0.001,
                backoff_max_seconds=0.01, breaker=breaker,
            )  # fmt: skip
            with pytest.raises(OrderSystemUnavailable):
                await adapter.get_order("ORD-1001")
            assert await adapter.ping() is False
        assert breaker.state == "open"


class TestCaching:
    async def test_a_second_read_is_answered_from_the_cache(self, upstream: Upstream) -> None:
        adapter = upstream.adapter(cache_ttl_seconds=30)

        first = await adapter.get_order("ORD-1001")
        second = await adapter.get_order("ORD-1001")
        await adapter.orders_of_customer("CUST-1001")
        await adapter.orders_of_customer("CUST-1001")

        assert first == second
        assert upstream.faults.calls == 2  # one per resource

    async def test_a_cached_copy_that_changed_is_read_as_it_now_is(
        self, upstream: Upstream
    ) -> None:
        """Cached copies are kept parsed by their text: another text is another order."""
        cache = MemoryCache()
        adapter = upstream.adapter(cache_ttl_seconds=30, cache=cache)
        first = await adapter.get_order("ORD-1001")
        assert first is not None
        key = "orders:v1:order:ORD-1001"
        copy = json.loads(await cache.get(key) or "")
        copy["lines"][0]["name"] = "Renamed in the cached copy"
        await cache.set(key, json.dumps(copy), 30)

        changed = await adapter.get_order("ORD-1001")

        assert changed is not None
        assert changed.lines[0].name == "Renamed in the cached copy"
        assert first.lines[0].name != changed.lines[0].name
        assert await adapter.get_order("ORD-1001") == changed
        assert upstream.faults.calls == 1

    async def test_the_cache_answers_while_the_order_system_is_down(
        self, upstream: Upstream
    ) -> None:
        adapter = upstream.adapter(cache_ttl_seconds=30)
        await adapter.get_order("ORD-1001")
        upstream.faults.inject("server_error", times=10)

        assert await adapter.get_order("ORD-1001") is not None

    async def test_a_zero_ttl_turns_the_cache_off(self, upstream: Upstream) -> None:
        adapter = upstream.adapter(cache_ttl_seconds=0)

        await adapter.get_order("ORD-1001")
        await adapter.get_order("ORD-1001")

        assert upstream.faults.calls == 2

    async def test_not_found_is_not_cached(self, upstream: Upstream) -> None:
        adapter = upstream.adapter(cache_ttl_seconds=30)

        await adapter.get_order("ORD-9999")
        await adapter.get_order("ORD-9999")

        assert upstream.faults.calls == 2

    async def test_cached_orders_expire_with_their_ttl(self, upstream: Upstream) -> None:
        clock = FakeClock()
        cache = MemoryCache(clock=clock)
        adapter = upstream.adapter(cache_ttl_seconds=30, cache=cache)

        await adapter.get_order("ORD-1001")
        clock.now += 31
        await adapter.get_order("ORD-1001")

        assert upstream.faults.calls == 2


# Strict validation: every one of these answers is "200 OK" and still wrong.
def _order(**changes: object) -> dict[str, object]:
    body: dict[str, object] = dict(order_to_json(demo_orders(NOW)[0]))
    body.update(changes)
    return body


def _line(**changes: object) -> dict[str, object]:
    return {
        "line_id": "L1", "sku": "S", "name": "N", "quantity": 1, "unit_price": 100,
        "discount": 0, "tax": 0, **changes,
    }  # fmt: skip


GARBAGE: dict[str, Callable[[], object]] = {
    "not json": lambda: "<html>",
    "a list": lambda: [],
    "missing field": lambda: {k: v for k, v in _order().items() if k != "currency"},
    "money as a string": lambda: _order(lines=[_line(unit_price="100")]),
    "money as a float": lambda: _order(lines=[_line(unit_price=100.5)]),
    "negative tax": lambda: _order(lines=[_line(tax=-1)]),
    "zero quantity": lambda: _order(lines=[_line(quantity=0)]),
    "discount above price": lambda: _order(lines=[_line(discount=101)]),
    "repeated line ids": lambda: _order(lines=[_line(), _line()]),
    "no lines": lambda: _order(lines=[]),
    "unknown status": lambda: _order(status="lost"),
    "time without offset": lambda: _order(delivered_at="2026-03-01T10:00:00"),
    "delivered without a date": lambda: _order(delivered_at=None),
    # The window of an undelivered order rests on shipped_at: it must agree with the status.
    "shipped without a date": lambda: _order(status="shipped", delivered_at=None, shipped_at=None),
    "placed yet shipped": lambda: _order(status="placed", delivered_at=None),
    "lower-case currency": lambda: _order(currency="eur"),
    "another order": lambda: _order(id="ORD-1002"),
    "another customer named": lambda: _order(
        customer={"id": "CUST-1002", "name": "Carol Diaz", "email": "carol@example.com"}
    ),
    "a customer without a name": lambda: _order(
        customer={"id": "CUST-1001", "name": "", "email": "alice@example.com"}
    ),
    "a customer as a string": lambda: _order(customer="CUST-1001"),
}


def _answering(body: object) -> httpx.AsyncClient:
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=content)),
        base_url="http://orders",
    )


@pytest.mark.parametrize("case", GARBAGE)
async def test_an_answer_that_is_not_a_valid_order_is_upstream_unavailable(case: str) -> None:
    async with _answering(GARBAGE[case]()) as client:
        with pytest.raises(OrderSystemUnavailable):
            await HttpOrderSystem(client, MemoryCache(), 0).get_order("ORD-1001")


@pytest.mark.parametrize(
    ("status", "shipped_at"),
    [("placed", None), ("cancelled", None), ("cancelled", "2026-03-01T10:00:00+00:00")],
)
async def test_an_order_not_delivered_says_whether_it_shipped(
    status: str, shipped_at: str | None
) -> None:
    body = _order(status=status, shipped_at=shipped_at, delivered_at=None)
    async with _answering(body) as client:
        order = await HttpOrderSystem(client, MemoryCache(), 0).get_order("ORD-1001")

    assert order is not None
    assert order.status.value == status
    assert (order.shipped_at is None) is (shipped_at is None)


async def test_unknown_extra_fields_are_ignored() -> None:
    async with _answering(_order(loyalty_points=12)) as client:
        assert await HttpOrderSystem(client, MemoryCache(), 0).get_order("ORD-1001") is not None


async def test_an_order_system_that_names_no_customer_gives_orders_without_one() -> None:
    without = {k: v for k, v in _order().items() if k != "customer"}
    async with _answering(without) as client:
        order = await HttpOrderSystem(client, MemoryCache(), 0).get_order("ORD-1001")

    assert order is not None
    assert order.customer is None
    assert order.customer_id == "CUST-1001"


async def test_another_customers_orders_in_a_list_are_refused() -> None:
    # Without the customer block, which would name CUST-1001 and be refused on its own.
    carols = _order(customer_id="CUST-1002", customer=None)
    async with _answering({"items": [carols]}) as client:
        with pytest.raises(OrderSystemUnavailable):
            await HttpOrderSystem(client, MemoryCache(), 0).orders_of_customer("CUST-1001")


async def test_a_client_error_is_unavailable_and_not_retried() -> None:
    calls: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(400, json={"detail": "bad"})

    transport = httpx.MockTransport(refuse)
    async with httpx.AsyncClient(transport=transport, base_url="http://orders") as client:
        with pytest.raises(OrderSystemUnavailable):
            await HttpOrderSystem(client, MemoryCache(), 0).get_order("ORD-1001")
    assert len(calls) == 1


async def test_a_rate_limited_read_is_retried() -> None:
    answers = iter([httpx.Response(429), httpx.Response(200, json=_order())])
    transport = httpx.MockTransport(lambda request: next(answers))
    async with httpx.AsyncClient(transport=transport, base_url="http://orders") as client:
        adapter = HttpOrderSystem(client, MemoryCache(), 0, backoff_initial_seconds=0.001)
        assert await adapter.get_order("ORD-1001") is not None
