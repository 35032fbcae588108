"""Canned replies: staff only, personal or shared, placeholders from the known set
(issue 17 part 4, docs/desk.md)."""

from __future__ import annotations

from typing import Any

import httpx

REPLIES = "/api/v1/canned-replies"


async def _create(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> Any:
    response = await client.post(
        REPLIES,
        headers=headers,
        json={"title": "Thanks", "body": "Hello {{customer.name}}", **body},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _titles(client: httpx.AsyncClient, headers: dict[str, str]) -> set[str]:
    response = await client.get(REPLIES, headers=headers, params={"limit": 100})
    assert response.status_code == 200, response.text
    return {r["title"] for r in response.json()["items"]}


class TestCannedReplies:
    async def test_the_demo_team_starts_with_shared_replies(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        titles = await _titles(client, await as_user("bob"))
        assert {"Photo request", "Refund on its way"} <= titles

    async def test_a_personal_reply_is_its_owners_only_and_a_shared_one_everyones(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob, sam, admin = await as_user("bob"), await as_user("sam"), await as_user("admin")
        mine = await _create(client, bob, title="Bob's own")
        shared = await _create(client, bob, title="Team text", shared=True)
        assert mine["owner_id"] == "usr_bob" and mine["placeholders"] == ["customer.name"]
        assert mine["may_change"] is True
        assert {"Bob's own", "Team text"} <= await _titles(client, bob)
        for other in (sam, admin):
            titles = await _titles(client, other)
            assert "Team text" in titles and "Bob's own" not in titles
            hidden = await client.patch(
                f"{REPLIES}/{mine['id']}", headers=other, json={"title": "x"}
            )
            assert hidden.status_code == 404
            assert hidden.json()["code"] == "not_found"
        assert shared["shared"] is True

    async def test_a_shared_reply_is_changed_by_its_owner_or_an_admin_only(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob, sam, admin = await as_user("bob"), await as_user("sam"), await as_user("admin")
        shared = await _create(client, bob, shared=True)
        refused = await client.patch(
            f"{REPLIES}/{shared['id']}", headers=sam, json={"title": "Mine"}
        )
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
        gone = await client.delete(f"{REPLIES}/{shared['id']}", headers=sam)
        assert gone.status_code == 403
        listed = (await client.get(REPLIES, headers=sam, params={"limit": 100})).json()["items"]
        assert next(r for r in listed if r["id"] == shared["id"])["may_change"] is False

        by_admin = await client.patch(
            f"{REPLIES}/{shared['id']}",
            headers=admin,
            json={"title": "Team thanks", "set_status": "waiting_on_customer"},
        )
        assert by_admin.status_code == 200, by_admin.text
        assert by_admin.json()["version"] == 2
        assert by_admin.json()["set_status"] == "waiting_on_customer"
        by_owner = await client.patch(
            f"{REPLIES}/{shared['id']}", headers=bob, json={"set_status": None}
        )
        assert by_owner.json()["set_status"] is None
        assert (await client.delete(f"{REPLIES}/{shared['id']}", headers=admin)).status_code == 204
        assert "Team thanks" not in await _titles(client, bob)
        again = await client.delete(f"{REPLIES}/{shared['id']}", headers=admin)
        assert again.status_code == 404

    async def test_a_stale_if_match_is_a_version_conflict(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob = await as_user("bob")
        reply = await _create(client, bob)
        first = await client.patch(
            f"{REPLIES}/{reply['id']}", headers={**bob, "If-Match": '"1"'}, json={"title": "A"}
        )
        assert first.status_code == 200, first.text
        assert first.headers["ETag"] == '"2"'
        stale = await client.patch(
            f"{REPLIES}/{reply['id']}", headers={**bob, "If-Match": '"1"'}, json={"title": "B"}
        )
        assert stale.status_code == 409 and stale.json()["code"] == "version_conflict"

    async def test_an_unknown_placeholder_is_422_naming_it(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob = await as_user("bob")
        response = await client.post(
            REPLIES, headers=bob, json={"title": "T", "body": "Hi {{customer.phone}}"}
        )
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
        assert "{{customer.phone}}" in response.json()["detail"]
        reply = await _create(client, bob)
        changed = await client.patch(
            f"{REPLIES}/{reply['id']}", headers=bob, json={"body": "Dear {{ name }}"}
        )
        assert changed.status_code == 422 and "{{name}}" in changed.json()["detail"]
        unclosed = await client.post(
            REPLIES, headers=bob, json={"title": "T", "body": "Hi {{customer.name"}
        )
        assert unclosed.status_code == 422

    async def test_bad_fields_are_422_and_store_nothing(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob = await as_user("bob")
        before = await _titles(client, bob)
        for body in (
            {"title": "", "body": "b"},
            {"title": "t" * 121, "body": "b"},
            {"title": "t", "body": ""},
            {"title": "t", "body": "   "},
            {"title": "t", "body": "b" * 5001},
            {"title": "t", "body": "b", "set_status": "finished"},
            {"title": "t", "body": "b", "shared": "yes"},
            {"title": "t", "body": "b", "owner_id": "usr_sam"},
            {"title": "line\nbreak", "body": "b"},
            {"body": "b"},
        ):
            response = await client.post(REPLIES, headers=bob, json=body)
            assert response.status_code == 422, (body, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
        assert await _titles(client, bob) == before

    async def test_customers_may_not_read_or_write_canned_replies(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        assert (await client.get(REPLIES, headers=alice)).status_code == 403
        response = await client.post(REPLIES, headers=alice, json={"title": "t", "body": "b"})
        assert response.status_code == 403

    async def test_the_list_is_cursor_paged(self, client: httpx.AsyncClient, as_user) -> None:
        bob = await as_user("bob")
        for n in range(3):
            await _create(client, bob, title=f"Paged {n}")
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = (await client.get(REPLIES, headers=bob, params=params)).json()
            seen += [r["title"] for r in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen))
        assert {"Paged 0", "Paged 1", "Paged 2"} <= set(seen)
