"""A test channel that delivers over real HTTP, and the recording receiver it delivers to.

The mail channel is an adapter of its own; the outbox's proofs need only a channel whose
deliveries can be counted from outside the process, with a stable id per delivery (as a
mail's ``Message-ID``): ``<channel>:<event id>``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from supportdesk.application.outbox import DeliveryFailed, OutboxItem


class HttpRecordingChannel:
    """POSTs each event to ``url``; a 5xx or no answer is a failed try, a 4xx permanent."""

    def __init__(self, url: str, name: str = "recording") -> None:
        self.name = name
        self.url = url
        self._client: httpx.AsyncClient | None = None

    async def deliver(self, item: OutboxItem) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(120, connect=2))
        body = {
            "id": f"{item.channel}:{item.event.id}",
            "event_id": item.event.id,
            "type": item.event.type,
            "case_id": item.event.case_id,
            "attempt": item.attempts + 1,
        }
        try:
            response = await self._client.post(self.url, json=body)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"receiver unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise DeliveryFailed(f"receiver answered {response.status_code}")
        if response.status_code >= 400:
            raise DeliveryFailed(f"receiver refused: {response.status_code}", permanent=True)


@dataclass
class Receiver:
    """Records every delivery it is sent; counts deliveries of one id that overlapped in
    time (two dispatchers at once). ``hold`` makes it keep requests open for that long;
    ``fail_with`` answers every request with that status. A held request whose sender
    disconnects is dropped, as a crash would leave it."""

    hold: float = 0.0
    fail_with: int | None = None
    received: list[dict[str, Any]] = field(default_factory=list)
    started: int = 0
    overlaps: list[str] = field(default_factory=list)
    _in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Starlette:
        async def deliver(request: Request) -> JSONResponse:
            body = await request.json()
            with self._lock:
                self.started += 1
                self._in_flight[body["id"]] += 1
                if self._in_flight[body["id"]] > 1:
                    self.overlaps.append(body["id"])
            try:
                if self.hold and not await self._held(request):
                    # The sender went away (killed) while we held its request: it never
                    # learnt the outcome, and will send the same id again.
                    return JSONResponse({"error": "sender gone"}, status_code=499)
                if self.fail_with:
                    return JSONResponse({"error": "told to fail"}, status_code=self.fail_with)
                with self._lock:
                    self.received.append(body)
                return JSONResponse({"ok": True})
            finally:
                with self._lock:
                    self._in_flight[body["id"]] -= 1

        return Starlette(routes=[Route("/deliveries", deliver, methods=["POST"])])

    async def _held(self, request: Request) -> bool:
        """Hold the request for ``hold`` seconds; False if the sender disconnected."""
        deadline = asyncio.get_running_loop().time() + self.hold
        while asyncio.get_running_loop().time() < deadline:
            if await request.is_disconnected():
                return False
            await asyncio.sleep(0.05)
        return True

    def ids(self) -> list[str]:
        with self._lock:
            return [body["id"] for body in self.received]


class ReceiverThread:
    """Serves a Receiver on a free loopback port in a thread of its own, so that it answers
    while the test waits synchronously for subprocesses."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        config = uvicorn.Config(
            receiver.app(),
            host="127.0.0.1",
            port=0,
            log_level="critical",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("the receiver did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/deliveries"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
