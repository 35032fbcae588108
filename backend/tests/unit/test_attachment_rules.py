"""The rules of files on a case: what a file is, what it is called, who may attach it where."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from supportdesk.domain.access import Actor, Role
from supportdesk.domain.attachments import (
    Attachment,
    AttachmentLimits,
    MediaType,
    display_name,
    link_refusal,
    sniff,
)
from supportdesk.domain.errors import Forbidden, PayloadTooLarge, ValidationFailed
from supportdesk.domain.events import EntityKind, Event

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
ALICE = Actor("usr_alice", Role.CUSTOMER, "CUST-1001")
BOB = Actor("usr_bob", Role.AGENT)
ADMIN = Actor("usr_admin", Role.ADMIN)


def attachment(by: Actor = ALICE, **fields: object) -> Attachment:
    made = Attachment.upload(
        case_id="case_1",
        by=by,
        filename="p.png",
        media_type=MediaType.PNG,
        size=10,
        internal=bool(fields.pop("internal", False)),
        storage_key="case_1/att_1",
        now=NOW,
    )
    for name, value in fields.items():
        setattr(made, name, value)
    return made


class TestWhatAFileIs:
    @pytest.mark.parametrize(
        ("head", "media_type"),
        [
            (b"\xff\xd8\xff\xe0\x00\x10JFIF", MediaType.JPEG),
            (b"\x89PNG\r\n\x1a\n\x00\x00", MediaType.PNG),
            (b"RIFF\x10\x00\x00\x00WEBPVP8 ", MediaType.WEBP),
            (b"\x00\x00\x00\x18ftypheic\x00\x00", MediaType.HEIC),
            (b"\x00\x00\x00\x18ftypmif1\x00\x00", MediaType.HEIC),
            (b"%PDF-1.7\n", MediaType.PDF),
        ],
    )
    def test_the_first_bytes_say_what_a_file_is(self, head: bytes, media_type: MediaType) -> None:
        assert sniff(head) is media_type

    @pytest.mark.parametrize(
        "head",
        [
            b"MZ\x90\x00",  # a Windows program
            b"PK\x03\x04",  # a zip (and docx, and a zip bomb)
            b"<html>",
            b"<svg xmlns=",  # an image that runs scripts: not taken
            b"GIF89a",
            b"\x00\x00\x00\x18ftypmp42",  # a video in the same container as HEIC
            b"RIFF\x10\x00\x00\x00WAVE",
            b"",
        ],
    )
    def test_anything_else_is_not_taken_whatever_it_is_called(self, head: bytes) -> None:
        assert sniff(head) is None


class TestTheNameShown:
    @pytest.mark.parametrize(
        ("sent", "media_type", "shown"),
        [
            ("cable.png", MediaType.PNG, "cable.png"),
            ("CABLE.JPG", MediaType.JPEG, "CABLE.JPG"),
            ("photo.png", MediaType.JPEG, "photo.jpg"),  # another type's ending is replaced
            ("IMG_0042.HEIC", MediaType.JPEG, "IMG_0042.jpg"),
            ("receipt.html", MediaType.PDF, "receipt.html.pdf"),  # never saved as HTML
            ("scan", MediaType.PDF, "scan.pdf"),
            (".png", MediaType.PNG, "file.png"),
            ("  Rechnung März.pdf ", MediaType.PDF, "Rechnung März.pdf"),
            ("שלום.png", MediaType.PNG, "שלום.png"),
        ],
    )
    def test_the_name_sent_is_kept_ending_as_its_type_does(
        self, sent: str, media_type: MediaType, shown: str
    ) -> None:
        assert display_name(sent, media_type) == shown

    @pytest.mark.parametrize(
        "sent",
        [
            "../../etc/passwd.png",
            "C:\\Users\\x.png",
            "a\x00.png",
            "a\x1b[31m.png",
            "a\n.png",
            "a\x85.png",
            "invoice\u202egnp.exe",
            "a\u2066b.png",
            "x" * 256 + ".png",
        ],
    )
    def test_a_name_with_a_path_a_control_character_or_a_direction_mark_is_refused(
        self, sent: str
    ) -> None:
        with pytest.raises(ValidationFailed) as refused:
            display_name(sent, MediaType.PNG)
        assert refused.value.field == "file"


class TestLimits:
    def test_an_empty_file_is_refused(self) -> None:
        with pytest.raises(ValidationFailed):
            AttachmentLimits().check_size(0)

    def test_a_file_of_exactly_the_limit_is_taken_and_one_byte_more_is_too_large(self) -> None:
        limits = AttachmentLimits(max_bytes=100)
        limits.check_size(100)
        with pytest.raises(PayloadTooLarge):
            limits.check_size(101)

    def test_a_case_holds_at_most_its_count_and_its_bytes(self) -> None:
        limits = AttachmentLimits(max_bytes=100, case_max_count=3, case_max_bytes=250)
        limits.check_case_totals(count=2, size=150, adding=100)
        with pytest.raises(ValidationFailed):
            limits.check_case_totals(count=3, size=0, adding=1)
        with pytest.raises(PayloadTooLarge):
            limits.check_case_totals(count=1, size=200, adding=51)


class TestWhoAttachesWhat:
    def test_only_staff_upload_files_for_internal_notes(self) -> None:
        with pytest.raises(Forbidden):
            attachment(ALICE, internal=True)
        assert attachment(BOB, internal=True).internal

    def test_a_customer_never_sees_an_internal_file_staff_see_all(self) -> None:
        note = attachment(BOB, internal=True)
        assert not note.visible_to(ALICE)
        assert note.visible_to(BOB)
        assert attachment(ALICE).visible_to(BOB)

    def test_a_message_names_its_writers_unnamed_files_of_its_kind(self) -> None:
        mine = attachment(ALICE, id="att_1")
        assert (
            link_refusal([mine], ["att_1"], by=ALICE, internal=False, limits=AttachmentLimits())
            is None
        )

    @pytest.mark.parametrize(
        ("found", "asked", "by", "internal"),
        [
            ([], ["att_1"], ALICE, False),  # unknown, or of another case
            ([attachment(BOB, id="att_1")], ["att_1"], ALICE, False),  # someone else's
            ([attachment(ALICE, id="att_1", message_id="msg_0")], ["att_1"], ALICE, False),
            ([attachment(ALICE, id="att_1", refund_id="rf_0")], ["att_1"], ALICE, False),
            ([attachment(ALICE, id="att_1", redacted_at=NOW)], ["att_1"], ALICE, False),
            ([attachment(BOB, id="att_1", internal=True)], ["att_1"], BOB, False),
            ([attachment(BOB, id="att_1")], ["att_1"], BOB, True),  # public under a note
            ([attachment(ALICE, id="att_1")], ["att_1", "att_1"], ALICE, False),
        ],
    )
    def test_a_message_does_not_name_a_file_it_may_not(
        self, found: list[Attachment], asked: list[str], by: Actor, internal: bool
    ) -> None:
        refusal = link_refusal(found, asked, by=by, internal=internal, limits=AttachmentLimits())
        assert refusal is not None and refusal.field == "attachment_ids"

    def test_a_message_names_at_most_ten_files(self) -> None:
        files = [attachment(ALICE, id=f"att_{n}") for n in range(11)]
        ids = [f.id for f in files]
        limits = AttachmentLimits()
        assert link_refusal(files, ids[:10], by=ALICE, internal=False, limits=limits) is None
        assert link_refusal(files, ids, by=ALICE, internal=False, limits=limits) is not None


class TestTakingAway:
    def test_only_an_admin_redacts(self) -> None:
        with pytest.raises(Forbidden):
            attachment().redact(by=BOB, now=NOW)
        redacted = attachment()
        redacted.redact(by=ADMIN, now=NOW)
        assert redacted.redacted and redacted.redacted_by == ADMIN.id

    def test_the_uploader_takes_back_only_a_file_nothing_names(self) -> None:
        assert attachment().withdrawal_refusal(by=ALICE) is None
        assert isinstance(attachment().withdrawal_refusal(by=BOB), Forbidden)
        named = attachment(message_id="msg_1")
        assert isinstance(named.withdrawal_refusal(by=ALICE), ValidationFailed)

    def test_the_redaction_of_an_internal_file_is_not_in_a_customers_history(self) -> None:
        def event(type: str) -> Event:
            return Event(
                "evt_1",
                NOW,
                ADMIN.id,
                "admin",
                EntityKind.SUPPORT_CASE,
                "c",
                "c",
                type,
                None,
                None,
                "a.pdf",
            )

        assert event("internal_attachment_redacted").for_customer() is None
        seen = event("attachment_redacted").for_customer()
        assert seen is not None and seen.note == "a.pdf" and seen.actor_id == "support_team"
