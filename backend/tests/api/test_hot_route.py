"""A case by id, the list of cases and opening a case are served by plain routes
(``api/hot.py``) in front of the FastAPI routes that document them: the two give the same
answers, to every caller, for every kind of request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from supportdesk.api import hot
from supportdesk.api.app import create_app
from supportdesk.bootstrap import Container
from tests.conftest import client_of
from tests.factories import open_case, request_refund


@pytest.fixture
async def documented_route_only(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    """The same app, on the same data, with the plain route taken out."""
    app = create_app(container.settings, container=container)
    app.router.routes[:] = [r for r in app.router.routes if not isinstance(r, hot.HotRoute)]
    async with client_of(app) as client:
        yield client


def _answer(response: httpx.Response) -> tuple[Any, ...]:
    body = response.json() if response.headers.get("content-type", "").endswith("json") else None
    if isinstance(body, dict):
        body.pop("instance", None)  # a problem names the request it answers
    return (
        response.status_code,
        response.headers.get("content-type"),
        response.headers.get("etag"),
        body,
    )


async def test_the_plain_route_answers_as_the_documented_route_does(
    client: httpx.AsyncClient,
    documented_route_only: httpx.AsyncClient,
    as_user,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    served_plain = 0
    presenter = hot.case_fields

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal served_plain
        served_plain += 1
        return presenter(*args, **kwargs)

    monkeypatch.setattr(hot, "case_fields", counting)
    alice, bob, carol = await as_user("alice"), await as_user("bob"), await as_user("carol")
    case = await open_case(client, alice)
    await request_refund(client, alice, case["id"])
    path = f"/api/v1/support-cases/{case['id']}"
    asked = [
        (path, alice),
        (path, bob),
        (path, await as_user("admin")),
        (path, carol),  # another customer's case: 404, as if it did not exist
        (path, {}),
        (path, {"Authorization": "Bearer not-a-token"}),
        (path, {"Authorization": "Basic YWxpY2U6eA=="}),
        ("/api/v1/support-cases/case_unknown", bob),
        ("/api/v1/support-cases/case%01x", bob),
        ("/api/v1/support-cases/export.csv", bob),
    ]
    for url, headers in asked:
        plain = await client.get(url, headers=headers)
        documented = await documented_route_only.get(url, headers=headers)
        assert _answer(plain) == _answer(documented), url
    assert served_plain == 3
    export = await client.get("/api/v1/support-cases/export.csv", headers=bob)
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")


async def test_the_plain_list_answers_as_the_documented_list_does(
    client: httpx.AsyncClient,
    documented_route_only: httpx.AsyncClient,
    as_user,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked = 0
    check = hot.QueryParameters.check

    def counting(self: hot.QueryParameters, params: Any) -> Any:
        nonlocal checked
        checked += 1
        return check(self, params)

    monkeypatch.setattr(hot.QueryParameters, "check", counting)
    alice, bob, carol = await as_user("alice"), await as_user("bob"), await as_user("carol")
    for n in range(3):
        await open_case(client, alice, subject=f"Mug number {n}")
    # A case with a refund, a reply (the list's last message) and an internal note.
    full = await open_case(client, alice, subject="Mug with everything")
    await request_refund(client, alice, full["id"])
    messages = f"/api/v1/support-cases/{full['id']}/messages"
    reply = await client.post(messages, json={"body": "We are on it."}, headers=bob)
    note = await client.post(messages, json={"body": "Check stock", "internal": True}, headers=bob)
    assert reply.status_code == note.status_code == 201
    await open_case(client, carol, order_id="ORD-2001")
    first = (await client.get("/api/v1/support-cases?limit=2", headers=bob)).json()
    cursor = first["next_cursor"]
    assert cursor
    queries = [
        "",
        "?limit=2",
        f"?limit=2&cursor={cursor}",
        "?status=open&status=resolved&sort=-priority",
        "?q=Mug&created_after=2020-01-01&created_before=2999-01-01T10:00:00%2B02:00",
        "?assignee_id=none&attention=needed&sla_status=ok&sla_status=breached",
        "?assignee_id=me&status=",
        # Refused: each alone, several at once, in the filters and in the page's own.
        "?limit=0",
        "?limit=abc&status=bogus&status=open",
        "?created_after=2020-01-01T10:00&cursor=not-a-cursor",
        "?sort=nope&q=",
        "?cursor=not-a-cursor",
        "?priority=urgent&category=nonsense&limit=101",
        "?q=%01",
        "?order_id=" + "x" * 65,
    ]
    answered = 0
    for query in queries:
        for headers in (alice, bob, carol, {}, {"Authorization": "Bearer not-a-token"}):
            url = f"/api/v1/support-cases{query}"
            plain = await client.get(url, headers=headers)
            documented = await documented_route_only.get(url, headers=headers)
            assert _answer(plain) == _answer(documented), (url, headers)
            answered += plain.status_code == 200
    assert answered > 10
    assert checked > 2 * answered  # the filters' and the page's, each time they are read


def _opened(response: httpx.Response) -> tuple[Any, ...]:
    """The answer, less what differs between two cases opened alike: ids and times."""
    status, content_type, etag, body = _answer(response)
    if isinstance(body, dict):
        for varies in ("id", "created_at", "updated_at"):
            body.pop(varies, None)
        # Due times follow from the moment of opening: inside business hours they differ
        # by the time between the two requests. Whether each is set must still agree.
        for due in ("first_response_due_at", "resolution_due_at"):
            if due in body:
                body[due] = body[due] is not None
    location = response.headers.get("location", "")
    return (
        status,
        content_type,
        etag,
        body,
        location.rsplit("/", 1)[0],
        response.headers.get("idempotent-replayed"),
    )


async def test_the_plain_route_opens_cases_as_the_documented_route_does(
    client: httpx.AsyncClient,
    documented_route_only: httpx.AsyncClient,
    as_user,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handed_on = 0
    hand_on = hot.OpenCaseRoute._hand_on

    async def counting(*args: Any) -> None:
        nonlocal handed_on
        handed_on += 1
        await hand_on(*args)

    monkeypatch.setattr(hot.OpenCaseRoute, "_hand_on", staticmethod(counting))
    alice, bob, carol = await as_user("alice"), await as_user("bob"), await as_user("carol")
    good = (
        '{"order_id": "ORD-1001", "subject": "Broken", "description": "It broke",'
        ' "category": "damaged_item"}'
    )
    by_phone = good[:-1] + ', "channel": "phone"}'
    json_type = {"Content-Type": "application/json"}
    sent: list[tuple[str, dict[str, str]]] = [
        (good, json_type),
        (by_phone, json_type),
        (good, {"Content-Type": "application/json; charset=utf-8"}),
        (good, {"Content-Type": "application/merge-patch+json"}),
        (good, {"Content-Type": "text/plain"}),
        (good, {}),
        ('{"order_id": "ORD-1001", "subject":', json_type),
        ("[1, 2]", json_type),
        ("[" * 100_000 + "]" * 100_000, json_type),  # deeper than the parser goes
        ("{}", json_type),
        ("", json_type),
        (good.replace("Broken", "Bro\\u0001ken"), json_type),
        (good[:-1] + ', "colour": "red"}', json_type),
        (good.replace("ORD-1001", "ORD-2001"), json_type),  # carol's order
        (good.replace("damaged_item", "nonsense"), json_type),
        (good, {**json_type, "Idempotency-Key": "k" * 201}),
        (good, {**json_type, "Idempotency-Key": "k\x01"}),
        (good, {**json_type, "Idempotency-Key": ""}),
    ]
    callers = (alice, bob, carol, {}, {"Authorization": "Bearer not-a-token"})
    answered = 0
    for body, headers in sent:
        for caller in callers:
            asked = {**caller, **headers}
            plain = await client.post("/api/v1/support-cases", content=body, headers=asked)
            documented = await documented_route_only.post(
                "/api/v1/support-cases", content=body, headers=asked
            )
            assert _opened(plain) == _opened(documented), (body, asked)
            answered += plain.status_code == 201
    # Another method: as the documented routes answer it.
    for method in ("TRACE", "PUT", "DELETE", "PATCH"):
        plain = await client.request(method, "/api/v1/support-cases", content=good, headers=alice)
        documented = await documented_route_only.request(
            method, "/api/v1/support-cases", content=good, headers=alice
        )
        assert _opened(plain) == _opened(documented), method
        assert plain.headers.get("allow") == documented.headers.get("allow"), method
    # A query string is checked as on every route: a control character is refused.
    for query in ("?from=web", "?from=%01"):
        url = f"/api/v1/support-cases{query}"
        plain = await client.post(url, content=good, headers={**alice, **json_type})
        documented = await documented_route_only.post(
            url, content=good, headers={**alice, **json_type}
        )
        assert _opened(plain) == _opened(documented), query
    # An Idempotency-Key: the first answer, then it again, then a refusal for another body.
    for app, key in ((client, "plain-key"), (documented_route_only, "documented-key")):
        asked = {**alice, **json_type, "Idempotency-Key": key}
        answers = [
            await app.post("/api/v1/support-cases", content=body, headers=asked)
            for body in (good, good, good.replace("Broken", "Cracked"))
        ]
        if app is client:
            plain_answers = answers
    assert [r.status_code for r in answers] == [201, 201, 422]
    assert [_opened(r) for r in plain_answers] == [_opened(r) for r in answers]
    assert plain_answers[0].json()["id"] == plain_answers[1].json()["id"]
    assert answered >= 4
    assert 0 < handed_on < len(sent) * len(callers)
