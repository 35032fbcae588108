"""CPU per request of the three hot requests, with the app called in-process over ASGI.

    cd backend && uv run python ../bench/http_load.py --quick --no-postgres   # makes the data
    cd backend && uv run python ../bench/asgi_cpu.py [--requests 2000] [--rounds 3]
    cd backend && uv run python ../bench/asgi_cpu.py --compare /tmp/base/backend/src
    cd backend && uv run python ../bench/asgi_cpu.py --profile /tmp/list.pstats --kinds list

No HTTP server and no load generator: the process time (all threads) the app spends per
request, 32 requests in flight, after a warm-up. On a shared machine wall-clock figures
move with the neighbours; process time moves far less, so this is how each change to the
request path was judged before wrk measured the whole thing (bench/README.md).

``--compare SRC`` runs the same rounds against another copy of the package (say
``git archive HEAD~3 backend/src | tar -x -C /tmp/base``), the two taking turns, so both
see the same minutes of the machine. Each run gets a fresh copy of the database that
``http_load.py`` left in --data-dir; JSON access lines go to a file, as in production.

``--profile OUT`` runs one round of the first kind under cProfile (the measured requests
only, not the warm-up) and prints its top functions by own time; OUT keeps the stats for
``python -m pstats``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
JWT_SECRET = "bench-secret-bench-secret-bench-secret-0123"
POST_BODY = json.dumps(
    {
        "order_id": "ORD-1001",
        "subject": "Parcel arrived damaged",
        "description": "The box was crushed and the mug inside is broken.",
        "category": "damaged_item",
        "priority": "normal",
    }
).encode()


async def _call(app, method: str, path: str, token: str, body: bytes = b"") -> int:  # type: ignore[no-untyped-def]
    raw_path, _, query = path.partition("?")
    headers = [
        (b"host", b"127.0.0.1"),
        (b"authorization", f"Bearer {token}".encode()),
        (b"accept", b"*/*"),
    ]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    status = 0

    async def receive():  # type: ignore[no-untyped-def]
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()

    async def send(message):  # type: ignore[no-untyped-def]
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _measure(app, kind: str, count: int, concurrency: int, ids: list[str], made) -> float:  # type: ignore[no-untyped-def]
    """Process milliseconds per request for ``count`` requests of a kind."""
    rng = random.Random(1)
    todo = iter(range(count))

    def request() -> tuple[str, str, str, bytes]:
        if kind == "get":
            return "GET", f"/api/v1/support-cases/{rng.choice(ids)}", made["agent"], b""
        if kind == "list":
            return "GET", "/api/v1/support-cases?limit=25", made["agent"], b""
        return "POST", "/api/v1/support-cases", made["customer"], POST_BODY

    async def client() -> None:
        for _ in todo:
            status = await _call(app, *request())
            if status not in (200, 201):
                raise RuntimeError(f"{kind}: answered {status}")

    started = time.process_time()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return 1000 * (time.process_time() - started) / count


async def _run_app(args: argparse.Namespace) -> dict[str, float]:
    sys.path.insert(0, str(HERE))
    import http_load as h
    from asgi_lifespan import LifespanManager

    from supportdesk.api.app import create_app
    from supportdesk.infrastructure.settings import load_settings

    made = h.tokens()
    ids = (args.data_dir / "ids.txt").read_text().split()
    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{args.db}",
        jwt_secret=JWT_SECRET,
        log_json=True,
        log_level="INFO",
        rate_limit_per_minute=0,
        access_token_ttl_seconds=86400,
        reconcile_interval_seconds=0,
        dispatcher_in_serve=False,
        mail_catcher_port=0,
    )
    # Frozen after startup as `serve` freezes them: else every full collection walks the
    # startup's objects and shows up in whatever allocated when it ran.
    app = create_app(settings, freeze_after_startup=True)
    results: dict[str, float] = {}
    async with LifespanManager(app) as manager:
        for kind in args.kinds.split(","):
            # One at a time first: a cold start's burst (every request filling the account
            # cache, each opening a reader connection) is not what is measured here.
            await _measure(manager.app, kind, 8, 1, ids, made)
            await _measure(manager.app, kind, args.requests // 5, args.concurrency, ids, made)
            if args.profile:
                import cProfile

                with cProfile.Profile() as profile:
                    results[kind] = await _measure(
                        manager.app, kind, args.requests, args.concurrency, ids, made
                    )
                profile.dump_stats(args.profile)
                return results
            results[kind] = await _measure(
                manager.app, kind, args.requests, args.concurrency, ids, made
            )
    return results


def _child(args: argparse.Namespace) -> None:
    """One measurement in this process; its figures as JSON on stdout."""
    out = sys.stdout
    # Access lines go to a file, as a server's stderr does in production.
    sys.stderr = open(args.data_dir / "asgi-cpu.log", "a")  # noqa: SIM115
    try:
        results = asyncio.run(_run_app(args))  # the loop `serve` runs (cli.server_options)
    except RuntimeError as exc:
        out.write(json.dumps({"error": str(exc)}) + "\n")
        return
    out.write(json.dumps(results) + "\n")


def _spawn(args: argparse.Namespace, src: str | None) -> dict[str, float]:
    db = args.data_dir / "asgi-cpu.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(args.data_dir / "http.db", db)
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    argv = [
        sys.executable,
        __file__,
        "--child",
        "--db",
        str(db),
        "--data-dir",
        str(args.data_dir),
        "--requests",
        str(args.requests),
        "--concurrency",
        str(args.concurrency),
        "--kinds",
        args.kinds,
        *(["--profile", str(args.profile)] if args.profile else []),
    ]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(done.stdout + done.stderr)
    results: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    if "error" in results:
        raise SystemExit(results["error"])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/supportdesk-http-bench"))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kinds", default="get,list,post")
    parser.add_argument("--compare", metavar="SRC", help="another copy of backend/src")
    parser.add_argument("--profile", type=Path, metavar="OUT", help="cProfile one round")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    if args.profile:
        print(_spawn(args, None))
        import pstats

        pstats.Stats(str(args.profile)).sort_stats("tottime").print_stats(30)
        return
    variants = {"this": None, **({"compare": args.compare} if args.compare else {})}
    seen: dict[str, dict[str, list[float]]] = {name: {} for name in variants}
    print(f"load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    for number in range(args.rounds):
        for name, src in variants.items():
            for kind, ms in _spawn(args, src).items():
                seen[name].setdefault(kind, []).append(ms)
            print(f"round {number + 1} {name}: {seen[name]}", file=sys.stderr)
    print(f"load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    for name, kinds in seen.items():
        print(
            f"{name:8} "
            + "  ".join(
                f"{kind} {min(v):.2f} (median {statistics.median(v):.2f}) ms"
                for kind, v in kinds.items()
            )
        )


if __name__ == "__main__":
    main()
