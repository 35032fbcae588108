"""Reads never wait for writers: a request that only reads (signing in the caller included)
answers while another transaction holds the database's write lock."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
from sqlalchemy import text

from supportdesk.bootstrap import Container
from supportdesk.domain.access import Role
from supportdesk.domain.users import UserAccount
from tests.factories import open_case, request_refund

API = "/api/v1"


@asynccontextmanager
async def write_lock_held(container: Container, case_id: str) -> AsyncIterator[None]:
    """Another writer, mid-transaction: on SQLite it holds the write lock (as a second
    replica or a CLI command would); on PostgreSQL it has updated the case's row."""
    url = container.settings.database_url
    if url.startswith("sqlite"):
        other = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE support_cases SET priority = priority WHERE id = ?", (case_id,))
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
    else:
        async with container.database.writer.connect() as other:
            await other.execute(
                text("UPDATE support_cases SET priority = priority WHERE id = :id"),
                {"id": case_id},
            )
            yield
            await other.rollback()


async def _outbox_drained(container: Container) -> None:
    async with container.database.read_sessions()() as session:
        for _ in range(200):
            pending = await session.scalar(
                text("SELECT count(*) FROM outbox WHERE state = 'pending'")
            )
            await session.rollback()
            if not pending:
                return
            await asyncio.sleep(0.05)
    raise AssertionError("the outbox was not delivered")


async def test_reads_answer_while_another_transaction_holds_the_write_lock(
    client: httpx.AsyncClient, as_user, container: Container
) -> None:
    alice, bob = await as_user("alice"), await as_user("bob")
    case = await open_case(client, alice)
    refund = (await request_refund(client, alice, case["id"])).json()
    reads = [
        (bob, f"{API}/support-cases/{case['id']}"),
        (bob, f"{API}/support-cases?limit=25"),
        (alice, f"{API}/support-cases/{case['id']}/messages"),
        (alice, f"{API}/support-cases/{case['id']}/history"),
        (bob, f"{API}/refunds/{refund['id']}"),
        (bob, f"{API}/refunds/{refund['id']}/history"),
        (bob, f"{API}/me"),
        (bob, f"{API}/staff"),
    ]

    # This process's own background writer, the outbox dispatcher, has mailed what the
    # requests above implied: it is idle, and an idle dispatcher only reads.
    await _outbox_drained(container)
    async with write_lock_held(container, case["id"]):
        answers = await asyncio.wait_for(
            asyncio.gather(*(client.get(url, headers=who) for who, url in reads)), timeout=5
        )

    assert [a.status_code for a in answers] == [200] * len(reads)


async def test_a_token_for_a_role_the_account_does_not_have_is_refused_with_401(
    client: httpx.AsyncClient, container: Container
) -> None:
    """The token's role is checked against the account's, not taken on trust."""
    alice_as_admin = UserAccount(
        id="usr_alice",
        email="alice@example.com",
        name="Alice",
        role=Role.ADMIN,
        customer_id=None,
        password_hash="",
        active=True,
        created_at=datetime.now(UTC),
    )
    pair, _ = container.tokens.issue(alice_as_admin, "fam_test")

    response = await client.get(
        f"{API}/users", headers={"Authorization": f"Bearer {pair.access_token}"}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


async def test_a_write_that_outwaits_the_busy_timeout_is_a_503_and_writes_nothing(
    client: httpx.AsyncClient, as_user, container: Container, monkeypatch
) -> None:
    """On SQLite another process may hold the write lock past busy_timeout: that is the
    database not keeping up (503 upstream_unavailable, retry later), not a server error."""
    if not container.settings.database_url.startswith("sqlite"):
        return  # PostgreSQL waits on the row, not on a file lock
    alice = await as_user("alice")
    case = await open_case(client, alice)
    await container.database.writer.dispose()  # new connections take the shorter wait
    monkeypatch.setattr(
        "supportdesk.infrastructure.db.session.SQLITE_BUSY_TIMEOUT_MS", 200, raising=True
    )
    from supportdesk.infrastructure.db.session import _configure_sqlite

    _configure_sqlite(container.database.writer, "BEGIN IMMEDIATE", 200)

    async with write_lock_held(container, case["id"]):
        answer = await client.post(
            f"{API}/support-cases/{case['id']}/messages", json={"body": "hello"}, headers=alice
        )

    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "upstream_unavailable"
    assert "Retry-After" in answer.headers
    messages = await client.get(f"{API}/support-cases/{case['id']}/messages", headers=alice)
    assert [m["body"] for m in messages.json()] == []
