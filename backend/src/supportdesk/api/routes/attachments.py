"""Files on a case: upload, list, download, take back or redact (docs/attachments.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse

from supportdesk.api.deps import AttachmentServiceDep, CurrentActor
from supportdesk.api.multipart import UPLOAD_BODY, read_upload
from supportdesk.api.openapi import problems
from supportdesk.api.presenters import attachment_out
from supportdesk.api.schemas import AttachmentOut
from supportdesk.application.attachments import Upload
from supportdesk.infrastructure.files.storage import content_disposition

router = APIRouter(tags=["attachments"])

# What a multipart body adds around the file (boundaries, part headers, the ``internal``
# field): the request may be this much larger than the largest file.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
UPLOAD_PATH = r"^/api/v1/support-cases/[^/]+/attachments$"

_FILE_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")


@router.post(
    "/support-cases/{case_id}/attachments",
    response_model=AttachmentOut,
    status_code=201,
    summary="Attach a photo (JPEG, PNG, WebP, HEIC) or a PDF to a case; one file per request",
    responses=problems(400, 403, 404, 409, 413, 415, 422),
    openapi_extra=UPLOAD_BODY,
)
async def upload(
    case_id: str, request: Request, actor: CurrentActor, files: AttachmentServiceDep
) -> JSONResponse:
    # Received whole (bounded by the router's max_body_size) before any transaction.
    form = await read_upload(request)
    attachment = await files.upload(
        case_id, Upload(filename=form.filename, data=form.data, internal=form.internal), actor
    )
    return JSONResponse(
        attachment_out(attachment).model_dump(mode="json"),
        status_code=201,
        headers={"Location": f"/api/v1/attachments/{attachment.id}"},
    )


@router.get(
    "/support-cases/{case_id}/attachments",
    response_model=list[AttachmentOut],
    summary="A case's files, oldest first (a customer's view has no internal ones)",
    responses=problems(404),
)
async def list_attachments(
    case_id: str, actor: CurrentActor, files: AttachmentServiceDep
) -> list[AttachmentOut]:
    return [attachment_out(a) for a in await files.of_case(case_id, actor)]


@router.get(
    "/attachments/{attachment_id}",
    response_class=Response,
    summary="A file's bytes, or a redirect to a short-lived signed URL of the storage",
    responses={
        200: {
            "description": "the bytes; images inline, anything else as a download",
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in _FILE_TYPES},
        },
        307: {"description": "the bytes are at the signed URL in Location, for a minute"},
        **problems(404),
    },
)
async def download(
    attachment_id: str, actor: CurrentActor, files: AttachmentServiceDep
) -> Response:
    got = await files.download(attachment_id, actor)
    if got.signed_url is not None:
        return RedirectResponse(
            got.signed_url.url, status_code=307, headers={"Cache-Control": "no-store"}
        )
    assert got.chunks is not None
    attachment = got.attachment
    return StreamingResponse(
        got.chunks,
        media_type=attachment.content_type,
        headers={
            "Content-Length": str(attachment.size),
            "Content-Disposition": content_disposition(
                attachment.filename, inline=attachment.shown_inline
            ),
            "Cache-Control": "private, no-store",
            # Opened on its own, the file runs nothing and reaches nothing.
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


@router.delete(
    "/attachments/{attachment_id}",
    status_code=204,
    response_class=Response,
    summary="Admins redact a file (history keeps that it was); the uploader takes back one "
    "nothing names yet",
    responses=problems(403, 404, 409, 422),
)
async def remove(attachment_id: str, actor: CurrentActor, files: AttachmentServiceDep) -> Response:
    await files.remove(attachment_id, actor)
    return Response(status_code=204)
