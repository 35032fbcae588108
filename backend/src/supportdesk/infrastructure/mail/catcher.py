"""The embedded mail catcher: a real SMTP server (aiosmtpd) in the service's own event loop
that keeps the last messages in memory, so that the embedded default shows what it sent
(``/sim/mail/messages``) without mailing anybody. Never in production."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

import structlog
from aiosmtpd.smtp import SMTP, Envelope, Session

from supportdesk.infrastructure.mail.smtp import SmtpServer

log = structlog.get_logger(__name__)

HOST = "127.0.0.1"


class MailCatcher:
    def __init__(self, port: int, keep: int) -> None:
        self._wanted_port = port
        self._messages: deque[dict[str, Any]] = deque(maxlen=keep)
        self._ids = itertools.count(1)
        self._server: asyncio.Server | None = None
        self.port: int | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def server(self) -> SmtpServer:
        """Where to send: the catcher's address (before it runs, the configured port, so
        that a separate worker process reaches the one `supportdesk serve` runs)."""
        return SmtpServer(host=HOST, port=self.port or self._wanted_port, tls=False)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(
                lambda: SMTP(self, hostname="mail-catcher.local", loop=loop),
                HOST,
                self._wanted_port,
            )
        except OSError as exc:
            # Another process (a second worker, another instance) holds the port: mail
            # still reaches that catcher; this process just does not show it.
            log.warning("mail_catcher_not_started", port=self._wanted_port, error=str(exc))
            return
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("mail_catcher_started", host=HOST, port=self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        parsed = message_from_bytes(raw, policy=policy.default)
        self._messages.appendleft(_entry(next(self._ids), parsed, envelope, datetime.now(UTC)))
        return "250 Message accepted for delivery"

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """Newest first; ``to``: only those to this address (any case)."""
        items = list(self._messages)
        if to:
            wanted = to.strip().lower()
            items = [m for m in items if wanted in (a.lower() for a in m["to"])]
        return items

    def clear(self) -> None:
        self._messages.clear()


def _entry(
    number: int, message: EmailMessage, envelope: Envelope, received_at: datetime
) -> dict[str, Any]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    recipients = [a for _, a in getaddresses(message.get_all("To", []))] or [
        str(r) for r in envelope.rcpt_tos
    ]
    return {
        "id": f"mail_{number}",
        "from": str(message.get("From", envelope.mail_from or "")),
        "to": recipients,
        "subject": str(message.get("Subject", "")).strip(),
        # SMTP carries CRLF line ends; a reader of the JSON wants plain line breaks.
        "text": text.get_content().replace("\r\n", "\n") if text is not None else "",
        "html": html.get_content().replace("\r\n", "\n") if html is not None else "",
        "headers": {key: str(value) for key, value in message.items()},
        "received_at": received_at.isoformat(),
    }
