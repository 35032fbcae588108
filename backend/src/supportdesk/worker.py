"""``supportdesk worker``: a process that runs the outbox dispatcher and the SLA sweep."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import structlog
from prometheus_client import CollectorRegistry, start_http_server

from supportdesk.api.app import sweep_sla_forever
from supportdesk.bootstrap import Container
from supportdesk.infrastructure.outbox_metrics import OutboxMetrics
from supportdesk.infrastructure.settings import Settings

log = structlog.get_logger(__name__)

# After SIGTERM, deliveries in flight get this long to finish and record their outcome;
# one cut short is due again when its lease ends.
GRACE_SECONDS = 20.0


async def run_worker(settings: Settings, *, metrics_port: int | None = None) -> None:
    container = Container.build(settings)
    registry = CollectorRegistry()
    metrics = OutboxMetrics(registry)
    if metrics_port is not None:
        start_http_server(metrics_port, addr=settings.host, registry=registry)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def stopping() -> None:
        log.info("worker_stopping")
        stop.set()
        container.outbox_written.set()  # ends the wait for the next poll at once

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping)
    try:
        if not container.channels:
            log.warning("worker_without_channels", detail="no outbox channel is registered")
        dispatcher = container.dispatcher(metrics)
        log.info("worker_started", owner=dispatcher.owner, channels=sorted(container.channels))
        task = asyncio.create_task(
            dispatcher.run(container.outbox_written, settings.outbox_poll_seconds, stop)
        )
        sla_sweep = None
        if settings.sla_check_interval_seconds > 0:
            sla_sweep = asyncio.create_task(sweep_sla_forever(container), name="sla-sweep")
        await stop.wait()
        if sla_sweep is not None:
            sla_sweep.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sla_sweep
        try:
            await asyncio.wait_for(task, GRACE_SECONDS)
        except TimeoutError:
            log.warning("worker_cut_deliveries_short")
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        await container.aclose()
        log.info("worker_stopped")
