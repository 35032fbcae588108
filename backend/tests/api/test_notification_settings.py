"""GET/PATCH /me/notification-settings: staff choose which mails they get."""

from __future__ import annotations

import httpx
import pytest

URL = "/api/v1/me/notification-settings"
DEFAULTS = {"case_replies": True, "new_unassigned": False, "supervisor_approvals": True}
# An agent is never asked to approve above the threshold: that switch is not offered.
AGENT_DEFAULTS = {**DEFAULTS, "supervisor_approvals": None}


class TestNotificationSettings:
    async def test_staff_start_with_the_defaults(self, client: httpx.AsyncClient, as_user) -> None:
        for who, defaults in (("bob", AGENT_DEFAULTS), ("sam", DEFAULTS), ("admin", DEFAULTS)):
            answer = await client.get(URL, headers=await as_user(who))
            assert answer.status_code == 200
            assert answer.json() == defaults

    async def test_a_patch_changes_what_it_names_and_answers_the_whole(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob = await as_user("bob")
        changed = await client.patch(URL, headers=bob, json={"new_unassigned": True})
        assert changed.status_code == 200
        assert changed.json() == {**AGENT_DEFAULTS, "new_unassigned": True}
        again = await client.patch(URL, headers=bob, json={"case_replies": False})
        assert again.json() == {**AGENT_DEFAULTS, "new_unassigned": True, "case_replies": False}
        assert (await client.get(URL, headers=bob)).json() == again.json()
        # Each user's own: sam still has the defaults.
        assert (await client.get(URL, headers=await as_user("sam"))).json() == DEFAULTS

    async def test_an_empty_patch_changes_nothing(self, client: httpx.AsyncClient, as_user) -> None:
        bob = await as_user("bob")
        assert (await client.patch(URL, headers=bob, json={})).json() == AGENT_DEFAULTS

    async def test_customers_have_no_staff_notifications(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        for answer in (
            await client.get(URL, headers=alice),
            await client.patch(URL, headers=alice, json={"case_replies": False}),
        ):
            assert answer.status_code == 403
            assert answer.json()["code"] == "forbidden"

    async def test_signing_in_is_needed(self, client: httpx.AsyncClient) -> None:
        assert (await client.get(URL)).status_code == 401

    @pytest.mark.parametrize(
        "body",
        [
            {"case_replies": "yes"},
            {"case_replies": 1},
            {"case_replies": None},
            {"sms": True},
            [True],
        ],
    )
    async def test_bad_input_is_422_and_changes_nothing(
        self, client: httpx.AsyncClient, as_user, body: object
    ) -> None:
        bob = await as_user("bob")
        answer = await client.patch(URL, headers=bob, json=body)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "validation_error"
        assert (await client.get(URL, headers=bob)).json() == AGENT_DEFAULTS

    @pytest.mark.parametrize("value", [True, False])
    async def test_an_agent_choosing_supervisor_approval_mails_is_422_and_changes_nothing(
        self, client: httpx.AsyncClient, as_user, value: bool
    ) -> None:
        bob = await as_user("bob")
        answer = await client.patch(
            URL, headers=bob, json={"case_replies": False, "supervisor_approvals": value}
        )
        assert answer.status_code == 422, answer.text
        problem = answer.json()
        assert problem["code"] == "validation_error"
        assert "supervisors and admins" in problem["detail"]
        assert "supervisor_approvals" in answer.text
        assert (await client.get(URL, headers=bob)).json() == AGENT_DEFAULTS

    async def test_supervisors_and_admins_choose_supervisor_approval_mails(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        for who in ("sam", "admin"):
            headers = await as_user(who)
            off = await client.patch(URL, headers=headers, json={"supervisor_approvals": False})
            assert off.status_code == 200
            assert off.json() == {**DEFAULTS, "supervisor_approvals": False}
