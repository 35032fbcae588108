"""Customers as people (issue 17, parts 1 and 2): staff see who a customer is, find them
by name, address or order, read their profile, and open cases and ask for refunds for them
when they phone, write or chat."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.factories import open_case, request_refund

ALICE = {"id": "CUST-1001", "name": "Alice Martin", "email": "alice@example.com"}


async def staff_case(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    order_id: str = "ORD-1004",
    channel: str | None = "phone",
    **body: Any,
) -> httpx.Response:
    return await client.post(
        "/api/v1/support-cases",
        headers=headers,
        json={
            "order_id": order_id,
            "subject": "Phoned about her mugs",
            "description": "Two mugs arrived chipped",
            "category": "damaged_item",
            **({"channel": channel} if channel is not None else {}),
            **body,
        },
    )


def ids(page: httpx.Response) -> list[str]:
    assert page.status_code == 200, page.text
    return [item["id"] for item in page.json()["items"]]


class TestStaffSeeWhoTheCustomerIs:
    async def test_cases_and_refunds_carry_the_customers_name_and_email_for_staff(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        refund = (await request_refund(client, alice, case["id"], [("L2", 1)])).json()

        one_case = (await client.get(f"/api/v1/support-cases/{case['id']}", headers=bob)).json()
        [listed] = (await client.get("/api/v1/support-cases", headers=bob)).json()["items"]
        one_refund = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)).json()
        [listed_refund] = (await client.get("/api/v1/refunds", headers=bob)).json()["items"]

        for answer in (one_case, listed, one_refund, listed_refund):
            assert answer["customer"] == ALICE

    async def test_customers_answers_name_no_customer(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)
        refund = (await request_refund(client, alice, case["id"], [("L2", 1)])).json()

        assert case["customer"] is None
        assert refund["customer"] is None
        listed = (await client.get("/api/v1/support-cases", headers=alice)).json()["items"]
        assert [c["customer"] for c in listed] == [None]


class TestSearchFindsTheCustomer:
    @pytest.mark.parametrize(
        "q", ["alice", "Alice Martin", "martin", "ALICE@example.com", "ORD-1001", "CUST-1001"]
    )
    async def test_q_on_cases_matches_name_email_and_the_exact_order_id(
        self, client: httpx.AsyncClient, as_user, q: str
    ) -> None:
        alices = await open_case(client, await as_user("alice"), subject="Headphones hum")
        await open_case(client, await as_user("carol"), "ORD-2001", subject="Shoes too small")

        found = ids(
            await client.get("/api/v1/support-cases", params={"q": q}, headers=await as_user("bob"))
        )

        assert found == [alices["id"]]

    async def test_an_order_id_matches_exactly_not_in_part(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        await open_case(client, await as_user("alice"), subject="Headphones hum")
        bob = await as_user("bob")

        assert (
            ids(await client.get("/api/v1/support-cases", params={"q": "ORD-100"}, headers=bob))
            == []
        )

    async def test_the_text_of_a_case_still_matches(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        case = await open_case(client, await as_user("alice"), subject="Headphones hum")
        bob = await as_user("bob")

        assert ids(await client.get("/api/v1/support-cases", params={"q": "hum"}, headers=bob)) == [
            case["id"]
        ]

    async def test_a_customer_searching_another_customers_name_finds_nothing(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        await open_case(client, await as_user("alice"))
        carol = await as_user("carol")

        for q in ("alice", "alice@example.com", "ORD-1001"):
            answer = await client.get("/api/v1/support-cases", params={"q": q}, headers=carol)
            assert ids(answer) == []
            answer = await client.get("/api/v1/refunds", params={"q": q}, headers=carol)
            assert ids(answer) == []

    @pytest.mark.parametrize("q", ["alice", "alice@example.com", "ORD-1001", "Martin"])
    async def test_q_on_refunds_matches_the_customer_and_the_exact_order_id(
        self, client: httpx.AsyncClient, as_user, q: str
    ) -> None:
        alice, carol = await as_user("alice"), await as_user("carol")
        case = await open_case(client, alice)
        refund = (await request_refund(client, alice, case["id"], [("L2", 1)])).json()
        carols = await open_case(client, carol, "ORD-2001")
        await request_refund(client, carol, carols["id"], [("L1", 1)])

        found = ids(
            await client.get("/api/v1/refunds", params={"q": q}, headers=await as_user("bob"))
        )

        assert found == [refund["id"]]

    async def test_q_on_refunds_matches_a_refund_or_case_id_exactly(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        refund = (await request_refund(client, alice, case["id"], [("L2", 1)])).json()

        for q in (refund["id"], case["id"]):
            assert ids(await client.get("/api/v1/refunds", params={"q": q}, headers=bob)) == [
                refund["id"]
            ]
        assert (
            ids(await client.get("/api/v1/refunds", params={"q": refund["id"][:-1]}, headers=bob))
            == []
        )

    async def test_an_empty_or_too_long_q_on_refunds_is_a_validation_error(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob = await as_user("bob")
        for q in ("", "x" * 201):
            answer = await client.get("/api/v1/refunds", params={"q": q}, headers=bob)
            assert answer.status_code == 422, answer.text
            assert answer.json()["code"] == "validation_error"


class TestCustomerProfile:
    async def test_staff_read_contact_orders_cases_refunds_and_totals(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)
        refund = (await request_refund(client, alice, case["id"], [("L2", 1)])).json()

        answer = await client.get("/api/v1/customers/CUST-1001", headers=await as_user("sam"))

        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert {k: body[k] for k in ("id", "name", "email")} == ALICE
        assert body["has_account"] is True
        assert [o["id"] for o in body["orders"]] == [
            "ORD-1001", "ORD-1002", "ORD-1003", "ORD-1004", "ORD-1005", "ORD-1006",
        ]  # fmt: skip
        assert [c["id"] for c in body["cases"]] == [case["id"]]
        assert [r["id"] for r in body["refunds"]] == [refund["id"]]
        totals = body["totals"]
        assert totals["currency"] == "EUR"
        assert (totals["refunded"], totals["settled"], totals["count_90d"]) == (0, 0, 1)
        assert totals["returned_90d"] == refund["total_amount"]
        assert totals["spent_90d"] > 0
        assert body["flags"] == []

    async def test_a_customer_without_an_account_is_known_from_the_order_system(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        answer = await client.get("/api/v1/customers/CUST-3001", headers=await as_user("bob"))

        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["name"], body["email"], body["has_account"]) == (
            "Dave Okafor",
            "dave@example.com",
            False,
        )
        assert [o["id"] for o in body["orders"]] == ["ORD-3001"]
        assert body["cases"] == body["refunds"] == []

    async def test_an_unknown_customer_is_not_found(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        answer = await client.get("/api/v1/customers/CUST-0000", headers=await as_user("bob"))

        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"

    async def test_an_id_longer_than_any_customer_id_is_a_validation_error(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        answer = await client.get(f"/api/v1/customers/{'C' * 65}", headers=await as_user("bob"))

        assert answer.status_code == 422
        assert answer.json()["code"] == "validation_error"

    @pytest.mark.parametrize("customer_id", ["CUST-1001", "CUST-1002", "CUST-0000"])
    async def test_customers_never_read_a_profile_not_even_their_own(
        self, client: httpx.AsyncClient, as_user, customer_id: str
    ) -> None:
        answer = await client.get(
            f"/api/v1/customers/{customer_id}", headers=await as_user("alice")
        )

        assert answer.status_code == 403
        assert answer.json()["code"] == "forbidden"
        assert "Alice" not in answer.text and "Carol" not in answer.text

    @pytest.mark.parametrize(
        "settings_overrides",
        [{"customer_flag_most_refunds_90d": 1, "customer_flag_most_refund_share_percent": 100}],
        indirect=True,
    )
    async def test_more_refunds_than_the_setting_allows_raise_an_explained_flag(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        first = await open_case(client, alice)
        await request_refund(client, alice, first["id"], [("L2", 1)])
        bob = await as_user("bob")
        before = (await client.get("/api/v1/customers/CUST-1001", headers=bob)).json()
        second = await open_case(client, alice, "ORD-1002")
        await request_refund(client, alice, second["id"], [("L1", 1)])

        after = (await client.get("/api/v1/customers/CUST-1001", headers=bob)).json()

        assert before["flags"] == []
        [flag] = after["flags"]
        assert flag["code"] == "many_refunds"
        assert "2 refunds" in flag["explanation"] and "more than 1" in flag["explanation"]

    @pytest.mark.parametrize(
        "settings_overrides", [{"customer_flag_most_refund_share_percent": 1}], indirect=True
    )
    async def test_a_large_share_of_spending_coming_back_raises_a_flag(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice, "ORD-1005")
        await request_refund(client, alice, case["id"], [("L1", 1)])

        body = (
            await client.get("/api/v1/customers/CUST-1001", headers=await as_user("bob"))
        ).json()

        assert [f["code"] for f in body["flags"]] == ["high_refund_share"]
        assert "more than 1 %" in body["flags"][0]["explanation"]


class TestStaffOpenCasesForCustomers:
    async def test_a_case_opened_by_phone_belongs_to_the_orders_customer(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob, alice = await as_user("bob"), await as_user("alice")

        answer = await staff_case(client, bob)

        assert answer.status_code == 201, answer.text
        case = answer.json()
        assert (case["customer_id"], case["channel"], case["order_id"]) == (
            "CUST-1001",
            "phone",
            "ORD-1004",
        )
        assert case["customer"] == ALICE
        hers = (await client.get("/api/v1/support-cases", headers=alice)).json()["items"]
        assert [(c["id"], c["channel"]) for c in hers] == [(case["id"], "phone")]
        history = (
            await client.get(f"/api/v1/support-cases/{case['id']}/history", headers=bob)
        ).json()
        assert (history[0]["type"], history[0]["actor_id"]) == ("case_opened", "usr_bob")
        reply = await client.post(
            f"/api/v1/support-cases/{case['id']}/messages",
            headers=alice,
            json={"body": "Thanks for calling back"},
        )
        assert reply.status_code == 201

    async def test_the_customer_gets_the_usual_mail_about_a_case_opened_for_her(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        case = (await staff_case(client, await as_user("bob"), channel="email")).json()

        mails: list[dict[str, Any]] = []
        for _ in range(200):
            answer = await client.get("/sim/mail/messages", params={"to": "alice@example.com"})
            mails = answer.json()["items"]
            if mails:
                break
            await asyncio.sleep(0.05)

        assert len(mails) == 1
        assert f"/cases/{case['id']}" in mails[0]["text"]
        assert "for your email" in mails[0]["text"]

    async def test_a_case_for_a_customer_without_an_account_shows_on_their_profile(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob = await as_user("bob")
        case = (await staff_case(client, bob, "ORD-3001", "chat")).json()

        profile = (await client.get("/api/v1/customers/CUST-3001", headers=bob)).json()

        assert case["customer"] == {
            "id": "CUST-3001",
            "name": "Dave Okafor",
            "email": "dave@example.com",
        }
        assert [c["id"] for c in profile["cases"]] == [case["id"]]
        found = await client.get("/api/v1/support-cases", params={"q": "okafor"}, headers=bob)
        assert ids(found) == [case["id"]]

    async def test_a_customers_own_case_is_web(self, client: httpx.AsyncClient, as_user) -> None:
        alice = await as_user("alice")

        assert (await open_case(client, alice))["channel"] == "web"
        assert (await open_case(client, alice, channel="web"))["channel"] == "web"

    @pytest.mark.parametrize("channel", ["phone", "email", "chat"])
    async def test_a_customer_may_not_say_another_channel(
        self, client: httpx.AsyncClient, as_user, channel: str
    ) -> None:
        alice = await as_user("alice")

        answer = await staff_case(client, alice, "ORD-1001", channel)

        assert answer.status_code == 422
        assert answer.json()["code"] == "validation_error"
        assert ids(await client.get("/api/v1/support-cases", headers=alice)) == []

    @pytest.mark.parametrize(
        ("order_id", "channel", "code"),
        [
            ("ORD-1004", None, "validation_error"),
            ("ORD-1004", "fax", "validation_error"),
            ("ORD-1004", "", "validation_error"),
            ("ORD-9999", "phone", "order_not_found"),
        ],
    )
    async def test_staff_bad_input_is_refused_and_stores_nothing(
        self,
        client: httpx.AsyncClient,
        as_user,
        order_id: str,
        channel: str | None,
        code: str,
    ) -> None:
        bob = await as_user("bob")

        answer = await staff_case(client, bob, order_id, channel)

        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == code
        assert ids(await client.get("/api/v1/support-cases", headers=bob)) == []


class TestStaffAskForRefundsOnTheCustomersBehalf:
    async def test_the_refund_is_the_customers_and_the_request_the_agents(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob, alice = await as_user("bob"), await as_user("alice")
        case = (await staff_case(client, bob)).json()

        answer = await request_refund(client, bob, case["id"], [("L1", 2)], reason="chipped")

        assert answer.status_code == 201, answer.text
        refund = answer.json()
        assert refund["customer_id"] == "CUST-1001"
        history = (await client.get(f"/api/v1/refunds/{refund['id']}/history", headers=bob)).json()
        assert [(e["type"], e["actor_id"], e["actor_role"]) for e in history] == [
            ("refund_requested", "usr_bob", "agent")
        ]
        hers = (await client.get("/api/v1/refunds", headers=alice)).json()["items"]
        assert [r["id"] for r in hers] == [refund["id"]]
        assert "cancel" in hers[0]["allowed_actions"]

    async def test_staff_may_not_ask_for_a_refund_on_a_closed_case(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob = await as_user("bob")
        case = (await staff_case(client, bob)).json()
        closed = await client.patch(
            f"/api/v1/support-cases/{case['id']}", headers=bob, json={"status": "closed"}
        )
        assert closed.status_code == 200

        answer = await request_refund(client, bob, case["id"], [("L1", 1)])

        assert answer.status_code == 422
        assert answer.json()["code"] == "validation_error"

    async def test_another_customer_still_cannot_ask_for_a_refund_on_the_case(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        case = (await staff_case(client, await as_user("bob"))).json()

        answer = await request_refund(client, await as_user("carol"), case["id"], [("L1", 1)])

        assert answer.status_code == 404
