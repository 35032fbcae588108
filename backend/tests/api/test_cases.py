"""Support cases through HTTP: opening, transitions, concurrency, messages, history."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.factories import open_case, request_refund


class TestOpenCase:
    async def test_a_customer_opens_a_case_on_their_order_with_its_snapshot(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        case = await open_case(client, await as_user("alice"), subject="  Broken  ")
        assert case["status"] == "open"
        assert case["priority"] == "normal"
        assert case["subject"] == "Broken"
        assert [line["line_id"] for line in case["order_snapshot"]["lines"]] == ["L1", "L2"]

    @pytest.mark.parametrize("order_id", ["ORD-2001", "ORD-9999"])
    async def test_someone_elses_or_an_unknown_order_is_order_not_found(
        self, client: httpx.AsyncClient, as_user, order_id: str
    ) -> None:
        response = await client.post(
            "/api/v1/support-cases",
            headers=await as_user("alice"),
            json={"order_id": order_id, "subject": "s", "description": "d", "category": "other"},
        )
        assert response.status_code == 422
        assert response.json()["code"] == "order_not_found"

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("subject", ""),
            ("subject", "   "),
            ("subject", "x" * 201),
            ("description", ""),
            ("description", "x" * 10_001),
            ("category", "bogus"),
            ("priority", "whenever"),
            ("unexpected", 1),
        ],
    )
    async def test_bad_fields_are_422_naming_the_field_and_store_nothing(
        self, client: httpx.AsyncClient, as_user, field: str, value: object
    ) -> None:
        alice = await as_user("alice")
        body = {
            "order_id": "ORD-1001",
            "subject": "s",
            "description": "d",
            "category": "other",
            field: value,
        }
        response = await client.post("/api/v1/support-cases", headers=alice, json=body)
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["code"] == "validation_error"
        assert response.headers["content-type"].startswith("application/problem+json")
        assert any(field in error["loc"] for error in problem["errors"])
        listed = await client.get("/api/v1/support-cases", headers=alice)
        assert listed.json()["items"] == []


class TestTransitions:
    async def test_the_journey_of_a_case_with_a_customer_reply(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        url = f"/api/v1/support-cases/{case['id']}"

        await client.post(f"{url}/messages", headers=bob, json={"body": "Photo please?"})
        moved = await client.patch(url, headers=bob, json={"status": "waiting_on_customer"})
        assert moved.json()["status"] == "waiting_on_customer"
        await client.post(f"{url}/messages", headers=alice, json={"body": "Here it is"})
        assert (await client.get(url, headers=alice)).json()["status"] == "in_progress"
        resolved = await client.patch(url, headers=bob, json={"status": "resolved"})
        assert resolved.json()["status"] == "resolved"
        reopened = await client.patch(url, headers=alice, json={"status": "open"})
        assert reopened.json()["status"] == "open"
        closed = await client.patch(url, headers=alice, json={"status": "closed"})
        assert closed.json()["status"] == "closed"

        again = await client.patch(url, headers=bob, json={"status": "open"})
        assert again.status_code == 409
        assert again.json()["code"] == "invalid_transition"
        history = (await client.get(f"{url}/history", headers=alice)).json()
        moves = [
            (e["from_status"], e["to_status"]) for e in history if e["type"] == "status_changed"
        ]
        assert moves == [
            ("open", "waiting_on_customer"),
            ("waiting_on_customer", "in_progress"),
            ("in_progress", "resolved"),
            ("resolved", "open"),
            ("open", "closed"),
        ]

    async def test_a_customer_may_not_move_a_case_to_work_states_or_set_priority(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)
        url = f"/api/v1/support-cases/{case['id']}"
        assert (
            await client.patch(url, headers=alice, json={"status": "resolved"})
        ).status_code == 409
        assert (
            await client.patch(url, headers=alice, json={"priority": "urgent"})
        ).status_code == 403

    async def test_a_case_with_an_open_refund_cannot_be_closed(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)
        await request_refund(client, alice, case["id"])
        response = await client.patch(
            f"/api/v1/support-cases/{case['id']}", headers=alice, json={"status": "closed"}
        )
        assert response.status_code == 409
        assert response.json()["code"] == "case_has_open_refunds"

    async def test_a_stale_if_match_is_a_version_conflict_and_changes_nothing(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        url = f"/api/v1/support-cases/{case['id']}"
        first = await client.patch(
            url, headers={**bob, "If-Match": '"1"'}, json={"priority": "high"}
        )
        assert first.status_code == 200
        assert first.headers["etag"] == '"2"'
        stale = await client.patch(url, headers={**bob, "If-Match": "1"}, json={"priority": "low"})
        assert stale.status_code == 409
        assert stale.json()["code"] == "version_conflict"
        assert (await client.get(url, headers=bob)).json()["priority"] == "high"

    async def test_assigning_needs_a_staff_member(self, client: httpx.AsyncClient, as_user) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        url = f"/api/v1/support-cases/{case['id']}"
        ok = await client.patch(url, headers=bob, json={"assignee_id": "usr_bob"})
        assert ok.json()["assignee_id"] == "usr_bob"
        bad = await client.patch(url, headers=bob, json={"assignee_id": "usr_alice"})
        assert bad.status_code == 422
        unassigned = await client.patch(url, headers=bob, json={"assignee_id": None})
        assert unassigned.json()["assignee_id"] is None


class TestMessages:
    async def test_internal_notes_are_for_staff_only(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        url = f"/api/v1/support-cases/{case['id']}"
        await client.post(f"{url}/messages", headers=bob, json={"body": "fraud?", "internal": True})
        await client.post(f"{url}/messages", headers=bob, json={"body": "Hello Alice"})
        denied = await client.post(
            f"{url}/messages", headers=alice, json={"body": "x", "internal": True}
        )
        assert denied.status_code == 403

        seen_by_alice = (await client.get(f"{url}/messages", headers=alice)).json()
        seen_by_bob = (await client.get(f"{url}/messages", headers=bob)).json()
        assert [m["body"] for m in seen_by_alice] == ["Hello Alice"]
        assert [m["body"] for m in seen_by_bob] == ["fraud?", "Hello Alice"]
        alice_history = (await client.get(f"{url}/history", headers=alice)).text
        assert "internal_note" not in alice_history

    async def test_messages_written_at_once_on_one_case_all_land(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        # On PostgreSQL they race for the case's version; none may be refused for it.
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        url = f"/api/v1/support-cases/{case['id']}/messages"

        answers = await asyncio.gather(
            *(
                client.post(url, headers=who, json={"body": f"message {n}"})
                for n, who in enumerate([alice, bob] * 4)
            )
        )

        assert [answer.status_code for answer in answers] == [201] * 8, [a.text for a in answers]
        bodies = {m["body"] for m in (await client.get(url, headers=bob)).json()}
        assert bodies == {f"message {n}" for n in range(8)}
        history = await client.get(f"/api/v1/support-cases/{case['id']}/history", headers=bob)
        assert [e["type"] for e in history.json()].count("message_added") == 8


class TestLists:
    async def test_filters_and_cursor_paging(self, client: httpx.AsyncClient, as_user) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        ids = [(await open_case(client, alice, subject=f"Case {n}"))["id"] for n in range(5)]
        await client.patch(
            f"/api/v1/support-cases/{ids[0]}", headers=bob, json={"status": "in_progress"}
        )
        seen, cursor = [], None
        while True:
            params = {"limit": 2, "sort": "created_at", **({"cursor": cursor} if cursor else {})}
            page = (await client.get("/api/v1/support-cases", headers=bob, params=params)).json()
            seen += [c["id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == ids
        only = await client.get(
            "/api/v1/support-cases", headers=bob, params={"status": ["in_progress"]}
        )
        assert [c["id"] for c in only.json()["items"]] == [ids[0]]
        found = await client.get("/api/v1/support-cases", headers=bob, params={"q": "case 3"})
        assert [c["id"] for c in found.json()["items"]] == [ids[3]]

    @pytest.mark.parametrize(
        "query",
        [
            "limit=0",
            "limit=101",
            "sort=name",
            "status=nope",
            "created_after=yesterday",
        ],
    )
    async def test_bad_list_parameters_are_422(
        self, client: httpx.AsyncClient, as_user, query: str
    ) -> None:
        response = await client.get(f"/api/v1/support-cases?{query}", headers=await as_user("bob"))
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "validation_error"

    async def test_csv_export_has_every_filtered_row(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        for n in range(3):
            await open_case(client, alice, subject=f"Export {n}, with a comma")
        response = await client.get("/api/v1/support-cases/export.csv", headers=bob)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        lines = response.text.strip().splitlines()
        assert lines[0].startswith("id,customer_id,order_id,subject")
        assert len(lines) == 4
        assert '"Export 0, with a comma"' in response.text


class TestBadRequests:
    async def test_malformed_json_is_a_400_problem(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        response = await client.post(
            "/api/v1/support-cases",
            headers={**await as_user("alice"), "Content-Type": "application/json"},
            content=b"{not json",
        )
        assert response.status_code == 400
        assert response.json()["code"] == "malformed_json"

    async def test_unknown_route_and_wrong_method(self, client: httpx.AsyncClient) -> None:
        unknown = await client.get("/api/v1/nothing-here")
        assert unknown.status_code == 404
        assert unknown.json()["code"] == "not_found"
        wrong = await client.delete("/api/v1/support-cases")
        assert wrong.status_code == 405
        assert wrong.json()["code"] == "method_not_allowed"

    async def test_an_oversize_body_is_413(self, client: httpx.AsyncClient, as_user) -> None:
        response = await client.post(
            "/api/v1/support-cases",
            headers=await as_user("alice"),
            content=b"x" * (1024 * 1024 + 1),
        )
        assert response.status_code == 413
        assert response.json()["code"] == "payload_too_large"

    async def test_a_bad_if_match_is_422(self, client: httpx.AsyncClient, as_user) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)
        response = await client.patch(
            f"/api/v1/support-cases/{case['id']}",
            headers={**alice, "If-Match": "banana"},
            json={"status": "closed"},
        )
        assert response.status_code == 422
