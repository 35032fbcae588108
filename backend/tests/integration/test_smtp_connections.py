"""Mail over kept-open SMTP connections: inside a session (the dispatcher opens one per
batch) mails share a few connections to a real SMTP server (aiosmtpd) instead of one each,
and every mail still has its own outcome."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from email.message import EmailMessage

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from supportdesk.infrastructure.mail.smtp import (
    MOST_CONNECTIONS,
    SendFailed,
    SmtpServer,
    SmtpTransport,
)

pytestmark = pytest.mark.integration


class Server:
    """An SMTP server that counts connections and can cut them."""

    def __init__(self) -> None:
        self.connections: list[SMTP] = []
        self.received: list[str] = []
        self.refuse: set[str] = set()
        self.port = 0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append(envelope.rcpt_tos[0])
        return "250 OK"

    def cut_all(self) -> None:
        for connection in self.connections:
            if connection.transport is not None:
                connection.transport.close()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    loop = asyncio.get_running_loop()
    state = Server()

    def connection() -> SMTP:
        protocol = SMTP(state, hostname="sink.test", loop=loop)
        state.connections.append(protocol)
        return protocol

    listening = await loop.create_server(connection, "127.0.0.1", 0)
    state.port = listening.sockets[0].getsockname()[1]
    yield state
    listening.close()
    await listening.wait_closed()


def transport(server: Server) -> SmtpTransport:
    return SmtpTransport(lambda: SmtpServer("127.0.0.1", server.port, tls=False), 5)


def mail(n: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "help@shop.example"
    message["To"] = f"c{n}@example.com"
    message["Subject"] = f"Mail {n}"
    message["Message-ID"] = f"<mail-{n}@shop.example>"
    message.set_content("Your case was updated.")
    return message


async def send(smtp: SmtpTransport, n: int) -> None:
    await smtp.send(mail(n), sender="help@shop.example", recipient=f"c{n}@example.com")


class TestSessions:
    async def test_a_batch_of_mails_shares_a_few_connections(self, server: Server) -> None:
        smtp = transport(server)
        async with smtp.session():
            await asyncio.gather(*(send(smtp, n) for n in range(12)))
        assert sorted(server.received) == sorted(f"c{n}@example.com" for n in range(12))
        assert 1 <= len(server.connections) <= MOST_CONNECTIONS

    async def test_a_session_that_sends_nothing_connects_to_nothing(self, server: Server) -> None:
        async with transport(server).session():
            pass
        assert server.connections == []

    async def test_without_a_session_each_mail_has_its_own_connection(self, server: Server) -> None:
        smtp = transport(server)
        await send(smtp, 1)
        await send(smtp, 2)
        assert len(server.connections) == 2 and len(server.received) == 2

    async def test_a_refused_recipient_fails_alone_and_the_connection_serves_the_next_mail(
        self, server: Server
    ) -> None:
        server.refuse = {"c1@example.com"}
        smtp = transport(server)
        async with smtp.session():
            with pytest.raises(SendFailed) as refused:
                await send(smtp, 1)
            await send(smtp, 2)
        assert refused.value.refused and "550" in refused.value.reason
        assert server.received == ["c2@example.com"]
        assert len(server.connections) == 1

    async def test_a_connection_the_server_closed_is_replaced_and_the_mail_still_goes(
        self, server: Server
    ) -> None:
        smtp = transport(server)
        async with smtp.session():
            await send(smtp, 1)
            server.cut_all()  # as a server does with a client idle too long
            await asyncio.sleep(0.05)
            await send(smtp, 2)
        assert server.received == ["c1@example.com", "c2@example.com"]
        assert len(server.connections) == 2

    async def test_an_unreachable_server_fails_each_mail_as_a_try_to_repeat(self) -> None:
        with_nobody = SmtpTransport(lambda: SmtpServer("127.0.0.1", 1, tls=False), 2)
        async with with_nobody.session():
            for n in range(2):
                with pytest.raises(SendFailed) as failed:
                    await send(with_nobody, n)
                assert not failed.value.refused and "could not be reached" in failed.value.reason
