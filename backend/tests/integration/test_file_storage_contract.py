"""One contract for both file storages: the local directory and an S3 bucket (moto's S3 in
server mode, over HTTP, as a real bucket would be reached)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from supportdesk.application.ports import FileMissing, FileStorage
from supportdesk.infrastructure.files.storage import LocalFileStorage, S3FileStorage
from tests.s3_server import ACCESS_KEY, REGION, SECRET_KEY, make_bucket, moto_s3

DATA = bytes(range(256)) * 1000 + b"\r\n--boundary\r\n"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_s3() as endpoint:
        yield endpoint


def s3_storage(endpoint: str) -> S3FileStorage:
    bucket = f"files-{uuid.uuid4().hex[:12]}"
    make_bucket(endpoint, bucket)
    return S3FileStorage(
        bucket=bucket,
        endpoint_url=endpoint,
        region=REGION,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
    )


@pytest.fixture(params=["local", "s3"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FileStorage]:
    if request.param == "local":
        made: FileStorage = LocalFileStorage(tmp_path / "files")
    else:
        made = s3_storage(request.getfixturevalue("s3_endpoint"))
    yield made
    await made.aclose()


async def read_all(storage: FileStorage, key: str) -> bytes:
    return b"".join([chunk async for chunk in storage.read(key)])


async def test_what_is_put_is_read_back_byte_for_byte(storage: FileStorage) -> None:
    await storage.put("case_1/att_1", DATA, "image/png")
    assert await read_all(storage, "case_1/att_1") == DATA


async def test_putting_a_key_again_replaces_its_bytes(storage: FileStorage) -> None:
    await storage.put("case_1/att_1", b"first", "application/pdf")
    await storage.put("case_1/att_1", b"second", "application/pdf")
    assert await read_all(storage, "case_1/att_1") == b"second"


async def test_reading_a_key_that_holds_nothing_is_file_missing(storage: FileStorage) -> None:
    with pytest.raises(FileMissing):
        await read_all(storage, "case_1/att_none")


async def test_deleting_is_idempotent_and_leaves_nothing(storage: FileStorage) -> None:
    await storage.put("case_1/att_1", DATA, "image/png")
    await storage.delete("case_1/att_1")
    await storage.delete("case_1/att_1")
    assert await storage.keys() == []
    with pytest.raises(FileMissing):
        await read_all(storage, "case_1/att_1")


async def test_keys_lists_what_is_stored_by_prefix(storage: FileStorage) -> None:
    for key in ("case_1/att_a", "case_1/att_b", "case_2/att_c"):
        await storage.put(key, b"x", "image/png")
    assert await storage.keys() == ["case_1/att_a", "case_1/att_b", "case_2/att_c"]
    assert await storage.keys("case_1/") == ["case_1/att_a", "case_1/att_b"]


@pytest.mark.parametrize("key", ["../etc/passwd", "case_1/../../x", "/abs", "a/b/c", "", "a b"])
async def test_a_key_that_is_not_ours_never_reaches_the_storage(
    storage: FileStorage, key: str
) -> None:
    with pytest.raises(ValueError):
        await storage.put(key, b"x", "image/png")


async def test_concurrent_puts_of_different_keys_all_land(storage: FileStorage) -> None:
    await asyncio.gather(
        *(storage.put(f"case_1/att_{n}", bytes([n]), "image/png") for n in range(8))
    )
    assert [await read_all(storage, f"case_1/att_{n}") for n in range(8)] == [
        bytes([n]) for n in range(8)
    ]


async def test_the_storage_answers_its_ping(storage: FileStorage) -> None:
    assert await storage.ping()


async def test_local_files_are_streamed_by_the_api_not_signed(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    await storage.put("case_1/att_1", DATA, "image/png")
    url = await storage.signed_url(
        "case_1/att_1", filename="a.png", content_type="image/png", inline=True, ttl_seconds=60
    )
    assert url is None


class TestS3SignedUrls:
    async def test_a_signed_url_gives_the_bytes_with_our_type_and_disposition(
        self, s3_endpoint: str
    ) -> None:
        storage = s3_storage(s3_endpoint)
        await storage.put("case_1/att_1", DATA, "application/pdf")
        signed = await storage.signed_url(
            "case_1/att_1",
            filename="Rechnung März.pdf",
            content_type="application/pdf",
            inline=False,
            ttl_seconds=60,
        )
        assert signed is not None and signed.expires_in == 60
        async with httpx.AsyncClient() as http:
            answer = await http.get(signed.url)
        assert answer.status_code == 200
        assert answer.content == DATA
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.headers["content-disposition"].startswith('attachment; filename="Rechnung M')
        assert "filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf" in answer.headers["content-disposition"]
        await storage.aclose()

    async def test_a_signed_url_says_it_answers_for_the_ttl_from_now(
        self, s3_endpoint: str
    ) -> None:
        """S3 refuses a presigned URL once X-Amz-Date + X-Amz-Expires has passed (SigV4).
        moto does not enforce that, so the test holds the URL to what S3 checks: it was
        signed now, for the TTL asked, and the TTL is in the signature."""
        storage = s3_storage(s3_endpoint)
        await storage.put("case_1/att_1", DATA, "image/png")
        signed = await storage.signed_url(
            "case_1/att_1", filename="a.png", content_type="image/png", inline=True, ttl_seconds=30
        )
        assert signed is not None
        query = parse_qs(urlsplit(signed.url).query)
        assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
        assert query["X-Amz-Expires"] == ["30"]
        signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        assert abs((datetime.now(UTC) - signed_at).total_seconds()) < 5
        assert "x-amz-expires" not in query["X-Amz-SignedHeaders"][0]  # in the query, signed
        await storage.aclose()
