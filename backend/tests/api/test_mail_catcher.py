"""The embedded mail catcher: without SMTP_URL, outside production, mail goes to a real SMTP
server the service runs itself, and /sim/mail shows what it caught."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import httpx
import pytest

from supportdesk.bootstrap import Container


def catcher_port(container: Container) -> int:
    assert container.mail_catcher is not None and container.mail_catcher.port
    return container.mail_catcher.port


async def send(port: int, to: str, subject: str) -> None:
    message = EmailMessage()
    message["From"] = "Example Shop <support@example.com>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(f"text of {subject}")
    message.add_alternative(f"<p>html of {subject}</p>", subtype="html")
    await aiosmtplib.send(message, hostname="127.0.0.1", port=port)


async def _caught(client: httpx.AsyncClient, to: str) -> list[dict[str, Any]]:
    answer = await client.get("/sim/mail/messages", params={"to": to})
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


class TestMailCatcher:
    async def test_caught_mail_is_listed_newest_first_and_filtered_by_recipient(
        self, client: httpx.AsyncClient, container: Container
    ) -> None:
        port = catcher_port(container)
        await send(port, "alice@example.com", "first")
        await send(port, "bob@example.com", "second")
        await send(port, "Alice@Example.com", "third")

        every = (await client.get("/sim/mail/messages")).json()["items"]
        assert [m["subject"] for m in every] == ["third", "second", "first"]
        alices = await client.get("/sim/mail/messages", params={"to": "alice@example.com"})
        assert [m["subject"] for m in alices.json()["items"]] == ["third", "first"]
        first = alices.json()["items"][1]
        assert set(first) >= {"id", "from", "to", "subject", "text", "html", "headers"}
        assert first["to"] == ["alice@example.com"]
        assert first["text"].strip() == "text of first"
        assert "<p>html of first</p>" in first["html"]
        assert first["headers"]["Subject"] == "first"
        assert first["received_at"]

    async def test_delete_empties_it(self, client: httpx.AsyncClient, container: Container) -> None:
        await send(catcher_port(container), "alice@example.com", "gone soon")
        assert (await client.delete("/sim/mail/messages")).status_code == 204
        assert (await client.get("/sim/mail/messages")).json() == {"items": []}

    async def test_the_email_channel_sends_to_the_catcher(
        self, client: httpx.AsyncClient, container: Container, as_user
    ) -> None:
        from tests.factories import open_case

        alice = await as_user("alice")
        case = await open_case(client, alice)
        # Nobody delivers by hand: the dispatcher inside the service does, right after commit.
        for _ in range(200):
            if items := await _caught(client, "alice@example.com"):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # and nothing more comes
        assert len(await _caught(client, "alice@example.com")) == 1
        [mail] = items
        assert f"http://127.0.0.1:8000/cases/{case['id']}" in mail["text"]
        assert mail["headers"]["In-Reply-To"] == f"<case-{case['id']}@example.com>"

    @pytest.mark.parametrize(
        "settings_overrides", [{"smtp_url": "smtp://user:pw@127.0.0.1:1"}], indirect=True
    )
    async def test_with_an_smtp_server_of_its_own_the_catcher_is_off(
        self, client: httpx.AsyncClient, container: Container
    ) -> None:
        assert container.mail_catcher is None
        for method in ("GET", "DELETE"):
            answer = await client.request(method, "/sim/mail/messages")
            assert answer.status_code == 404
            assert answer.headers["content-type"] == "application/problem+json"
