"""The application: API under /api/v1, the web app at /, simulators under /sim in development."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from supportdesk.api.boundary import check_request
from supportdesk.api.errors import install_error_handlers, problem
from supportdesk.api.hot import hot_routes
from supportdesk.api.middleware import Metrics, RequestMiddleware
from supportdesk.api.openapi import install_openapi
from supportdesk.api.routes import (
    attachments,
    auth,
    canned_replies,
    cases,
    customers,
    exports,
    health,
    live,
    notifications,
    oidc,
    orders,
    outbox,
    overview,
    payment_gateway,
    policy,
    reasons,
    refunds,
    webhooks,
)
from supportdesk.bootstrap import Container
from supportdesk.devdata import DEMO_PASSWORD, DEMO_USERS
from supportdesk.infrastructure.logging import configure_logging
from supportdesk.infrastructure.outbox_metrics import OutboxMetrics
from supportdesk.infrastructure.settings import Environment, Settings, get_settings
from supportdesk.infrastructure.simulators.gateway import GatewaySandbox
from supportdesk.infrastructure.simulators.gateway_events import EventSender

log = structlog.get_logger(__name__)

API_PREFIX = "/api/v1"


# How long a stopping background task may take to unwind before shutdown goes on without
# it (a driver that does not let go must not keep the process from ending).
STOP_GRACE_SECONDS = 3.0


async def _stop_task(task: asyncio.Task[None]) -> None:
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=STOP_GRACE_SECONDS)
    if not done:
        log.warning("background_task_did_not_stop", task=task.get_name())
        return
    with contextlib.suppress(asyncio.CancelledError):
        task.result()


def serving_app() -> FastAPI:
    """The app as ``supportdesk serve`` runs it, in each worker process."""
    return create_app(freeze_after_startup=True)


def create_app(
    settings: Settings | None = None,
    container: Container | None = None,
    *,
    freeze_after_startup: bool = False,
) -> FastAPI:
    """``freeze_after_startup``: once started, the objects made so far (modules, routes,
    schemas, the container; ~210 000 of them) leave the garbage collector's view for good.
    Each full collection walked them all: 130-170 ms during which no request moved, a few
    times a minute under load, and the whole of the p99 of a list page. Only for a
    process that serves until it exits: tests build app after app in one process, and
    frozen objects are never collected."""
    settings = settings or (container.settings if container else get_settings())
    configure_logging(settings.log_level, settings.json_logs)
    metrics = Metrics()
    outbox_metrics = OutboxMetrics(metrics.registry)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = container is None
        app.state.container = container or Container.build(settings)
        catcher = app.state.container.mail_catcher
        started_catcher = catcher is not None and not catcher.running
        if started_catcher:
            await catcher.start()
        sandbox_events = _send_sandbox_events(app, app.state.container, settings)
        idp_backchannel = _reach_back_from_the_identity_provider(app, app.state.container)
        for collector in app.state.container.metric_collectors():
            with contextlib.suppress(ValueError):  # already there: the same app again
                metrics.registry.register(collector)
        reconciler = None
        if settings.reconcile_interval_seconds > 0:
            reconciler = asyncio.create_task(
                _reconcile_forever(app.state.container), name="reconciler"
            )
        sla_sweep = None
        if settings.sla_check_interval_seconds > 0:
            sla_sweep = asyncio.create_task(
                sweep_sla_forever(app.state.container), name="sla-sweep"
            )
        dispatcher = None
        if settings.dispatcher_in_serve and app.state.container.outbox_channels:
            dispatcher = asyncio.create_task(
                app.state.container.dispatcher(outbox_metrics).run(
                    app.state.container.outbox_written, settings.outbox_poll_seconds
                ),
                name="outbox-dispatcher",
            )
        if freeze_after_startup:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            # A delivery cut short here is due again when its lease ends; a refund cut
            # short is settled by the next reconciliation.
            for task in (dispatcher, reconciler, sla_sweep):
                if task:
                    await _stop_task(task)
            if sandbox_events is not None:
                sandbox_events[0].send_events(None)
                sandbox_events[0].stop()
                await sandbox_events[1].aclose()
            if idp_backchannel is not None:
                await idp_backchannel.aclose()
            if started_catcher:
                await catcher.stop()
            if own:
                await app.state.container.aclose()

    app = FastAPI(
        title="supportdesk",
        version="1.0.0",
        description="Support cases and refunds for an online shop.",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        # The API reference is the web app's (_serve_web_app): FastAPI's page loads its
        # scripts from a CDN and runs one inline, which the security policy refuses.
        docs_url=None,
        redoc_url=None,
        # Our observability is Prometheus' metrics and the JSON access lines
        # (README.md). FastAPI's OpenTelemetry hooks act only where an SDK is
        # installed and configured, which this service does not ship; on, they still
        # checked for one on every request (2 % of a GET of a case).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    if container is not None:
        app.state.container = container
    install_error_handlers(app)

    install_openapi(app)

    # Each route declares the problems its use case answers; those that follow from how a
    # route is built (input, sign-in, dependencies) are added to the document for all.
    api = APIRouter(
        prefix=API_PREFIX,
        # Before any route's own parameters, and before who is asking: bad input is bad
        # for everyone.
        dependencies=[Depends(check_request)],
        # A body without a Content-Length (chunked) is counted as it arrives: 413 once it
        # passes the bound. A declared length is checked up front by RequestMiddleware.
        max_body_size=settings.max_body_bytes,
    )
    # exports first: /support-cases/export.csv must not be taken for a case id. Then the
    # routes most requests are for: a request is matched against each router in turn, every
    # route of each, and that walk was a tenth of a GET of a case when cases came sixth.
    for module in (
        exports,
        cases,
        refunds,
        auth,
        oidc,
        notifications,
        orders,
        customers,
        canned_replies,
        reasons,
        policy,
        overview,
        outbox,
        webhooks,
        payment_gateway,
        live,
        health,
    ):
        api.include_router(module.router)
    # Before the API's routers: the case by id, matched and served without them.
    app.router.routes.extend(hot_routes(API_PREFIX))
    app.include_router(api)
    # Files: the one place a body may be larger than MAX_BODY_BYTES, by the largest file.
    upload_limit = settings.attachment_max_bytes + attachments.MULTIPART_OVERHEAD_BYTES
    files = APIRouter(
        prefix=API_PREFIX, dependencies=[Depends(check_request)], max_body_size=upload_limit
    )
    files.include_router(attachments.router)
    app.include_router(files)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus(request: Request) -> Response:
        token = settings.metrics_token
        if token is not None:
            sent = request.headers.get("authorization", "")
            if sent != f"Bearer {token.get_secret_value()}":
                return problem(
                    401,
                    "unauthenticated",
                    "Authentication required",
                    "metrics need the configured bearer token",
                )
        container: Container = request.app.state.container
        try:
            async with asyncio.timeout(2):
                await outbox_metrics.refresh(
                    container.outbox_store(), container.outbox_channels, container.clock.now()
                )
        except Exception:  # the database away: the other metrics still answer
            log.warning("outbox_metrics_unavailable")
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    if settings.environment is not Environment.PRODUCTION:
        _mount_simulators(app, container, settings)
    _serve_web_app(app, settings.web_dist_dir)

    # Added last, so outermost: even CORS preflight answers get a request id and headers.
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=False,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "Idempotency-Key",
                "X-Request-ID",
            ],
            expose_headers=["ETag", "X-Request-ID", "Retry-After"],
        )
    app.add_middleware(
        RequestMiddleware,
        metrics=metrics,
        max_body_bytes=settings.max_body_bytes,
        larger_bodies=[
            (re.compile(attachments.UPLOAD_PATH), max(upload_limit, settings.max_body_bytes))
        ],
    )
    # Outermost: everything inside (logs, sign-in throttling) sees the client's address as
    # the trusted proxies report it, whichever server runs the app. uvicorn is given the
    # same list by `supportdesk serve`; applying it twice changes nothing.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    return app


def _send_sandbox_events(
    app: FastAPI, container: Container, settings: Settings
) -> tuple[GatewaySandbox, httpx.AsyncClient] | None:
    """Let the embedded gateway sandbox send its signed events where the settings say: a
    path is this app itself, reached in-process as the sandbox itself is."""
    sandbox = container.integrations.gateway_sandbox
    url = settings.payment_gateway_sandbox_events_url
    secret = settings.payment_gateway_webhook_secret
    if sandbox is None or url is None or secret is None:
        return None
    if url.startswith("/"):
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://supportdesk.internal"
        )
    else:
        client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=2.0))
    sandbox.send_events(EventSender(url, secret.get_secret_value(), client))
    return sandbox, client


def _reach_back_from_the_identity_provider(
    app: FastAPI, container: Container
) -> httpx.AsyncClient | None:
    """The embedded identity provider sends its back-channel logouts to this app itself,
    in-process, as a real provider would over the network."""
    simulator = container.idp_simulator
    if simulator is None:
        return None
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://supportdesk.internal"
    )
    simulator.backchannel = client
    return client


async def _reconcile_forever(container: Container) -> None:
    """Resolve the gateway attempts of refunds left in processing (a timeout, a crash) in
    the background."""
    interval = container.settings.reconcile_interval_seconds
    stale_after = timedelta(seconds=container.settings.reconcile_stale_after_seconds)
    while True:
        await asyncio.sleep(interval)
        try:
            resolved = await container.refund_service().reconcile(stale_after=stale_after)
            if resolved:
                log.info("reconciled", refunds=[r.id for r in resolved])
        except Exception:
            log.exception("reconciliation_failed")


async def sweep_sla_forever(container: Container) -> None:
    """Move cases to at risk and breached as time passes, and record each breach
    (docs/sla.md). Every replica and worker may run it: a case is changed by one of them."""
    interval = container.settings.sla_check_interval_seconds
    while True:
        await asyncio.sleep(interval)
        try:
            updated = await container.sla_service().sweep()
            if updated:
                log.info("sla_updated", cases=len(updated))
        except Exception:
            log.exception("sla_sweep_failed")


# What a client of the simulators sends that they read: Stripe's SDK sends its version
# and an idempotency key; the order system's client its key too.
_FORWARDED_REQUEST_HEADERS = frozenset(
    {"content-type", "authorization", "idempotency-key", "stripe-version", "accept"}
)
# Set by this server for the forwarded answer (httpx already decoded the body).
_HOP_BY_HOP_RESPONSE_HEADERS = frozenset(
    {"content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive"}
)


def _mount_simulators(app: FastAPI, container: Container | None, settings: Settings) -> None:
    """The embedded simulators answer under /sim too, so a browser test can look at them."""

    async def forward(request: Request) -> Response:
        integrations = request.app.state.container.integrations
        kind = request.path_params["kind"]
        idp = request.app.state.container.idp_simulator
        target = {
            "orders": integrations.order_simulator_app,
            "gateway": integrations.gateway_app,
            "idp": idp.app if idp is not None else None,
        }.get(kind)
        if target is None:
            return problem(404, "not_found", "Not found", f"no embedded {kind} simulator")
        transport = httpx.ASGITransport(app=target)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
                upstream = await client.request(
                    request.method,
                    "/" + request.path_params["path"],
                    params=request.query_params,
                    content=await request.body(),
                    headers={
                        k: v
                        for k, v in request.headers.items()
                        if k.lower() in _FORWARDED_REQUEST_HEADERS
                    },
                )
        except httpx.InvalidURL as exc:  # a NUL or a line break decoded into the path
            return problem(
                422,
                "validation_error",
                "Invalid input",
                f"path: {exc}",
                errors=[{"loc": ["path", "path"], "msg": str(exc), "type": "invalid_url"}],
            )
        except httpx.HTTPError as exc:  # a simulated fault, such as a dropped connection
            return problem(502, "simulator_fault", "Simulator fault", str(exc) or repr(exc))
        # The simulator's own headers say things a client relies on (Stripe's
        # Idempotent-Replayed, Request-Id); only the framing is ours to set again.
        return Response(
            upstream.content,
            status_code=upstream.status_code,
            headers={
                k: v
                for k, v in upstream.headers.items()
                if k.lower() not in _HOP_BY_HOP_RESPONSE_HEADERS
            },
        )

    async def mail_messages(request: Request, to: str | None = None) -> Response:
        catcher = request.app.state.container.mail_catcher
        if catcher is None:
            return problem(404, "not_found", "Not found", "the mail catcher is off (SMTP_URL)")
        if request.method == "DELETE":
            catcher.clear()
            return Response(status_code=204)
        return JSONResponse({"items": catcher.messages(to)})

    def demo_users() -> Response:
        """Who to sign in as, for the sign-in page outside production (README)."""
        return JSONResponse(
            {
                "items": [
                    {"email": u.email, "name": u.name, "role": u.role.value} for u in DEMO_USERS
                ],
                "password": DEMO_PASSWORD,
            }
        )

    app.add_api_route("/sim/demo-users", demo_users, methods=["GET"], include_in_schema=False)
    # Before the simulators' catch-all: the catcher is not an HTTP app to forward to.
    app.add_api_route(
        "/sim/mail/messages", mail_messages, methods=["GET", "DELETE"], include_in_schema=False
    )
    app.add_api_route(
        "/sim/{kind}/{path:path}", forward, methods=["GET", "POST"], include_in_schema=False
    )


def _serve_web_app(app: FastAPI, dist: Path) -> None:
    """The built React app at /, with client-side routes falling back to index.html."""
    index = dist / "index.html"
    if (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="assets")

    def api_reference(request: Request) -> Response:
        page = dist / "api-docs.html"
        if page.is_file():
            return FileResponse(page, headers={"Cache-Control": "no-cache"})
        return problem(
            404,
            "not_found",
            "Not found",
            "the API reference is part of the web app, which is not built; run "
            f"`make build-web` (make run does it). The OpenAPI document is at "
            f"{API_PREFIX}/openapi.json",
        )

    app.add_api_route(
        f"{API_PREFIX}/docs", api_reference, methods=["GET", "HEAD"], include_in_schema=False
    )

    def web_app(request: Request) -> Response:
        path = request.path_params["path"]
        if (
            path.startswith(("api/", "sim/"))
            or path == "api"
            or request.method not in ("GET", "HEAD")
        ):
            return _unrouted(request)
        try:
            candidate = (dist / path).resolve()
        except (ValueError, OSError):  # no file is named with a NUL byte
            return _unrouted(request)
        if path and candidate.is_file() and candidate.is_relative_to(dist.resolve()):
            return FileResponse(candidate)
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return problem(
            404,
            "not_found",
            "Not found",
            "the web app is not built; run `make build-web` (make run does it)",
        )

    app.add_api_route(
        "/{path:path}",
        web_app,
        include_in_schema=False,
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    )


def _unrouted(request: Request) -> Response:
    """404 for a path nothing serves; 405 where the path exists for other methods. A fixed
    path (``/support-cases/export.csv``) is that resource only, even where a template
    (``/support-cases/{case_id}``) would match it too."""
    allowed: set[str] = set()
    for pattern, methods in _api_paths(request.app):
        if pattern.fullmatch(request.url.path):
            if pattern.pattern == re.escape(request.url.path):
                allowed = set(methods)
                break
            allowed |= methods
    if allowed:
        return problem(
            405,
            "method_not_allowed",
            "Method not allowed",
            f"{request.method} is not allowed on {request.url.path}",
            headers={"Allow": ", ".join(sorted(allowed))},
        )
    return problem(
        404, "not_found", "Not found", f"no such resource: {request.method} {request.url.path}"
    )


def _api_paths(app: FastAPI) -> list[tuple[re.Pattern[str], set[str]]]:
    """The API's path templates as patterns, from its OpenAPI document (built once)."""
    cached: list[tuple[re.Pattern[str], set[str]]] | None = getattr(app.state, "api_paths", None)
    if cached is None:
        cached = [
            (
                re.compile(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path))),
                {method.upper() for method in operations},
            )
            for path, operations in app.openapi()["paths"].items()
        ]
        app.state.api_paths = cached
    return cached
