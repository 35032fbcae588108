"""Every answer about a case or a refund says what the caller may do next, and why not the
rest: the web app renders it and never re-derives a rule."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import open_case, request_refund


def blocked(answer: dict[str, Any]) -> dict[str, str]:
    return {b["action"]: b["code"] for b in answer["blocked_actions"]}


class TestACaseSaysWhatMayHappenNext:
    async def test_the_owner_may_reply_ask_for_a_refund_and_close_but_not_reopen_an_open_case(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        case = await open_case(client, await as_user("alice"))

        assert case["allowed_actions"] == ["reply", "request_refund", "close"]
        assert case["allowed_moves"] == ["closed"]
        assert blocked(case) == {"reopen": "invalid_transition"}

    async def test_staff_may_handle_the_case_and_move_it_to_any_other_status(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        case = await open_case(client, await as_user("alice"))

        answer = await client.get(
            f"/api/v1/support-cases/{case['id']}", headers=await as_user("bob")
        )

        assert answer.json()["allowed_actions"] == [
            "reply",
            "add_internal_note",
            "assign",
            "change_priority",
            "request_refund",
            "close",
        ]
        assert answer.json()["allowed_moves"] == [
            "in_progress",
            "waiting_on_customer",
            "resolved",
            "closed",
        ]

    async def test_an_open_refund_blocks_closing_with_the_code_a_close_would_get(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        assert (await request_refund(client, alice, case["id"])).status_code == 201

        as_alice = (await client.get(f"/api/v1/support-cases/{case['id']}", headers=alice)).json()
        as_bob = (await client.get(f"/api/v1/support-cases/{case['id']}", headers=bob)).json()
        close = await client.patch(
            f"/api/v1/support-cases/{case['id']}", headers=alice, json={"status": "closed"}
        )

        assert "close" not in as_alice["allowed_actions"]
        assert "closed" not in as_bob["allowed_moves"]
        assert blocked(as_alice)["close"] == blocked(as_bob)["close"] == close.json()["code"]
        assert close.json()["code"] == "case_has_open_refunds"

    async def test_a_resolved_case_offers_its_owner_a_reopening_in_every_answer(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        await client.patch(
            f"/api/v1/support-cases/{case['id']}", headers=bob, json={"status": "resolved"}
        )

        listed = await client.get("/api/v1/support-cases", headers=alice)
        [row] = [c for c in listed.json()["items"] if c["id"] == case["id"]]
        reopened = await client.patch(
            f"/api/v1/support-cases/{case['id']}", headers=alice, json={"status": "open"}
        )

        assert "reopen" in row["allowed_actions"]
        assert row["allowed_moves"] == ["open", "closed"]
        assert reopened.status_code == 200
        assert "reopen" not in reopened.json()["allowed_actions"]

    async def test_a_closed_case_offers_nothing_and_says_why_for_each_action(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        closed = await client.patch(
            f"/api/v1/support-cases/{case['id']}", headers=alice, json={"status": "closed"}
        )
        as_bob = (await client.get(f"/api/v1/support-cases/{case['id']}", headers=bob)).json()
        reply = await client.post(
            f"/api/v1/support-cases/{case['id']}/messages", headers=alice, json={"body": "hi"}
        )

        assert closed.json()["allowed_actions"] == []
        assert closed.json()["allowed_moves"] == []
        assert blocked(closed.json()) == {
            "reply": "invalid_transition",
            "request_refund": "validation_error",
            "close": "invalid_transition",
            "reopen": "invalid_transition",
        }
        assert as_bob["allowed_actions"] == [] and as_bob["allowed_moves"] == []
        assert blocked(closed.json())["reply"] == reply.json()["code"]

    async def test_a_customer_is_never_told_of_staff_actions(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        case = await open_case(client, await as_user("alice"))

        actions = set(case["allowed_actions"]) | set(blocked(case))

        assert actions.isdisjoint({"add_internal_note", "assign", "change_priority"})

    async def test_the_snapshot_lines_carry_their_gross(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        case = await open_case(client, await as_user("alice"))

        grosses = {line["line_id"]: line["gross"] for line in case["order_snapshot"]["lines"]}

        assert grosses == {"L1": 8999 + 1710, "L2": 3 * 999 - 300 + 512}


class TestARefundSaysWhatMayHappenNext:
    async def test_outside_the_window_staff_are_told_why_approval_is_not_offered(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice, "ORD-1002")
        refund = (await request_refund(client, alice, case["id"], [("L1", 1)])).json()

        as_bob = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)).json()
        approve = await client.post(f"/api/v1/refunds/{refund['id']}/approve", headers=bob)

        assert as_bob["allowed_actions"] == ["reject", "settle"]
        assert blocked(as_bob) == {
            "approve": "outside_refund_window",
            "execute": "invalid_transition",
        }
        [why] = [b for b in as_bob["blocked_actions"] if b["action"] == "approve"]
        assert why["detail"] == approve.json()["detail"]
        assert as_bob["final"] is False

    async def test_the_owner_is_told_only_about_withdrawing(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        refund = (await request_refund(client, alice, case["id"])).json()
        assert refund["allowed_actions"] == ["cancel"]
        assert refund["blocked_actions"] == []

        rejected = await client.post(
            f"/api/v1/refunds/{refund['id']}/reject", headers=bob, json={"reason": "no"}
        )
        as_alice = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=alice)).json()

        assert rejected.json()["final"] is True
        assert as_alice["allowed_actions"] == []
        assert blocked(as_alice) == {"cancel": "invalid_transition"}
        assert as_alice["final"] is True

    async def test_above_the_threshold_an_agent_is_told_a_supervisor_must_approve(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice, "ORD-1005")
        refund = (await request_refund(client, alice, case["id"], [("L1", 1)])).json()

        listed = await client.get(f"/api/v1/refunds?support_case_id={case['id']}", headers=bob)

        [row] = listed.json()["items"]
        assert blocked(row)["approve"] == "supervisor_approval_required"
        assert row["id"] == refund["id"]
