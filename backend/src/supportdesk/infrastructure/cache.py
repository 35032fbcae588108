"""The shared key-value store behind ``CacheBackend``: in-process memory or Redis.

One process needs nothing more than a dict; several replicas must share token
revocations, rate-limit counters and idempotency records, so they use Redis.
Both adapters pass the same contract tests, so the rest of the app never knows
which one it has.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from supportdesk.application.ports import CacheBackend
from supportdesk.domain.errors import DependencyUnavailable
from supportdesk.infrastructure.settings import Settings

_SWEEP_EVERY_WRITES = 1024


def _check_ttl(ttl_seconds: int | None) -> None:
    # Redis refuses a zero or negative expiry; the memory store refuses it too, so a
    # caller's mistake shows up in development instead of only against Redis.
    if ttl_seconds is not None and ttl_seconds <= 0:
        raise ValueError(f"ttl_seconds must be positive or None, got {ttl_seconds}")


class MemoryCache:
    """An in-process store with expiring keys, for a single process.

    Every method runs without awaiting between reading and writing its entry, so
    on one event loop each call is atomic without a lock. Expiry uses a monotonic
    clock (a wall-clock jump must not expire or revive keys); expired entries are
    dropped when read and swept now and then so a long-running process does not grow.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[str, float | None]] = {}
        self._writes = 0

    def _live(self, key: str) -> tuple[str, float | None] | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at = entry[1]
        if expires_at is not None and expires_at <= self._clock():
            del self._entries[key]
            return None
        return entry

    def _store(self, key: str, value: str, ttl_seconds: int | None) -> None:
        expires_at = None if ttl_seconds is None else self._clock() + ttl_seconds
        self._entries[key] = (value, expires_at)
        self._writes += 1
        if self._writes % _SWEEP_EVERY_WRITES == 0:
            self._sweep()

    def _sweep(self) -> None:
        now = self._clock()
        expired = [k for k, (_, exp) in self._entries.items() if exp is not None and exp <= now]
        for key in expired:
            del self._entries[key]

    async def get(self, key: str) -> str | None:
        entry = self._live(key)
        return None if entry is None else entry[0]

    async def get_many(self, *keys: str) -> list[str | None]:
        return [await self.get(key) for key in keys]

    async def set(self, key: str, value: str, ttl_seconds: int | None = None) -> None:
        _check_ttl(ttl_seconds)
        self._store(key, value, ttl_seconds)

    async def set_if_absent(self, key: str, value: str, ttl_seconds: int | None = None) -> bool:
        _check_ttl(ttl_seconds)
        if self._live(key) is not None:
            return False
        self._store(key, value, ttl_seconds)
        return True

    async def incr(self, key: str, ttl_seconds: int) -> int:
        _check_ttl(ttl_seconds)
        entry = self._live(key)
        if entry is None:
            self._store(key, "1", ttl_seconds)
            return 1
        value, expires_at = entry
        try:
            count = int(value) + 1
        except ValueError:
            raise ValueError(f"cache key {key!r} does not hold an integer") from None
        if expires_at is None:
            # Same as Redis's EXPIRE NX below: a counter never lives forever.
            expires_at = self._clock() + ttl_seconds
        self._entries[key] = (str(count), expires_at)
        return count

    async def delete(self, key: str) -> None:
        self._entries.pop(key, None)

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._entries.clear()


# INCR, then give the key an expiry if it has none. One script, so no other client can
# see the counter between the two steps, and a crash cannot leave a counter that never
# expires (which would lock a user out of login for good). Works on Redis < 7 too,
# where EXPIRE has no NX flag.
_INCR_WITH_EXPIRY = """
local count = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) == -1 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return count
"""


# Failures that mean "Redis did not answer", as opposed to Redis refusing a command.
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError, TimeoutError)


class RedisCache:
    """``CacheBackend`` on Redis, shared by every replica.

    Takes a ready client so tests and the app decide on pools and timeouts; the client
    must decode responses (``decode_responses=True``) because the port speaks ``str``.
    A Redis that does not answer raises ``DependencyUnavailable("cache")``.
    """

    def __init__(self, client: aioredis.Redis, *, deadline_seconds: float = 2.0) -> None:
        self._client = client
        self._incr = client.register_script(_INCR_WITH_EXPIRY)
        self._deadline = deadline_seconds

    @classmethod
    def from_url(cls, url: str, *, timeout_seconds: float = 1.0) -> RedisCache:
        """A client with short timeouts and one retry (a pooled connection that Redis
        closed is worth one fresh try), and a deadline of two timeouts for each call as a
        whole: redis-py retries the handshake and the command separately, and by default
        ten times with back-off, which kept a request waiting on a dead cache for seconds."""
        client = aioredis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=timeout_seconds,
            socket_connect_timeout=timeout_seconds,
            retry=Retry(NoBackoff(), retries=1),
            health_check_interval=30,
        )
        return cls(client, deadline_seconds=2 * timeout_seconds)

    @asynccontextmanager
    async def _answering(self) -> AsyncIterator[None]:
        """Turns "Redis did not answer in time" into the port's ``DependencyUnavailable``,
        which the API answers with 503 and Retry-After instead of a 500."""
        try:
            async with asyncio.timeout(self._deadline):
                yield
        except _UNREACHABLE as exc:
            raise DependencyUnavailable("cache") from exc

    async def get(self, key: str) -> str | None:
        async with self._answering():
            value = await self._client.get(key)
        return None if value is None else str(value)

    async def get_many(self, *keys: str) -> list[str | None]:
        async with self._answering():
            values = await self._client.mget(keys)
        return [None if value is None else str(value) for value in values]

    async def set(self, key: str, value: str, ttl_seconds: int | None = None) -> None:
        _check_ttl(ttl_seconds)
        async with self._answering():
            await self._client.set(key, value, ex=ttl_seconds)

    async def set_if_absent(self, key: str, value: str, ttl_seconds: int | None = None) -> bool:
        _check_ttl(ttl_seconds)
        async with self._answering():
            return bool(await self._client.set(key, value, ex=ttl_seconds, nx=True))

    async def incr(self, key: str, ttl_seconds: int) -> int:
        _check_ttl(ttl_seconds)
        try:
            async with self._answering():
                count = await self._incr(keys=[key], args=[ttl_seconds])
        except RedisError as exc:
            if "not an integer" in str(exc):
                raise ValueError(f"cache key {key!r} does not hold an integer") from exc
            raise
        return int(count)

    async def delete(self, key: str) -> None:
        async with self._answering():
            await self._client.delete(key)

    async def ping(self) -> bool:
        """False instead of raising: readiness checks want an answer, not a traceback."""
        try:
            return bool(await self._client.ping())
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        await self._client.aclose()


def make_cache(settings: Settings) -> CacheBackend:
    """Redis when ``REDIS_URL`` is set (several replicas), else the in-process store."""
    if settings.redis_url:
        return RedisCache.from_url(
            settings.redis_url, timeout_seconds=settings.redis_timeout_seconds
        )
    return MemoryCache()
