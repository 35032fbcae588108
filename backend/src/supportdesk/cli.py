"""The ``supportdesk`` command."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Annotated, Any

import typer

from supportdesk.bulk_cli import seed_bulk
from supportdesk.infrastructure.logging import configure_logging
from supportdesk.infrastructure.settings import Settings, get_settings, load_settings
from supportdesk.simulate_cli import simulate_app

app = typer.Typer(
    help="supportdesk: support cases and refunds for an online shop.", no_args_is_help=True
)

app.add_typer(simulate_app, name="simulate")
app.command("seed-bulk")(seed_bulk)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="default: HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default: PORT")] = None,
    workers: int = 1,
) -> None:
    """Serve the API and the web app."""
    import uvicorn

    settings = load_settings()
    configure_logging(settings.log_level, settings.json_logs)
    options: dict[str, Any] = {
        "factory": True,
        "host": host or settings.host,
        "port": port or settings.port,
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        **server_options(settings),
    }
    if workers > 1:
        # Workers share one listening socket. uvloop's loop accepts one new connection per
        # turn, so connections arriving together spread over the workers; asyncio's takes
        # every waiting connection in the turn it wakes, and the first worker awake took
        # all 32 of the benchmark's (two workers served what one did: bench/README.md).
        uvicorn.run("supportdesk.api.app:serving_app", workers=workers, loop="uvloop", **options)
        return
    # One worker: asyncio's loop. With uvloop's one accept per turn, under load the 32nd
    # of 32 clients connecting at once waited for 31 turns (1.6 s at 3 ms a request);
    # asyncio's accepts them all in the turn they arrive, at the same requests per second.
    options["loop"] = "asyncio"
    from supportdesk.api.server import DrainingServer

    config = uvicorn.Config("supportdesk.api.app:serving_app", **options)
    DrainingServer(config, drain_seconds=settings.shutdown_drain_seconds).run()


def server_options(settings: Settings) -> dict[str, Any]:
    """What uvicorn can do against slow and greedy clients. It has no timeout for reading
    a request's headers or body, so a slow client can hold a connection open: in
    production a reverse proxy fronts the service and owns those (docs/deploying.md)."""
    return {
        "server_header": False,  # "server: uvicorn" tells an attacker what to try
        "timeout_keep_alive": settings.keep_alive_timeout_seconds,  # idle connections
        # Past this many open connections (or requests in flight) new requests get 503
        # at once, instead of the process running out of memory or file descriptors.
        "limit_concurrency": settings.limit_concurrency or None,
        "timeout_graceful_shutdown": 10,
        # Our logging (configured above, and again in each worker by create_app) renders
        # uvicorn's lines too, with the same masking; no access log of its own.
        "log_config": None,
        "access_log": False,
        "log_level": settings.log_level.lower(),
    }


@app.command()
def migrate(revision: str = "head") -> None:
    """Bring the database schema up to date (or to REVISION)."""
    from supportdesk.infrastructure.db.migrate import upgrade

    upgrade(load_settings().database_url, revision)
    typer.echo(f"database at {revision}")


@app.command("seed-demo")
def seed_demo() -> None:
    """Load the demo users (the demo orders live in the order simulator)."""
    from supportdesk.devdata import seed_demo as load
    from supportdesk.infrastructure.db.session import Database
    from supportdesk.infrastructure.security import Argon2PasswordHasher

    settings = get_settings()
    if not settings.seed_demo_data:
        raise typer.BadParameter("SEED_DEMO_DATA is false: demo data is not loaded here")

    async def run() -> list[str]:
        database = Database.connect(settings.database_url)
        try:
            return await load(database, Argon2PasswordHasher.from_settings(settings))
        finally:
            await database.dispose()

    added = asyncio.run(run())
    typer.echo(f"demo users added: {', '.join(added) or 'none (already there)'}")


@app.command("create-user")
def create_user(
    email: str,
    name: str,
    role: Annotated[str, typer.Option(help="customer, agent, supervisor or admin")],
    customer_id: Annotated[str | None, typer.Option(help="for customers")] = None,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Create a user."""
    from supportdesk.bootstrap import Container
    from supportdesk.domain.access import Role
    from supportdesk.domain.errors import DomainError

    async def run() -> str:
        container = Container.build(get_settings())
        try:
            user = await container.auth_service().create_user(
                email=email,
                name=name,
                role=Role(role),
                password=password,
                customer_id=customer_id,
            )
            return user.id
        finally:
            await container.aclose()

    try:
        typer.echo(f"created {asyncio.run(run())}")
    except (DomainError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc


@app.command()
def reconcile(
    stale_after: Annotated[
        int, typer.Option(help="seconds a refund must have been processing")
    ] = 0,
) -> None:
    """Resolve the gateway attempts of refunds left in processing, once."""
    from supportdesk.bootstrap import Container

    async def run() -> list[tuple[str, str]]:
        container = Container.build(get_settings())
        try:
            resolved = await container.refund_service().reconcile(
                stale_after=timedelta(seconds=stale_after)
            )
            return [(r.id, r.status.value) for r in resolved]
        finally:
            await container.aclose()

    for refund_id, status in asyncio.run(run()):
        typer.echo(f"{refund_id}: {status}")


@app.command()
def worker(
    metrics_port: Annotated[
        int | None, typer.Option(help="serve Prometheus metrics on this port")
    ] = None,
) -> None:
    """Deliver the outbox's notifications (and nothing else) until SIGTERM or Ctrl-C.

    Run any number of them, next to `serve` with DISPATCHER_IN_SERVE=false or beside it:
    they share the work through leases and never deliver one notification twice at once.
    """
    from supportdesk.worker import run_worker

    settings = load_settings()
    configure_logging(settings.log_level, settings.json_logs)
    asyncio.run(run_worker(settings, metrics_port=metrics_port))


@app.command()
def openapi() -> None:
    """Print the OpenAPI document."""
    from supportdesk.api.app import create_app

    typer.echo(json.dumps(create_app(load_settings()).openapi(), indent=2, sort_keys=True))


if __name__ == "__main__":
    app()
