"""Mails about a person's own account (a sign-in link, a password reset), sent at once:
the link in them is a secret, so it is kept nowhere else, not in the outbox."""

from __future__ import annotations

import uuid

from supportdesk.application.ports import Clock
from supportdesk.domain.notifications import Person
from supportdesk.infrastructure.mail.render import MailRenderer
from supportdesk.infrastructure.mail.smtp import SmtpTransport


class MailAccountLinks:
    def __init__(self, renderer: MailRenderer, transport: SmtpTransport, clock: Clock) -> None:
        self.renderer = renderer
        self.transport = transport
        self.clock = clock

    async def sign_in_link(self, to: Person, link: str, order_id: str, valid_minutes: int) -> None:
        await self._send(
            "sign_in_link", to, link, {"order_id": order_id, "valid_minutes": valid_minutes}
        )

    async def password_reset(self, to: Person, link: str, valid_minutes: int) -> None:
        await self._send("password_reset", to, link, {"valid_minutes": valid_minutes})

    async def _send(self, template: str, to: Person, link: str, context: dict[str, object]) -> None:
        message = self.renderer.render_notice(
            template,
            to,
            context,
            link=link,
            # Every link is a new mail, not a copy of one sent before.
            message_id=f"{template}.{uuid.uuid4().hex}",
            now=self.clock.now(),
        )
        await self.transport.send(message, sender=self.renderer.identity.sender, recipient=to.email)
