"""What a webhook's ``data`` is: the case, refund or message as this API shows it to staff,
no more. Built with the API's own presenters, so a shop's system that reads our webhooks
and our API sees one shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from supportdesk.api.presenters import case_out, message_out, refund_out
from supportdesk.application.cases import CaseService
from supportdesk.application.ports import Clock, ReadQueries
from supportdesk.application.refunds import RefundService
from supportdesk.domain.access import SYSTEM
from supportdesk.domain.errors import NotFound
from supportdesk.domain.events import Event
from supportdesk.domain.webhooks import MESSAGE_CREATED


class StaffViewPayloads:
    def __init__(
        self,
        cases: Callable[[], CaseService],
        refunds: Callable[[], RefundService],
        read: ReadQueries,
        clock: Clock,
    ) -> None:
        self.cases = cases
        self.refunds = refunds
        self.read = read
        self.clock = clock

    async def data_for(self, event: Event, announced: str) -> dict[str, Any] | None:
        try:
            if announced.startswith("refund."):
                service = self.refunds()
                refund = await service.get(event.entity_id, SYSTEM)
                labels = await service.reason_labels()
                return refund_out(
                    refund, SYSTEM, await service.in_force(), self.clock.now(), labels=labels
                ).model_dump(mode="json")
            if announced == MESSAGE_CREATED:
                return await self._message(event)
            view = await self.cases().get(event.case_id, SYSTEM)
        except NotFound:
            return None
        return case_out(view.case, view.refunds, SYSTEM).model_dump(mode="json")

    async def _message(self, event: Event) -> dict[str, Any] | None:
        """The public message the event stands for: written in one transaction with it,
        at the same time, by the same author."""
        messages = await self.read.messages(SYSTEM, event.case_id) or []
        for message in reversed(messages):
            if (
                not message.internal
                and message.author_id == event.actor_id
                and message.created_at == event.at
            ):
                return message_out(message).model_dump(mode="json")
        return None
