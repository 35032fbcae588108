"""Wake-ups for live-update streams: "history grew, look again".

A wake-up carries no event: the events table is the one source of truth, and a stream reads
it by ``seq`` after every wake-up. So a lost or doubled wake-up costs at most a poll
interval or one needless read, never a wrong answer.

In one process (the embedded default) a commit wakes the streams of the same process
directly. With ``REDIS_URL`` every commit is also published on a Redis channel, and each
replica wakes its own streams on it, whichever replica (or ``supportdesk`` command) wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from supportdesk.infrastructure.settings import Settings

log = structlog.get_logger(__name__)

CHANNEL = "supportdesk:events"
_RESUBSCRIBE_AFTER_SECONDS = 1.0


class Wakeups:
    """In-process wake-ups: each listening stream holds an ``asyncio.Event``."""

    def __init__(self) -> None:
        self._listening: set[asyncio.Event] = set()

    def notify(self) -> None:
        """History grew (called after a commit that wrote events)."""
        self._wake_local()

    def _wake_local(self) -> None:
        for waiting in self._listening:
            waiting.set()

    @contextlib.contextmanager
    def listen(self) -> Iterator[asyncio.Event]:
        """An event that is set at the next wake-up; the listener clears it before it reads."""
        waiting = asyncio.Event()
        self._listening.add(waiting)
        self._started()
        try:
            yield waiting
        finally:
            self._listening.discard(waiting)

    def _started(self) -> None:
        """Hook for a transport that needs a running loop before its first listener."""

    @property
    def listeners(self) -> int:
        return len(self._listening)

    async def close(self) -> None:
        self._listening.clear()


class RedisWakeups(Wakeups):
    """Wake-ups shared by every replica through Redis pub/sub.

    Publishing never holds up the request that committed: it runs as a task, and a Redis
    that does not answer is logged and otherwise ignored (the streams' poll catches up).
    The subscription runs while anyone listens in this process and re-subscribes after a
    lost connection.
    """

    def __init__(self, url: str, *, timeout_seconds: float = 1.0) -> None:
        super().__init__()
        self._publisher = aioredis.Redis.from_url(
            url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds
        )
        # A subscriber waits for messages for as long as there are none: no socket timeout.
        self._subscriber = aioredis.Redis.from_url(url, socket_connect_timeout=timeout_seconds)
        self._timeout = timeout_seconds
        self._subscription: asyncio.Task[None] | None = None
        self._publishing: set[asyncio.Task[None]] = set()

    def notify(self) -> None:
        self._wake_local()
        try:
            task = asyncio.get_running_loop().create_task(self._publish())
        except RuntimeError:  # no loop: nothing in this process can be listening either
            return
        self._publishing.add(task)
        task.add_done_callback(self._publishing.discard)

    async def _publish(self) -> None:
        try:
            async with asyncio.timeout(2 * self._timeout):
                await self._publisher.publish(CHANNEL, b"1")
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("live_wakeup_not_published", error=type(exc).__name__)

    def _started(self) -> None:
        if self._subscription is None or self._subscription.done():
            self._subscription = asyncio.get_running_loop().create_task(self._subscribe())

    async def _subscribe(self) -> None:
        while True:
            try:
                async with self._subscriber.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    while True:
                        message = await pubsub.get_message(timeout=_RESUBSCRIBE_AFTER_SECONDS)
                        if message is not None:
                            self._wake_local()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError, TimeoutError) as exc:
                log.warning("live_wakeups_unsubscribed", error=type(exc).__name__)
                # Whatever was published meanwhile is found by the streams' next read.
                self._wake_local()
                await asyncio.sleep(_RESUBSCRIBE_AFTER_SECONDS)

    async def close(self) -> None:
        await super().close()
        if self._subscription is not None:
            self._subscription.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._subscription
        for task in list(self._publishing):
            with contextlib.suppress(Exception):
                await task
        await self._publisher.aclose()
        await self._subscriber.aclose()


def make_wakeups(settings: Settings) -> Wakeups:
    if settings.redis_url:
        return RedisWakeups(settings.redis_url, timeout_seconds=settings.redis_timeout_seconds)
    return Wakeups()
