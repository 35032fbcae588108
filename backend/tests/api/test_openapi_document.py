"""The OpenAPI document declares each operation's problems as they are really sent."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

PROBLEM = {"schema": {"$ref": "#/components/schemas/Problem"}}


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_every_problem_is_declared_as_problem_json_with_its_schema(
    document: dict[str, Any],
) -> None:
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["content"] == {"application/problem+json": PROBLEM}, (
                    method,
                    path,
                    status,
                )


def test_an_operation_declares_only_the_problems_it_can_answer(
    document: dict[str, Any],
) -> None:
    declared = {
        (method, path): {int(s) for s in operation["responses"] if int(s) >= 400}
        for method, path, operation in operations(document)
    }
    # Nothing to send, nothing to fail: the process is up or it does not answer.
    assert declared[("GET", "/api/v1/health/live")] == set()
    # Anyone may try to sign in: no token to refuse, a body to check, a throttle.
    assert declared[("POST", "/api/v1/auth/login")] == {400, 401, 413, 415, 422, 429, 503}
    # A signed-in read of one thing: no body, no conflict, no role to refuse.
    assert declared[("GET", "/api/v1/support-cases/{case_id}")] == {401, 404, 422, 429, 503}
    # Only staff change a refund, and only the gateway answers 502.
    assert declared[("POST", "/api/v1/refunds/{refund_id}/execute")] == {
        401,
        403,
        404,
        409,
        422,
        429,
        502,
        503,
    }
    for (method, path), statuses in declared.items():
        if method == "GET":
            assert not statuses & {400, 413, 415}, (method, path)
        if "execute" not in path:
            assert 502 not in statuses, (method, path)


def test_a_route_that_takes_an_idempotency_key_declares_the_conflict_of_a_running_retry(
    document: dict[str, Any],
) -> None:
    # A retry while the first request runs is 409 request_in_progress, whatever the use case.
    for path in ("/api/v1/support-cases", "/api/v1/support-cases/{case_id}/messages"):
        assert "409" in document["paths"][path]["post"]["responses"], path


def test_listing_orders_claims_no_problem_of_a_single_read(document: dict[str, Any]) -> None:
    # The list is the caller's own orders (or, for staff, those of the customer named):
    # nothing is refused and nothing is missing, unlike one order read by id.
    responses = document["paths"]["/api/v1/orders"]["get"]["responses"]
    assert not {"403", "404"} & set(responses)
    assert "404" in document["paths"]["/api/v1/orders/{order_id}"]["get"]["responses"]


def test_the_csv_exports_declare_text_csv(document: dict[str, Any]) -> None:
    for path in ("/api/v1/support-cases/export.csv", "/api/v1/refunds/export.csv"):
        assert list(document["paths"][path]["get"]["responses"]["200"]["content"]) == ["text/csv"]
