"""The email channel: what an outbox item means in mails, sent once per recipient.

An item is one history event. The rule (``domain.notifications.mails_for``) says who gets
which mail; this renders and sends them one by one and records each recipient done in the
item's progress, so that a retry after a failure (or a crash) mails only the rest. Every
mail has a ``Message-ID`` stable per (event, recipient): where a crash makes us send one
twice, a mail client sees the same message.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from typing import Any

import structlog
from jinja2 import TemplateError
from prometheus_client import Counter
from prometheus_client.registry import Collector

from supportdesk.application.outbox import DeliveryFailed, OutboxItem
from supportdesk.application.policy import PolicyStore
from supportdesk.application.ports import Clock, MailFactsReader
from supportdesk.domain.notifications import MailPolicy, mails_for
from supportdesk.infrastructure.mail.render import MailRenderer
from supportdesk.infrastructure.mail.smtp import SendFailed, SmtpTransport

log = structlog.get_logger(__name__)


class MailMetrics:
    def __init__(self) -> None:
        self.sent = Counter(
            "supportdesk_mail_sent", "Mails the SMTP server accepted", registry=None
        )
        self.failed = Counter(
            "supportdesk_mail_failed",
            "Mails not accepted: the server refused them or could not be reached",
            ["reason"],
            registry=None,
        )

    def collectors(self) -> list[Collector]:
        return [self.sent, self.failed]


class EmailChannel:
    name = "email"

    def __init__(
        self,
        facts: MailFactsReader,
        renderer: MailRenderer,
        transport: SmtpTransport,
        policy: MailPolicy,
        clock: Clock,
        metrics: MailMetrics | None = None,
        policies: PolicyStore | None = None,
    ) -> None:
        # The refund policy's limits in force replace the settings' in ``policy``.
        self.policies = policies
        self.facts = facts
        self.renderer = renderer
        self.transport = transport
        self.policy = policy
        self.clock = clock
        self.metrics = metrics or MailMetrics()

    async def _policy(self) -> MailPolicy:
        if self.policies is None:
            return self.policy
        rules = (await self.policies.current()).rules
        return replace(
            self.policy,
            supervisor_threshold=rules.approval_threshold,
            amount_threshold=rules.amount_refund_threshold,
        )

    def batch(self) -> AbstractAsyncContextManager[None]:
        """A batch's mails share a few SMTP connections instead of one each."""
        return self.transport.session()

    async def deliver(self, item: OutboxItem) -> None:
        """Send every mail the event means that was not sent before. A refused recipient
        is given up for good (the others still get theirs), a server that cannot be
        reached or a template that fails is a failed try, retried with what is left."""
        event = item.event
        facts = await self.facts.facts_for(event)
        if facts is None:
            return  # no case, nobody to tell
        sent: list[str] = list(item.progress.get("sent", []))
        refused: dict[str, str] = dict(item.progress.get("refused", {}))

        def progress() -> dict[str, Any]:
            return {"sent": sent, "refused": refused}

        for mail in mails_for(event, facts, await self._policy()):
            who = mail.recipient.id
            if who in sent or who in refused:
                continue
            try:
                message = self.renderer.render(mail, facts, self.clock.now())
            except TemplateError as exc:
                self.metrics.failed.labels("template").inc()
                raise DeliveryFailed(
                    f"template {mail.template!r} failed: {type(exc).__name__}: {exc}",
                    progress=progress(),
                ) from exc
            try:
                await self.transport.send(
                    message, sender=self.renderer.identity.sender, recipient=mail.recipient.email
                )
            except SendFailed as exc:
                if not exc.refused:
                    self.metrics.failed.labels("unreachable").inc()
                    raise DeliveryFailed(exc.reason, progress=progress()) from None
                self.metrics.failed.labels("refused").inc()
                refused[who] = f"{mail.recipient.email}: {exc.reason}"
                log.warning(
                    "mail_refused", event_id=event.id, recipient=who, template=mail.template
                )
                continue
            self.metrics.sent.inc()
            sent.append(who)
            log.info("mail_sent", event_id=event.id, recipient=who, template=mail.template)
        if refused:
            raise DeliveryFailed(
                "refused for good, not retried: "
                + "; ".join(refused.values())
                + (f" (sent to the {len(sent)} others)" if sent else ""),
                permanent=True,
                progress=progress(),
            )
