"""Where the files' bytes live: a local directory (the default, one process or a shared
volume) or an S3-compatible bucket (replicas). Both behind ``FileStorage``, held to one
contract by ``tests/integration/test_file_storage_contract.py``."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from supportdesk.application.ports import FileMissing, SignedUrl

CHUNK_BYTES = 64 * 1024
# Keys are ours (``<case id>/<attachment id>``): nothing a client sent reaches a path.
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}(/[A-Za-z0-9_-]{1,64})?$")


def _checked(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


def content_disposition(filename: str, *, inline: bool) -> str:
    """RFC 6266: an ASCII fallback name and the real one as RFC 5987 UTF-8."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class LocalFileStorage:
    """Files under a directory (``STORAGE_DIR``). Written to a temporary name and renamed,
    so a reader never sees half a file and a crash leaves no file under a real key."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, self._path(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    async def read(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise FileMissing(key) from None
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
                yield chunk
        finally:
            handle.close()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def keys(self, prefix: str = "") -> list[str]:
        def walk() -> list[str]:
            if not self.root.is_dir():
                return []
            found = [
                p.relative_to(self.root).as_posix()
                for p in self.root.rglob("*")
                if p.is_file() and not p.name.startswith(".upload-")
            ]
            return sorted(k for k in found if k.startswith(prefix))

        return await asyncio.to_thread(walk)

    async def signed_url(
        self, key: str, *, filename: str, content_type: str, inline: bool, ttl_seconds: int
    ) -> SignedUrl | None:
        return None  # the API streams the bytes itself

    async def ping(self) -> bool:
        def writable() -> bool:
            self.root.mkdir(parents=True, exist_ok=True)
            return os.access(self.root, os.W_OK)

        return await asyncio.to_thread(writable)

    async def aclose(self) -> None:
        return None


class S3FileStorage:
    """Files in an S3-compatible bucket (AWS S3, MinIO, Ceph …) through aioboto3. Readers
    get a presigned URL that answers for ``ttl_seconds`` with our type and our
    Content-Disposition, so the bytes never pass through the API."""

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None,
        region: str | None,
        access_key_id: str | None,
        secret_access_key: str | None,
    ) -> None:
        import aioboto3
        from botocore.config import Config

        self.bucket = bucket
        self._session = aioboto3.Session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
        )
        self._endpoint_url = endpoint_url
        self._config = Config(
            signature_version="s3v4",
            connect_timeout=2,
            read_timeout=10,
            retries={"max_attempts": 2},
            s3={"addressing_style": "path"} if endpoint_url else None,
        )
        self._stack = contextlib.AsyncExitStack()
        self._client: Any = None
        self._opening = asyncio.Lock()

    async def _s3(self) -> Any:
        if self._client is None:
            async with self._opening:
                if self._client is None:
                    self._client = await self._stack.enter_async_context(
                        self._session.client(
                            "s3", endpoint_url=self._endpoint_url, config=self._config
                        )
                    )
        return self._client

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        s3 = await self._s3()
        await s3.put_object(
            Bucket=self.bucket, Key=_checked(key), Body=data, ContentType=content_type
        )

    async def read(self, key: str) -> AsyncIterator[bytes]:
        s3 = await self._s3()
        try:
            answer = await s3.get_object(Bucket=self.bucket, Key=_checked(key))
        except s3.exceptions.NoSuchKey:
            raise FileMissing(key) from None
        body = answer["Body"]
        try:
            async for chunk in body.iter_chunks(CHUNK_BYTES):
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        s3 = await self._s3()
        await s3.delete_object(Bucket=self.bucket, Key=_checked(key))

    async def keys(self, prefix: str = "") -> list[str]:
        s3 = await self._s3()
        found: list[str] = []
        paginator = s3.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            found.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(found)

    async def signed_url(
        self, key: str, *, filename: str, content_type: str, inline: bool, ttl_seconds: int
    ) -> SignedUrl | None:
        s3 = await self._s3()
        url = await s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": _checked(key),
                "ResponseContentType": content_type,
                "ResponseContentDisposition": content_disposition(filename, inline=inline),
                "ResponseCacheControl": "private, no-store",
            },
            ExpiresIn=ttl_seconds,
        )
        return SignedUrl(url=url, expires_in=ttl_seconds)

    async def ping(self) -> bool:
        try:
            s3 = await self._s3()
            await s3.head_bucket(Bucket=self.bucket)
        except Exception:
            return False
        return True

    async def aclose(self) -> None:
        await self._stack.aclose()
        self._client = None
