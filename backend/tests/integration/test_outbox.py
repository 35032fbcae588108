"""The outbox: every change that records history writes its notifications in the same
transaction, and the dispatcher delivers them over a real channel, at least once, with
back-off, dead rows for admins to retry, metrics and readiness (docs/outbox.md)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import select, update

from supportdesk.api.app import create_app
from supportdesk.application.dispatcher import Dispatcher, DispatchSettings
from supportdesk.application.outbox import Delivered, DeliveryFailed, FailedTry
from supportdesk.bootstrap import Container
from supportdesk.domain.access import SYSTEM
from supportdesk.domain.cases import Priority
from supportdesk.infrastructure.db.models import EventRecord, OutboxRecord
from tests.integration._loopback import serve_on_loopback, unused_port
from tests.outbox.channel import HttpRecordingChannel, Receiver

pytestmark = pytest.mark.integration

CASE = {"subject": "Broken", "description": "It broke", "category": "damaged_item"}


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    recorder = Receiver()
    async with serve_on_loopback(recorder.app()) as base:
        yield recorder, f"{base}/deliveries"


@pytest.fixture
async def app_with_channel(
    container: Container, receiver: tuple[Receiver, str]
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with the recording channel registered, its dispatcher running in-process."""
    container.channels = {"recording": HttpRecordingChannel(receiver[1])}
    app = create_app(container.settings, container=container)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        yield client


async def sign_in(client: httpx.AsyncClient, who: str) -> dict[str, str]:
    answer = await client.post(
        "/api/v1/auth/login", json={"email": f"{who}@example.com", "password": "demo-password"}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def open_case(client: httpx.AsyncClient, who: dict[str, str], order: str) -> str:
    answer = await client.post(
        "/api/v1/support-cases", headers=who, json={**CASE, "order_id": order}
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def rows(container: Container) -> list[OutboxRecord]:
    async with container.database.write_sessions()() as session:
        return list(await session.scalars(select(OutboxRecord).order_by(OutboxRecord.id)))


async def event_ids(container: Container) -> set[str]:
    async with container.database.write_sessions()() as session:
        return set(await session.scalars(select(EventRecord.id)))


async def wait_for(check: Callable[[], Any], seconds: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.02)


class TestWriting:
    async def test_every_kind_of_change_that_records_history_writes_one_row_per_channel(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        # Two channels, no dispatcher in this process: the rows stay as written.
        container.settings.dispatcher_in_serve = False
        container.channels = {"recording": HttpRecordingChannel("http://x"), "other": object()}  # type: ignore[dict-item]
        before = await event_ids(container)
        alice, bob = await as_user("alice"), await as_user("bob")
        bob_id = (await client.get("/api/v1/me", headers=bob)).json()["id"]
        case_id = await open_case(client, alice, "ORD-1001")
        url = f"/api/v1/support-cases/{case_id}"
        await client.post(f"{url}/messages", headers=bob, json={"body": "Photo please?"})
        await client.post(f"{url}/messages", headers=bob, json={"body": "hm", "internal": True})
        await client.patch(url, headers=bob, json={"assignee_id": bob_id, "priority": "high"})
        await client.patch(url, headers=bob, json={"note": "watch this one"})
        await client.patch(url, headers=bob, json={"status": "waiting_on_customer"})
        await client.post(f"{url}/messages", headers=alice, json={"body": "Here"})
        two = {"items": [{"line_id": "L2", "quantity": 2}], "reason": "broken"}
        refund = (await client.post(f"{url}/refunds", headers=alice, json=two)).json()
        await client.post(f"/api/v1/refunds/{refund['id']}/approve", headers=bob)
        executed = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
        assert executed.json()["status"] == "refunded"
        one = {"items": [{"line_id": "L1", "quantity": 1}], "reason": "broken"}
        rejected = (await client.post(f"{url}/refunds", headers=alice, json=one)).json()
        await client.post(
            f"/api/v1/refunds/{rejected['id']}/reject", headers=bob, json={"reason": "no"}
        )
        cancelled = (await client.post(f"{url}/refunds", headers=alice, json=one)).json()
        await client.post(f"/api/v1/refunds/{cancelled['id']}/cancel", headers=alice)
        late = await open_case(client, alice, "ORD-1002")
        settled = (
            await client.post(
                f"/api/v1/support-cases/{late}/refunds",
                headers=alice,
                json={"items": [{"line_id": "L1", "quantity": 1}], "reason": "late"},
            )
        ).json()
        answer = await client.post(
            f"/api/v1/refunds/{settled['id']}/settlement",
            headers=bob,
            json={"type": "store_credit", "amount": 100, "note": "Goodwill"},
        )
        assert answer.status_code == 200, answer.text

        written = await rows(container)
        new_events = (await event_ids(container)) - before
        async with container.database.write_sessions()() as session:
            types = set(
                await session.scalars(
                    select(EventRecord.type).where(EventRecord.id.in_(new_events))
                )
            )
        assert types >= {
            "case_opened", "message_added", "internal_note_added", "assigned",
            "priority_changed", "note", "status_changed", "refund_requested",
            "refund_approved", "execution_started", "refund_succeeded", "refund_rejected",
            "refund_cancelled", "refund_settled",
        }  # fmt: skip
        assert sorted((r.event_id, r.channel) for r in written) == sorted(
            (event, channel) for event in new_events for channel in ("other", "recording")
        )
        assert {r.state for r in written} == {"pending"}
        assert all(r.attempts == 0 and r.case_id for r in written)

    async def test_a_change_that_is_rolled_back_writes_no_row(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        container.settings.dispatcher_in_serve = False
        container.channels = {"recording": HttpRecordingChannel("http://x")}
        case_id = await open_case(client, await as_user("alice"), "ORD-1001")
        before = len(await rows(container))
        async with container.uow() as uow:
            case = await uow.cases.get(case_id)
            assert case is not None
            case.change_priority(Priority.URGENT, by=SYSTEM, now=container.clock.now())
            await uow.cases.save(case)
            # Leaving without commit: the change and its notifications go together.
        assert len(await rows(container)) == before

    @pytest.mark.parametrize(
        "settings_overrides", [{"notifications_enabled": False}], indirect=True
    )
    async def test_notifications_off_writes_no_rows(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        container.channels = {"recording": HttpRecordingChannel("http://x")}
        await open_case(client, await as_user("alice"), "ORD-1001")
        assert await rows(container) == []


class TestDispatcher:
    async def test_a_committed_change_is_delivered_within_a_second(
        self,
        container: Container,
        app_with_channel: httpx.AsyncClient,
        receiver: tuple[Receiver, str],
    ) -> None:
        recorder, _ = receiver
        alice = await sign_in(app_with_channel, "alice")
        case_id = await open_case(app_with_channel, alice, "ORD-1001")
        started = asyncio.get_running_loop().time()  # the change is committed

        async def delivered() -> bool:
            return any(body["case_id"] == case_id for body in recorder.received)

        await wait_for(delivered, seconds=1.0)
        assert asyncio.get_running_loop().time() - started < 1.0

        async def recorded() -> bool:  # the outcome is written after the receiver answers
            return [r.state for r in await rows(container) if r.case_id == case_id] == ["delivered"]

        await wait_for(recorded)
        [row] = [r for r in await rows(container) if r.case_id == case_id]
        assert row.attempts == 1 and row.delivered_at
        assert row.lease_owner is None
        assert recorder.received[-1]["id"] == f"recording:{row.event_id}"

    async def test_a_failed_try_is_scheduled_again_with_its_error_kept(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        container.settings.dispatcher_in_serve = False
        url = f"http://user:s3cret@127.0.0.1:{unused_port()}/deliveries"
        container.channels = {"recording": HttpRecordingChannel(url)}
        await open_case(client, await as_user("alice"), "ORD-1001")
        dispatcher = container.dispatcher()
        assert await dispatcher.dispatch_once() == 1
        [row] = await rows(container)
        assert row.state == "pending" and row.attempts == 1
        assert "unreachable" in (row.last_error or "")
        assert "s3cret" not in (row.last_error or "")
        assert row.next_attempt_at >= container.clock.now() - timedelta(seconds=1)
        assert row.lease_owner is None
        # Not due before its time: the next pass takes nothing.
        row_due_later = row.next_attempt_at > container.clock.now()
        assert await dispatcher.dispatch_once() == (0 if row_due_later else 1)

    @pytest.mark.parametrize("settings_overrides", [{"outbox_max_attempts": 2}], indirect=True)
    async def test_a_row_is_dead_after_its_last_try_and_an_admin_retries_it(
        self,
        container: Container,
        client: httpx.AsyncClient,
        as_user: Any,
        receiver: tuple[Receiver, str],
    ) -> None:
        recorder, url = receiver
        container.settings.dispatcher_in_serve = False
        container.channels = {"recording": HttpRecordingChannel(url)}
        recorder.fail_with = 503
        await open_case(client, await as_user("alice"), "ORD-1001")
        dispatcher = container.dispatcher()
        dispatcher.policy = type(dispatcher.policy)(max_attempts=2, base_seconds=0.001)
        await dispatcher.dispatch_once()
        await asyncio.sleep(0.01)
        await dispatcher.dispatch_once()
        [row] = await rows(container)
        assert (row.state, row.attempts, row.last_error) == ("dead", 2, "receiver answered 503")

        admin, bob = await as_user("admin"), await as_user("bob")
        assert (await client.get("/api/v1/outbox", headers=bob)).status_code == 403
        listed = (await client.get("/api/v1/outbox?state=dead", headers=admin)).json()
        assert [item["id"] for item in listed["items"]] == [row.id]
        assert listed["items"][0]["event_type"] == "case_opened"
        assert (await client.get("/api/v1/outbox?state=pending", headers=admin)).json() == {
            "items": [],
            "next_cursor": None,
        }

        recorder.fail_with = None
        retried = await client.post(f"/api/v1/outbox/{row.id}/retry", headers=admin)
        assert retried.status_code == 200, retried.text
        assert retried.json()["state"] == "pending" and retried.json()["attempts"] == 0
        again = await client.post(f"/api/v1/outbox/{row.id}/retry", headers=admin)
        assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
        missing = await client.post("/api/v1/outbox/999999/retry", headers=admin)
        assert missing.status_code == 404 and missing.json()["code"] == "not_found"

        assert await dispatcher.dispatch_once() == 1
        [row] = await rows(container)
        assert row.state == "delivered"
        assert len(recorder.received) == 1

    async def test_a_permanent_failure_is_dead_at_once(
        self,
        container: Container,
        client: httpx.AsyncClient,
        as_user: Any,
        receiver: tuple[Receiver, str],
    ) -> None:
        recorder, url = receiver
        container.settings.dispatcher_in_serve = False
        container.channels = {"recording": HttpRecordingChannel(url)}
        recorder.fail_with = 422
        await open_case(client, await as_user("alice"), "ORD-1001")
        await container.dispatcher().dispatch_once()
        [row] = await rows(container)
        assert (row.state, row.attempts) == ("dead", 1)

    async def test_a_stopped_dispatcher_ends_even_when_its_channel_turns_the_stop_into_an_error(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        started = asyncio.Event()

        class SwallowsCancellation:
            """As a mail library does when its connection is cut mid-command."""

            async def deliver(self, item: Any) -> None:
                started.set()
                try:
                    await asyncio.sleep(60)
                except asyncio.CancelledError:
                    raise DeliveryFailed("connection lost") from None

        container.settings.dispatcher_in_serve = False
        container.channels = {"recording": SwallowsCancellation()}
        await open_case(client, await as_user("alice"), "ORD-1001")
        running = asyncio.create_task(container.dispatcher().run(asyncio.Event(), 0.05))
        await asyncio.wait_for(started.wait(), 5)
        running.cancel()
        done, _ = await asyncio.wait({running}, timeout=2)
        assert done, "the dispatcher kept running after it was stopped"
        assert running.cancelled()
        # Cut short by the stop, not a failed try: due again when its lease ends.
        [row] = await rows(container)
        assert (row.state, row.attempts, row.last_error) == ("pending", 0, None)

    async def test_a_row_leased_to_another_dispatcher_is_not_taken_until_its_lease_ends(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        container.settings.dispatcher_in_serve = False
        container.channels = {"recording": HttpRecordingChannel("http://x")}
        await open_case(client, await as_user("alice"), "ORD-1001")
        store, now = container.outbox_store(), container.clock.now()
        lease = now + timedelta(seconds=60)
        first = await store.claim(
            channels=["recording"], owner="a", now=now, lease_until=lease, limit=10
        )
        assert len(first) == 1 and first[0].event.type == "case_opened"
        second = await store.claim(
            channels=["recording"], owner="b", now=now, lease_until=lease, limit=10
        )
        assert second == []
        # "a" crashed: once the lease ends, "b" takes the row, and "a" can no longer settle it.
        later = lease + timedelta(seconds=1)
        third = await store.claim(
            channels=["recording"], owner="b", now=later, lease_until=later, limit=10
        )
        assert [item.id for item in third] == [first[0].id]
        assert not await store.delivered(first[0].id, owner="a", now=later)
        assert await store.delivered(first[0].id, owner="b", now=later)

    async def test_the_admin_list_pages_newest_first(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        container.settings.dispatcher_in_serve = False
        container.channels = {"recording": HttpRecordingChannel("http://x")}
        alice, admin = await as_user("alice"), await as_user("admin")
        for _ in range(3):
            await open_case(client, alice, "ORD-1001")
        first = (await client.get("/api/v1/outbox?limit=2", headers=admin)).json()
        rest = await client.get(
            "/api/v1/outbox", headers=admin, params={"limit": 2, "cursor": first["next_cursor"]}
        )
        ids = [i["id"] for i in first["items"]] + [i["id"] for i in rest.json()["items"]]
        assert ids == sorted(ids, reverse=True) and len(ids) == 3
        assert rest.json()["next_cursor"] is None
        bad = await client.get("/api/v1/outbox?cursor=nonsense", headers=admin)
        assert bad.status_code == 422
        other = await client.get("/api/v1/outbox?channel=email", headers=admin)
        assert other.json()["items"] == []


class TestBatches:
    async def test_a_batch_records_each_outcome_only_where_its_lease_is_still_held(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        container.settings.dispatcher_in_serve = False
        container.channels = {"recording": HttpRecordingChannel("http://x")}
        alice = await as_user("alice")
        for _ in range(3):
            await open_case(client, alice, "ORD-1001")
        store, now = container.outbox_store(), container.clock.now()
        lease = now + timedelta(seconds=60)
        a, b, c = await store.claim(
            channels=["recording"], owner="me", now=now, lease_until=lease, limit=10
        )
        # My lease on c ran out while I was delivering, and another dispatcher took it.
        async with container.database.write_sessions()() as session, session.begin():
            await session.execute(
                update(OutboxRecord).where(OutboxRecord.id == c.id).values(lease_owner="other")
            )
        later = lease + timedelta(seconds=1)

        recorded = await store.record(
            [
                Delivered(a.id),
                FailedTry(b.id, 1, later + timedelta(minutes=1), "refused", {"sent": ["x"]}),
                Delivered(c.id),
            ],
            owner="me",
            now=later,
        )

        assert recorded == {a.id, b.id}
        by_id = {row.id: row for row in await rows(container)}
        assert (by_id[a.id].state, by_id[a.id].attempts) == ("delivered", 1)
        assert (by_id[b.id].state, by_id[b.id].attempts) == ("pending", 1)
        assert (by_id[b.id].last_error, by_id[b.id].progress) == ("refused", {"sent": ["x"]})
        assert (by_id[c.id].state, by_id[c.id].lease_owner) == ("pending", "other")

    async def test_a_row_whose_turn_comes_after_the_batch_deadline_is_given_back_untried(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        class Slow:
            """Answers only after the batch's whole time is spent."""

            async def deliver(self, item: Any) -> None:
                await asyncio.sleep(5)

        container.settings.dispatcher_in_serve = False
        container.channels = {"recording": Slow()}
        alice = await as_user("alice")
        for _ in range(2):
            await open_case(client, alice, "ORD-1001")
        # One delivery at a time, 80 % of a 1.25 s lease: the first uses up the batch's 1 s.
        dispatcher = Dispatcher(
            container.outbox_store(),
            container.channels,
            container.clock,
            container.dispatcher().policy,
            DispatchSettings(lease=timedelta(seconds=1.25), concurrency=1),
        )
        assert await dispatcher.dispatch_once() == 2

        first, second = await rows(container)
        assert (first.state, first.attempts, first.last_error) == (
            "pending",
            1,
            "no answer within 1 s",
        )
        # Never tried: no try counted, no error, no lease, due at once.
        assert (second.state, second.attempts, second.last_error) == ("pending", 0, None)
        assert second.lease_owner is None and second.lease_until is None
        assert second.next_attempt_at <= container.clock.now()


class TestHealth:
    @pytest.mark.parametrize("settings_overrides", [{"outbox_stall_seconds": 10}], indirect=True)
    async def test_ready_reports_a_dispatcher_that_makes_no_progress(
        self, container: Container, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        container.settings.dispatcher_in_serve = False  # as if no worker ran
        container.channels = {"recording": HttpRecordingChannel("http://x")}
        await open_case(client, await as_user("alice"), "ORD-1001")
        ready = await client.get("/api/v1/health/ready")
        assert ready.status_code == 200 and ready.json()["outbox"]["status"] == "ok"

        real_now = container.clock.now
        container.clock.now = lambda: real_now() + timedelta(seconds=60)  # type: ignore[method-assign]
        ready = await client.get("/api/v1/health/ready")
        assert ready.status_code == 503
        assert ready.json()["outbox"]["status"] == "stalled"
        assert "outbox" in ready.json()["detail"] and "worker" in ready.json()["detail"]

    async def test_metrics_show_depth_age_and_deliveries(
        self, container: Container, app_with_channel: httpx.AsyncClient, receiver: Any
    ) -> None:
        alice = await sign_in(app_with_channel, "alice")
        await open_case(app_with_channel, alice, "ORD-1001")

        async def delivered() -> bool:
            return len(receiver[0].received) == 1

        await wait_for(delivered)
        await asyncio.sleep(0.1)  # the outcome is recorded after the answer
        text = (await app_with_channel.get("/metrics")).text
        assert 'supportdesk_outbox_depth{channel="recording"} 0.0' in text
        assert "supportdesk_outbox_oldest_pending_age_seconds 0.0" in text
        assert (
            'supportdesk_outbox_deliveries_total{channel="recording",outcome="delivered"} 1.0'
            in text
        )
