"""Where a request's time goes: py-spy samples the real app under wrk's load.

    uv tool install py-spy
    cd backend && uv run python ../bench/profile_http.py [--seconds 10] [--top 12]

Uses the database ``http_load.py`` left in --data-dir (run that first). For each of the
three requests, the app (pinned to core 0) serves wrk (core 1, 32 connections) while
py-spy records it; the collapsed stacks go to --data-dir/profile-<kind>.txt and the top
frames by own time and by inclusive time are printed, as bench/README.md quotes them.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_load as h  # noqa: E402


def _short(frame: str) -> str:
    """``name (path/to/file.py:12)`` -> ``name (file.py)``."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.split(':')[0].rsplit('/', 1)[-1]}" + (")" if where else "")


def summarise(collapsed: Path, top: int) -> str:
    """Samples split by thread kind; for the event loop's thread, the top frames by own
    time and by inclusive time below ``Runner.run``."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = loop_total = workers = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        samples = int(count)
        total += samples
        frames = [_short(f) for f in stack.split(";")]
        names = [f.split(" (")[0] for f in frames]
        if "Runner.run" not in names:
            if "_connection_worker_thread" in names:
                workers += samples
            continue
        loop_total += samples
        below = frames[names.index("Runner.run") + 1 :] or frames[-1:]
        own[below[-1]] += samples
        for frame in set(below):
            inclusive[frame] += samples
    lines = [
        f"{total} samples: {loop_total / total:.0%} event loop thread, {workers / total:.0%} "
        "aiosqlite threads (SQLite's C code, busy-timeout sleeps included)",
        "event loop, own time:",
    ]
    lines += [f"  {n / total:6.1%}  {frame}" for frame, n in own.most_common(top)]
    # The server and middleware frames every request passes through say nothing: skip them.
    shown = [(f, n) for f, n in inclusive.most_common() if n < 0.6 * loop_total][:top]
    lines.append("event loop, inclusive time (frames under 60 % of the loop's samples):")
    lines += [f"  {n / total:6.1%}  {frame}" for frame, n in shown]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/supportdesk-http-bench"))
    parser.add_argument("--kinds", default="get,list,post")
    args = parser.parse_args()
    py_spy = shutil.which("py-spy") or str(Path.home() / ".local/bin/py-spy")
    wrk = h.ensure_wrk()
    db_path = args.data_dir / "http.db"
    url = f"sqlite+aiosqlite:///{db_path}"
    made = h.tokens()
    env = {"BENCH_IDS": str(args.data_dir / "ids.txt")}
    app = h.app_server("supportdesk", url, h.free_port(), args.data_dir / "servers.log")
    scripts = {
        "get": ("get_case.lua", made["agent"]),
        "list": ("list_cases.lua", made["agent"]),
        "post": ("post_case.lua", made["customer"]),
    }
    with h.servers(app):
        app.wait_ready({"Authorization": f"Bearer {made['agent']}"})
        for kind in args.kinds.split(","):
            script, token = scripts[kind]
            h.run_wrk(h.wrk_command(wrk, app.port, script, 32, 2, token), env)
            out = args.data_dir / f"profile-{kind}.txt"
            load = threading.Thread(
                target=h.run_wrk,
                args=(h.wrk_command(wrk, app.port, script, 32, args.seconds + 2, token), env),
            )
            load.start()
            subprocess.run(
                [
                    py_spy,
                    "record",
                    "--pid",
                    str(app.process.pid),
                    "--duration",
                    f"{args.seconds:.0f}",
                    "--format",
                    "raw",
                    "--output",
                    str(out),
                    "--nonblocking",
                    "--subprocesses",
                ],
                check=True,
                capture_output=True,
                cwd=h.BACKEND,
            )
            load.join()
            print(f"## {kind}\n{summarise(out, args.top)}\n")


if __name__ == "__main__":
    main()
