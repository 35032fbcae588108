"""`serve` told to stop behind a load balancer: it says it is not ready while it still
serves, for SHUTDOWN_DRAIN_SECONDS, then stops cleanly. A real process, a real signal."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.test_crash_recovery import free_port, supportdesk, wait_until_up

pytestmark = pytest.mark.integration


def test_a_replica_told_to_stop_is_unready_but_serving_for_the_drain_time_then_exits(
    tmp_path: Path, database_url: str
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "SHUTDOWN_DRAIN_SECONDS": "3",
        "RECONCILE_INTERVAL_SECONDS": "0",
        "DISPATCHER_IN_SERVE": "false",
        "MAIL_CATCHER_PORT": "0",
        "WEB_DIST_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    process = supportdesk("serve", env=env, log=tmp_path / "serve.log")
    try:
        wait_until_up(f"{base}/api/v1/health/live", process, seconds=90)
        assert httpx.get(f"{base}/api/v1/health/ready", timeout=10).status_code == 200

        process.send_signal(signal.SIGTERM)
        told = time.monotonic()
        deadline = told + 2
        seen = []
        while time.monotonic() < deadline:
            ready = httpx.get(f"{base}/api/v1/health/ready", timeout=5)
            live = httpx.get(f"{base}/api/v1/health/live", timeout=5)
            seen.append((ready.status_code, live.status_code))
            time.sleep(0.2)
        assert seen and set(seen) == {(503, 200)}, seen
        assert "draining" in ready.json()["detail"]

        assert process.wait(timeout=30) == 0
        assert time.monotonic() - told >= 3
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
