"""The agent's queue: ``assignee_id=me|none``, needing attention, sorting by priority with
keyset paging, the last message on list rows, and bulk changes (issue 17 part 3,
docs/desk.md)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import open_case, request_refund

CASES = "/api/v1/support-cases"
BULK = "/api/v1/support-cases/bulk"


async def _cases(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> Any:
    response = await client.get(CASES, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def _ids(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[str]:
    return [c["id"] for c in (await _cases(client, headers, **params))["items"]]


async def _patch(client: httpx.AsyncClient, headers: dict[str, str], case_id: str, **body: Any):
    response = await client.patch(f"{CASES}/{case_id}", headers=headers, json=body)
    assert response.status_code == 200, response.text
    return response.json()


class TestAssigneeFilters:
    async def test_me_is_the_callers_cases_and_none_the_cases_nobody_has(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob, sam = await as_user("alice"), await as_user("bob"), await as_user("sam")
        bobs = await open_case(client, alice)
        sams = await open_case(client, alice)
        nobodys = await open_case(client, alice)
        await _patch(client, bob, bobs["id"], assignee_id="usr_bob")
        await _patch(client, bob, sams["id"], assignee_id="usr_sam")

        assert await _ids(client, bob, assignee_id="me") == [bobs["id"]]
        assert await _ids(client, sam, assignee_id="me") == [sams["id"]]
        assert await _ids(client, bob, assignee_id="none") == [nobodys["id"]]
        assert await _ids(client, bob, assignee_id="usr_sam") == [sams["id"]]

    async def test_a_customer_sending_me_or_none_is_422_naming_the_field(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        await open_case(client, alice)
        for word in ("me", "none"):
            response = await client.get(CASES, headers=alice, params={"assignee_id": word})
            assert response.status_code == 422, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["errors"][0]["loc"] == ["query", "assignee_id"]

    async def test_needs_attention_is_open_in_progress_or_the_customer_wrote_last(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        opened = await open_case(client, alice)
        waiting = await open_case(client, alice)
        resolved_quiet = await open_case(client, alice)
        resolved_replied = await open_case(client, alice)
        for case in (opened, waiting, resolved_quiet, resolved_replied):
            await _patch(client, bob, case["id"], assignee_id="usr_bob")
        await _patch(client, bob, waiting["id"], status="waiting_on_customer")
        for case in (resolved_quiet, resolved_replied):
            await _patch(client, bob, case["id"], status="resolved")
        written = await client.post(
            f"{CASES}/{resolved_replied['id']}/messages",
            headers=alice,
            json={"body": "It is still broken, sorry"},
        )
        assert written.status_code == 201

        found = await _ids(client, bob, assignee_id="me", attention="needed")
        assert set(found) == {opened["id"], resolved_replied["id"]}


class TestLastMessage:
    async def test_list_rows_carry_the_last_public_message_never_an_internal_note(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        for headers, body, internal in (
            (alice, "The headphones crackle", False),
            (bob, "Checking the stock (internal)", True),
        ):
            response = await client.post(
                f"{CASES}/{case['id']}/messages",
                headers=headers,
                json={"body": body, "internal": internal},
            )
            assert response.status_code == 201, response.text

        for headers in (bob, alice):
            (row,) = (await _cases(client, headers))["items"]
            assert row["last_message"]["author_role"] == "customer"
            assert row["last_message"]["excerpt"] == "The headphones crackle"


class TestSortByPriority:
    async def test_minus_priority_is_the_most_urgent_first_then_the_newest(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        bob = await as_user("bob")
        low = await open_case(client, alice, priority="low")
        urgent = await open_case(client, alice, priority="urgent")
        normal = await open_case(client, alice, priority="normal")
        high = await open_case(client, alice, priority="high")
        urgent_later = await open_case(client, alice, priority="urgent")
        expected = [urgent_later, urgent, high, normal, low]
        assert await _ids(client, bob, sort="-priority") == [c["id"] for c in expected]
        assert await _ids(client, bob, sort="priority") == [c["id"] for c in reversed(expected)]

    async def test_paging_over_ties_shows_every_case_once(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        opened = [
            await open_case(client, alice, priority=p)
            for p in ("high", "high", "high", "normal", "normal", "urgent", "high", "low")
        ]
        for sort in ("-priority", "priority"):
            seen: list[str] = []
            cursor: str | None = None
            while True:
                params: dict[str, Any] = {"sort": sort, "limit": 2}
                if cursor:
                    params["cursor"] = cursor
                page = await _cases(client, bob, **params)
                seen += [c["id"] for c in page["items"]]
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            assert sorted(seen) == sorted(c["id"] for c in opened)
            assert len(seen) == len(set(seen))
            full = await _ids(client, bob, sort=sort, limit=100)
            assert seen == full

    async def test_a_cursor_of_another_sort_is_invalid_cursor(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        for _ in range(3):
            await open_case(client, alice)
        page = await _cases(client, bob, sort="-priority", limit=1)
        for sort in ("-created_at", "priority"):
            response = await client.get(
                CASES, headers=bob, params={"sort": sort, "cursor": page["next_cursor"]}
            )
            assert response.status_code == 422
            assert response.json()["code"] == "invalid_cursor"
        by_time = await _cases(client, bob, sort="-created_at", limit=1)
        response = await client.get(
            CASES, headers=bob, params={"sort": "-created_at", "cursor": by_time["next_cursor"]}
        )
        assert response.status_code == 200


class TestBulkChanges:
    async def test_staff_assign_many_cases_and_each_row_says_it_was_done(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, sam = await as_user("alice"), await as_user("sam")
        cases = [await open_case(client, alice) for _ in range(3)]
        ids = [c["id"] for c in cases]
        response = await client.post(
            BULK, headers=sam, json={"ids": ids, "changes": {"assignee_id": "usr_bob"}}
        )
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        assert [r["id"] for r in results] == ids
        assert all(r["ok"] and r["version"] == 2 for r in results)
        bob = await as_user("bob")
        assert sorted(await _ids(client, bob, assignee_id="me")) == sorted(ids)
        history = (await client.get(f"{CASES}/{ids[0]}/history", headers=sam)).json()
        assert [e["type"] for e in history][-1] == "assigned"
        assert history[-1]["actor_id"] == "usr_sam"

    async def test_a_mix_changes_the_allowed_rows_and_says_why_for_the_others(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        free = await open_case(client, alice)
        with_refund = await open_case(client, alice, "ORD-1002")
        refund = await request_refund(client, alice, with_refund["id"], [("L1", 1)])
        assert refund.status_code == 201, refund.text
        closed = await open_case(client, alice, "ORD-1003")
        await _patch(client, bob, closed["id"], status="closed")
        ids = [free["id"], with_refund["id"], "case_unknown", closed["id"]]
        before = (await client.get(f"{CASES}/{with_refund['id']}", headers=bob)).json()

        response = await client.post(
            BULK, headers=bob, json={"ids": ids, "changes": {"status": "closed"}}
        )

        assert response.status_code == 200, response.text
        rows = {r["id"]: r for r in response.json()["results"]}
        assert rows[free["id"]]["ok"] is True
        assert rows[with_refund["id"]] | {"detail": None} == {
            "id": with_refund["id"],
            "ok": False,
            "code": "case_has_open_refunds",
            "detail": None,
            "version": None,
        }
        assert rows[with_refund["id"]]["detail"]
        assert rows["case_unknown"]["code"] == "not_found"
        assert rows[closed["id"]]["ok"] is True  # already closed: nothing to do
        after = (await client.get(f"{CASES}/{with_refund['id']}", headers=bob)).json()
        assert after["status"] == "open" and after["version"] == before["version"]

    async def test_a_row_never_half_applies(self, client: httpx.AsyncClient, as_user) -> None:
        """Priority and status in one row: a refused status leaves the priority as it was."""
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice, "ORD-1002")
        assert (await request_refund(client, alice, case["id"], [("L1", 1)])).status_code == 201
        case = (await client.get(f"{CASES}/{case['id']}", headers=bob)).json()
        response = await client.post(
            BULK,
            headers=bob,
            json={"ids": [case["id"]], "changes": {"priority": "urgent", "status": "closed"}},
        )
        (row,) = response.json()["results"]
        assert row["ok"] is False and row["code"] == "case_has_open_refunds"
        after = (await client.get(f"{CASES}/{case['id']}", headers=bob)).json()
        assert after["priority"] == "normal" and after["version"] == case["version"]

    async def test_a_bulk_change_writes_the_same_events_and_outbox_as_single_changes(
        self, client: httpx.AsyncClient, as_user, container
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        single = await open_case(client, alice)
        many = await open_case(client, alice)
        await _patch(client, bob, single["id"], status="resolved")
        response = await client.post(
            BULK, headers=bob, json={"ids": [many["id"]], "changes": {"status": "resolved"}}
        )
        assert response.json()["results"][0]["ok"] is True

        def shape(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
            return [(e["type"], e["from_status"], e["to_status"], e["actor_id"]) for e in events]

        histories = [
            (await client.get(f"{CASES}/{c['id']}/history", headers=bob)).json()
            for c in (single, many)
        ]
        assert shape(histories[0]) == shape(histories[1])
        mails = [
            (await client.get(f"{CASES}/{c['id']}/history", headers=alice)).json()
            for c in (single, many)
        ]
        assert shape(mails[0]) == shape(mails[1])

    async def test_an_assignee_who_cannot_take_cases_refuses_the_whole_request(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        for assignee in ("usr_alice", "usr_nobody"):
            response = await client.post(
                BULK, headers=bob, json={"ids": [case["id"]], "changes": {"assignee_id": assignee}}
            )
            assert response.status_code == 422, response.text
            assert response.json()["code"] == "validation_error"
        after = (await client.get(f"{CASES}/{case['id']}", headers=bob)).json()
        assert after["assignee_id"] is None and after["version"] == case["version"]

    async def test_null_assignee_unassigns(self, client: httpx.AsyncClient, as_user) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        await _patch(client, bob, case["id"], assignee_id="usr_bob")
        response = await client.post(
            BULK, headers=bob, json={"ids": [case["id"]], "changes": {"assignee_id": None}}
        )
        assert response.json()["results"][0]["ok"] is True
        assert await _ids(client, bob, assignee_id="none") == [case["id"]]

    async def test_customers_may_not_use_bulk_changes(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)
        response = await client.post(
            BULK, headers=alice, json={"ids": [case["id"]], "changes": {"status": "closed"}}
        )
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"

    async def test_hostile_bodies_are_422_problems_and_change_nothing(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        one = [case["id"]]
        bodies: list[Any] = [
            {"ids": [], "changes": {"status": "resolved"}},
            {"ids": [f"case_{i}" for i in range(101)], "changes": {"status": "resolved"}},
            {"ids": [case["id"], case["id"]], "changes": {"status": "resolved"}},
            {"ids": one, "changes": {"status": "finished"}},
            {"ids": one, "changes": {"priority": "asap"}},
            {"ids": one, "changes": {"status": "resolved", "colour": "red"}},
            {"ids": one, "changes": {"status": "resolved"}, "version": 1},
            {"ids": one, "changes": {}},
            {"ids": one},
            {"ids": case["id"], "changes": {"status": "resolved"}},
            {"ids": [1, 2], "changes": {"status": "resolved"}},
            {"ids": one, "changes": {"assignee_id": 7}},
            {"ids": one, "changes": ["status"]},
            {"ids": ["x" * 65], "changes": {"status": "resolved"}},
            {"ids": ["case\u0000x"], "changes": {"status": "resolved"}},
            [],
            None,
        ]
        for body in bodies:
            response = await client.post(BULK, headers=bob, json=body)
            assert response.status_code == 422, (body, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["code"] == "validation_error"
        after = (await client.get(f"{CASES}/{case['id']}", headers=bob)).json()
        assert after["version"] == case["version"] and after["status"] == "open"


class TestSupervisorsQueue:
    async def test_staff_see_which_refunds_wait_for_a_supervisor_and_customers_do_not(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        small_case = await open_case(client, alice)
        big_case = await open_case(client, alice, "ORD-1005")
        small = (await request_refund(client, alice, small_case["id"], [("L2", 1)])).json()
        big = (await request_refund(client, alice, big_case["id"], [("L1", 1)])).json()
        assert small["needs_supervisor"] is None and big["needs_supervisor"] is None
        for refund, waits in ((small, False), (big, True)):
            seen = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)).json()
            assert seen["needs_supervisor"] is waits
