"""What must hold through the balancer: three replicas, one PostgreSQL (through PgBouncer),
one Redis, one gateway sandbox and one order simulator shared by all. Every request here
goes to HAProxy's port unless a test needs a given replica, and then says so."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest

from tests.scale.conftest import AGENT_PASSWORD, Webhooks, new_agent, sign_in
from tests.scale.topology import Topology, wait_until

pytestmark = pytest.mark.integration


def open_case(base: str, who: dict[str, str], order_id: str = "ORD-1001") -> dict[str, Any]:
    answer = httpx.post(
        f"{base}/api/v1/support-cases",
        headers=who,
        json={"order_id": order_id, "subject": "Scale", "description": "through the balancer",
              "category": "damaged_item"},
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def approved_refund(shape: Topology, line_id: str, quantity: int) -> str:
    alice, bob = sign_in(shape.base, "alice@example.com"), sign_in(shape.base, "bob@example.com")
    case = open_case(shape.base, alice)
    refund = httpx.post(
        f"{shape.base}/api/v1/support-cases/{case['id']}/refunds",
        headers=alice,
        json={"items": [{"line_id": line_id, "quantity": quantity}], "reason": "broken"},
    )
    assert refund.status_code == 201, refund.text
    approved = httpx.post(f"{shape.base}/api/v1/refunds/{refund.json()['id']}/approve", headers=bob)
    assert approved.status_code == 200, approved.text
    return str(refund.json()["id"])


def gateway_refunds(shape: Topology) -> int:
    return len(httpx.get(f"{shape.gateway_url}/_sandbox/refunds").json()["items"])


async def at_once(count: int, send: Any) -> list[httpx.Response]:
    """``count`` requests in flight together, each on a connection of its own (so HAProxy's
    round robin spreads them over the replicas)."""
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        return list(await asyncio.gather(*(send(client) for _ in range(count))))


def served_by_each_replica(shape: Topology, path_part: str) -> list[int]:
    """How many requests whose path contains ``path_part`` each replica's access log has
    (its JSON lines read as JSON, whatever their spacing)."""
    return [
        sum(
            1
            for line in _json_lines(shape.log(f"replica{n}"))
            if line.get("event") == "request" and path_part in str(line.get("path", ""))
        )
        for n in (1, 2, 3)
    ]


def _json_lines(log: str) -> list[dict[str, Any]]:
    lines = []
    for text in log.splitlines():
        with contextlib.suppress(ValueError):
            line = json.loads(text)
            if isinstance(line, dict):
                lines.append(line)
    return lines


def test_100_concurrent_executes_of_one_refund_over_three_replicas_pay_once(
    shape: Topology,
) -> None:
    refund_id = approved_refund(shape, "L2", 1)
    bob = sign_in(shape.base, "bob@example.com")
    before = gateway_refunds(shape)

    answers = asyncio.run(
        at_once(
            100, lambda c: c.post(f"{shape.base}/api/v1/refunds/{refund_id}/execute", headers=bob)
        )
    )

    codes = Counter(answer.status_code for answer in answers)
    assert codes == {200: 1, 409: 99}, codes
    assert gateway_refunds(shape) - before == 1
    assert all(count > 0 for count in served_by_each_replica(shape, f"{refund_id}/execute"))
    seen = httpx.get(f"{shape.base}/api/v1/refunds/{refund_id}", headers=bob).json()
    assert seen["status"] == "refunded"


def test_executes_while_the_gateway_accepts_then_times_out_pay_once_with_every_replica_reconciling(
    shape: Topology,
) -> None:
    refund_id = approved_refund(shape, "L2", 1)
    bob = sign_in(shape.base, "bob@example.com")
    before = gateway_refunds(shape)
    # The sandbox makes the refund, then answers too late (after our 2 s timeout).
    httpx.post(
        f"{shape.gateway_url}/_sandbox/faults",
        json={"mode": "accept_then_timeout", "delay_seconds": 5},
    ).raise_for_status()

    answers = asyncio.run(
        at_once(
            100, lambda c: c.post(f"{shape.base}/api/v1/refunds/{refund_id}/execute", headers=bob)
        )
    )

    codes = Counter(answer.status_code for answer in answers)
    assert sum(codes.values()) == 100 and set(codes) <= {200, 202, 409, 503, 504}, codes
    assert codes[200] + codes[202] + codes[503] + codes[504] == 1, codes  # one got through

    def refunded() -> bool:
        seen = httpx.get(f"{shape.base}/api/v1/refunds/{refund_id}", headers=bob).json()
        return bool(seen["status"] == "refunded")

    wait_until(refunded, 60, "the reconcilers never confirmed the refund")
    time.sleep(3)  # a few more reconciliation rounds on every replica
    assert gateway_refunds(shape) - before == 1


def test_40_concurrent_requests_for_the_last_unit_of_a_line_one_wins(shape: Topology) -> None:
    alice = sign_in(shape.base, "alice@example.com")
    cases = [open_case(shape.base, alice)["id"] for _ in range(40)]
    queue = list(cases)

    async def ask(client: httpx.AsyncClient) -> httpx.Response:
        case_id = queue.pop()
        return await client.post(
            f"{shape.base}/api/v1/support-cases/{case_id}/refunds",
            headers=alice,
            json={"items": [{"line_id": "L1", "quantity": 1}], "reason": "the last one"},
        )

    answers = asyncio.run(at_once(40, ask))

    codes = Counter(answer.status_code for answer in answers)
    assert codes[201] == 1, codes
    assert all(400 <= code < 500 for code in codes if code != 201), codes
    order = httpx.get(f"{shape.base}/api/v1/orders/ORD-1001", headers=alice).json()
    assert [line["refundable_quantity"] for line in order["lines"] if line["line_id"] == "L1"] == [
        0
    ]


def test_sign_in_throttling_counts_failures_from_every_replica_as_one(shape: Topology) -> None:
    email = new_agent(shape.base, "Throttled")

    # Five wrong passwords, each on the next replica: the pair's limit.
    for attempt in range(5):
        replica = shape.replica_url(attempt % 3 + 1)
        wrong = httpx.post(
            f"{replica}/api/v1/auth/login", json={"email": email, "password": "wrong-password"}
        )
        assert wrong.status_code == 401, wrong.text
    # The sixth, even with the right password and on a replica that saw only one failure.
    sixth = httpx.post(
        f"{shape.replica_url(3)}/api/v1/auth/login",
        json={"email": email, "password": AGENT_PASSWORD},
    )
    assert sixth.status_code == 429, sixth.text


def test_the_request_budget_is_one_for_all_replicas(shape: Topology) -> None:
    # A user of its own: spending a demo user's budget would refuse the next tests' requests.
    spender = sign_in(shape.base, new_agent(shape.base, "Budget"), AGENT_PASSWORD)
    limit = int(shape.env["RATE_LIMIT_PER_MINUTE"])
    # One budget per minute: start early in one, so the run does not span two.
    if time.time() % 60 > 30:
        time.sleep(60 - time.time() % 60 + 0.5)
    spent_before = int(
        httpx.get(f"{shape.base}/api/v1/me", headers=spender).status_code == 200
    )  # this request counts too

    async def spend() -> list[int]:
        limits = httpx.Limits(max_connections=24, max_keepalive_connections=0)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            semaphore = asyncio.Semaphore(24)

            async def one() -> int:
                async with semaphore:
                    answer = await client.get(f"{shape.base}/api/v1/me", headers=spender)
                    return answer.status_code

            return list(await asyncio.gather(*(one() for _ in range(limit + 40))))

    codes = Counter(asyncio.run(spend()))
    assert codes[200] + spent_before == limit, codes
    assert codes[429] == 40 + spent_before, codes


def test_an_idempotent_retry_on_another_replica_gets_the_first_answer(shape: Topology) -> None:
    alice = sign_in(shape.base, "alice@example.com")
    key = {"Idempotency-Key": f"scale-{uuid.uuid4()}"}
    body = {"order_id": "ORD-1001", "subject": "Twice", "description": "retried",
            "category": "damaged_item"}  # fmt: skip

    first = httpx.post(
        f"{shape.replica_url(1)}/api/v1/support-cases", headers=alice | key, json=body
    )
    again = httpx.post(
        f"{shape.replica_url(2)}/api/v1/support-cases", headers=alice | key, json=body
    )
    through = httpx.post(f"{shape.base}/api/v1/support-cases", headers=alice | key, json=body)

    assert first.status_code == 201, first.text
    assert (again.status_code, again.json()) == (201, first.json())
    assert (through.status_code, through.json()) == (201, first.json())
    assert again.headers.get("idempotent-replayed") == "true"


def test_a_live_client_on_replica_1_sees_a_change_made_through_replica_3(shape: Topology) -> None:
    bob = sign_in(shape.base, "bob@example.com")
    alice = sign_in(shape.base, "alice@example.com")
    received: list[dict[str, Any]] = []
    connected = threading.Event()

    def listen() -> None:
        url = f"{shape.replica_url(1)}/api/v1/events/stream"
        with httpx.stream("GET", url, headers=bob, timeout=30) as stream:
            connected.set()
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    received.append(json.loads(line.removeprefix("data:")))
                    return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert connected.wait(15)
    time.sleep(0.5)  # the stream has read where it starts from

    case = open_case(shape.replica_url(3), alice)

    listener.join(timeout=20)
    assert received, "no event reached replica 1's stream"
    assert received[0]["entity_id"] == case["id"]


def test_events_made_on_every_replica_are_each_delivered_once_by_two_workers(
    shape: Topology, webhooks: Webhooks
) -> None:
    admin = sign_in(shape.base, "admin@example.com")
    endpoint = httpx.post(
        f"{shape.base}/api/v1/webhook-endpoints",
        headers=admin,
        json={"url": webhooks.url, "event_types": ["support_case.created"]},
    )
    assert endpoint.status_code == 201, endpoint.text
    alice = sign_in(shape.base, "alice@example.com")

    opened = [open_case(shape.replica_url(n % 3 + 1), alice)["id"] for n in range(30)]

    def all_delivered() -> bool:
        cases = {json.loads(body)["data"]["id"] for body in list(webhooks.bodies.values())}
        return set(opened) <= cases

    wait_until(all_delivered, 90, "not every event reached the webhook receiver")
    time.sleep(3)  # any second delivery would come now
    assert len(webhooks.seen) >= 30
    assert set(webhooks.seen.values()) == {1}, webhooks.seen
    delivered_by = [shape.log(f"worker{n}").count("webhook") > 0 for n in (1, 2)]
    assert any(delivered_by)


def test_a_token_signed_out_on_one_replica_is_refused_by_the_others_at_once(
    shape: Topology,
) -> None:
    alice = sign_in(shape.base, "alice@example.com")
    for n in (1, 2, 3):
        assert httpx.get(f"{shape.replica_url(n)}/api/v1/me", headers=alice).status_code == 200

    assert (
        httpx.post(f"{shape.replica_url(1)}/api/v1/auth/logout", headers=alice).status_code == 204
    )

    for n in (2, 3, 1):
        answer = httpx.get(f"{shape.replica_url(n)}/api/v1/me", headers=alice)
        assert answer.status_code == 401, (n, answer.text)
