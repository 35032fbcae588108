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
