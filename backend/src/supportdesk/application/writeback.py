"""The order-system channel: refunds written back to the shop's order system.

An outbox channel like the email one (docs/outbox.md): the change that makes a refund
``refunded`` or ``settled`` commits its history event and, in the same transaction, this
channel's row; after commit the dispatcher hands the row here and we POST the write-back
(docs/order-system.md). A refunded refund whose money came back from the bank
(``refund_reversed``) is withdrawn (``DELETE``), and written again once it is settled or
paid anew. Any other event means nothing to this channel.

At least once: the body is built from the refund as it is at delivery and the order system
keeps one record per ``refund_id``, so a try repeated after a crash, a timeout or a lost
lease sends the same body and changes nothing there.
"""

from __future__ import annotations

from collections.abc import Callable

from supportdesk.application.outbox import DeliveryFailed, OutboxItem
from supportdesk.application.ports import (
    OrderWriteBack,
    UnitOfWork,
    WriteBackConflict,
    WriteBackRefused,
    WriteBackUnknown,
)
from supportdesk.domain.refunds import tells_order_system, write_back_of

ORDER_SYSTEM_CHANNEL = "order_system"


class OrderSystemChannel:
    name = ORDER_SYSTEM_CHANNEL

    def __init__(self, reads: Callable[[], UnitOfWork], order_system: OrderWriteBack) -> None:
        self.reads = reads
        self.order_system = order_system

    async def deliver(self, item: OutboxItem) -> None:
        """Make the order system hold what the refund is *now*: its write-back when its
        money went back (refunded or settled), nothing otherwise (the money came back). Each
        row reads the refund afresh, so rows delivered late or out of order (a retry after
        the order system was down) still end where the last change left the refund.

        Not knowing whether the order system recorded it is a failed try (the back-off sends
        it again); a refusal is permanent (the row is dead, for an admin to look at and
        retry). A 409 (another body under this refund: the gateway refund that came back,
        now settled) is answered by forgetting that one and writing this one."""
        if not tells_order_system(item.event):
            return  # rows are written for these events only
        refund_id = item.event.entity_id
        async with self.reads() as uow:
            refund = await uow.refunds.get(refund_id)
        if refund is None:
            raise DeliveryFailed(f"refund {refund_id} not found", permanent=True)
        try:
            write_back = write_back_of(refund)
            if write_back is None:
                await self.order_system.withdraw_refund(refund.order_id, refund.id)
                return
            try:
                await self.order_system.write_back_refund(write_back)
            except WriteBackConflict:
                await self.order_system.withdraw_refund(refund.order_id, refund.id)
                await self.order_system.write_back_refund(write_back)
        except WriteBackUnknown as exc:
            raise DeliveryFailed(str(exc)) from None
        except WriteBackRefused as exc:
            raise DeliveryFailed(str(exc), permanent=True) from None
