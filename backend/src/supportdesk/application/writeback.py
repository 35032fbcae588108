"""The order-system channel: refunds written back to the shop's order system.

An outbox channel like the email one (docs/outbox.md): the change that makes a refund
``refunded`` or ``settled`` commits its history event and, in the same transaction, this
channel's row; after commit the dispatcher hands the row here and we POST the write-back
(docs/order-system.md). Any other event means nothing to this channel.

At least once: the body is built from the final refund alone and the order system keeps one
record per ``refund_id``, so a try repeated after a crash, a timeout or a lost lease sends
the same body and changes nothing there.
"""

from __future__ import annotations

from collections.abc import Callable

from supportdesk.application.outbox import DeliveryFailed, OutboxItem
from supportdesk.application.ports import (
    OrderWriteBack,
    UnitOfWork,
    WriteBackRefused,
    WriteBackUnknown,
)
from supportdesk.domain.refunds import is_write_back_event, write_back_of

ORDER_SYSTEM_CHANNEL = "order_system"


class OrderSystemChannel:
    name = ORDER_SYSTEM_CHANNEL

    def __init__(self, reads: Callable[[], UnitOfWork], order_system: OrderWriteBack) -> None:
        self.reads = reads
        self.order_system = order_system

    async def deliver(self, item: OutboxItem) -> None:
        """Write back the refund whose money went back with this event. Not knowing whether
        the order system recorded it is a failed try (the back-off sends it again); a
        refusal is permanent (the row is dead, for an admin to look at and retry)."""
        event = item.event
        if not is_write_back_event(event):
            return  # rows are written for these events only; an older row may be another
        async with self.reads() as uow:
            refund = await uow.refunds.get(event.entity_id)
        if refund is None:
            raise DeliveryFailed(f"refund {event.entity_id} not found", permanent=True)
        write_back = write_back_of(refund)
        if write_back is None:
            # Final statuses never change, so this cannot happen; say so rather than guess.
            raise DeliveryFailed(
                f"refund {refund.id} is {refund.status.value}, not refunded or settled",
                permanent=True,
            )
        try:
            await self.order_system.write_back_refund(write_back)
        except WriteBackUnknown as exc:
            raise DeliveryFailed(str(exc)) from None
        except WriteBackRefused as exc:
            raise DeliveryFailed(str(exc), permanent=True) from None
