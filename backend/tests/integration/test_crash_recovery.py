"""The service killed between the gateway's answer and our commit still refunds once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration

DEMO = {"password": "demo-password"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=0.5)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError(url)


def supportdesk(
    *args: str, env: dict[str, str], log: Path | None = None
) -> subprocess.Popen[bytes]:
    """A supportdesk process; with ``log``, its output is appended there, for a test to show
    when it fails."""
    command = [sys.executable, "-m", "supportdesk.cli", *args]
    if log is None:
        return subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    with log.open("ab") as output:
        return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)


@pytest.fixture
def environment(tmp_path: Path, database_url: str) -> Iterator[dict[str, str]]:
    gateway_port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PAYMENT_GATEWAY_URL": f"http://127.0.0.1:{gateway_port}",
        "PAYMENT_GATEWAY_TIMEOUT_SECONDS": "30",
        "RECONCILE_INTERVAL_SECONDS": "0",
        "RATE_LIMIT_PER_MINUTE": "0",
        "WEB_DIST_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
        "PORT": str(free_port()),
    }
    gateway = supportdesk("simulate", "gateway", "--port", str(gateway_port), env=env)
    wait_until_up(f"{env['PAYMENT_GATEWAY_URL']}/_sandbox/refunds", gateway)
    yield env
    gateway.kill()
    gateway.wait()


def start_service(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    base = f"http://127.0.0.1:{env['PORT']}"
    process = supportdesk("serve", env=env)
    wait_until_up(f"{base}/api/v1/health/live", process)
    return process, base


def sign_in(base: str, email: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/v1/auth/login", json={"email": email, **DEMO})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_sigkill_between_gateway_answer_and_commit_refunds_exactly_once(
    environment: dict[str, str],
) -> None:
    gateway = environment["PAYMENT_GATEWAY_URL"]
    service, base = start_service(environment)
    try:
        alice, bob = sign_in(base, "alice@example.com"), sign_in(base, "bob@example.com")
        case = httpx.post(
            f"{base}/api/v1/support-cases",
            headers=alice,
            json={
                "order_id": "ORD-1001",
                "subject": "Broken",
                "description": "Two cables",
                "category": "damaged_item",
            },
        ).json()
        refund = httpx.post(
            f"{base}/api/v1/support-cases/{case['id']}/refunds",
            headers=alice,
            json={"items": [{"line_id": "L2", "quantity": 2}], "reason": "broken"},
        ).json()
        assert httpx.post(f"{base}/api/v1/refunds/{refund['id']}/approve", headers=bob).is_success
        # The gateway makes the refund, then holds its answer: the moment to crash.
        httpx.post(
            f"{gateway}/_sandbox/faults", json={"mode": "accept_then_timeout", "delay_seconds": 60}
        ).raise_for_status()

        with pytest.raises(httpx.ReadTimeout):
            httpx.post(f"{base}/api/v1/refunds/{refund['id']}/execute", headers=bob, timeout=1.5)
        made = httpx.get(f"{gateway}/_sandbox/refunds").json()
        assert len(made["items"]) == 1
    finally:
        service.send_signal(signal.SIGKILL)
        service.wait()

    reconcile = subprocess.run(
        [sys.executable, "-m", "supportdesk.cli", "reconcile"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert reconcile.returncode == 0, reconcile.stderr
    assert f"{refund['id']}: refunded" in reconcile.stdout

    service, base = start_service(environment)
    try:
        bob = sign_in(base, "bob@example.com")
        seen = httpx.get(f"{base}/api/v1/refunds/{refund['id']}", headers=bob).json()
        assert seen["status"] == "refunded"
        made = httpx.get(f"{gateway}/_sandbox/refunds").json()["items"]
        assert len(made) == 1
        assert made[0]["amount"] == 2140
        assert seen["gateway_refund_id"] == made[0]["id"]
    finally:
        service.terminate()
        service.wait()
