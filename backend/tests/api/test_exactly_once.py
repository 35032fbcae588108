"""Executing a refund pays the customer exactly once, whatever the timing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest

from supportdesk.bootstrap import Container
from supportdesk.infrastructure.simulators.gateway import GatewaySandbox
from tests.factories import approved_refund


async def approved_by_bob(
    client: httpx.AsyncClient, as_user: Any
) -> tuple[dict[str, str], dict[str, Any]]:
    """Alice's refund of two cables on ORD-1001, approved by bob; bob's headers with it."""
    bob = await as_user("bob")
    return bob, await approved_refund(client, await as_user("alice"), bob)


def sandbox_of(container: Container) -> GatewaySandbox:
    sandbox = container.integrations.gateway_sandbox
    assert sandbox is not None
    return sandbox


class TestConcurrentExecution:
    async def test_fifty_concurrent_executions_make_one_gateway_refund(
        self, client: httpx.AsyncClient, as_user, container: Container
    ) -> None:
        bob, refund = await approved_by_bob(client, as_user)

        responses = await asyncio.gather(
            *(
                client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
                for _ in range(50)
            )
        )

        assert len(sandbox_of(container).refunds) == 1
        assert sandbox_of(container).refunds[0].amount == 2140
        winners = [r for r in responses if r.status_code == 200]
        assert len(winners) == 1
        assert winners[0].json()["status"] == "refunded"
        for response in responses:
            if response.status_code != 200:
                assert response.status_code == 409, response.text
                assert response.json()["code"] in ("invalid_transition", "version_conflict")
        final = await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)
        assert final.json()["status"] == "refunded"


class TestIdempotencyKey:
    async def test_a_retry_with_the_same_key_returns_the_first_answer(
        self, client: httpx.AsyncClient, as_user, container: Container
    ) -> None:
        bob, refund = await approved_by_bob(client, as_user)
        url = f"/api/v1/refunds/{refund['id']}/execute"

        first = await client.post(url, headers={**bob, "Idempotency-Key": "k-1"})
        retry = await client.post(url, headers={**bob, "Idempotency-Key": "k-1"})
        without_key = await client.post(url, headers=bob)

        assert first.status_code == retry.status_code == 200
        assert retry.json() == first.json()
        assert retry.headers.get("idempotent-replayed") == "true"
        assert without_key.status_code == 409
        assert len(sandbox_of(container).refunds) == 1


@pytest.mark.parametrize(
    "settings_overrides", [{"payment_gateway_timeout_seconds": 0.3}], indirect=True
)
class TestUnknownOutcome:
    async def test_accepted_then_timed_out_is_processing_until_reconciled_once(
        self, client: httpx.AsyncClient, as_user, container: Container
    ) -> None:
        bob, refund = await approved_by_bob(client, as_user)
        sandbox = sandbox_of(container)
        sandbox.inject("accept_then_timeout", times=1, delay_seconds=5)

        executed = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)

        assert executed.status_code == 202, executed.text
        assert executed.json()["status"] == "processing"
        assert len(sandbox.refunds) == 1  # the gateway made it; we did not hear back

        settled = await container.refund_service().reconcile(stale_after=timedelta(0))

        assert [r.status.value for r in settled] == ["refunded"]
        assert len(sandbox.refunds) == 1
        seen = await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)
        assert seen.json()["status"] == "refunded"
        assert seen.json()["gateway_refund_id"] == sandbox.refunds[0].id

    async def test_reconciling_twice_in_parallel_resolves_the_attempt_once(
        self, client: httpx.AsyncClient, as_user, container: Container
    ) -> None:
        bob, refund = await approved_by_bob(client, as_user)
        sandbox = sandbox_of(container)
        sandbox.inject("accept_then_timeout", times=1, delay_seconds=5)
        await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)

        first, second = await asyncio.gather(
            container.refund_service().reconcile(stale_after=timedelta(0)),
            container.refund_service().reconcile(stale_after=timedelta(0)),
        )

        assert len(first) + len(second) == 1
        assert len(sandbox.refunds) == 1
        history = await client.get(f"/api/v1/refunds/{refund['id']}/history", headers=bob)
        assert [e["type"] for e in history.json()].count("refund_succeeded") == 1


@pytest.mark.parametrize(
    "settings_overrides", [{"payment_gateway_timeout_seconds": 0.3}], indirect=True
)
class TestAGatewayThatReplaysAnError:
    async def test_reconciliation_finds_the_refund_the_gateway_made_behind_a_stored_error(
        self, client: httpx.AsyncClient, as_user, container: Container
    ) -> None:
        bob, refund = await approved_by_bob(client, as_user)
        sandbox = sandbox_of(container)
        sandbox.inject("accept_then_timeout", times=1, delay_seconds=5)
        executed = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
        assert executed.status_code == 202
        # Like Stripe keeping a 500 under the key: asking again with it gets the error again.
        key = f"supportdesk-refund-{refund['id']}-attempt-1"
        sandbox.inject("server_error", times=10, idempotency_key=key)

        settled = await container.refund_service().reconcile(stale_after=timedelta(0))

        assert [r.status.value for r in settled] == ["refunded"]
        assert len(sandbox.refunds) == 1
        assert settled[0].gateway_refund_id == sandbox.refunds[0].id

    async def test_a_refund_the_gateway_never_made_stays_processing_for_another_look(
        self, client: httpx.AsyncClient, as_user, container: Container
    ) -> None:
        bob, refund = await approved_by_bob(client, as_user)
        sandbox = sandbox_of(container)
        sandbox.inject("server_error", times=10)
        executed = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
        assert executed.status_code == 202  # a 5xx proves nothing either way

        await container.refund_service().reconcile(stale_after=timedelta(0))

        state = await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)
        assert state.json()["status"] == "processing"
        assert sandbox.refunds == []


class TestDecline:
    async def test_a_decline_fails_with_the_reason_and_a_new_attempt_can_pay(
        self, client: httpx.AsyncClient, as_user, container: Container
    ) -> None:
        bob, refund = await approved_by_bob(client, as_user)
        sandbox = sandbox_of(container)
        sandbox.inject("decline", times=1)
        url = f"/api/v1/refunds/{refund['id']}/execute"

        declined = await client.post(url, headers=bob)

        assert declined.status_code == 200, declined.text
        assert declined.json()["status"] == "failed"
        assert declined.json()["failure_reason"]
        assert sandbox.refunds == []

        retried = await client.post(url, headers=bob)

        assert retried.status_code == 200, retried.text
        assert retried.json()["status"] == "refunded"
        assert retried.json()["attempt"] == 2
        assert len(sandbox.refunds) == 1

    async def test_an_unreachable_gateway_is_a_502_and_the_refund_stays_processing(
        self, client: httpx.AsyncClient, as_user, container: Container
    ) -> None:
        bob, refund = await approved_by_bob(client, as_user)
        sandbox = sandbox_of(container)
        sandbox.inject("drop", times=1)

        response = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)

        assert response.status_code in (202, 502), response.text
        state = await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)
        assert state.json()["status"] == "processing"
        await container.refund_service().reconcile(stale_after=timedelta(0))
        state = await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)
        assert state.json()["status"] == "refunded"
        assert len(sandbox.refunds) == 1


@pytest.mark.parametrize(
    "settings_overrides",
    [
        {
            "payment_gateway_timeout_seconds": 0.3,
            "reconcile_interval_seconds": 0.2,
            "reconcile_stale_after_seconds": 0,
        }
    ],
    indirect=True,
)
class TestBackgroundReconciliation:
    async def test_the_service_resolves_a_processing_refund_by_itself(
        self, client: httpx.AsyncClient, as_user, container: Container
    ) -> None:
        bob, refund = await approved_by_bob(client, as_user)
        sandbox_of(container).inject("accept_then_timeout", times=1, delay_seconds=5)

        executed = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
        assert executed.status_code == 202

        status = "processing"
        for _ in range(50):
            await asyncio.sleep(0.1)
            status = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)).json()[
                "status"
            ]
            if status != "processing":
                break
        assert status == "refunded"
        assert len(sandbox_of(container).refunds) == 1
