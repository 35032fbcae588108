"""One contract, two stores: whatever MemoryCache does, RedisCache must do the same.

The Redis case runs against a real server when ``TEST_REDIS_URL`` is set (for example
``redis://127.0.0.1:6379/15``) and is skipped otherwise. Each test gets its own key
prefix, and the Redis keys under it are deleted afterwards.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
import redis.asyncio as aioredis

from supportdesk.application.ports import CacheBackend
from supportdesk.infrastructure.cache import MemoryCache, RedisCache, make_cache
from supportdesk.infrastructure.settings import Settings

pytestmark = pytest.mark.integration

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class CacheUnderTest:
    cache: CacheBackend
    prefix: str
    # Lets time pass: instantly for the memory store, for real against Redis.
    wait: Callable[[float], Awaitable[None]]

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[CacheUnderTest]:
    prefix = f"test:{uuid.uuid4().hex}:"
    if request.param == "memory":
        clock = FakeClock()

        async def advance(seconds: float) -> None:
            clock.now += seconds

        memory = MemoryCache(clock=clock)
        yield CacheUnderTest(memory, prefix, advance)
        await memory.close()
        return

    if not TEST_REDIS_URL:
        pytest.skip("TEST_REDIS_URL is not set")
    client = aioredis.Redis.from_url(TEST_REDIS_URL, decode_responses=True)
    redis_cache = RedisCache(client)
    try:
        yield CacheUnderTest(redis_cache, prefix, asyncio.sleep)
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await redis_cache.close()


async def test_a_stored_value_is_read_back(store: CacheUnderTest) -> None:
    await store.cache.set(store.key("a"), "value")

    assert await store.cache.get(store.key("a")) == "value"
    assert await store.cache.get(store.key("missing")) is None


async def test_several_values_are_read_in_one_call_in_the_keys_order(
    store: CacheUnderTest,
) -> None:
    await store.cache.set(store.key("a"), "one")
    await store.cache.set(store.key("c"), "three")

    read = await store.cache.get_many(store.key("c"), store.key("b"), store.key("a"))

    assert read == ["three", None, "one"]


async def test_get_many_does_not_read_an_expired_value(store: CacheUnderTest) -> None:
    await store.cache.set(store.key("a"), "short", ttl_seconds=1)
    await store.wait(1.2)

    assert await store.cache.get_many(store.key("a")) == [None]


async def test_setting_again_overwrites(store: CacheUnderTest) -> None:
    await store.cache.set(store.key("a"), "one")
    await store.cache.set(store.key("a"), "two")

    assert await store.cache.get(store.key("a")) == "two"


async def test_deleting_removes_the_key_and_a_missing_key_is_no_error(
    store: CacheUnderTest,
) -> None:
    await store.cache.set(store.key("a"), "value")
    await store.cache.delete(store.key("a"))
    await store.cache.delete(store.key("never-set"))

    assert await store.cache.get(store.key("a")) is None


async def test_set_if_absent_stores_only_the_first_value(store: CacheUnderTest) -> None:
    first = await store.cache.set_if_absent(store.key("a"), "first", ttl_seconds=60)
    second = await store.cache.set_if_absent(store.key("a"), "second", ttl_seconds=60)

    assert (first, second) == (True, False)
    assert await store.cache.get(store.key("a")) == "first"


async def test_concurrent_set_if_absent_has_exactly_one_winner(store: CacheUnderTest) -> None:
    results = await asyncio.gather(
        *(store.cache.set_if_absent(store.key("lock"), str(i), 60) for i in range(20))
    )

    assert results.count(True) == 1


async def test_incr_counts_from_one(store: CacheUnderTest) -> None:
    counts = [await store.cache.incr(store.key("n"), ttl_seconds=60) for _ in range(3)]

    assert counts == [1, 2, 3]


async def test_concurrent_incr_loses_no_increment(store: CacheUnderTest) -> None:
    counts = await asyncio.gather(*(store.cache.incr(store.key("n"), 60) for _ in range(50)))

    assert sorted(counts) == list(range(1, 51))


async def test_incr_of_a_value_that_is_not_a_number_is_refused(store: CacheUnderTest) -> None:
    await store.cache.set(store.key("word"), "hello")

    with pytest.raises(ValueError):
        await store.cache.incr(store.key("word"), ttl_seconds=60)


async def test_a_zero_ttl_is_refused(store: CacheUnderTest) -> None:
    with pytest.raises(ValueError):
        await store.cache.set(store.key("a"), "value", ttl_seconds=0)


async def test_keys_expire_after_their_ttl_and_a_counter_starts_again(
    store: CacheUnderTest,
) -> None:
    await store.cache.set(store.key("plain"), "value", ttl_seconds=1)
    await store.cache.set_if_absent(store.key("once"), "value", ttl_seconds=1)
    await store.cache.set(store.key("forever"), "value")
    await store.cache.incr(store.key("n"), ttl_seconds=1)
    await store.cache.incr(store.key("n"), ttl_seconds=1)

    await store.wait(1.2)

    assert await store.cache.get(store.key("plain")) is None
    assert await store.cache.get(store.key("forever")) == "value"
    assert await store.cache.set_if_absent(store.key("once"), "again", ttl_seconds=1) is True
    assert await store.cache.incr(store.key("n"), ttl_seconds=1) == 1


async def test_incr_keeps_the_expiry_set_when_the_counter_was_created(
    store: CacheUnderTest,
) -> None:
    # A counter's window starts at its first hit; later hits must not push it back,
    # or a steady trickle of failed logins would never be forgotten.
    await store.cache.incr(store.key("n"), ttl_seconds=2)
    await store.wait(1.1)
    await store.cache.incr(store.key("n"), ttl_seconds=2)
    await store.wait(1.1)

    assert await store.cache.incr(store.key("n"), ttl_seconds=2) == 1


async def test_ping_answers_true_when_the_store_is_up(store: CacheUnderTest) -> None:
    assert await store.cache.ping() is True


async def test_ping_answers_false_when_redis_cannot_be_reached() -> None:
    cache = RedisCache.from_url("redis://127.0.0.1:1/0", timeout_seconds=0.2)
    try:
        assert await cache.ping() is False
    finally:
        await cache.close()


def test_make_cache_picks_redis_only_when_a_url_is_set() -> None:
    assert isinstance(make_cache(Settings(redis_url=None)), MemoryCache)
    assert isinstance(make_cache(Settings(redis_url="redis://127.0.0.1:6379/15")), RedisCache)
