"""Files on cases through HTTP: upload, show, who reads them, what is refused, what is left
behind (nothing) when a file is refused, and redaction."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from supportdesk.bootstrap import Container
from supportdesk.domain.errors import DependencyUnavailable
from supportdesk.infrastructure.db.repositories import SqlAttachmentRepository
from tests.factories import open_case, request_refund
from tests.files import (
    GPS_IFD,
    image_bytes,
    jpeg_with_gps,
    pdf_bytes,
    png_bomb,
    upload,
)
from tests.s3_server import ACCESS_KEY, REGION, SECRET_KEY, make_bucket, moto_s3

MB = 1024 * 1024


async def stored_keys(container: Container) -> list[str]:
    return await container.storage.keys()


async def message(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    case_id: str,
    ids: list[str],
    internal: bool = False,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/support-cases/{case_id}/messages",
        headers=headers,
        json={"body": "see the photos", "internal": internal, "attachment_ids": ids},
    )


def multipart(parts: list[tuple[str, bytes]], boundary: str = "b0undary") -> tuple[bytes, str]:
    """A multipart body built by hand: the part headers exactly as given."""
    body = b"".join(
        f"--{boundary}\r\n".encode() + headers + b"\r\n\r\n" + data + b"\r\n"
        for headers, data in ((h.encode("utf-8"), d) for h, d in parts)
    )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def file_part(filename: str, data: bytes, name: str = "file") -> tuple[str, bytes]:
    return (
        f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        "Content-Type: image/png",
        data,
    )


@pytest.fixture
async def alice(as_user: Any) -> dict[str, str]:
    headers: dict[str, str] = await as_user("alice")
    return headers


@pytest.fixture
async def case_id(client: httpx.AsyncClient, alice: dict[str, str]) -> str:
    case = await open_case(client, alice, subject="Damaged cables")
    return str(case["id"])


class TestUploadAndShow:
    async def test_a_customer_attaches_a_photo_to_her_case_and_reads_it_back(
        self, client: httpx.AsyncClient, alice: dict[str, str], case_id: str
    ) -> None:
        sent = image_bytes("PNG")
        answer = await upload(client, alice, case_id, sent, "cable.png")
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert {k: body[k] for k in ("filename", "content_type", "internal")} == {
            "filename": "cable.png",
            "content_type": "image/png",
            "internal": False,
        }
        assert body["size"] > 0 and body["id"].startswith("att_") and body["created_at"]
        assert answer.headers["location"] == f"/api/v1/attachments/{body['id']}"
        got = await client.get(body["url"], headers=alice)
        assert got.status_code == 200
        assert got.headers["content-type"] == "image/png"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-disposition"].startswith('inline; filename="cable.png"')
        assert Image.open(io.BytesIO(got.content)).size == (32, 24)

    async def test_the_type_is_read_from_the_content_never_the_name_or_the_header(
        self, client: httpx.AsyncClient, alice: dict[str, str], case_id: str
    ) -> None:
        jpeg = image_bytes("JPEG")
        answer = await upload(client, alice, case_id, jpeg, "photo.png", "text/html")
        assert answer.status_code == 201, answer.text
        assert answer.json()["content_type"] == "image/jpeg"
        assert answer.json()["filename"] == "photo.jpg"

    @pytest.mark.parametrize(
        ("fmt", "content_type"), [("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
    )
    async def test_jpeg_and_webp_photos_are_taken(
        self,
        client: httpx.AsyncClient,
        alice: dict[str, str],
        case_id: str,
        fmt: str,
        content_type: str,
    ) -> None:
        answer = await upload(client, alice, case_id, image_bytes(fmt), f"p.{fmt.lower()}")
        assert answer.status_code == 201, answer.text
        assert answer.json()["content_type"] == content_type

    async def test_a_heic_photo_is_kept_as_a_jpeg_every_browser_shows(
        self, client: httpx.AsyncClient, alice: dict[str, str], case_id: str
    ) -> None:
        answer = await upload(client, alice, case_id, image_bytes("HEIF"), "IMG_0042.HEIC")
        assert answer.status_code == 201, answer.text
        assert answer.json()["content_type"] == "image/jpeg"
        assert answer.json()["filename"] == "IMG_0042.jpg"
        got = await client.get(answer.json()["url"], headers=alice)
        assert Image.open(io.BytesIO(got.content)).format == "JPEG"

    async def test_a_pdf_is_served_as_a_download_never_shown_inline(
        self, client: httpx.AsyncClient, alice: dict[str, str], case_id: str
    ) -> None:
        answer = await upload(client, alice, case_id, pdf_bytes(), "receipt.pdf", "image/png")
        assert answer.status_code == 201, answer.text
        got = await client.get(answer.json()["url"], headers=alice)
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["content-disposition"].startswith('attachment; filename="receipt.pdf"')
        assert got.content == pdf_bytes()

    async def test_a_photo_comes_back_without_its_gps_position_or_camera(
        self, client: httpx.AsyncClient, alice: dict[str, str], case_id: str
    ) -> None:
        sent = jpeg_with_gps()
        assert Image.open(io.BytesIO(sent)).getexif().get_ifd(GPS_IFD)  # the test's premise
        answer = await upload(client, alice, case_id, sent, "where.jpg")
        got = await client.get(answer.json()["url"], headers=alice)
        back = Image.open(io.BytesIO(got.content))
        assert dict(back.getexif()) == {}
        assert back.getexif().get_ifd(GPS_IFD) == {}
        assert b"Exif" not in got.content and b"PhoneMaker" not in got.content

    async def test_a_sideways_photo_is_turned_upright_before_its_orientation_is_dropped(
        self, client: httpx.AsyncClient, alice: dict[str, str], case_id: str
    ) -> None:
        exif = Image.Exif()
        exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show
        out = io.BytesIO()
        Image.new("RGB", (40, 20), "green").save(out, "JPEG", exif=exif)
        answer = await upload(client, alice, case_id, out.getvalue(), "side.jpg")
        got = await client.get(answer.json()["url"], headers=alice)
        assert Image.open(io.BytesIO(got.content)).size == (20, 40)

    async def test_a_message_shows_the_files_it_names_and_a_file_is_named_once(
        self, client: httpx.AsyncClient, alice: dict[str, str], case_id: str
    ) -> None:
        ids = [
            (await upload(client, alice, case_id, image_bytes(), f"p{n}.png")).json()["id"]
            for n in range(2)
        ]
        written = await message(client, alice, case_id, ids)
        assert written.status_code == 201, written.text
        assert [a["id"] for a in written.json()["attachments"]] == ids
        listed = await client.get(f"/api/v1/support-cases/{case_id}/messages", headers=alice)
        assert [a["filename"] for a in listed.json()[-1]["attachments"]] == ["p0.png", "p1.png"]
        again = await message(client, alice, case_id, ids[:1])
        assert again.status_code == 422
        assert again.json()["errors"][0]["loc"] == ["body", "attachment_ids"]

    async def test_a_refund_request_names_the_photos_of_the_damage(
        self, client: httpx.AsyncClient, alice: dict[str, str], case_id: str
    ) -> None:
        photo = (await upload(client, alice, case_id, image_bytes())).json()["id"]
        refund = await request_refund(client, alice, case_id, [("L2", 1)], attachment_ids=[photo])
        assert refund.status_code == 201, refund.text
        files = await client.get(f"/api/v1/support-cases/{case_id}/attachments", headers=alice)
        assert files.json()[0]["refund_id"] == refund.json()["id"]

    async def test_a_message_names_at_most_ten_files(
        self, client: httpx.AsyncClient, alice: dict[str, str], case_id: str
    ) -> None:
        ids = [
            (await upload(client, alice, case_id, image_bytes())).json()["id"] for _ in range(11)
        ]
        eleven = await message(client, alice, case_id, ids)
        assert eleven.status_code == 422
        assert eleven.json()["errors"][0]["loc"][:2] == ["body", "attachment_ids"]
        assert (await message(client, alice, case_id, ids[:10])).status_code == 201

    async def test_a_message_names_only_its_writers_files_of_the_same_case(
        self, client: httpx.AsyncClient, as_user: Any, alice: dict[str, str], case_id: str
    ) -> None:
        bob = await as_user("bob")
        bobs = (await upload(client, bob, case_id, image_bytes())).json()["id"]
        other_case = (await open_case(client, alice))["id"]
        elsewhere = (await upload(client, alice, other_case, image_bytes())).json()["id"]
        for ids in ([bobs], [elsewhere], ["att_unknown"]):
            refused = await message(client, alice, case_id, ids)
            assert refused.status_code == 422, ids

    async def test_an_internal_file_never_goes_under_a_public_message(
        self, client: httpx.AsyncClient, as_user: Any, case_id: str
    ) -> None:
        bob = await as_user("bob")
        note = (await upload(client, bob, case_id, pdf_bytes(), "n.pdf", internal=True)).json()
        assert note["internal"] is True
        assert (await message(client, bob, case_id, [note["id"]])).status_code == 422
        assert (await message(client, bob, case_id, [note["id"]], internal=True)).status_code == 201


class TestWhoReadsAFile:
    async def test_alices_file_does_not_exist_for_carol(
        self, client: httpx.AsyncClient, as_user: Any, alice: dict[str, str], case_id: str
    ) -> None:
        carol = await as_user("carol")
        photo = (await upload(client, alice, case_id, image_bytes())).json()
        for answer in (
            await client.get(photo["url"], headers=carol),
            await client.delete(photo["url"], headers=carol),
            await client.get(f"/api/v1/support-cases/{case_id}/attachments", headers=carol),
            await upload(client, carol, case_id, image_bytes()),
        ):
            assert answer.status_code == 404, answer.text
            assert answer.json()["code"] == "not_found"

    async def test_staff_read_a_customers_file(
        self, client: httpx.AsyncClient, as_user: Any, alice: dict[str, str], case_id: str
    ) -> None:
        photo = (await upload(client, alice, case_id, image_bytes())).json()
        got = await client.get(photo["url"], headers=await as_user("bob"))
        assert got.status_code == 200

    async def test_the_files_of_an_internal_note_are_as_hidden_from_the_customer_as_the_note(
        self, client: httpx.AsyncClient, as_user: Any, alice: dict[str, str], case_id: str
    ) -> None:
        bob = await as_user("bob")
        pdf = await upload(client, bob, case_id, pdf_bytes(), "fraud-check.pdf", internal=True)
        note = await message(client, bob, case_id, [pdf.json()["id"]], internal=True)
        assert note.status_code == 201
        hidden = await client.get(pdf.json()["url"], headers=alice)
        assert hidden.status_code == 404
        files = await client.get(f"/api/v1/support-cases/{case_id}/attachments", headers=alice)
        assert files.json() == []
        texts = (await client.get(f"/api/v1/support-cases/{case_id}/messages", headers=alice)).text
        assert "fraud-check" not in texts
        staff_files = await client.get(f"/api/v1/support-cases/{case_id}/attachments", headers=bob)
        assert [f["filename"] for f in staff_files.json()] == ["fraud-check.pdf"]

    async def test_a_customer_cannot_upload_an_internal_file(
        self, client: httpx.AsyncClient, container: Container, alice: dict[str, str], case_id: str
    ) -> None:
        answer = await upload(client, alice, case_id, image_bytes(), internal=True)
        assert answer.status_code == 403
        assert await stored_keys(container) == []

    async def test_without_a_token_there_is_no_file(
        self, client: httpx.AsyncClient, alice: dict[str, str], case_id: str
    ) -> None:
        photo = (await upload(client, alice, case_id, image_bytes())).json()
        assert (await client.get(photo["url"])).status_code == 401


def _bad_uploads() -> Iterator[Any]:
    jpeg = image_bytes("JPEG", (64, 64))
    zip_header = b"PK\x03\x04" + b"\x00" * 200
    yield pytest.param([file_part("empty.png", b"")], 422, id="empty file")
    yield pytest.param([file_part("setup.jpg", b"MZ\x90\x00" + b"\x00" * 500)], 415, id="exe.jpg")
    yield pytest.param([file_part("page.png", b"<html><script>x</script>")], 415, id="html.png")
    yield pytest.param([file_part("bomb.png", zip_header)], 415, id="zip named png")
    yield pytest.param([file_part("cut.jpg", jpeg[: len(jpeg) // 2])], 422, id="truncated jpeg")
    yield pytest.param([file_part("bomb.png", png_bomb())], 413, id="decompression bomb")
    yield pytest.param([file_part("cut.pdf", pdf_bytes()[:40])], 422, id="truncated pdf")
    yield pytest.param([file_part("../../etc/p.png", image_bytes())], 422, id="path in name")
    yield pytest.param([file_part("C:\\\\x\\\\p.png", image_bytes())], 422, id="backslash in name")
    yield pytest.param([file_part("p\x01.png", image_bytes())], 422, id="control char in name")
    yield pytest.param([file_part("p\x1b[31m.png", image_bytes())], 422, id="escape in name")
    yield pytest.param(
        [file_part("invoice\u202egnp.exe", image_bytes())], 422, id="text-direction mark"
    )
    yield pytest.param([file_part("x" * 300 + ".png", image_bytes())], 422, id="long name")
    yield pytest.param(
        [file_part(f"p{n}.png", image_bytes()) for n in range(11)], 422, id="11 files at once"
    )
    yield pytest.param(
        [('Content-Disposition: form-data; name="file"', image_bytes())], 422, id="no filename"
    )
    yield pytest.param(
        [file_part("p.png", image_bytes()), ('Content-Disposition: form-data; name="x"', b"1")],
        422,
        id="unknown field",
    )
    yield pytest.param(
        [
            file_part("p.png", image_bytes()),
            ('Content-Disposition: form-data; name="internal"', b"yes"),
        ],
        422,
        id="internal not a boolean",
    )
    yield pytest.param([], 400, id="no part at all")


class TestRefusedFilesLeaveNothing:
    @pytest.mark.parametrize(("parts", "status"), list(_bad_uploads()))
    async def test_a_bad_upload_is_a_clear_4xx_problem_and_nothing_is_stored(
        self,
        client: httpx.AsyncClient,
        container: Container,
        alice: dict[str, str],
        case_id: str,
        parts: list[tuple[str, bytes]],
        status: int,
    ) -> None:
        body, content_type = multipart(parts)
        answer = await client.post(
            f"/api/v1/support-cases/{case_id}/attachments",
            headers={**alice, "Content-Type": content_type},
            content=body,
        )
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["detail"] and problem["code"]
        assert await stored_keys(container) == []
        files = await client.get(f"/api/v1/support-cases/{case_id}/attachments", headers=alice)
        assert files.json() == []

    @pytest.mark.parametrize(
        "content_type", ["application/json", "text/plain", "multipart/form-data", None]
    )
    async def test_a_body_that_is_not_multipart_with_a_boundary_is_415(
        self,
        client: httpx.AsyncClient,
        alice: dict[str, str],
        case_id: str,
        content_type: str | None,
    ) -> None:
        headers = {**alice, **({"Content-Type": content_type} if content_type else {})}
        answer = await client.post(
            f"/api/v1/support-cases/{case_id}/attachments", headers=headers, content=b"{}"
        )
        assert answer.status_code == 415
        assert answer.json()["code"] == "unsupported_media_type"

    async def test_a_10_mb_file_passes_the_body_limit_and_a_20_mb_one_is_413(
        self, client: httpx.AsyncClient, container: Container, alice: dict[str, str], case_id: str
    ) -> None:
        ten = b"%PDF-1.4\n" + b"\x00" * (10 * MB - 15) + b"%%EOF\n"
        assert len(ten) == 10 * MB
        taken = await upload(client, alice, case_id, ten, "big.pdf")
        assert taken.status_code == 201, taken.text[:300]
        assert taken.json()["size"] == 10 * MB
        twenty = await upload(client, alice, case_id, ten * 2, "huge.pdf")
        assert twenty.status_code == 413
        assert twenty.json()["code"] == "payload_too_large"
        assert await stored_keys(container) == [f"{case_id}/{taken.json()['id']}"]

    async def test_a_file_just_over_the_limit_is_413_from_the_use_case(
        self, client: httpx.AsyncClient, container: Container, alice: dict[str, str], case_id: str
    ) -> None:
        over = b"%PDF-1.4\n" + b"\x00" * (10 * MB) + b"%%EOF\n"
        answer = await upload(client, alice, case_id, over, "over.pdf")
        assert answer.status_code == 413
        assert "10 MB" in answer.json()["detail"]
        assert await stored_keys(container) == []

    async def test_a_chunked_body_past_the_limit_is_413(
        self, client: httpx.AsyncClient, alice: dict[str, str], case_id: str
    ) -> None:
        body, content_type = multipart([file_part("p.pdf", b"%PDF-" + b"\x00" * (11 * MB))])

        async def chunks() -> Any:
            for start in range(0, len(body), MB):
                yield body[start : start + MB]

        answer = await client.post(
            f"/api/v1/support-cases/{case_id}/attachments",
            headers={**alice, "Content-Type": content_type},
            content=chunks(),
        )
        assert answer.status_code == 413

    async def test_a_json_body_elsewhere_keeps_its_own_smaller_limit(
        self, client: httpx.AsyncClient, alice: dict[str, str], case_id: str
    ) -> None:
        answer = await client.post(
            f"/api/v1/support-cases/{case_id}/messages",
            headers={**alice, "Content-Type": "application/json"},
            content=b'{"body": "' + b"x" * (2 * MB) + b'"}',
        )
        assert answer.status_code == 413

    async def test_a_closed_case_takes_no_files(
        self, client: httpx.AsyncClient, container: Container, alice: dict[str, str], case_id: str
    ) -> None:
        closed = await client.patch(
            f"/api/v1/support-cases/{case_id}", headers=alice, json={"status": "closed"}
        )
        assert closed.status_code == 200
        answer = await upload(client, alice, case_id, image_bytes())
        assert answer.status_code == 409
        assert await stored_keys(container) == []

    @pytest.mark.parametrize(
        "settings_overrides", [{"attachment_case_max_count": 2}], indirect=True
    )
    async def test_a_case_holds_at_most_so_many_files(
        self, client: httpx.AsyncClient, container: Container, alice: dict[str, str], case_id: str
    ) -> None:
        for _ in range(2):
            assert (await upload(client, alice, case_id, image_bytes())).status_code == 201
        third = await upload(client, alice, case_id, image_bytes())
        assert third.status_code == 422
        assert "at most 2 files" in third.json()["detail"]
        assert len(await stored_keys(container)) == 2

    @pytest.mark.parametrize(
        "settings_overrides",
        [{"attachment_max_bytes": 2048, "attachment_case_max_bytes": 3000}],
        indirect=True,
    )
    async def test_a_case_holds_at_most_so_many_bytes(
        self, client: httpx.AsyncClient, container: Container, alice: dict[str, str], case_id: str
    ) -> None:
        pdf = b"%PDF-1.4\n" + b"\x00" * 1500 + b"%%EOF\n"
        assert (await upload(client, alice, case_id, pdf, "a.pdf")).status_code == 201
        second = await upload(client, alice, case_id, pdf, "b.pdf")
        assert second.status_code == 413
        assert len(await stored_keys(container)) == 1

    async def test_when_recording_the_file_fails_its_stored_bytes_are_deleted(
        self,
        client: httpx.AsyncClient,
        container: Container,
        alice: dict[str, str],
        case_id: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        async def database_gone(self: Any, attachment: Any) -> None:
            raise DependencyUnavailable("database")

        monkeypatch.setattr(SqlAttachmentRepository, "add", database_gone)
        answer = await upload(client, alice, case_id, image_bytes())
        assert answer.status_code == 503
        assert await stored_keys(container) == []


class TestTakingFilesAway:
    async def test_an_admin_redacts_a_file_its_bytes_go_and_the_history_says_so(
        self,
        client: httpx.AsyncClient,
        container: Container,
        as_user: Any,
        alice: dict[str, str],
        case_id: str,
    ) -> None:
        photo = (await upload(client, alice, case_id, image_bytes(), "face.png")).json()
        await message(client, alice, case_id, [photo["id"]])
        admin = await as_user("admin")
        assert (await client.delete(photo["url"], headers=admin)).status_code == 204
        assert await stored_keys(container) == []
        assert (await client.get(photo["url"], headers=alice)).status_code == 404
        assert (await client.get(photo["url"], headers=admin)).status_code == 404
        files = await client.get(f"/api/v1/support-cases/{case_id}/attachments", headers=alice)
        assert files.json()[0]["redacted"] is True
        history = await client.get(f"/api/v1/support-cases/{case_id}/history", headers=alice)
        redacted = [e for e in history.json() if e["type"] == "attachment_redacted"]
        assert len(redacted) == 1 and redacted[0]["note"] == "face.png"
        assert redacted[0]["actor_role"] == "support_team"

    async def test_the_redaction_of_an_internal_file_is_not_in_the_customers_history(
        self, client: httpx.AsyncClient, as_user: Any, alice: dict[str, str], case_id: str
    ) -> None:
        admin = await as_user("admin")
        note = (await upload(client, admin, case_id, pdf_bytes(), internal=True)).json()
        assert (await client.delete(note["url"], headers=admin)).status_code == 204
        history = await client.get(f"/api/v1/support-cases/{case_id}/history", headers=alice)
        assert "redacted" not in history.text
        staff = await client.get(f"/api/v1/support-cases/{case_id}/history", headers=admin)
        assert "internal_attachment_redacted" in staff.text

    async def test_the_uploader_takes_back_a_file_nothing_names_yet(
        self, client: httpx.AsyncClient, container: Container, alice: dict[str, str], case_id: str
    ) -> None:
        wrong = (await upload(client, alice, case_id, image_bytes())).json()
        assert (await client.delete(wrong["url"], headers=alice)).status_code == 204
        assert await stored_keys(container) == []
        files = await client.get(f"/api/v1/support-cases/{case_id}/attachments", headers=alice)
        assert files.json() == []

    async def test_a_file_a_message_names_is_part_of_the_conversation(
        self, client: httpx.AsyncClient, alice: dict[str, str], case_id: str
    ) -> None:
        sent = (await upload(client, alice, case_id, image_bytes())).json()
        await message(client, alice, case_id, [sent["id"]])
        answer = await client.delete(sent["url"], headers=alice)
        assert answer.status_code == 422

    async def test_an_agent_neither_redacts_nor_takes_back_a_customers_file(
        self, client: httpx.AsyncClient, as_user: Any, alice: dict[str, str], case_id: str
    ) -> None:
        photo = (await upload(client, alice, case_id, image_bytes())).json()
        answer = await client.delete(photo["url"], headers=await as_user("bob"))
        assert answer.status_code == 403


async def test_uploads_and_their_bytes_are_in_the_metrics(
    client: httpx.AsyncClient, alice: dict[str, str], case_id: str
) -> None:
    await upload(client, alice, case_id, image_bytes())
    await upload(client, alice, case_id, b"GIF89a" + b"\x00" * 20, "a.gif")
    text = (await client.get("/metrics")).text
    assert (
        'supportdesk_attachment_uploads_total{content_type="image/png",outcome="stored"} 1.0'
        in text
    )
    assert 'outcome="unsupported_media_type"} 1.0' in text
    assert 'supportdesk_attachment_upload_bytes_total{content_type="image/png"}' in text


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_s3() as endpoint:
        yield endpoint


@pytest.fixture
def settings_overrides(s3_endpoint: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    """Every test of this module runs on local files, except TestS3's (see below)."""
    if request.cls is not TestS3:
        return dict(getattr(request, "param", {}))
    bucket = f"supportdesk-files-{uuid.uuid4().hex[:12]}"  # each test a bucket of its own
    make_bucket(s3_endpoint, bucket)
    return {
        "s3_bucket": bucket,
        "s3_endpoint_url": s3_endpoint,
        "s3_region": REGION,
        "s3_access_key_id": ACCESS_KEY,
        "s3_secret_access_key": SECRET_KEY,
        "attachment_url_ttl_seconds": 45,
    }


class TestS3:
    async def test_a_reader_is_sent_to_a_short_lived_signed_url_of_the_bucket(
        self, client: httpx.AsyncClient, container: Container, alice: dict[str, str], case_id: str
    ) -> None:
        sent = (await upload(client, alice, case_id, pdf_bytes(), "receipt.pdf")).json()
        assert await stored_keys(container) == [f"{case_id}/{sent['id']}"]
        answer = await client.get(sent["url"], headers=alice)
        assert answer.status_code == 307
        assert answer.headers["cache-control"] == "no-store"
        location = answer.headers["location"]
        assert "X-Amz-Expires=45" in location and "X-Amz-Signature=" in location
        async with httpx.AsyncClient() as outside:
            got = await outside.get(location)
        assert got.content == pdf_bytes()
        assert got.headers["content-disposition"].startswith("attachment;")
        await client.delete(sent["url"], headers=await _admin(client))
        assert await stored_keys(container) == []

    async def test_another_customer_gets_no_url_at_all(
        self, client: httpx.AsyncClient, as_user: Any, alice: dict[str, str], case_id: str
    ) -> None:
        sent = (await upload(client, alice, case_id, image_bytes())).json()
        answer = await client.get(sent["url"], headers=await as_user("carol"))
        assert answer.status_code == 404
        assert "location" not in answer.headers


async def _admin(client: httpx.AsyncClient) -> dict[str, str]:
    from tests.conftest import sign_in

    return await sign_in(client, "admin@example.com")
