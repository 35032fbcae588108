"""Small files to upload: real images made with Pillow, a minimal PDF, and hostile ones."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import httpx
from PIL import Image

# EXIF tags: GPSInfo in IFD0, and in the GPS IFD the latitude and longitude.
GPS_IFD = 0x8825
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (32, 24), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A photo that says where it was taken (52.52 N, 13.40 E) and with what camera."""
    image = Image.new("RGB", (40, 30), "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    gps = exif.get_ifd(GPS_IFD)
    gps[GPS_LATITUDE_REF] = "N"
    gps[GPS_LATITUDE] = (52.0, 31.0, 12.0)
    gps[GPS_LONGITUDE_REF] = "E"
    gps[GPS_LONGITUDE] = (13.0, 24.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A small PNG that says it is billions of pixels: decoded, it would take gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width * 3 + 1) * 4, 9)  # the first rows only
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows)


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    case_id: str,
    data: bytes,
    filename: str = "photo.png",
    content_type: str = "image/png",
    **fields: Any,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/support-cases/{case_id}/attachments",
        headers=headers,
        files={"file": (filename, data, content_type)},
        data={k: str(v).lower() for k, v in fields.items()},
    )
