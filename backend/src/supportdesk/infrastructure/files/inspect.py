"""What an uploaded file is, by its content, and its bytes made safe to hand out.

Images are decoded and written again by Pillow: what comes out holds pixels only (no EXIF,
so no GPS position, no camera serial; no XMP, no text chunks), and a file crafted to exploit
a viewer does not survive being decoded. HEIC photos become JPEG, which every browser
shows. A PDF is kept as sent and only ever served as a download.
"""

from __future__ import annotations

import asyncio
import functools
import io
import warnings
from typing import TYPE_CHECKING

from supportdesk.application.ports import InspectedFile
from supportdesk.domain.attachments import SNIFF_BYTES, MediaType, sniff
from supportdesk.domain.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed

if TYPE_CHECKING:
    from PIL import Image


@functools.cache
def _read_heic() -> None:
    """Pillow learns HEIC at the first image rather than at import: pillow_heif is ~7 MB
    of every worker's memory, and most workers never see a photo."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


# Pillow's name of each format: ``Image.open`` tries only the one the bytes announced, so a
# file is never decoded by a plugin it did not ask for.
_PILLOW_FORMAT = {
    MediaType.JPEG: "JPEG",
    MediaType.PNG: "PNG",
    MediaType.WEBP: "WEBP",
    MediaType.HEIC: "HEIF",
}
# What each type is written again as: HEIC as JPEG, the others as they came.
_WRITTEN_AS = {
    MediaType.JPEG: MediaType.JPEG,
    MediaType.PNG: MediaType.PNG,
    MediaType.WEBP: MediaType.WEBP,
    MediaType.HEIC: MediaType.JPEG,
}
# Default: 40 megapixels, more than any phone's photo and 160 MB decoded as RGBA.
DEFAULT_MAX_PIXELS = 40_000_000


class PillowInspector:
    def __init__(self, max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
        self.max_pixels = max_pixels

    async def inspect(self, data: bytes) -> InspectedFile:
        media_type = sniff(data[:SNIFF_BYTES])
        if media_type is None:
            raise UnsupportedMediaType(
                "this file is not a JPEG, PNG, WebP or HEIC photo nor a PDF (judged by its "
                "content, not its name)"
            )
        if media_type is MediaType.PDF:
            # A PDF ends with %%EOF (perhaps followed by a line break or a few bytes of
            # padding); one cut short in transfer does not.
            if b"%%EOF" not in data[-1024:]:
                raise ValidationFailed("the PDF is incomplete (no end of file)", field="file")
            return InspectedFile(media_type, data)
        # Decoding is CPU work of up to a second: off the event loop.
        return await asyncio.to_thread(self._rewrite, data, media_type)

    def _rewrite(self, data: bytes, media_type: MediaType) -> InspectedFile:
        # Pillow too is imported at the first image, as HEIC is learnt (_read_heic): ~2 MB
        # of every worker's memory (bench/README.md).
        from PIL import Image, ImageOps, UnidentifiedImageError

        _read_heic()
        with warnings.catch_warnings():
            # Pillow warns between MAX_IMAGE_PIXELS and twice that, and refuses above; we
            # refuse at our own bound, before decoding a pixel.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMAT[media_type]]) as image:
                    width, height = image.size
                    if width * height > self.max_pixels:
                        raise PayloadTooLarge(_too_many_pixels(width, height, self.max_pixels))
                    image.load()
                    # Turned as the camera meant before the orientation tag is dropped.
                    upright = ImageOps.exif_transpose(image)
                    return self._written(upright, _WRITTEN_AS[media_type])
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise PayloadTooLarge(
                    f"the image is larger than {self.max_pixels:,} pixels once decoded"
                ) from None
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
                # Truncated, malformed, or a header over a body of something else.
                raise ValidationFailed(
                    f"the {media_type.name} image cannot be read: it is damaged or incomplete",
                    field="file",
                ) from None

    @staticmethod
    def _written(image: Image.Image, as_type: MediaType) -> InspectedFile:
        # Pixels only: nothing of the original's metadata is handed to the encoder.
        image.info = {}
        out = io.BytesIO()
        if as_type is MediaType.JPEG:
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            image.save(out, "JPEG", quality=90)
        elif as_type is MediaType.PNG:
            if image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1", "I", "I;16"):
                image = image.convert("RGBA")
            image.save(out, "PNG")
        else:
            if image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA")
            image.save(out, "WEBP", quality=90)
        return InspectedFile(as_type, out.getvalue())


def _too_many_pixels(width: int, height: int, most: int) -> str:
    return f"the image is {width} x {height} pixels once decoded; at most {most:,} pixels are taken"
