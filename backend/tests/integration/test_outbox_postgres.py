"""PostgreSQL, two API processes and two workers (each API process dispatching too): 1,000
events written through both APIs are each delivered once, never twice at the same time."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_DATABASE_URL
from tests.integration.test_crash_recovery import free_port, sign_in, wait_until_up
from tests.integration.test_outbox_crash import supportdesk, wait_for
from tests.outbox.channel import Receiver, ReceiverThread

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)"),
]

EVENTS = 1000


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    # Each delivery is held a little, so that a second dispatcher taking the same row
    # would overlap it and be seen.
    recorder = Receiver(hold=0.02)
    with ReceiverThread(recorder) as url:
        yield recorder, url


def test_two_workers_and_two_api_processes_deliver_each_event_once(
    tmp_path: Path, database_url: str, receiver: tuple[Receiver, str]
) -> None:
    recorder, url = receiver
    common = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RECEIVER_URL": url,
        "OUTBOX_POLL_SECONDS": "0.2",
        "RECONCILE_INTERVAL_SECONDS": "0",
        "RATE_LIMIT_PER_MINUTE": "0",
        "WEB_DIST_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    bases = []
    processes = []
    try:
        for _ in range(2):
            port = free_port()
            processes.append(supportdesk("serve", env={**common, "PORT": str(port)}))
            bases.append(f"http://127.0.0.1:{port}")
        processes += [supportdesk("worker", env=common) for _ in range(2)]
        for base, api in zip(bases, processes, strict=False):
            # Four processes importing at once on a busy machine take minutes.
            wait_until_up(f"{base}/api/v1/health/live", api, seconds=300)
        alice = sign_in(bases[0], "alice@example.com")
        admin = sign_in(bases[0], "admin@example.com")

        def open_case(n: int) -> str:
            answer = httpx.post(
                f"{bases[n % 2]}/api/v1/support-cases",
                headers=alice,
                json={
                    "order_id": "ORD-1001",
                    "subject": f"Case {n}",
                    "description": "broken",
                    "category": "damaged_item",
                },
                timeout=60,
            )
            assert answer.status_code == 201, answer.text
            return str(answer.json()["id"])

        with ThreadPoolExecutor(8) as pool:
            cases = list(pool.map(open_case, range(EVENTS)))
        assert len(set(cases)) == EVENTS

        def all_delivered() -> bool:
            answer = httpx.get(
                f"{bases[1]}/api/v1/outbox", params={"state": "pending"}, headers=admin
            )
            return answer.status_code == 200 and answer.json()["items"] == []

        wait_for(all_delivered, 300, "rows left undelivered")
        seen = Counter(recorder.ids())
        assert len(seen) == EVENTS
        assert set(seen.values()) == {1}  # each once
        assert recorder.overlaps == []  # never two at the same time
        assert {body["type"] for body in recorder.received} == {"case_opened"}
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in processes:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 1))
            except Exception:
                process.kill()
                process.wait()
