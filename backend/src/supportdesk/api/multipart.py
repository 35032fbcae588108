"""The one multipart/form-data body the API takes: a file upload (RFC 7578).

Parsed with the standard library's MIME parser rather than FastAPI's form support, which
needs python-multipart. The body is bounded before it is read (``max_body_size`` on the
router, and the request middleware for a declared length), so it is parsed whole. It is
decoded as Latin-1, which maps every byte to one character and back: a file's bytes come
out exactly as sent, and a name sent as raw UTF-8 (as browsers do) is decoded from them.
"""

from __future__ import annotations

import asyncio
import email.message
import email.parser
import email.policy
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

FILE_FIELD = "file"
INTERNAL_FIELD = "internal"

# For the OpenAPI document (``openapi_extra``): what the route's body is.
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FILE_FIELD],
                    "properties": {
                        FILE_FIELD: {
                            "type": "string",
                            "format": "binary",
                            "description": "the file; its type is read from its content",
                        },
                        INTERNAL_FIELD: {
                            "type": "boolean",
                            "default": False,
                            "description": "for an internal note: staff only, never shown "
                            "to customers",
                        },
                    },
                    "additionalProperties": False,
                }
            }
        },
    }
}


@dataclass(frozen=True, slots=True)
class UploadForm:
    filename: str
    data: bytes
    internal: bool


def _refused(field: str, message: str, kind: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("body", field), "msg": message, "type": kind}])


async def read_upload(request: Request) -> UploadForm:
    """One part ``file`` with a file name, and optionally ``internal`` (``true`` or
    ``false``); anything else is refused (415 for another type of body, 422 for a form
    that is not this one)."""
    content_type = request.headers.get("content-type", "")
    header = email.message.Message()
    header["content-type"] = content_type
    if header.get_content_type() != "multipart/form-data" or not header.get_param("boundary"):
        raise HTTPException(
            415,
            detail="send the file as multipart/form-data (with its boundary), not "
            f"{content_type or 'untyped'}",
        )
    body = await request.body()
    # A quarter of a second for 10 MB: off the event loop, which serves everyone else.
    message = await asyncio.to_thread(_parse, content_type, body)
    if not message.is_multipart() or message.defects:
        raise HTTPException(400, detail="the multipart body is malformed")
    files: list[tuple[str, bytes]] = []
    internal = False
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload()
        if not isinstance(name, str) or not isinstance(payload, str):
            raise HTTPException(400, detail="each part of the body must be a named field")
        if name == FILE_FIELD:
            if filename is None:
                raise _refused(FILE_FIELD, "send a file, with its name", "missing")
            files.append((_utf8(filename), payload.encode("latin-1")))
        elif name == INTERNAL_FIELD and filename is None:
            if payload not in ("true", "false"):
                raise _refused(INTERNAL_FIELD, "internal is true or false", "bool_parsing")
            internal = payload == "true"
        else:
            raise _refused(
                name[:64], "no such field: send file and internal only", "extra_forbidden"
            )
    if not files:
        raise _refused(FILE_FIELD, "send a file in the field 'file'", "missing")
    if len(files) > 1:
        raise _refused(
            FILE_FIELD, f"one file per request; this one has {len(files)}", "too_many_files"
        )
    filename, data = files[0]
    return UploadForm(filename=filename, data=data, internal=internal)


def _parse(content_type: str, body: bytes) -> email.message.EmailMessage:
    text = f"Content-Type: {content_type}\r\n\r\n" + body.decode("latin-1")
    parsed = email.parser.Parser(policy=email.policy.HTTP).parsestr(text)
    assert isinstance(parsed, email.message.EmailMessage)  # what a modern policy makes
    return parsed


def _utf8(name: str) -> str:
    """The name as sent: raw UTF-8 (browsers), or RFC 2231 ``filename*`` already decoded."""
    try:
        return name.encode("latin-1").decode("utf-8")
    except UnicodeEncodeError:  # decoded from filename*: already text
        return name
    except UnicodeDecodeError:
        raise _refused(FILE_FIELD, "the file name is not UTF-8", "unicode_decode") from None
