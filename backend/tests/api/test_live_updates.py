"""Live updates over real HTTP: each signed-in user's stream carries exactly the history
events that user may see, resumes after a dropped connection without a gap, and ends
when the sign-in does."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from httpx_sse import ServerSentEvent, aconnect_sse
from sqlalchemy import func, insert, select

from supportdesk.api.app import create_app
from supportdesk.bootstrap import Container
from supportdesk.infrastructure.db.models import EventRecord
from tests.conftest import DEMO_PASSWORD, TEST_REDIS_URL, make_settings
from tests.factories import open_case
from tests.integration._loopback import serve_on_loopback

API = "/api/v1"
STREAM = f"{API}/events/stream"
INTERNAL = "the customer is known for chargebacks, be careful"


@pytest.fixture
async def http(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(container.settings, container=container)
    async with (
        serve_on_loopback(app) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=10) as client,
    ):
        yield client


@pytest.fixture
def signed_in(http: httpx.AsyncClient) -> Callable[[str], Any]:
    async def headers(who: str) -> dict[str, str]:
        response = await http.post(
            f"{API}/auth/login", json={"email": f"{who}@example.com", "password": DEMO_PASSWORD}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return headers


class Listener:
    """One open stream, read in the background into ``events``."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers
        self.events: list[ServerSentEvent] = []
        self.status: int | None = None
        self.ended = asyncio.Event()
        self._arrived = asyncio.Event()
        self._open = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _read(self) -> None:
        try:
            async with aconnect_sse(self.client, "GET", STREAM, headers=self.headers) as source:
                self.status = source.response.status_code
                self._open.set()
                async for sse in source.aiter_sse():
                    self.events.append(sse)
                    self._arrived.set()
        finally:
            self._open.set()
            self.ended.set()

    async def __aenter__(self) -> Listener:
        self._task = asyncio.create_task(self._read())
        await asyncio.wait_for(self._open.wait(), timeout=10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
            await self._task

    def data(self) -> list[dict[str, Any]]:
        return [json.loads(e.data) for e in self.events]

    async def until(self, condition: Callable[[list[dict[str, Any]]], bool]) -> None:
        async def wait() -> None:
            while not condition(self.data()):
                self._arrived.clear()
                await self._arrived.wait()

        await asyncio.wait_for(wait(), timeout=10)


def of_case(case_id: str) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda seen: any(d["case_id"] == case_id for d in seen)


async def reply(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: str, body: str, **extra: Any
) -> None:
    response = await client.post(
        f"{API}/support-cases/{case_id}/messages", headers=headers, json={"body": body, **extra}
    )
    assert response.status_code == 201, response.text


class TestWhoSeesWhat:
    async def test_a_customer_sees_her_own_cases_changes_and_staff_see_everything(
        self, http: httpx.AsyncClient, signed_in
    ) -> None:
        alice, bob, carol = (
            await signed_in("alice"),
            await signed_in("bob"),
            await signed_in("carol"),
        )
        async with Listener(http, alice) as alices, Listener(http, bob) as bobs:
            case = await open_case(http, alice)
            await reply(http, bob, case["id"], INTERNAL, internal=True)
            await reply(http, bob, case["id"], "We are on it.")
            carols_case = await open_case(http, carol, order_id="ORD-2001")
            await bobs.until(of_case(carols_case["id"]))
            # Alice's stream has had every chance to carry Carol's case by now: the public
            # reply came after the internal note and before Carol's case.
            await alices.until(lambda seen: [d["type"] for d in seen][-1:] == ["message_added"])
            await asyncio.sleep(0.3)

        assert [(d["type"], d["case_id"]) for d in alices.data()] == [
            ("case_opened", case["id"]),
            ("message_added", case["id"]),
        ]
        assert [(d["type"], d["case_id"]) for d in bobs.data()] == [
            ("case_opened", case["id"]),
            ("internal_note_added", case["id"]),
            ("message_added", case["id"]),
            ("case_opened", carols_case["id"]),
        ]
        assert INTERNAL not in str([e.data for e in alices.events])

    async def test_every_event_names_its_id_type_entity_and_version(
        self, http: httpx.AsyncClient, signed_in
    ) -> None:
        alice, bob = await signed_in("alice"), await signed_in("bob")
        async with Listener(http, bob) as bobs:
            case = await open_case(http, alice)
            await bobs.until(of_case(case["id"]))
        event, data = bobs.events[0], bobs.data()[0]
        assert event.event == "case_opened" == data["type"]
        assert event.id == str(data["seq"])
        assert data["entity"] == "support_case"
        assert data["entity_id"] == case["id"] == data["case_id"]
        assert data["version"] == case["version"]
        assert data["actor_name"] == "Alice Martin"
        datetime.fromisoformat(data["at"])

    async def test_a_customer_is_not_told_staff_names(
        self, http: httpx.AsyncClient, signed_in
    ) -> None:
        alice, bob = await signed_in("alice"), await signed_in("bob")
        case = await open_case(http, alice)
        async with Listener(http, alice) as alices:
            await reply(http, bob, case["id"], "Hello from support")
            await alices.until(of_case(case["id"]))
        assert alices.data()[0]["actor_name"] is None
        # Nor their ids or roles: the support team acted.
        assert alices.data()[0]["actor_role"] == "support_team"
        assert alices.data()[0]["actor_id"] == "support_team"


class TestResuming:
    async def test_a_dropped_stream_resumes_after_its_last_event_without_a_gap(
        self, http: httpx.AsyncClient, signed_in
    ) -> None:
        alice, bob = await signed_in("alice"), await signed_in("bob")
        case = await open_case(http, alice)
        async with Listener(http, alice) as first:
            await reply(http, bob, case["id"], "first")
            await first.until(lambda seen: len(seen) == 1)
        last_id = first.events[-1].id

        # While nobody listens: two replies and a status change.
        await reply(http, bob, case["id"], "second")
        await reply(http, alice, case["id"], "third")
        moved = await http.patch(
            f"{API}/support-cases/{case['id']}", headers=bob, json={"status": "in_progress"}
        )
        assert moved.status_code == 200, moved.text

        async with Listener(http, {**alice, "Last-Event-ID": last_id}) as again:
            await again.until(lambda seen: len(seen) >= 3)
            await asyncio.sleep(0.2)
        seqs = [d["seq"] for d in again.data()]
        assert [d["type"] for d in again.data()] == [
            "message_added",
            "message_added",
            "status_changed",
        ]
        assert seqs == sorted(seqs) and seqs[0] > int(last_id)

    @pytest.mark.parametrize("sent", ["not-a-number", "-5", "1e9", "99999999999999999999999"])
    async def test_a_malformed_last_event_id_is_ignored_and_the_stream_starts_now(
        self, http: httpx.AsyncClient, signed_in, sent: str
    ) -> None:
        alice = await signed_in("alice")
        old = await open_case(http, alice)
        async with Listener(http, {**alice, "Last-Event-ID": sent}) as listener:
            assert listener.status == 200
            new = await open_case(http, alice)
            await listener.until(of_case(new["id"]))
        assert old["id"] not in str(listener.data())

    async def test_an_event_committed_after_a_later_one_is_still_sent(
        self, http: httpx.AsyncClient, signed_in, container: Container
    ) -> None:
        """PostgreSQL hands out seq at insert, so a transaction can commit a lower seq after
        another committed a higher one. Simulated here by writing the rows in that order."""
        bob = await signed_in("bob")
        alice = await signed_in("alice")
        case = await open_case(http, alice)
        async with container.database.writer.begin() as connection:
            top = (await connection.execute(select(func.max(EventRecord.seq)))).scalar_one()
        async with Listener(http, bob) as listener:
            await _insert_event(container, seq=top + 5, case_id=case["id"], type="later")
            container.wakeups.notify()
            await listener.until(lambda seen: len(seen) == 1)
            await _insert_event(container, seq=top + 2, case_id=case["id"], type="earlier")
            container.wakeups.notify()
            await listener.until(lambda seen: len(seen) == 2)
            await asyncio.sleep(0.2)
        assert [d["type"] for d in listener.data()] == ["later", "earlier"]


async def _insert_event(container: Container, *, seq: int, case_id: str, type: str) -> None:
    async with container.database.writer.begin() as connection:
        await connection.execute(
            insert(EventRecord).values(
                seq=seq,
                id=f"evt_test_{seq}",
                at=datetime.now(UTC),
                actor_id="system",
                actor_role="admin",
                entity="support_case",
                entity_id=case_id,
                case_id=case_id,
                type=type,
                note=None,
                note_public=True,
            )
        )


class TestTheStreamEndsWithTheSignIn:
    async def test_without_a_token_the_answer_is_401_problem_json(
        self, http: httpx.AsyncClient
    ) -> None:
        response = await http.get(STREAM)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")

    @pytest.mark.parametrize("settings_overrides", [{"sse_heartbeat_seconds": 0.2}], indirect=True)
    async def test_deactivating_the_account_ends_its_stream(
        self, http: httpx.AsyncClient, signed_in
    ) -> None:
        bob, admin = await signed_in("bob"), await signed_in("admin")
        me = (await http.get(f"{API}/me", headers=bob)).json()
        async with Listener(http, bob) as listener:
            done = await http.post(f"{API}/users/{me['id']}/deactivate", headers=admin)
            assert done.status_code == 200, done.text
            await asyncio.wait_for(listener.ended.wait(), timeout=5)

    @pytest.mark.parametrize("settings_overrides", [{"sse_heartbeat_seconds": 0.2}], indirect=True)
    async def test_signing_out_ends_the_stream(self, http: httpx.AsyncClient) -> None:
        login = await http.post(
            f"{API}/auth/login", json={"email": "alice@example.com", "password": DEMO_PASSWORD}
        )
        tokens = login.json()
        alice = {"Authorization": f"Bearer {tokens['access_token']}"}
        async with Listener(http, alice) as listener:
            out = await http.post(
                f"{API}/auth/logout", headers=alice, json={"refresh_token": tokens["refresh_token"]}
            )
            assert out.status_code in (200, 204), out.text
            await asyncio.wait_for(listener.ended.wait(), timeout=5)


@pytest.mark.skipif(not TEST_REDIS_URL, reason="needs Redis (TEST_REDIS_URL)")
@pytest.mark.parametrize("settings_overrides", [{"sse_poll_seconds": 60}], indirect=True)
async def test_a_change_made_on_another_replica_wakes_the_stream_through_redis(
    http: httpx.AsyncClient, signed_in, database_url: str, settings_overrides: dict[str, Any]
) -> None:
    """Two replicas over one database and one Redis: a change written by the second
    reaches a stream on the first at once, not at the next poll a minute later."""
    other = Container.build(make_settings(database_url, **settings_overrides))
    try:
        app = create_app(other.settings, container=other)
        async with (
            serve_on_loopback(app) as base_url,
            httpx.AsyncClient(base_url=base_url, timeout=10) as replica,
        ):
            alice = await signed_in("alice")
            async with Listener(http, alice) as listener:
                case = await open_case(replica, alice)
                await asyncio.wait_for(listener.until(of_case(case["id"])), timeout=5)
    finally:
        await other.aclose()


# Long enough for the reply to arrive first on a busy machine, short enough to wait out.
@pytest.mark.parametrize("settings_overrides", [{"sse_max_seconds": 3}], indirect=True)
async def test_a_stream_ends_after_its_longest_life_and_resumes_where_it_ended(
    http: httpx.AsyncClient, signed_in
) -> None:
    alice, bob = await signed_in("alice"), await signed_in("bob")
    case = await open_case(http, alice)
    async with Listener(http, alice) as first:
        await reply(http, bob, case["id"], "before the end")
        await asyncio.wait_for(first.until(lambda seen: len(seen) == 1), timeout=5)
        await asyncio.wait_for(first.ended.wait(), timeout=10)
    await reply(http, bob, case["id"], "after the end")
    async with Listener(http, {**alice, "Last-Event-ID": first.events[-1].id}) as again:
        await again.until(lambda seen: len(seen) == 1)
    assert [d["type"] for d in first.data()] == ["message_added"]
    assert again.data()[0]["seq"] > first.data()[0]["seq"]
