"""A `supportdesk worker` killed in the middle of a write-back loses none and doubles none:
the order system recorded the refunds but the worker died before it could record that; the
next worker sends them again and the order's refunded quantities stay as they were.

Real processes (the API and two workers, one after the other), the order simulator over
real HTTP in a thread of the test, with the key the shop's order system would want.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from supportdesk.infrastructure.simulators.orders import create_order_simulator
from tests.integration.test_crash_recovery import free_port, sign_in, supportdesk, wait_until_up
from tests.integration.test_outbox_crash import wait_for

pytestmark = pytest.mark.integration

KEY = "osk_test_crash_0123456789abcdef"
BEARER = {"Authorization": f"Bearer {KEY}"}


class HeldWriteBacks:
    """The order simulator, except that it holds its answer to a write-back (after
    recording it) while ``hold`` is set: the moment to kill the sender. Counts the
    write-backs each order received."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.hold = True
        self.posts: Counter[str] = Counter()
        self._lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        is_write_back = (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].endswith("/refunds")
        )
        if not is_write_back:
            await self.app(scope, receive, send)
            return
        answer: list[Any] = []

        async def keep(message: Any) -> None:
            answer.append(message)

        await self.app(scope, receive, keep)
        with self._lock:
            self.posts[scope["path"]] += 1
        deadline = time.monotonic() + 60
        # Polled, not an asyncio.Event: the test's own thread lets go, not this loop's.
        while self.hold and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        try:
            for message in answer:
                await send(message)
        except OSError:
            pass  # the sender is gone (killed): it never learns the answer


class ServerThread:
    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="critical", lifespan="off",
            timeout_graceful_shutdown=1,
        )  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("the order simulator did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


@pytest.fixture
def order_system() -> Iterator[tuple[HeldWriteBacks, str]]:
    held = HeldWriteBacks(create_order_simulator(api_key=KEY))
    with ServerThread(held) as url:
        yield held, url


@pytest.fixture
def environment(
    tmp_path: Path, database_url: str, order_system: tuple[HeldWriteBacks, str]
) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "ORDER_SYSTEM_URL": order_system[1],
        "ORDER_SYSTEM_API_KEY": KEY,
        # The held answer must outlast the kill, not the adapter's patience.
        "ORDER_SYSTEM_TIMEOUT_SECONDS": "30",
        "ORDER_CACHE_TTL_SECONDS": "0",
        "DISPATCHER_IN_SERVE": "false",
        "OUTBOX_LEASE_SECONDS": "10",
        "OUTBOX_POLL_SECONDS": "0.2",
        "OUTBOX_BACKOFF_BASE_SECONDS": "0.5",
        "MAIL_CATCHER_PORT": "0",
        "RECONCILE_INTERVAL_SECONDS": "0",
        "RATE_LIMIT_PER_MINUTE": "0",
        "WEB_DIST_DIR": str(tmp_path),
        "LOG_LEVEL": "INFO",
        "PORT": str(free_port()),
    }


def undelivered_write_backs(base: str, admin: dict[str, str]) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{base}/api/v1/outbox",
        params={"limit": 100, "channel": "order_system"},
        headers=admin,
    )
    answer.raise_for_status()
    return [item for item in answer.json()["items"] if item["state"] != "delivered"]


def the_order(order_system_url: str, order_id: str) -> dict[str, Any]:
    answer = httpx.get(f"{order_system_url}/orders/{order_id}", headers=BEARER)
    answer.raise_for_status()
    order: dict[str, Any] = answer.json()
    return order


def test_a_worker_killed_mid_write_back_leaves_each_refund_recorded_once(
    environment: dict[str, str], order_system: tuple[HeldWriteBacks, str], tmp_path: Path
) -> None:
    held, orders_url = order_system
    base = f"http://127.0.0.1:{environment['PORT']}"
    log = tmp_path / "processes.log"
    api = supportdesk("serve", env=environment, log=log)
    worker = None
    try:
        wait_until_up(f"{base}/api/v1/health/live", api, seconds=120)
        alice, bob = sign_in(base, "alice@example.com"), sign_in(base, "bob@example.com")
        admin = sign_in(base, "admin@example.com")

        def a_refund(order_id: str, line_id: str, quantity: int, category: str) -> str:
            case = httpx.post(
                f"{base}/api/v1/support-cases",
                headers=alice,
                json={
                    "order_id": order_id, "subject": "Refund", "description": "please",
                    "category": category,
                },
            )  # fmt: skip
            assert case.status_code == 201, case.text
            refund = httpx.post(
                f"{base}/api/v1/support-cases/{case.json()['id']}/refunds",
                headers=alice,
                json={"items": [{"line_id": line_id, "quantity": quantity}], "reason": "x"},
            )
            assert refund.status_code == 201, refund.text
            return str(refund.json()["id"])

        # Approved and paid back through the gateway ...
        paid = a_refund("ORD-1001", "L2", 2, "damaged_item")
        approved = httpx.post(f"{base}/api/v1/refunds/{paid}/approve", headers=bob)
        assert approved.status_code == 200, approved.text
        executed = httpx.post(f"{base}/api/v1/refunds/{paid}/execute", headers=bob, timeout=30)
        assert executed.json()["status"] == "refunded", executed.text
        # ... and, outside the window, settled.
        settled_id = a_refund("ORD-1002", "L1", 1, "return_refund")
        settled = httpx.post(
            f"{base}/api/v1/refunds/{settled_id}/settlement",
            headers=bob,
            json={"type": "store_credit", "amount": 2000, "note": "credit instead"},
        )
        assert settled.status_code == 200, settled.text
        assert len(undelivered_write_backs(base, admin)) > 0

        # The order system records both, then holds its answers: the worker is killed.
        worker = supportdesk("worker", env=environment, log=log)
        wait_for(lambda: len(held.posts) == 2, 120, "the worker never wrote both refunds back")
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        worker = None
        assert the_order(orders_url, "ORD-1001")["refunds"] != []  # it was recorded there ...
        pending = undelivered_write_backs(base, admin)
        written = {item["event_type"] for item in pending}
        assert written >= {"refund_succeeded", "refund_settled"}  # ... but not here

        held.hold = False
        worker = supportdesk("worker", env=environment, log=log)
        # The dead worker's leases end; the next worker sends both again.
        wait_for(
            lambda: not undelivered_write_backs(base, admin), 120, "write-backs left undelivered"
        )

        assert held.posts == {"/orders/ORD-1001/refunds": 2, "/orders/ORD-1002/refunds": 2}
        first, second = the_order(orders_url, "ORD-1001"), the_order(orders_url, "ORD-1002")
        assert {line["line_id"]: line["refunded_quantity"] for line in first["lines"]} == {
            "L1": 0,
            "L2": 2,
        }
        assert [r["refund_id"] for r in first["refunds"]] == [paid]
        assert [line["refunded_quantity"] for line in second["lines"]] == [1]
        assert [(r["refund_id"], r["kind"], r["restock"]) for r in second["refunds"]] == [
            (settled_id, "settlement", True)
        ]
        # And our own answers agree with the order system's.
        ours = httpx.get(f"{base}/api/v1/orders/ORD-1001", headers=alice).json()
        assert {line["line_id"]: line["refundable_quantity"] for line in ours["lines"]} == {
            line["line_id"]: line["quantity"] - line["refunded_quantity"] for line in first["lines"]
        }
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
        worker = None
    finally:
        for process in (api, worker):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
        # Shown by pytest only when the test fails: what the processes said, but the polling.
        said = log.read_text(errors="replace").splitlines()
        print("\n".join(line for line in said if "path=/api/v1/outbox" not in line)[-30_000:])
