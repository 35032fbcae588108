"""Sending one message over SMTP with aiosmtplib, and what its failures mean.

``smtp://user:password@host:port`` upgrades with STARTTLS when the server offers it;
``smtps://`` speaks TLS from the first byte. The URL (and so the password) is never logged
nor put into an error: failures name the host only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib


class SendFailed(Exception):
    """The message was not accepted. ``refused``: the server said no to this recipient or
    message for good (5xx), so trying again cannot help; else the server was unreachable,
    slow or said "later" (4xx), and a later try may work."""

    def __init__(self, reason: str, *, refused: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.refused = refused


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    tls: bool
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if tls else 25),
            tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def __repr__(self) -> str:  # never the password, whoever prints this
        return f"SmtpServer(host={self.host!r}, port={self.port}, tls={self.tls})"


class SmtpTransport:
    """Sends through the server ``server()`` names now: the embedded catcher learns its port
    only when it starts, after the channel was built."""

    def __init__(self, server: Callable[[], SmtpServer], timeout_seconds: float) -> None:
        self._server = server
        self._timeout = timeout_seconds

    async def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        server = self._server()
        where = f"{server.host}:{server.port}"
        try:
            await aiosmtplib.send(
                message,
                sender=sender,
                recipients=[recipient],
                hostname=server.host,
                port=server.port,
                username=server.username,
                password=server.password,
                use_tls=server.tls,
                start_tls=None if not server.tls else False,  # None: when offered
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = ", ".join(f"{r.code} {r.message}" for r in exc.recipients)
            # 5xx is "no" for good; 4xx (greylisting, a full mailbox) is "not now".
            for_good = all(r.code >= 500 for r in exc.recipients)
            said = "refused the recipient" if for_good else "deferred the recipient"
            raise SendFailed(f"{where} {said}: {codes}", refused=for_good) from None
        except aiosmtplib.SMTPResponseException as exc:
            raise SendFailed(
                f"{where} answered {exc.code} {exc.message}", refused=exc.code >= 500
            ) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise SendFailed(
                f"{where} could not be reached: {type(exc).__name__}: {exc}", refused=False
            ) from None
