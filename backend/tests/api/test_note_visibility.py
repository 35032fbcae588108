"""What staff write about a case reaches the customer only where it is meant to: approval
notes and a PATCH's note are for staff unless marked public; a reject reason and a
settlement note tell the customer what happened to their money, so they always see them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from supportdesk.bootstrap import Container
from tests.factories import open_case, request_refund

PATCH_NOTE = "customer sounds angry, escalate if they write again"
NOTE_ONLY = "checked with the warehouse: the parcel left intact"
APPROVAL_NOTE = "approved as goodwill, do not do this twice"
REJECT_REASON = "the item was returned unused to another shop"
SETTLEMENT_NOTE = "store credit as agreed on the phone"
PUBLIC_NOTE = "we are looking into it today"


async def history(client: httpx.AsyncClient, headers: dict[str, str], url: str) -> list[Any]:
    response = await client.get(f"{url}/history", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json())


async def refund_on(
    client: httpx.AsyncClient, alice: dict[str, str], case_id: str, line: str
) -> dict[str, Any]:
    refund = await request_refund(client, alice, case_id, [(line, 1)])
    assert refund.status_code == 201, refund.text
    return dict(refund.json())


class TestCaseHistoryForTheCustomer:
    async def test_alice_never_reads_a_patch_note_or_an_approval_note(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        url = f"/api/v1/support-cases/{case['id']}"
        changed = await client.patch(
            url, headers=bob, json={"status": "in_progress", "note": PATCH_NOTE}
        )
        assert changed.status_code == 200, changed.text
        noted = await client.patch(url, headers=bob, json={"note": NOTE_ONLY})
        assert noted.status_code == 200, noted.text
        refund = await refund_on(client, alice, case["id"], "L1")
        approved = await client.post(
            f"/api/v1/refunds/{refund['id']}/approve", headers=bob, json={"note": APPROVAL_NOTE}
        )
        assert approved.status_code == 200, approved.text

        seen = await history(client, alice, url)
        text = str(seen)
        for internal in (PATCH_NOTE, NOTE_ONLY, APPROVAL_NOTE):
            assert internal not in text
        # The changes themselves are still hers to follow; only the words are staff's.
        assert [(e["type"], e["note"]) for e in seen if e["type"] != "case_opened"] == [
            ("status_changed", None),
            ("refund_requested", "broken"),
            ("refund_approved", None),
        ]
        refund_history = await history(client, alice, f"/api/v1/refunds/{refund['id']}")
        assert APPROVAL_NOTE not in str(refund_history)

        staff_view = str(await history(client, bob, url))
        for internal in (PATCH_NOTE, NOTE_ONLY, APPROVAL_NOTE):
            assert internal in staff_view

    async def test_alice_reads_a_reject_reason_and_a_settlement_note(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        url = f"/api/v1/support-cases/{case['id']}"
        rejected = await refund_on(client, alice, case["id"], "L1")
        answer = await client.post(
            f"/api/v1/refunds/{rejected['id']}/reject", headers=bob, json={"reason": REJECT_REASON}
        )
        assert answer.status_code == 200, answer.text
        settled = await refund_on(client, alice, case["id"], "L2")
        answer = await client.post(
            f"/api/v1/refunds/{settled['id']}/settlement",
            headers=bob,
            json={"type": "store_credit", "amount": 100, "note": SETTLEMENT_NOTE},
        )
        assert answer.status_code == 200, answer.text

        seen = await history(client, alice, url)
        notes = {e["type"]: e["note"] for e in seen}
        assert notes["refund_rejected"] == REJECT_REASON
        assert SETTLEMENT_NOTE in notes["refund_settled"]
        assert all(e["note_public"] for e in seen)

    async def test_a_note_staff_mark_public_reaches_the_customer(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        url = f"/api/v1/support-cases/{case['id']}"
        changed = await client.patch(
            url,
            headers=bob,
            json={"status": "in_progress", "note": PUBLIC_NOTE, "note_public": True},
        )
        assert changed.status_code == 200, changed.text
        refund = await refund_on(client, alice, case["id"], "L1")
        approved = await client.post(
            f"/api/v1/refunds/{refund['id']}/approve",
            headers=bob,
            json={"note": "paid back today", "note_public": True},
        )
        assert approved.status_code == 200, approved.text

        notes = [e["note"] for e in await history(client, alice, url)]
        assert PUBLIC_NOTE in notes
        assert "paid back today" in notes

    async def test_a_customer_reads_the_note_she_gave_with_her_own_close(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)
        url = f"/api/v1/support-cases/{case['id']}"
        closed = await client.patch(
            url, headers=alice, json={"status": "closed", "note": "sorted it out myself"}
        )
        assert closed.status_code == 200, closed.text
        assert (await history(client, alice, url))[-1]["note"] == "sorted it out myself"

    async def test_note_public_must_be_a_real_boolean(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        answer = await client.patch(
            f"/api/v1/support-cases/{case['id']}",
            headers=bob,
            json={"note": "n", "note_public": "yes"},
        )
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["loc"][-1] == "note_public"


@pytest.mark.parametrize(
    "settings_overrides", [{"payment_gateway_timeout_seconds": 0.3}], indirect=True
)
class TestWhoActedInACustomersWords:
    async def test_alice_reads_support_team_and_automatic_never_a_staff_id_attempt_or_gateway_id(
        self, client: httpx.AsyncClient, as_user, container: Container
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        url = f"/api/v1/support-cases/{case['id']}"
        assigned = await client.patch(url, headers=bob, json={"assignee_id": "usr_bob"})
        assert assigned.status_code == 200, assigned.text
        refund = await refund_on(client, alice, case["id"], "L1")
        approved = await client.post(f"/api/v1/refunds/{refund['id']}/approve", headers=bob)
        assert approved.status_code == 200, approved.text
        # The gateway pays but its answer is lost: the reconciliation records the payment.
        sandbox = container.integrations.gateway_sandbox
        assert sandbox is not None
        sandbox.inject("accept_then_timeout", times=1, delay_seconds=5)
        executed = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
        assert executed.status_code == 202, executed.text
        await container.refund_service().reconcile(stale_after=timedelta(0))
        gateway_refund_id = sandbox.refunds[0].id

        seen = await history(client, alice, url)
        text = str(seen)
        for leak in ("usr_bob", "attempt", gateway_refund_id, "system"):
            assert leak not in text
        actors = {(e["type"], e["actor_id"], e["actor_role"]) for e in seen}
        assert ("assigned", "support_team", "support_team") in actors
        assert ("refund_approved", "support_team", "support_team") in actors
        assert ("refund_succeeded", "automatic", "automatic") in actors
        assert ("case_opened", "usr_alice", "customer") in actors
        assert (
            str(await history(client, alice, f"/api/v1/refunds/{refund['id']}")).count("usr_bob")
            == 0
        )

        # Staff still read who did what and the system's notes.
        staff_view = str(await history(client, bob, url))
        for detail in ("assignee: usr_bob", "attempt 1", gateway_refund_id):
            assert detail in staff_view
