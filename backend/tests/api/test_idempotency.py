"""An optional Idempotency-Key on opening a case and writing a message, as on executing a
refund: a client whose connection dropped retries without making a duplicate."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from supportdesk.bootstrap import Container

from ..factories import open_case

API = "/api/v1"
CASE = {
    "order_id": "ORD-1001",
    "subject": "Cracked screen",
    "description": "It arrived cracked",
    "category": "damaged_item",
}


def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


async def case_ids(client: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    page = await client.get(f"{API}/support-cases", params={"limit": 100}, headers=headers)
    assert page.status_code == 200, page.text
    return [c["id"] for c in page.json()["items"]]


async def message_ids(client: httpx.AsyncClient, headers: dict[str, str], case_id: str) -> list:
    answer = await client.get(f"{API}/support-cases/{case_id}/messages", headers=headers)
    assert answer.status_code == 200, answer.text
    return [m["id"] for m in answer.json()]


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert (body["status"], body["code"]) == (status, code)
    assert body["title"] and body["detail"]
    return body


class TestOpeningACaseWithAnIdempotencyKey:
    async def test_a_retry_with_the_same_key_replays_the_first_answer_and_opens_one_case(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        before = await case_ids(client, alice)

        first = await client.post(f"{API}/support-cases", json=CASE, headers=keyed(alice, "k-1"))
        retry = await client.post(f"{API}/support-cases", json=CASE, headers=keyed(alice, "k-1"))

        assert first.status_code == retry.status_code == 201, retry.text
        assert retry.json() == first.json()
        assert retry.headers["idempotent-replayed"] == "true"
        assert "idempotent-replayed" not in first.headers
        assert retry.headers["location"] == first.headers["location"]
        assert retry.headers["etag"] == first.headers["etag"]
        assert len(await case_ids(client, alice)) == len(before) + 1

    async def test_two_concurrent_requests_with_one_key_open_exactly_one_case(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        before = await case_ids(client, alice)

        answers = await asyncio.gather(
            *(
                client.post(f"{API}/support-cases", json=CASE, headers=keyed(alice, "k-race"))
                for _ in range(2)
            )
        )

        statuses = sorted(a.status_code for a in answers)
        assert statuses in ([201, 201], [201, 409]), [a.text for a in answers]
        for answer in answers:
            if answer.status_code == 409:
                assert_problem(answer, 409, "request_in_progress")
                assert answer.headers["retry-after"]
        assert len(await case_ids(client, alice)) == len(before) + 1
        created = {a.json()["id"] for a in answers if a.status_code == 201}
        assert len(created) == 1

    async def test_the_same_key_with_a_different_body_is_refused_and_opens_nothing(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        await client.post(f"{API}/support-cases", json=CASE, headers=keyed(alice, "k-2"))
        before = await case_ids(client, alice)

        other = await client.post(
            f"{API}/support-cases",
            json={**CASE, "subject": "Something else"},
            headers=keyed(alice, "k-2"),
        )

        assert_problem(other, 422, "idempotency_key_reused")
        assert await case_ids(client, alice) == before

    async def test_keys_belong_to_one_user(self, client: httpx.AsyncClient, as_user) -> None:
        alice, carol = await as_user("alice"), await as_user("carol")

        hers = await client.post(f"{API}/support-cases", json=CASE, headers=keyed(alice, "k-3"))
        theirs = await client.post(
            f"{API}/support-cases",
            json={**CASE, "order_id": "ORD-2001"},
            headers=keyed(carol, "k-3"),
        )

        assert hers.status_code == theirs.status_code == 201, theirs.text
        assert hers.json()["id"] != theirs.json()["id"]
        assert "idempotent-replayed" not in theirs.headers

    async def test_a_refusal_is_replayed_too(self, client: httpx.AsyncClient, as_user) -> None:
        alice = await as_user("alice")
        not_hers = {**CASE, "order_id": "ORD-2001"}

        first = await client.post(f"{API}/support-cases", json=not_hers, headers=keyed(alice, "k"))
        retry = await client.post(f"{API}/support-cases", json=not_hers, headers=keyed(alice, "k"))

        assert_problem(first, 422, "order_not_found")
        assert retry.json() == first.json()
        assert retry.headers["idempotent-replayed"] == "true"

    @pytest.mark.parametrize("key", ["", "x" * 201])
    async def test_an_empty_or_overlong_key_is_a_validation_error(
        self, client: httpx.AsyncClient, as_user, key: str
    ) -> None:
        alice = await as_user("alice")
        before = await case_ids(client, alice)

        response = await client.post(f"{API}/support-cases", json=CASE, headers=keyed(alice, key))

        body = assert_problem(response, 422, "validation_error")
        assert body["errors"][0]["loc"][0] == "header"
        assert await case_ids(client, alice) == before

    async def test_without_a_key_every_request_opens_a_case(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        before = await case_ids(client, alice)

        for _ in range(2):
            response = await client.post(f"{API}/support-cases", json=CASE, headers=alice)
            assert response.status_code == 201

        assert len(await case_ids(client, alice)) == len(before) + 2


class TestWritingAMessageWithAnIdempotencyKey:
    async def test_a_retry_with_the_same_key_writes_one_message(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)
        url = f"{API}/support-cases/{case['id']}/messages"

        first = await client.post(url, json={"body": "Any news?"}, headers=keyed(alice, "m-1"))
        retry = await client.post(url, json={"body": "Any news?"}, headers=keyed(alice, "m-1"))

        assert first.status_code == retry.status_code == 201, retry.text
        assert retry.json() == first.json()
        assert retry.headers["idempotent-replayed"] == "true"
        assert await message_ids(client, alice, case["id"]) == [first.json()["id"]]

    async def test_two_concurrent_requests_with_one_key_write_one_message(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob = await as_user("bob")
        case = await open_case(client, await as_user("alice"))
        url = f"{API}/support-cases/{case['id']}/messages"

        answers = await asyncio.gather(
            *(client.post(url, json={"body": "On it"}, headers=keyed(bob, "m-race")) for _ in "ab")
        )

        assert sorted(a.status_code for a in answers) in ([201, 201], [201, 409])
        assert len(await message_ids(client, bob, case["id"])) == 1

    async def test_the_same_key_on_another_case_is_refused(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        first_case = await open_case(client, alice)
        second_case = await open_case(client, alice)
        body = {"body": "Same words"}

        await client.post(
            f"{API}/support-cases/{first_case['id']}/messages",
            json=body,
            headers=keyed(alice, "m-2"),
        )
        other = await client.post(
            f"{API}/support-cases/{second_case['id']}/messages",
            json=body,
            headers=keyed(alice, "m-2"),
        )

        assert_problem(other, 422, "idempotency_key_reused")
        assert await message_ids(client, alice, second_case["id"]) == []


class TestAnAnswerThatFailedIsNotKept:
    async def test_a_server_error_lets_the_retry_run_again(
        self,
        client: httpx.AsyncClient,
        as_user,
        container: Container,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        from supportdesk.application.ports import OrderSystemUnavailable

        alice = await as_user("alice")
        order_system = container.integrations.order_system
        real_get = order_system.get_order

        async def down(order_id: str) -> Any:
            raise OrderSystemUnavailable("the order system is not answering")

        monkeypatch.setattr(order_system, "get_order", down)
        failed = await client.post(f"{API}/support-cases", json=CASE, headers=keyed(alice, "k-5"))
        monkeypatch.setattr(order_system, "get_order", real_get)
        retried = await client.post(f"{API}/support-cases", json=CASE, headers=keyed(alice, "k-5"))

        assert_problem(failed, 503, "upstream_unavailable")
        assert retried.status_code == 201, retried.text
        assert "idempotent-replayed" not in retried.headers
