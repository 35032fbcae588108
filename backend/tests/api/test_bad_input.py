"""Bad input is answered at the boundary with a problem that names where it was, and never
reaches a query: control characters, dates, cursors, booleans, body types and sizes."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from tests.factories import open_case

API = "/api/v1"


def assert_refused(
    response: httpx.Response, loc: list[str], code: str = "validation_error", status: int = 422
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert (body["status"], body["code"]) == (status, code), body
    assert body["title"] and body["detail"]
    assert body["errors"][0]["loc"] == loc, body
    return body


def raw_json(body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    """The body as JSON text with escapes (a lone surrogate cannot be sent as UTF-8)."""
    return {
        "content": json.dumps(body).encode(),
        "headers": {**headers, "Content-Type": "application/json"},
    }


class TestControlCharactersAreRefusedWhereverTheyAre:
    async def test_a_nul_in_the_email_of_an_anonymous_sign_in_is_422_naming_it(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post(
            f"{API}/auth/login", json={"email": "a\u0000@example.com", "password": "x"}
        )

        body = assert_refused(response, ["body", "email"])
        assert "U+0000" in body["detail"]

    async def test_a_nul_in_a_query_parameter_is_refused_with_422_naming_it(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        response = await client.get(f"{API}/support-cases?q=a%00b", headers=await as_user("bob"))

        assert_refused(response, ["query", "q"])

    async def test_a_nul_in_a_path_parameter_is_refused_with_422_naming_it(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        response = await client.get(f"{API}/refunds/ref%00x", headers=await as_user("bob"))

        assert_refused(response, ["path", "refund_id"])

    @pytest.mark.parametrize("header", ["If-Match", "Idempotency-Key"])
    async def test_a_control_character_in_a_header_we_read_is_refused_naming_it(
        self, client: httpx.AsyncClient, as_user, header: str
    ) -> None:
        response = await client.post(
            f"{API}/refunds/ref_x/execute",
            headers={**await as_user("bob"), header: "1\x002"},
        )

        assert_refused(response, ["header", header.lower()])

    async def test_a_nul_inside_a_nested_body_field_names_the_item(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)

        response = await client.post(
            f"{API}/support-cases/{case['id']}/refunds",
            headers=alice,
            json={"items": [{"line_id": "L\u00002", "quantity": 1}], "reason": "broken"},
        )

        assert_refused(response, ["body", "items", "0", "line_id"])

    @pytest.mark.parametrize(
        "text", ["a\u0000b", "a\u0007b", "a\u001bb", "a\u007fb", "a\u0085b", "a\ud800b"]
    )
    async def test_free_text_refuses_controls_and_lone_surrogates(
        self, client: httpx.AsyncClient, as_user, text: str
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)

        response = await client.post(
            f"{API}/support-cases/{case['id']}/messages", **raw_json({"body": text}, alice)
        )

        assert_refused(response, ["body", "body"])
        messages = await client.get(f"{API}/support-cases/{case['id']}/messages", headers=alice)
        assert messages.json() == []

    async def test_free_text_keeps_tabs_and_line_breaks(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")

        case = await open_case(client, alice, description="Line one\r\n\tand two\n")

        assert case["description"] == "Line one\r\n\tand two"

    @pytest.mark.parametrize("text", ["two\nlines", "a\ttab", "a\rreturn"])
    async def test_a_single_line_field_refuses_tabs_and_line_breaks_inside(
        self, client: httpx.AsyncClient, as_user, text: str
    ) -> None:
        response = await client.post(
            f"{API}/support-cases",
            headers=await as_user("alice"),
            json={
                "order_id": "ORD-1001",
                "subject": text,
                "description": "d",
                "category": "other",
            },
        )

        assert_refused(response, ["body", "subject"])

    async def test_text_in_other_scripts_and_emoji_is_kept_as_sent(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        subject = "\u202ehello \U0001f600 e\u0301 \u05e9\u05dc\u05d5\u05dd \u200d"

        case = await open_case(client, await as_user("alice"), subject=subject)

        assert case["subject"] == subject.strip()


class TestListDates:
    async def test_a_date_alone_means_that_days_start_in_utc(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob = await as_user("bob")
        case = await open_case(client, await as_user("alice"))
        today = datetime.fromisoformat(case["created_at"]).astimezone(UTC).date().isoformat()

        after = await client.get(f"{API}/support-cases?created_after={today}", headers=bob)
        before = await client.get(f"{API}/support-cases?created_before={today}", headers=bob)

        assert case["id"] in [c["id"] for c in after.json()["items"]]
        assert case["id"] not in [c["id"] for c in before.json()["items"]]

    async def test_a_moment_with_an_offset_is_that_moment(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob = await as_user("bob")
        case = await open_case(client, await as_user("alice"))
        created = datetime.fromisoformat(case["created_at"])
        plus_two = timezone(timedelta(hours=2))

        def written_in_plus_two(moment: datetime) -> str:
            return moment.astimezone(plus_two).isoformat().replace("+", "%2B")

        later = written_in_plus_two(created + timedelta(minutes=1))
        earlier = written_in_plus_two(created - timedelta(minutes=1))
        before_later = await client.get(f"{API}/support-cases?created_before={later}", headers=bob)
        before_earlier = await client.get(
            f"{API}/support-cases?created_before={earlier}", headers=bob
        )

        assert case["id"] in [c["id"] for c in before_later.json()["items"]]
        assert case["id"] not in [c["id"] for c in before_earlier.json()["items"]]

    @pytest.mark.parametrize(
        ("value", "says"),
        [
            pytest.param("2030-01-01T10:00", "offset", id="naive"),
            pytest.param("2030-01-01T10:00:00.123", "offset", id="naive-fraction"),
            pytest.param("9999-12-31T23:59:59.999999-23:59", "offset", id="extreme-offset"),
            pytest.param("9999-12-31T23:59:59.999999-13:00", "range", id="past-year-9999"),
            pytest.param("0001-01-01T00:00:00%2B01:00", "range", id="before-year-1"),
            pytest.param("2020-02-30", "range", id="no-such-day"),
            pytest.param("0.5", "expected", id="a-number-is-no-unix-time"),
            pytest.param("1700000000", "expected", id="a-unix-time"),
            pytest.param("2020-01-01T10:00 02:00", "%2B", id="unencoded-plus"),
            pytest.param("yesterday", "expected", id="a-word"),
        ],
    )
    async def test_a_date_that_is_not_one_moment_is_422_naming_the_filter(
        self, client: httpx.AsyncClient, as_user, value: str, says: str
    ) -> None:
        bob = await as_user("bob")
        for path in ("/support-cases", "/refunds", "/support-cases/export.csv"):
            for name in ("created_after", "created_before"):
                response = await client.get(f"{API}{path}?{name}={value}", headers=bob)

                body = assert_refused(response, ["query", name])
                assert says in body["detail"], (path, name, body)


def cursor_of(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class TestCursors:
    @pytest.mark.parametrize(
        "cursor",
        [
            pytest.param("garbage!", id="not-base64"),
            pytest.param(cursor_of(b"\xff\xfe"), id="not-utf8"),
            pytest.param(cursor_of(b"{not json"), id="not-json"),
            pytest.param(cursor_of({"a": 1}), id="an-object"),
            pytest.param(cursor_of(["created_at", "2026-01-01T00:00:00+00:00"]), id="too-short"),
            pytest.param(cursor_of(["-created_at", 12, "case_x"]), id="a-number-for-a-time"),
            pytest.param(cursor_of(["-created_at", "2026-01-01T00:00:00", "c"]), id="naive"),
            pytest.param(cursor_of(["-created_at", "9999-12-31T23:59:59-23:59", "c"]), id="far"),
            pytest.param(cursor_of(["-created_at", "2026-01-01T00:00:00Z", 10**400]), id="huge"),
            pytest.param(cursor_of(["-created_at", "2026-01-01T00:00:00Z", "c" * 65]), id="long"),
            pytest.param(cursor_of(["-created_at", "2026-01-01T00:00:00Z", "c\u0000"]), id="nul"),
            pytest.param(cursor_of(["name", "2026-01-01T00:00:00Z", "case_x"]), id="bad-sort"),
            pytest.param(cursor_of(["-created_at", 1e308, "case_x"]), id="float"),
            pytest.param(cursor_of([[[[[]]]]] * 3), id="nested"),
        ],
    )
    async def test_a_cursor_we_did_not_give_out_is_422_invalid_cursor(
        self, client: httpx.AsyncClient, as_user, cursor: str
    ) -> None:
        bob = await as_user("bob")
        for path in ("/support-cases", "/refunds"):
            response = await client.get(f"{API}{path}", params={"cursor": cursor}, headers=bob)

            assert_refused(response, ["query", "cursor"], code="invalid_cursor")

    async def test_a_cursor_given_out_for_one_sort_is_refused_for_another(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        for _ in range(3):
            await open_case(client, alice)
        page = await client.get(
            f"{API}/support-cases", params={"limit": 1, "sort": "created_at"}, headers=bob
        )
        cursor = page.json()["next_cursor"]

        same = await client.get(
            f"{API}/support-cases",
            params={"limit": 1, "sort": "created_at", "cursor": cursor},
            headers=bob,
        )
        other = await client.get(
            f"{API}/support-cases",
            params={"limit": 1, "sort": "-updated_at", "cursor": cursor},
            headers=bob,
        )

        assert same.status_code == 200, same.text
        body = assert_refused(other, ["query", "cursor"], code="invalid_cursor")
        assert "sort=created_at" in body["detail"]


class TestBodies:
    @pytest.mark.parametrize("value", ["yes", "true", 1, 0, "1", None])
    async def test_include_shipping_is_a_json_boolean_and_nothing_else(
        self, client: httpx.AsyncClient, as_user, value: Any
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)

        response = await client.post(
            f"{API}/support-cases/{case['id']}/refunds",
            headers=alice,
            json={
                "items": [{"line_id": "L2", "quantity": 1}],
                "reason": "r",
                "include_shipping": value,
            },
        )

        assert_refused(response, ["body", "include_shipping"])
        assert (await client.get(f"{API}/refunds", headers=alice)).json()["items"] == []

    async def test_internal_on_a_message_is_a_json_boolean(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        case = await open_case(client, await as_user("alice"))

        response = await client.post(
            f"{API}/support-cases/{case['id']}/messages",
            headers=await as_user("bob"),
            json={"body": "hi", "internal": "false"},
        )

        assert_refused(response, ["body", "internal"])

    @pytest.mark.parametrize(
        "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
    )
    async def test_a_body_that_is_not_json_is_415(
        self, client: httpx.AsyncClient, content_type: str
    ) -> None:
        response = await client.post(
            f"{API}/auth/login",
            content=b'{"email": "alice@example.com", "password": "demo-password"}',
            headers={"Content-Type": content_type},
        )

        assert response.status_code == 415, response.text
        assert response.json()["code"] == "unsupported_media_type"
        assert content_type in response.json()["detail"]

    async def test_a_json_type_with_a_charset_or_a_suffix_is_json(
        self, client: httpx.AsyncClient
    ) -> None:
        for content_type in ("application/json; charset=utf-8", "application/problem+json"):
            response = await client.post(
                f"{API}/auth/login",
                content=b'{"email": "alice@example.com", "password": "demo-password"}',
                headers={"Content-Type": content_type},
            )
            assert response.status_code == 200, (content_type, response.text)

    async def test_an_oversize_chunked_body_is_413_and_creates_nothing(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")

        async def two_megabytes() -> AsyncIterator[bytes]:
            yield b'{"order_id": "ORD-1001", "category": "other", "subject": "s", "description": "'
            for _ in range(64):
                yield b"x" * 32768
            yield b'"}'

        response = await client.post(
            f"{API}/support-cases",
            content=two_megabytes(),
            headers={**alice, "Content-Type": "application/json"},
        )

        assert "content-length" not in response.request.headers
        assert response.status_code == 413, response.text
        assert response.json()["code"] == "payload_too_large"
        assert (await client.get(f"{API}/support-cases", headers=alice)).json()["items"] == []

    async def test_a_bad_if_match_is_422_naming_the_header(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)

        response = await client.patch(
            f"{API}/support-cases/{case['id']}",
            headers={**alice, "If-Match": "banana"},
            json={"status": "closed"},
        )

        assert_refused(response, ["header", "if-match"])


class TestAllow:
    @pytest.mark.parametrize("path", ["/support-cases/export.csv", "/refunds/export.csv"])
    async def test_an_export_allows_only_get(self, client: httpx.AsyncClient, path: str) -> None:
        response = await client.delete(f"{API}{path}")

        assert response.status_code == 405
        assert response.headers["allow"] == "GET"

    async def test_a_case_allows_what_its_routes_take(self, client: httpx.AsyncClient) -> None:
        response = await client.delete(f"{API}/support-cases/case_x")

        assert response.status_code == 405
        assert response.headers["allow"] == "GET, PATCH"
