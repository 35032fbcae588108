"""SLA clocks through HTTP: the fields staff see, the filter, the due_at sort with its
paging, breaches recorded once, hidden from customers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from supportdesk.application.sla import SlaService
from supportdesk.bootstrap import Container
from tests.factories import approved_refund, open_case
from tests.service.fakes import FixedClock

# Around the clock in UTC: business time is plain time, so due times are easy to check.
pytestmark = pytest.mark.parametrize(
    "settings_overrides",
    [
        {
            "sla_time_zone": "UTC",
            "sla_working_days": "mon-sun",
            "sla_working_hours": "00:00-24:00",
            "sla_holidays_country": "",
        }
    ],
    indirect=True,
)


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def get_case(client: httpx.AsyncClient, headers: dict[str, str], case_id: str) -> Any:
    response = await client.get(f"/api/v1/support-cases/{case_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def patch(client: httpx.AsyncClient, headers: dict[str, str], case_id: str, **body: Any):
    response = await client.patch(f"/api/v1/support-cases/{case_id}", headers=headers, json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def history_types(client: httpx.AsyncClient, headers: dict[str, str], case_id: str):
    response = await client.get(f"/api/v1/support-cases/{case_id}/history", headers=headers)
    assert response.status_code == 200
    return [(e["type"], e["note"]) for e in response.json()]


async def sweep_at(container: Container, moment: datetime) -> list[str]:
    return await SlaService(container.uow(), FixedClock(moment)).sweep()


class TestFields:
    async def test_staff_see_the_due_times_of_the_priority_s_targets(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        case = await open_case(client, await as_user("alice"))
        seen = await get_case(client, await as_user("bob"), case["id"])
        opened = when(seen["created_at"])
        assert when(seen["first_response_due_at"]) == opened + timedelta(hours=8)
        assert when(seen["resolution_due_at"]) == opened + timedelta(hours=40)
        assert seen["sla_status"] == "ok"
        assert seen["sla"]["first_response"]["state"] == "running"
        assert seen["sla"]["first_response"]["target_seconds"] == 8 * 3600
        assert 0 < seen["sla"]["first_response"]["business_seconds_left"] <= 8 * 3600

    async def test_customers_never_see_the_sla(self, client: httpx.AsyncClient, as_user) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)
        seen = await get_case(client, alice, case["id"])
        assert seen["first_response_due_at"] is None
        assert seen["sla_status"] is None
        assert seen["sla"] is None
        listed = (await client.get("/api/v1/support-cases", headers=alice)).json()["items"]
        assert all(item["sla_status"] is None for item in listed)

    async def test_a_public_reply_meets_the_first_response(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob = await as_user("bob")
        case = await open_case(client, await as_user("alice"))
        await client.post(
            f"/api/v1/support-cases/{case['id']}/messages",
            headers=bob,
            json={"body": "note to self", "internal": True},
        )
        assert (await get_case(client, bob, case["id"]))["first_response_due_at"] is not None
        await client.post(
            f"/api/v1/support-cases/{case['id']}/messages", headers=bob, json={"body": "Hello"}
        )
        seen = await get_case(client, bob, case["id"])
        assert seen["first_response_due_at"] is None
        assert seen["sla"]["first_response"]["state"] == "met"

    async def test_waiting_on_the_customer_pauses_the_clocks(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob = await as_user("bob")
        case = await open_case(client, await as_user("alice"))
        changed = await patch(client, bob, case["id"], status="waiting_on_customer")
        assert changed["sla_status"] == "paused"
        assert changed["first_response_due_at"] is None
        assert (await get_case(client, bob, case["id"]))["sla"]["resolution"]["state"] == "paused"

    async def test_a_case_staff_opened_for_a_caller_has_had_its_first_response(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        case = await open_case(client, await as_user("bob"), channel="phone")
        assert case["first_response_due_at"] is None
        assert case["resolution_due_at"] is not None


class TestListing:
    async def test_the_list_filters_by_sla_status(self, client: httpx.AsyncClient, as_user) -> None:
        bob = await as_user("bob")
        alice = await as_user("alice")
        waiting = await open_case(client, alice)
        running = await open_case(client, alice)
        await patch(client, bob, waiting["id"], status="waiting_on_customer")
        paused = await client.get(
            "/api/v1/support-cases", headers=bob, params={"sla_status": "paused"}
        )
        assert [c["id"] for c in paused.json()["items"]] == [waiting["id"]]
        both = await client.get(
            "/api/v1/support-cases",
            headers=bob,
            params=[("sla_status", "paused"), ("sla_status", "ok")],
        )
        assert {c["id"] for c in both.json()["items"]} >= {waiting["id"], running["id"]}

    async def test_an_unknown_sla_status_is_422(self, client: httpx.AsyncClient, as_user) -> None:
        response = await client.get(
            "/api/v1/support-cases", headers=await as_user("bob"), params={"sla_status": "late"}
        )
        assert response.status_code == 422

    @pytest.mark.parametrize("sort", ["due_at", "-due_at"])
    async def test_due_at_pages_through_every_case_once_with_the_undue_last(
        self, client: httpx.AsyncClient, as_user, sort: str
    ) -> None:
        bob = await as_user("bob")
        alice = await as_user("alice")
        made = []
        for priority in ("low", "urgent", "normal", "high", "urgent"):
            made.append(await open_case(client, alice, priority=priority))
        done = await open_case(client, alice)
        await patch(client, bob, done["id"], status="resolved")
        seen: list[dict[str, Any]] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"sort": sort, "limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = (await client.get("/api/v1/support-cases", headers=bob, params=params)).json()
            seen += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                break
        ids = [c["id"] for c in seen]
        assert len(ids) == len(set(ids))
        assert {c["id"] for c in made} | {done["id"]} <= set(ids)
        dues = [c["resolution_due_at"] and _due(c) for c in seen]
        with_due = [d for d in dues if d is not None]
        assert with_due == sorted(with_due, reverse=sort.startswith("-"))
        # Every case without a due time comes after every case with one.
        first_none = dues.index(None)
        assert all(d is None for d in dues[first_none:])

    async def test_a_cursor_of_another_sort_is_refused(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob = await as_user("bob")
        alice = await as_user("alice")
        for _ in range(3):
            await open_case(client, alice)
        page = await client.get(
            "/api/v1/support-cases", headers=bob, params={"sort": "due_at", "limit": 1}
        )
        cursor = page.json()["next_cursor"]
        refused = await client.get(
            "/api/v1/support-cases", headers=bob, params={"sort": "created_at", "cursor": cursor}
        )
        assert refused.status_code == 422
        assert refused.json()["code"] == "invalid_cursor"


def _due(case: dict[str, Any]) -> datetime:
    dues = [case["first_response_due_at"], case["resolution_due_at"]]
    return min(when(d) for d in dues if d)


class TestBreaches:
    async def test_a_breach_is_one_event_in_the_history_however_often_it_is_looked_at(
        self, client: httpx.AsyncClient, as_user, container: Container
    ) -> None:
        bob = await as_user("bob")
        case = await open_case(client, await as_user("alice"), priority="urgent")
        later = datetime.now(UTC) + timedelta(hours=2)
        first, second = await asyncio.gather(sweep_at(container, later), sweep_at(container, later))
        assert case["id"] in first + second
        await sweep_at(container, later + timedelta(minutes=5))
        events = await history_types(client, bob, case["id"])
        assert events.count(("sla_breached", "first response")) == 1
        listed = await client.get(
            "/api/v1/support-cases", headers=bob, params={"sla_status": "breached"}
        )
        assert case["id"] in [c["id"] for c in listed.json()["items"]]

    async def test_customers_do_not_see_breaches_in_their_history(
        self, client: httpx.AsyncClient, as_user, container: Container
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice, priority="urgent")
        await sweep_at(container, datetime.now(UTC) + timedelta(hours=9))
        assert "sla_breached" not in [t for t, _ in await history_types(client, alice, case["id"])]
        staff_view = await history_types(client, await as_user("bob"), case["id"])
        assert ("sla_breached", "resolution") in staff_view

    async def test_the_sweep_moves_a_case_to_at_risk_without_a_new_version(
        self, client: httpx.AsyncClient, as_user, container: Container
    ) -> None:
        bob = await as_user("bob")
        case = await open_case(client, await as_user("alice"), priority="urgent")
        opened = when(case["created_at"])
        assert await sweep_at(container, opened + timedelta(minutes=50)) == [case["id"]]
        listed = await client.get(
            "/api/v1/support-cases", headers=bob, params={"sla_status": "at_risk"}
        )
        [item] = [c for c in listed.json()["items"] if c["id"] == case["id"]]
        assert item["version"] == case["version"]

    async def test_breaches_are_counted_in_the_stats(
        self, client: httpx.AsyncClient, as_user, container: Container
    ) -> None:
        await open_case(client, await as_user("alice"), priority="urgent")
        await sweep_at(container, datetime.now(UTC) + timedelta(hours=2))
        stats = (await client.get("/api/v1/overview/stats", headers=await as_user("bob"))).json()
        assert stats["sla_breaches_30d"]["first_response"] >= 1


class TestTimeToMoney:
    async def test_a_refunded_refund_shows_staff_its_time_to_money_and_the_week_reports_it(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        refund = await approved_refund(client, alice, bob)
        assert refund["time_to_money_seconds"] is None
        executed = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
        assert executed.json()["status"] == "refunded", executed.text
        assert executed.json()["time_to_money_seconds"] >= 0
        seen = await client.get(f"/api/v1/refunds/{refund['id']}", headers=alice)
        assert seen.json()["time_to_money_seconds"] is None
        stats = (await client.get("/api/v1/overview/stats", headers=bob)).json()
        [week] = stats["time_to_money_weeks"]
        year, number, _ = datetime.now(UTC).isocalendar()
        assert week["week"] == f"{year}-W{number:02d}"
        assert week["refunds"] == 1
