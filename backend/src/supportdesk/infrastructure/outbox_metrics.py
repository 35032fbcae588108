"""The outbox's metrics: undelivered rows per channel, the age of the oldest, and
deliveries by channel and outcome (docs/outbox.md)."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge

from supportdesk.application.ports import OutboxStore


class OutboxMetrics:
    """Counts the outcomes of this process's deliveries; the depth and the age are read
    from the table when metrics are scraped, so every replica reports the same figures."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.depth = Gauge(
            "supportdesk_outbox_depth",
            "Outbox rows not yet delivered (pending), per channel",
            ["channel"],
            registry=registry,
        )
        self.oldest_pending_age = Gauge(
            "supportdesk_outbox_oldest_pending_age_seconds",
            "Age of the oldest outbox row not yet delivered (0 when there is none)",
            registry=registry,
        )
        self.deliveries = Counter(
            "supportdesk_outbox_deliveries",
            "Outbox delivery tries by channel and outcome (delivered, retry, dead, lost_lease)",
            ["channel", "outcome"],
            registry=registry,
        )

    def count(self, channel: str, outcome: str) -> None:
        self.deliveries.labels(channel, outcome).inc()

    async def refresh(self, store: OutboxStore, channels: tuple[str, ...], now: datetime) -> None:
        health = await store.health(now=now)
        for channel in {*channels, *health.depth}:
            self.depth.labels(channel).set(health.depth.get(channel, 0))
        oldest = health.oldest_pending_at
        self.oldest_pending_age.set(max((now - oldest).total_seconds(), 0) if oldest else 0)
