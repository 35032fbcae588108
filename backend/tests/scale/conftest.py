"""The scale tests run only with ``make test-scale`` (SUPPORTDESK_SCALE=1): they start the
whole production shape (tests/scale/topology.py) once for the session."""

from __future__ import annotations

import os
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import redis
from aiosmtpd.controller import Controller

from tests.scale.topology import Topology, free_port, topology

if not os.environ.get("SUPPORTDESK_SCALE"):
    collect_ignore_glob = ["test_*.py"]

DEMO_PASSWORD = "demo-password"


class Mailbox:
    """An SMTP server (aiosmtpd) that keeps what it is sent."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.port = free_port()
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages.append(envelope)
        return "250 OK"


class Webhooks:
    """A webhook receiver: counts each `webhook-id` it is sent, answers 200."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        self.bodies: dict[str, bytes] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver._lock:
                    webhook_id = self.headers.get("webhook-id", "")
                    receiver.seen[webhook_id] += 1
                    receiver.bodies[webhook_id] = body
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def webhooks() -> Iterator[Webhooks]:
    receiver = Webhooks()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture(scope="session")
def shape(tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox) -> Iterator[Topology]:
    redis_url = os.environ.get("SCALE_REDIS_URL", "redis://127.0.0.1:6379/9")
    redis.Redis.from_url(redis_url).flushdb()
    directory = tmp_path_factory.mktemp("scale")
    with topology(directory, smtp_port=mailbox.port, redis_url=redis_url) as started:
        yield started


AGENT_PASSWORD = "agent-password-1"


def new_agent(base: str, name: str) -> str:
    """An agent of the test's own, made by the admin (password ``AGENT_PASSWORD``): its
    request budget and sign-in failures are nobody else's. Answers the email."""
    admin = sign_in(base, "admin@example.com")
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
    created = httpx.post(
        f"{base}/api/v1/users",
        headers=admin,
        json={"email": email, "name": name, "role": "agent", "password": AGENT_PASSWORD},
    )
    assert created.status_code == 201, created.text
    return email


def sign_in(base: str, email: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    answer = httpx.post(f"{base}/api/v1/auth/login", json={"email": email, "password": password})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}
