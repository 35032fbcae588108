"""Files on a case: photos of the damage, a receipt as PDF.

A file belongs to its case from the moment it is uploaded: whoever reads the case reads it
(an internal one, staff only). A message or a refund request may then name it, once. What a
file is, is decided by its first bytes, never by its name or what the client said.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from supportdesk.domain.access import Actor, Role
from supportdesk.domain.errors import (
    DomainError,
    Forbidden,
    PayloadTooLarge,
    ValidationFailed,
)
from supportdesk.domain.events import new_id


class MediaType(StrEnum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    HEIC = "image/heic"
    PDF = "application/pdf"

    @property
    def is_image(self) -> bool:
        return self is not MediaType.PDF

    @property
    def extensions(self) -> tuple[str, ...]:
        """The file name endings this type is saved under; the first is ours."""
        return _EXTENSIONS[self]


_EXTENSIONS = {
    MediaType.JPEG: (".jpg", ".jpeg", ".jpe"),
    MediaType.PNG: (".png",),
    MediaType.WEBP: (".webp",),
    MediaType.HEIC: (".heic", ".heif"),
    MediaType.PDF: (".pdf",),
}

_ALL_EXTENSIONS = frozenset(e for endings in _EXTENSIONS.values() for e in endings)
# ISO base media file brands of HEIF images (ISO/IEC 23008-12): a HEIC photo from a phone
# names one of these in its ``ftyp`` box.
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
# The first bytes needed to tell the types apart.
SNIFF_BYTES = 32


def sniff(head: bytes) -> MediaType | None:
    """The type the file's first bytes say it is, or None: anything else (a renamed
    executable, HTML, a zip) is not taken, whatever it is called."""
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType.PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return MediaType.WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return MediaType.HEIC
    if head.startswith(b"%PDF-"):
        return MediaType.PDF
    return None


@dataclass(frozen=True, slots=True)
class AttachmentLimits:
    """How much one upload, one message and one case may hold."""

    max_bytes: int = 10 * 1024 * 1024
    per_link: int = 10  # files named by one message or refund request
    case_max_count: int = 100
    case_max_bytes: int = 200 * 1024 * 1024

    def check_size(self, size: int) -> None:
        if size == 0:
            raise ValidationFailed("the file is empty", field="file")
        if size > self.max_bytes:
            raise PayloadTooLarge(f"a file may be at most {_in_words(self.max_bytes)}")

    def check_case_totals(self, *, count: int, size: int, adding: int) -> None:
        """A case holds at most so many files and bytes: a support conversation is not a
        file store, and one customer cannot fill the disk."""
        if count + 1 > self.case_max_count:
            raise ValidationFailed(
                f"a case holds at most {self.case_max_count} files", field="file"
            )
        if size + adding > self.case_max_bytes:
            raise PayloadTooLarge(
                f"a case holds at most {_in_words(self.case_max_bytes)} of files; "
                f"it holds {_in_words(size)}"
            )


def _in_words(size: int) -> str:
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size} bytes"


# Path separators, and the characters that reorder text (so that "invoice", U+202E,
# "fdp.exe" shows as "invoiceexe.pdf"): a file name with them is a trick, not a name.
_NOT_IN_A_NAME = re.compile("[/\\\\\u202a-\u202e\u2066-\u2069]")
MAX_NAME_LENGTH = 255


def display_name(sent: str, media_type: MediaType) -> str:
    """The name a file is shown and saved under: the name sent, refused if it holds a path,
    a control character or a reordering mark (we refuse rather than strip: a silently
    changed name is worse), ending as its type does. It is never used to store the file."""
    name = unicodedata.normalize("NFC", sent).strip()
    bad = _NOT_IN_A_NAME.search(name)
    if bad is not None:
        what = "a path separator" if bad.group() in "/\\" else "a text-direction mark"
        raise ValidationFailed(
            f"the file name holds {what} (U+{ord(bad.group()):04X}); send the name alone",
            field="file",
        )
    for character in name:
        if unicodedata.category(character) in ("Cc", "Cs"):
            raise ValidationFailed(
                f"the file name holds a control character (U+{ord(character):04X})",
                field="file",
            )
    stem, dot, ending = name.rpartition(".")
    ending = f".{ending.lower()}" if dot else ""
    if ending in media_type.extensions:
        ours = name[len(stem) :]  # kept as written (".JPG")
    else:
        ours = media_type.extensions[0]
        # Another type's ending is replaced (a HEIC photo kept as JPEG is "x.jpg"); any
        # other stays in the name: a PDF called "x.html" is saved as "x.html.pdf".
        if ending not in _ALL_EXTENSIONS:
            stem = name
    stem = stem.strip(" .") or "file"
    if len(stem) + len(ours) > MAX_NAME_LENGTH:
        raise ValidationFailed(
            f"the file name may be at most {MAX_NAME_LENGTH} characters", field="file"
        )
    return stem + ours


@dataclass(slots=True)
class Attachment:
    id: str
    case_id: str
    uploader_id: str
    uploader_role: str
    filename: str
    content_type: str
    size: int
    internal: bool
    storage_key: str
    created_at: datetime
    message_id: str | None = None
    refund_id: str | None = None
    redacted_at: datetime | None = None
    redacted_by: str | None = None

    @classmethod
    def upload(
        cls,
        *,
        case_id: str,
        by: Actor,
        filename: str,
        media_type: MediaType,
        size: int,
        internal: bool,
        storage_key: str,
        now: datetime,
        id: str | None = None,
    ) -> Attachment:
        if internal and not by.is_staff:
            raise Forbidden("only support staff attach files to internal notes")
        return cls(
            id=id or new_attachment_id(),
            case_id=case_id,
            uploader_id=by.id,
            uploader_role=by.role.value,
            filename=filename,
            content_type=media_type.value,
            size=size,
            internal=internal,
            storage_key=storage_key,
            created_at=now,
        )

    @property
    def linked(self) -> bool:
        return self.message_id is not None or self.refund_id is not None

    @property
    def redacted(self) -> bool:
        return self.redacted_at is not None

    @property
    def shown_inline(self) -> bool:
        """Images we decoded and wrote again ourselves may be shown in the page; anything
        else is only ever downloaded."""
        return self.content_type != MediaType.PDF.value

    def visible_to(self, actor: Actor) -> bool:
        """Of a case the actor may read: staff see every file, its customer the public ones
        (an internal note's files are as hidden as the note)."""
        return actor.is_staff or not self.internal

    def redact(self, *, by: Actor, now: datetime) -> None:
        """An admin takes a file away for good (a photo showing someone's face, a card
        number): its bytes are deleted, and the history says it happened."""
        if by.role is not Role.ADMIN:
            raise Forbidden("only an admin may redact a file")
        self.redacted_at = now
        self.redacted_by = by.id

    def withdrawal_refusal(self, *, by: Actor) -> DomainError | None:
        """The uploader may take back a file no message or refund names yet (a photo picked
        by mistake before sending); after that it is part of the conversation."""
        if by.id != self.uploader_id:
            return Forbidden("only the person who uploaded a file may take it back")
        if self.linked:
            return ValidationFailed(
                "this file is part of a message or refund request; ask an admin to redact it",
                field="attachment_id",
            )
        return None


def link_refusal(
    found: list[Attachment],
    asked: list[str],
    *,
    by: Actor,
    internal: bool,
    limits: AttachmentLimits,
) -> ValidationFailed | None:
    """A message or refund request names files the writer uploaded to the same case, not
    yet named by anything else, as hidden as the message itself: an internal file never
    shows under a public message, and a public one never hides under a note."""
    if len(asked) > limits.per_link:
        return ValidationFailed(
            f"a message or refund request names at most {limits.per_link} files",
            field="attachment_ids",
        )
    if len(set(asked)) != len(asked):
        return ValidationFailed("a file is named twice", field="attachment_ids")
    by_id = {a.id: a for a in found}
    for attachment_id in asked:
        attachment = by_id.get(attachment_id)
        if attachment is None or attachment.redacted or attachment.uploader_id != by.id:
            return ValidationFailed(
                f"no file '{attachment_id}' of yours on this case", field="attachment_ids"
            )
        if attachment.linked:
            return ValidationFailed(
                f"file '{attachment_id}' is already part of a message or refund request",
                field="attachment_ids",
            )
        if attachment.internal != internal:
            kind = "an internal note" if attachment.internal else "a public message"
            return ValidationFailed(
                f"file '{attachment_id}' was uploaded for {kind}; attach it to one",
                field="attachment_ids",
            )
    return None


def new_attachment_id() -> str:
    return new_id("att")
