"""The upload's order of work, with fakes: who may is checked before the bytes are looked at,
the bytes are stored before the short transaction that records them, and a refusal in that
transaction deletes them again."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from supportdesk.application.attachments import AttachmentService, Upload
from supportdesk.application.ports import FileMissing, InspectedFile, SignedUrl
from supportdesk.domain.attachments import Attachment, AttachmentLimits, MediaType
from supportdesk.domain.cases import CaseStatus
from supportdesk.domain.errors import InvalidTransition, NotFound, UnsupportedMediaType

from .builders import AGENT, CUSTOMER, OTHER_CUSTOMER, Desk, a_case, a_desk
from .fakes import FakeUnitOfWork

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


class MemoryStorage:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        self.files[key] = data

    async def read(self, key: str) -> AsyncIterator[bytes]:
        if key not in self.files:
            raise FileMissing(key)
        yield self.files[key]

    async def delete(self, key: str) -> None:
        self.files.pop(key, None)

    async def keys(self, prefix: str = "") -> list[str]:
        return sorted(k for k in self.files if k.startswith(prefix))

    async def signed_url(
        self, key: str, *, filename: str, content_type: str, inline: bool, ttl_seconds: int
    ) -> SignedUrl | None:
        return None

    async def ping(self) -> bool:
        return True

    async def aclose(self) -> None:
        return None


class PassingInspector:
    """Takes anything that starts like a PNG; counts what it was shown."""

    def __init__(self) -> None:
        self.inspected = 0

    async def inspect(self, data: bytes) -> InspectedFile:
        self.inspected += 1
        if not data.startswith(b"\x89PNG"):
            raise UnsupportedMediaType("not a photo")
        return InspectedFile(MediaType.PNG, data)


class CountingMetrics:
    def __init__(self) -> None:
        self.outcomes: list[str] = []

    def stored(self, content_type: str, size: int) -> None:
        self.outcomes.append("stored")

    def refused(self, code: str) -> None:
        self.outcomes.append(code)


def files_of(
    desk: Desk,
) -> tuple[AttachmentService, MemoryStorage, PassingInspector, CountingMetrics]:
    storage, inspector, metrics = MemoryStorage(), PassingInspector(), CountingMetrics()
    service = AttachmentService(
        FakeUnitOfWork(desk.store),
        FakeUnitOfWork(desk.store),
        storage,
        inspector,
        desk.clock,
        AttachmentLimits(),
        metrics,
    )
    return service, storage, inspector, metrics


class TestUpload:
    async def test_a_photo_is_stored_under_our_key_and_recorded(self) -> None:
        desk = a_desk()
        case = await a_case(desk)
        service, storage, _, metrics = files_of(desk)
        attachment = await service.upload(case.id, Upload("photo.png", PNG), CUSTOMER)
        assert await storage.keys() == [f"{case.id}/{attachment.id}"]
        assert desk.store.attachments[attachment.id].filename == "photo.png"
        assert metrics.outcomes == ["stored"]

    async def test_another_customers_case_is_refused_before_the_bytes_are_looked_at(
        self,
    ) -> None:
        desk = a_desk()
        case = await a_case(desk)
        service, storage, inspector, metrics = files_of(desk)
        with pytest.raises(NotFound):
            await service.upload(case.id, Upload("photo.png", PNG), OTHER_CUSTOMER)
        assert inspector.inspected == 0 and storage.files == {}
        assert metrics.outcomes == ["not_found"]

    async def test_a_case_closed_while_the_bytes_were_stored_keeps_nothing(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        desk = a_desk()
        case = await a_case(desk)
        service, storage, _, _ = files_of(desk)
        put = storage.put

        async def closing_meanwhile(key: str, data: bytes, content_type: str) -> None:
            await put(key, data, content_type)
            closed = desk.store.cases[case.id]
            closed.change_status(
                CaseStatus.CLOSED,
                by=AGENT,
                now=desk.clock.now(),
                has_open_refunds=False,
            )

        monkeypatch.setattr(storage, "put", closing_meanwhile)
        with pytest.raises(InvalidTransition):
            await service.upload(case.id, Upload("photo.png", PNG), CUSTOMER)
        assert storage.files == {}
        assert desk.store.attachments == {}

    async def test_a_refused_type_stores_nothing(self) -> None:
        desk = a_desk()
        case = await a_case(desk)
        service, storage, _, metrics = files_of(desk)
        with pytest.raises(UnsupportedMediaType):
            await service.upload(case.id, Upload("x.png", b"MZ\x90\x00"), CUSTOMER)
        assert storage.files == {} and metrics.outcomes == ["unsupported_media_type"]


class TestTakingBack:
    async def test_the_uploader_takes_back_an_unnamed_file_and_its_bytes_go(self) -> None:
        desk = a_desk()
        case = await a_case(desk)
        service, storage, _, _ = files_of(desk)
        attachment: Attachment = await service.upload(case.id, Upload("p.png", PNG), CUSTOMER)
        await service.remove(attachment.id, CUSTOMER)
        assert storage.files == {} and desk.store.attachments == {}
