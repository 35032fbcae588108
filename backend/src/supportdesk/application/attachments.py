"""Use cases of files on a case: upload, read, take back, redact."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import structlog

from supportdesk.application.ports import (
    Clock,
    FileInspector,
    FileMissing,
    FileStorage,
    SignedUrl,
    UnitOfWork,
    UploadMetrics,
)
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.attachments import (
    Attachment,
    AttachmentLimits,
    display_name,
    link_refusal,
    new_attachment_id,
)
from supportdesk.domain.cases import SupportCase
from supportdesk.domain.errors import (
    DomainError,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Upload:
    """A file as the client sent it: the name is only ever shown, never trusted."""

    filename: str
    data: bytes
    internal: bool = False


@dataclass(frozen=True, slots=True)
class Download:
    """How a reader gets a file's bytes: a signed URL to go to, or the bytes themselves."""

    attachment: Attachment
    signed_url: SignedUrl | None
    chunks: AsyncIterator[bytes] | None


class AttachmentService:
    """Files on a case. The bytes are received, checked and stored before any transaction
    opens; a short transaction then records the file, and if it fails the stored bytes
    are deleted again, so that a refusal leaves nothing behind."""

    def __init__(
        self,
        uow: UnitOfWork,
        reads: UnitOfWork,
        storage: FileStorage,
        inspector: FileInspector,
        clock: Clock,
        limits: AttachmentLimits,
        metrics: UploadMetrics,
        url_ttl_seconds: int = 60,
    ) -> None:
        self.uow = uow
        self.reads = reads
        self.storage = storage
        self.inspector = inspector
        self.clock = clock
        self.limits = limits
        self.metrics = metrics
        self.url_ttl_seconds = url_ttl_seconds

    async def upload(self, case_id: str, upload: Upload, actor: Actor) -> Attachment:
        """The case's owner and staff attach a file to a case that is not closed; only
        staff attach internal ones. The file must be a photo (JPEG, PNG, WebP, HEIC) or a
        PDF by its content, within the size limits of a file and of the case."""
        try:
            return await self._upload(case_id, upload, actor)
        except DomainError as refused:
            self.metrics.refused(refused.code)
            raise

    async def _upload(self, case_id: str, upload: Upload, actor: Actor) -> Attachment:
        # Who may, before looking at the bytes: nobody learns how we judge a file of a case
        # that is not theirs.
        async with self.reads:
            case = await self._case_for(actor, case_id, self.reads)
            self._check_open(case)
            count, size = await self.reads.attachments.totals(case_id)
        if upload.internal and not actor.is_staff:
            raise Forbidden("only support staff attach files to internal notes")
        self.limits.check_size(len(upload.data))
        self.limits.check_case_totals(count=count, size=size, adding=len(upload.data))
        inspected = await self.inspector.inspect(upload.data)
        filename = display_name(upload.filename, inspected.media_type)
        attachment_id = new_attachment_id()
        key = f"{case_id}/{attachment_id}"
        attachment = Attachment.upload(
            id=attachment_id,
            case_id=case_id,
            by=actor,
            filename=filename,
            media_type=inspected.media_type,
            size=len(inspected.data),
            internal=upload.internal,
            storage_key=key,
            now=self.clock.now(),
        )
        await self.storage.put(key, inspected.data, inspected.media_type.value)
        try:
            async with self.uow:
                await self.uow.cases.lock(case_id)
                case = await self._case_for(actor, case_id, self.uow)
                self._check_open(case)
                count, size = await self.uow.attachments.totals(case_id)
                self.limits.check_case_totals(count=count, size=size, adding=attachment.size)
                await self.uow.attachments.add(attachment)
                await self.uow.commit()
        except BaseException:
            # Not recorded, so not kept: no file is ever stored that no row names.
            await self._delete_quietly(key)
            raise
        self.metrics.stored(attachment.content_type, attachment.size)
        return attachment

    async def of_case(self, case_id: str, actor: Actor) -> list[Attachment]:
        """The files of a case the actor may read, oldest first; a customer never sees an
        internal one."""
        async with self.reads:
            await self._case_for(actor, case_id, self.reads)
            files = await self.reads.attachments.of_case(case_id)
        return [f for f in files if f.visible_to(actor)]

    async def download(self, attachment_id: str, actor: Actor) -> Download:
        """The bytes of a file, to whoever may read its case (and, if it is internal, to
        staff only); a redacted file has none. To anyone else it does not exist."""
        async with self.reads:
            attachment = await self._attachment_for(actor, attachment_id, self.reads)
        if attachment.redacted:
            raise NotFound(f"file '{attachment_id}' was removed by an admin")
        signed = await self.storage.signed_url(
            attachment.storage_key,
            filename=attachment.filename,
            content_type=attachment.content_type,
            inline=attachment.shown_inline,
            ttl_seconds=self.url_ttl_seconds,
        )
        if signed is not None:
            return Download(attachment, signed, None)
        chunks = self.storage.read(attachment.storage_key)
        try:
            # Read the first chunk now, so that missing bytes are an answer of their own
            # rather than a body cut short.
            first = await anext(chunks)
        except (FileMissing, StopAsyncIteration):
            log.error("attachment_bytes_missing", attachment_id=attachment_id)
            raise NotFound(f"file '{attachment_id}' has no content") from None
        return Download(attachment, None, _prepend(first, chunks))

    async def remove(self, attachment_id: str, actor: Actor) -> Attachment:
        """An admin redacts any file: its bytes go, its entry stays with who redacted it and
        when, and the case's history records it (for the customer too, unless the file was
        internal). The uploader may take back a file nothing names yet: it goes entirely."""
        async with self.uow:
            attachment = await self._attachment_for(actor, attachment_id, self.uow)
            if attachment.redacted:
                raise NotFound(f"file '{attachment_id}' was removed by an admin")
            now = self.clock.now()
            if actor.role is Role.ADMIN:
                case = await self._case_for(actor, attachment.case_id, self.uow)
                attachment.redact(by=actor, now=now)
                await self.uow.attachments.redact(attachment)
                case.add_event(
                    "internal_attachment_redacted"
                    if attachment.internal
                    else "attachment_redacted",
                    by=actor,
                    now=now,
                    note=attachment.filename,
                )
                await self.uow.cases.save(case)
            else:
                refusal = attachment.withdrawal_refusal(by=actor)
                if refusal is not None:
                    raise refusal
                if not await self.uow.attachments.remove(attachment_id):
                    raise InvalidTransition("the file was named by a message meanwhile")
            await self.uow.commit()
        # After the commit: a file whose row says it is gone is never served, so bytes left
        # by a failed delete are unreachable (and logged).
        await self._delete_quietly(attachment.storage_key)
        return attachment

    @staticmethod
    def _check_open(case: SupportCase) -> None:
        if case.is_closed:
            raise InvalidTransition("the case is closed; it takes no more files")

    async def _case_for(self, actor: Actor, case_id: str, uow: UnitOfWork) -> SupportCase:
        case = await uow.cases.get_for(actor, case_id)
        if case is None:
            raise NotFound(f"no support case '{case_id}'")
        return case

    async def _attachment_for(
        self, actor: Actor, attachment_id: str, uow: UnitOfWork
    ) -> Attachment:
        """A file of a case the actor may not read, or an internal one a customer asks for,
        does not exist for them."""
        attachment = await uow.attachments.get(attachment_id)
        if (
            attachment is None
            or not attachment.visible_to(actor)
            or await uow.cases.get_for(actor, attachment.case_id) is None
        ):
            raise NotFound(f"no file '{attachment_id}'")
        return attachment

    async def _delete_quietly(self, key: str) -> None:
        try:
            await self.storage.delete(key)
        except Exception:
            log.exception("attachment_delete_failed", key=key)


async def link_files(
    uow: UnitOfWork,
    case_id: str,
    attachment_ids: Sequence[str],
    *,
    by: Actor,
    internal: bool,
    limits: AttachmentLimits,
    message_id: str | None = None,
    refund_id: str | None = None,
) -> tuple[Attachment, ...]:
    """Inside the writer's transaction: the files a message or refund request names become
    its own, checked by ``link_refusal``. A file named by two writers at once goes to one;
    the other is refused as if it had looked later."""
    if not attachment_ids:
        return ()
    asked = list(attachment_ids)
    found = [a for a in await uow.attachments.of_case(case_id) if a.id in set(asked)]
    refusal = link_refusal(found, asked, by=by, internal=internal, limits=limits)
    if refusal is not None:
        raise refusal
    named = await uow.attachments.link(asked, message_id=message_id, refund_id=refund_id)
    if named != len(asked):
        raise ValidationFailed(
            "a file was named by another message meanwhile", field="attachment_ids"
        )
    by_id = {a.id: a for a in found}
    linked = []
    for attachment_id in asked:
        attachment = by_id[attachment_id]
        attachment.message_id, attachment.refund_id = message_id, refund_id
        linked.append(attachment)
    return tuple(linked)


async def _prepend(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for chunk in rest:
        yield chunk
