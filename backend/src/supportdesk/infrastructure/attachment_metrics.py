"""Uploads in the Prometheus metrics: how many were taken (by type) and refused (by code),
and the bytes taken."""

from __future__ import annotations

from prometheus_client import Counter
from prometheus_client.registry import Collector


class AttachmentMetrics:
    def __init__(self) -> None:
        # Unregistered here: the app registers them in its own registry (GET /metrics).
        self.uploads = Counter(
            "supportdesk_attachment_uploads_total",
            "Files uploaded to cases, by outcome (stored, or the refusal's code)",
            ["outcome", "content_type"],
            registry=None,
        )
        self.bytes = Counter(
            "supportdesk_attachment_upload_bytes_total",
            "Bytes of files stored (after images are written again)",
            ["content_type"],
            registry=None,
        )

    def stored(self, content_type: str, size: int) -> None:
        self.uploads.labels("stored", content_type).inc()
        self.bytes.labels(content_type).inc(size)

    def refused(self, code: str) -> None:
        self.uploads.labels(code, "").inc()

    def collectors(self) -> list[Collector]:
        return [self.uploads, self.bytes]
