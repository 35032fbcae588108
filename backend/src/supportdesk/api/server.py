"""The server behind a load balancer: told to stop, it drains before it stops."""

from __future__ import annotations

import time
from types import FrameType

import uvicorn

from supportdesk.api import draining


class DrainingServer(uvicorn.Server):
    """On the first SIGTERM or SIGINT, /health/ready answers 503 for ``drain_seconds``
    while every request is still served, so the balancer's health checks take this replica
    out of rotation before it stops accepting; then uvicorn's graceful shutdown (in-flight
    requests finish, up to its timeout). A second signal, or no drain time, stops at once,
    as uvicorn alone would."""

    def __init__(self, config: uvicorn.Config, *, drain_seconds: float) -> None:
        super().__init__(config)
        self.drain_seconds = drain_seconds
        self._drain_until: float | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.drain_seconds > 0 and self._drain_until is None and not self.should_exit:
            self._drain_until = time.monotonic() + self.drain_seconds
            draining.start()
            return
        super().handle_exit(sig, frame)

    async def on_tick(self, counter: int) -> bool:
        if self._drain_until is not None and time.monotonic() >= self._drain_until:
            self.should_exit = True
        return await super().on_tick(counter)
