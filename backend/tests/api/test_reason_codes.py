"""Reasons that can be counted (issue 18 part 5, docs/refund-reasons.md): a list admins keep,
chosen per refund, per line and per settlement, and the money counted by it."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

from supportdesk.domain.reasons import DEFAULT_REASONS
from tests.factories import open_case, request_refund

REASONS = "/api/v1/reason-codes"


async def _codes(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> list[str]:
    response = await client.get(REASONS, headers=headers, params=params)
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return [r["code"] for r in response.json()["items"]]


async def _reason(client: httpx.AsyncClient, admin: dict[str, str], code: str) -> Any:
    listed = (await client.get(REASONS, headers=admin, params={"include_inactive": "true"})).json()
    return next(r for r in listed["items"] if r["code"] == code)


async def _deactivate(client: httpx.AsyncClient, admin: dict[str, str], code: str) -> None:
    response = await client.patch(f"{REASONS}/{code}", headers=admin, json={"active": False})
    assert response.status_code == 200, response.text


class TestTheList:
    async def test_everyone_signed_in_reads_the_default_reasons_in_their_order(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        for who in ("alice", "bob", "admin"):
            assert await _codes(client, await as_user(who)) == [c for c, _ in DEFAULT_REASONS]
        listed = (await client.get(REASONS, headers=await as_user("alice"))).json()["items"]
        assert listed[0]["label"] == "Damaged" and listed[0]["active"] is True
        assert (await client.get(REASONS)).status_code == 401

    async def test_only_admins_see_the_deactivated_ones(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        await _deactivate(client, admin, "goodwill")
        assert "goodwill" not in await _codes(client, admin)
        assert "goodwill" in await _codes(client, admin, include_inactive="true")
        for who in ("alice", "bob"):
            refused = await client.get(
                REASONS, headers=await as_user(who), params={"include_inactive": "true"}
            )
            assert refused.status_code == 403, refused.text
        # Yes is true, and nothing else: as in a JSON body.
        odd = await client.get(REASONS, headers=admin, params={"include_inactive": "yes"})
        assert odd.status_code == 422


class TestKeepingTheList:
    async def test_an_admin_adds_renames_deactivates_and_reactivates_a_reason(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        made = await client.post(
            REASONS, headers=admin, json={"code": "gift_return", "label": "Gift return"}
        )
        assert made.status_code == 201, made.text
        assert made.headers["Location"] == f"{REASONS}/gift_return"
        assert made.headers["ETag"] == '"1"'
        assert made.json()["position"] == len(DEFAULT_REASONS) + 1
        assert (await _codes(client, admin))[-1] == "gift_return"

        renamed = await client.patch(
            f"{REASONS}/gift_return",
            headers={**admin, "If-Match": '"1"'},
            json={"label": "Returned gift"},
        )
        assert renamed.status_code == 200, renamed.text
        assert renamed.json()["label"] == "Returned gift" and renamed.json()["version"] == 2
        stale = await client.patch(
            f"{REASONS}/gift_return", headers={**admin, "If-Match": '"1"'}, json={"active": False}
        )
        assert stale.status_code == 409 and stale.json()["code"] == "version_conflict"

        await _deactivate(client, admin, "gift_return")
        assert "gift_return" not in await _codes(client, await as_user("alice"))
        back = await client.patch(f"{REASONS}/gift_return", headers=admin, json={"active": True})
        assert back.json()["active"] is True and back.json()["code"] == "gift_return"
        assert "gift_return" in await _codes(client, await as_user("alice"))

    async def test_agents_and_customers_may_read_but_not_change_the_list(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        before = await client.get(REASONS, headers=admin, params={"include_inactive": "true"})
        for who in ("bob", "sam", "alice"):
            headers = await as_user(who)
            added = await client.post(REASONS, headers=headers, json={"code": "xx", "label": "X"})
            changed = await client.patch(
                f"{REASONS}/damaged", headers=headers, json={"label": "Broken"}
            )
            assert (added.status_code, changed.status_code) == (403, 403), who
            assert added.json()["code"] == "forbidden"
        after = await client.get(REASONS, headers=admin, params={"include_inactive": "true"})
        assert after.json() == before.json()

    async def test_a_code_is_given_once_ever_and_never_renamed(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        await _deactivate(client, admin, "goodwill")
        again = await client.post(REASONS, headers=admin, json={"code": "goodwill", "label": "G"})
        assert again.status_code == 409 and again.json()["code"] == "reason_code_taken"
        renaming = await client.patch(f"{REASONS}/goodwill", headers=admin, json={"code": "gw"})
        assert renaming.status_code == 422
        assert (await _reason(client, admin, "goodwill"))["label"] == "Goodwill"

    async def test_bad_input_is_422_naming_the_field_and_changes_nothing(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        for body, field in (
            ({"code": "Not A Code", "label": "x"}, "code"),
            ({"code": "9lives", "label": "x"}, "code"),
            ({"code": "fine_code", "label": ""}, "label"),
            ({"code": "fine_code", "label": "two\nlines"}, "label"),
        ):
            refused = await client.post(REASONS, headers=admin, json=body)
            assert refused.status_code == 422, body
            assert refused.json()["errors"][0]["loc"] == ["body", field]
        assert "fine_code" not in await _codes(client, admin, include_inactive="true")
        missing = await client.patch(f"{REASONS}/no_such", headers=admin, json={"label": "x"})
        assert missing.status_code == 404

    async def test_other_stays_offered_for_requests_that_name_no_reason(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        refused = await client.patch(f"{REASONS}/other", headers=admin, json={"active": False})
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["loc"] == ["body", "active"]
        assert (await _reason(client, admin, "other"))["active"] is True


class TestChoosingAReason:
    async def test_a_refund_carries_its_reason_and_each_line_its_own(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)
        response = await client.post(
            f"/api/v1/support-cases/{case['id']}/refunds",
            headers=alice,
            json={
                "items": [
                    {"line_id": "L1", "quantity": 1, "reason_code": "damaged"},
                    {"line_id": "L2", "quantity": 1},
                ],
                "reason": "the headphones crackle, and one cable is the wrong kind",
                "reason_code": "wrong_item",
            },
        )
        assert response.status_code == 201, response.text
        for refund in (
            response.json(),
            (await client.get(response.headers["Location"], headers=alice)).json(),
        ):
            assert refund["reason_code"] == "wrong_item"
            assert refund["reason_label"] == "Wrong item"
            assert refund["reason"].startswith("the headphones")
            lines = {i["line_id"]: (i["reason_code"], i["reason_label"]) for i in refund["items"]}
            assert lines == {"L1": ("damaged", "Damaged"), "L2": ("wrong_item", "Wrong item")}

    async def test_a_request_naming_no_reason_gets_its_case_categorys(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        damaged = await open_case(client, alice)
        billing = await open_case(client, alice, "ORD-1004", category="billing")
        first = await request_refund(client, alice, damaged["id"], [("L2", 1)])
        second = await request_refund(client, alice, billing["id"], [("L1", 1)])
        assert first.json()["reason_code"] == "damaged"
        assert second.json()["reason_code"] == "other"
        # A category's reason that is no longer offered gives way to "other".
        await _deactivate(client, await as_user("admin"), "damaged")
        third = await request_refund(client, alice, damaged["id"], [("L2", 1)])
        assert third.json()["reason_code"] == "other"

    async def test_an_unknown_or_deactivated_reason_is_422_naming_the_field_and_stores_nothing(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        await _deactivate(client, await as_user("admin"), "late_delivery")
        case = await open_case(client, alice)
        for body, loc in (
            ({"reason_code": "no_such_reason"}, ["body", "reason_code"]),
            ({"reason_code": "late_delivery"}, ["body", "reason_code"]),
            ({"reason_code": "Bad Shape"}, ["body", "reason_code"]),
            (
                {"items": [{"line_id": "L2", "quantity": 1, "reason_code": "late_delivery"}]},
                ["body", "items", "0", "reason_code"],
            ),
        ):
            refused = await client.post(
                f"/api/v1/support-cases/{case['id']}/refunds",
                headers=alice,
                json={"items": [{"line_id": "L2", "quantity": 1}], "reason": "r", **body},
            )
            assert refused.status_code == 422, body
            assert refused.json()["code"] == "validation_error"
            assert refused.json()["errors"][0]["loc"] == loc
        quoted = await client.post(
            f"/api/v1/support-cases/{case['id']}/refunds/quote",
            headers=alice,
            json={"items": [{"line_id": "L2", "quantity": 1}], "reason": "q", "reason_code": "x_y"},
        )
        assert quoted.status_code == 422
        listed = await client.get("/api/v1/refunds", headers=bob)
        assert listed.json()["items"] == []

    async def test_a_deactivated_or_renamed_reason_stays_on_the_refunds_that_have_it(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, admin = await as_user("alice"), await as_user("admin")
        case = await open_case(client, alice)
        made = await request_refund(
            client, alice, case["id"], [("L2", 1)], reason_code="late_delivery"
        )
        await _deactivate(client, admin, "late_delivery")
        await client.patch(f"{REASONS}/late_delivery", headers=admin, json={"label": "Too late"})
        refund = (await client.get(f"/api/v1/refunds/{made.json()['id']}", headers=alice)).json()
        assert (refund["reason_code"], refund["reason_label"]) == ("late_delivery", "Too late")

    async def test_a_settlement_has_the_refunds_reason_unless_staff_choose_another(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice, "ORD-1002")
        first = (await request_refund(client, alice, case["id"], [("L1", 1)])).json()
        settle = {"type": "voucher", "amount": 1000, "note": "a voucher instead"}
        refused = await client.post(
            f"/api/v1/refunds/{first['id']}/settlement",
            headers=bob,
            json={**settle, "reason_code": "no_such_reason"},
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["loc"] == ["body", "reason_code"]
        assert (await client.get(f"/api/v1/refunds/{first['id']}", headers=bob)).json()[
            "status"
        ] == "requested"

        settled = await client.post(
            f"/api/v1/refunds/{first['id']}/settlement", headers=bob, json=settle
        )
        assert settled.status_code == 200, settled.text
        assert settled.json()["settlement"]["reason_code"] == "damaged"
        assert settled.json()["settlement"]["reason_label"] == "Damaged"

        case2 = await open_case(client, alice, "ORD-1004")
        second = (await request_refund(client, alice, case2["id"], [("L1", 1)])).json()
        goodwill = await client.post(
            f"/api/v1/refunds/{second['id']}/settlement",
            headers=bob,
            json={**settle, "reason_code": "goodwill"},
        )
        assert goodwill.json()["settlement"]["reason_code"] == "goodwill"
        assert goodwill.json()["reason_code"] == "damaged"


async def _refunded(
    client: httpx.AsyncClient, alice: dict[str, str], bob: dict[str, str], **body: Any
) -> dict[str, Any]:
    case = await open_case(client, alice)
    made = await client.post(
        f"/api/v1/support-cases/{case['id']}/refunds",
        headers=alice,
        json={"reason": "see the lines", **body},
    )
    assert made.status_code == 201, made.text
    refund_id = made.json()["id"]
    approved = await client.post(f"/api/v1/refunds/{refund_id}/approve", headers=bob)
    assert approved.status_code == 200, approved.text
    executed = await client.post(f"/api/v1/refunds/{refund_id}/execute", headers=bob)
    assert executed.json()["status"] == "refunded", executed.text
    return executed.json()


class TestCountingByReason:
    async def test_stats_and_the_export_split_the_money_by_reason_exactly(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        # ORD-1001: L1 1 x 8999 + 1710 tax = 10709; L2's 3209 over 3 units: 1070, 1070, 1069.
        refunded = await _refunded(
            client,
            alice,
            bob,
            reason_code="damaged",
            items=[
                {"line_id": "L1", "quantity": 1},
                {"line_id": "L2", "quantity": 2, "reason_code": "wrong_item"},
            ],
        )
        assert refunded["total_amount"] == 10709 + 2140
        # ORD-1002 is outside the window: settled, 30.00 of 59.49, as goodwill.
        late = await open_case(client, alice, "ORD-1002")
        asked = await request_refund(
            client, alice, late["id"], [("L1", 1)], reason_code="late_delivery"
        )
        settled = await client.post(
            f"/api/v1/refunds/{asked.json()['id']}/settlement",
            headers=bob,
            json={"type": "voucher", "amount": 3000, "note": "sorry", "reason_code": "goodwill"},
        )
        assert settled.status_code == 200, settled.text
        # Asked for and still waiting: counted, no money yet.
        mind = await open_case(client, alice, "ORD-1004", category="return_refund")
        await request_refund(client, alice, mind["id"], [("L1", 1)], reason_code="changed_mind")

        stats = await client.get("/api/v1/overview/stats", headers=bob)
        rows = [
            (
                r["reason_code"],
                r["reason_label"],
                r["currency"],
                r["refunds"],
                r["refunded_amount"],
                r["settled_amount"],
            )
            for r in stats.json()["refunds_by_reason"]
        ]
        assert rows == [
            ("damaged", "Damaged", "EUR", 1, 10709, 0),
            ("wrong_item", "Wrong item", "EUR", 0, 2140, 0),
            ("late_delivery", "Late delivery", "EUR", 1, 0, 0),
            ("changed_mind", "Changed mind", "EUR", 1, 0, 0),
            ("goodwill", "Goodwill", "EUR", 0, 0, 3000),
        ]

        export = await client.get("/api/v1/refunds/export.csv", headers=bob)
        by_id = {row["id"]: row for row in csv.DictReader(io.StringIO(export.text))}
        row = by_id[refunded["id"]]
        assert (row["reason_code"], row["reason_label"]) == ("damaged", "Damaged")
        assert row["line_reason_codes"] == "L1:damaged L2:wrong_item"
        settled_row = by_id[asked.json()["id"]]
        assert settled_row["reason_code"] == "late_delivery"
        assert settled_row["settlement_reason_code"] == "goodwill"
        assert settled_row["settlement_amount_cents"] == "3000"
