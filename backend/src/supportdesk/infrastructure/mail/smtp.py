"""Sending mail over SMTP with aiosmtplib, and what its failures mean.

``smtp://user:password@host:port`` upgrades with STARTTLS when the server offers it;
``smtps://`` speaks TLS from the first byte. The URL (and so the password) is never logged
nor put into an error: failures name the host only.

Inside ``SmtpTransport.session()`` (the dispatcher opens one per batch) mails go over a few
connections kept open for the batch instead of one connection per mail: connecting, the
greeting, EHLO, STARTTLS and login cost several round trips each time, far more than the
mail itself. Each mail is still its own transaction with its own success or failure.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
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

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def client(self, timeout: float) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.tls,
            start_tls=None if not self.tls else False,  # None: when offered
            timeout=timeout,
        )


# The connections of the session the current task runs in (the dispatcher's deliveries are
# tasks started inside it, so they see it); None: one connection per mail.
_SESSION: ContextVar[_Connections | None] = ContextVar("smtp_session", default=None)

# Connections one session opens at most: enough to keep a local or nearby server busy while
# the dispatcher's other deliveries wait on their own I/O, few enough that a mail server's
# per-client connection limit (often 10 or more) is never what refuses us.
MOST_CONNECTIONS = 4


class SmtpTransport:
    """Sends through the server ``server()`` names now: the embedded catcher learns its port
    only when it starts, after the channel was built."""

    def __init__(
        self,
        server: Callable[[], SmtpServer],
        timeout_seconds: float,
        most_connections: int = MOST_CONNECTIONS,
    ) -> None:
        self._server = server
        self._timeout = timeout_seconds
        self._most = most_connections

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[None]:
        """Mails sent inside (by this task or tasks it starts) reuse open connections; they
        are closed when it ends. Nothing is opened before the first mail."""
        connections = _Connections(self._server(), self._timeout, self._most)
        token = _SESSION.set(connections)
        try:
            yield
        finally:
            _SESSION.reset(token)
            await connections.close()

    async def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        connections = _SESSION.get()
        if connections is not None:
            await connections.send(message, sender=sender, recipient=recipient)
            return
        server = self._server()
        client = server.client(self._timeout)
        try:
            async with client:
                await client.send_message(message, sender=sender, recipients=[recipient])
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise _failure(exc, server.where) from None


class _Connections:
    """The open connections of one session. A connection that failed mid-mail is dropped;
    one that the server answered with an error (a refused recipient) is reset by aiosmtplib
    and kept."""

    def __init__(self, server: SmtpServer, timeout: float, most: int) -> None:
        self._server = server
        self._timeout = timeout
        self._idle: list[aiosmtplib.SMTP] = []
        self._open = 0
        self._free = asyncio.Condition()
        self._most = max(most, 1)

    async def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        client, reused = await self._take()
        try:
            try:
                await client.send_message(message, sender=sender, recipients=[recipient])
            except ConnectionError:
                if not reused:
                    raise
                # An idle connection the server closed in the meantime (servers drop idle
                # clients after a while): one fresh connection, then the mail's own outcome.
                client.close()
                client = await self._server_client()
                await client.send_message(message, sender=sender, recipients=[recipient])
        except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused) as exc:
            # The server answered (aiosmtplib reset the envelope): the connection is still
            # good for the next mail, unless the server closed it with its answer (421).
            if client.is_connected:
                await self._give_back(client)
            else:
                await self._drop(client)
            raise _failure(exc, self._server.where) from None
        except BaseException as exc:
            # Cut off, timed out, or the connection broke: it is in an unknown state.
            await self._drop(client)
            if isinstance(exc, aiosmtplib.SMTPException | OSError | TimeoutError):
                raise _failure(exc, self._server.where) from None
            raise
        await self._give_back(client)

    async def _take(self) -> tuple[aiosmtplib.SMTP, bool]:
        async with self._free:
            while True:
                while self._idle:
                    client = self._idle.pop()
                    if client.is_connected:
                        return client, True
                    client.close()  # the server hung up while it was idle
                    self._open -= 1
                if self._open < self._most:
                    self._open += 1
                    break
                await self._free.wait()
        try:
            return await self._server_client(), False
        except BaseException as exc:
            await self._forget()
            if isinstance(exc, aiosmtplib.SMTPException | OSError | TimeoutError):
                raise _failure(exc, self._server.where) from None
            raise

    async def _server_client(self) -> aiosmtplib.SMTP:
        client = self._server.client(self._timeout)
        await client.connect()
        return client

    async def _give_back(self, client: aiosmtplib.SMTP) -> None:
        async with self._free:
            self._idle.append(client)
            self._free.notify()

    async def _drop(self, client: aiosmtplib.SMTP) -> None:
        client.close()
        await self._forget()

    async def _forget(self) -> None:
        async with self._free:
            self._open -= 1
            self._free.notify()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        await asyncio.gather(*(_quit(client) for client in idle))


async def _quit(client: aiosmtplib.SMTP) -> None:
    # A polite QUIT, but a server that does not answer it must not hold up the dispatcher.
    try:
        await client.quit(timeout=2)
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        client.close()


def _failure(exc: BaseException, where: str) -> SendFailed:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = ", ".join(f"{r.code} {r.message}" for r in exc.recipients)
        # 5xx is "no" for good; 4xx (greylisting, a full mailbox) is "not now".
        for_good = all(r.code >= 500 for r in exc.recipients)
        said = "refused the recipient" if for_good else "deferred the recipient"
        return SendFailed(f"{where} {said}: {codes}", refused=for_good)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return SendFailed(f"{where} answered {exc.code} {exc.message}", refused=exc.code >= 500)
    return SendFailed(f"{where} could not be reached: {type(exc).__name__}: {exc}", refused=False)
