"""A case by id is served by a plain route (``api/hot.py``) in front of the FastAPI route
that documents it: the two give the same answers, to every caller, for every kind of id."""

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
    presenter = hot.case_out

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal served_plain
        served_plain += 1
        return presenter(*args, **kwargs)

    monkeypatch.setattr(hot, "case_out", counting)
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
