"""A `supportdesk worker` killed while it delivers loses nothing: after a restart every
outbox row is delivered, a repeat only ever carries the same stable id."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.test_crash_recovery import free_port, sign_in, wait_until_up
from tests.outbox.channel import Receiver, ReceiverThread

pytestmark = pytest.mark.integration

BACKEND = Path(__file__).resolve().parents[2]
CASES = 6


def supportdesk(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The real command, with the recording channel registered (tests/outbox/process.py)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.outbox.process", *args],
        env=env,
        cwd=BACKEND,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(check: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.05)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    recorder = Receiver(hold=60)
    with ReceiverThread(recorder) as url:
        yield recorder, url


@pytest.fixture
def environment(
    tmp_path: Path, database_url: str, receiver: tuple[Receiver, str]
) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "RECEIVER_URL": receiver[1],
        "DISPATCHER_IN_SERVE": "false",
        "OUTBOX_LEASE_SECONDS": "4",
        "OUTBOX_POLL_SECONDS": "0.2",
        "RECONCILE_INTERVAL_SECONDS": "0",
        "RATE_LIMIT_PER_MINUTE": "0",
        "WEB_DIST_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
        "PORT": str(free_port()),
    }


def pending(base: str, admin: dict[str, str]) -> list[dict[str, object]]:
    answer = httpx.get(f"{base}/api/v1/outbox", params={"limit": 100}, headers=admin)
    answer.raise_for_status()
    return [item for item in answer.json()["items"] if item["state"] != "delivered"]


def test_a_worker_killed_while_delivering_loses_no_notification(
    environment: dict[str, str], receiver: tuple[Receiver, str]
) -> None:
    recorder, _ = receiver
    base = f"http://127.0.0.1:{environment['PORT']}"
    api = supportdesk("serve", env=environment)
    worker = None
    try:
        # A loaded machine can take half a minute to import and start a process.
        wait_until_up(f"{base}/api/v1/health/live", api, seconds=120)
        alice, admin = sign_in(base, "alice@example.com"), sign_in(base, "admin@example.com")
        for n in range(CASES):
            answer = httpx.post(
                f"{base}/api/v1/support-cases",
                headers=alice,
                json={
                    "order_id": "ORD-1001",
                    "subject": f"Case {n}",
                    "description": "broken",
                    "category": "damaged_item",
                },
            )
            assert answer.status_code == 201, answer.text
        written = httpx.get(f"{base}/api/v1/outbox", params={"limit": 100}, headers=admin).json()
        expected = {f"recording:{item['event_id']}" for item in written["items"]}
        assert len(expected) == CASES

        # The receiver holds every request: the worker is killed mid-delivery.
        worker = supportdesk("worker", env=environment)
        wait_for(lambda: recorder.started >= CASES, 120, "the worker never delivered")
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        assert len(pending(base, admin)) == CASES  # nothing was marked delivered

        recorder.hold = 0
        worker = supportdesk("worker", env=environment)
        # The dead worker's leases end, the new worker takes the rows again.
        wait_for(lambda: not pending(base, admin), 120, "rows left undelivered")

        seen = Counter(recorder.ids())
        assert set(seen) == expected  # none lost, nothing else
        assert recorder.overlaps == []  # never two deliveries of one row at once
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0  # SIGTERM is a clean stop
        worker = None
    finally:
        for process in (api, worker):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
