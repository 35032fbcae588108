"""The shop's production shape on 127.0.0.1, for the scale tests (``make test-scale``):
PostgreSQL (the machine's server, a fresh database) behind PgBouncer in transaction
pooling mode, Redis, the order simulator and the gateway sandbox as standalone processes
shared by everyone, three API replicas, two outbox workers, and HAProxy in front, round
robin, health-checking /api/v1/health/ready. Everything it starts it stops, by PID.

``python -m tests.scale.topology pgbouncer PORT -- COMMAND…`` runs COMMAND with a
PgBouncer on PORT in front of the machine's PostgreSQL (the CI pass through PgBouncer).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import httpx

POSTGRES = ("127.0.0.1", 5432)
# Debian's PgBouncer with the upstream fixes for its crash on cancel requests, built by
# deploy/pgbouncer/build.sh (``make scale-tools``); PGBOUNCER names another binary.
PROJECT = Path(__file__).resolve().parents[3]
BUILT_PGBOUNCER = PROJECT / "build" / "pgbouncer" / "bin" / "pgbouncer"
JWT_SECRET = "scale-test-secret-0123456789abcdef-not-for-production"
ORDER_SYSTEM_API_KEY = "osk_scale_0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():  # type: ignore[operator]
                return
        except (httpx.TransportError, OSError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.1)


def answers(url: str, status: int = 200) -> bool:
    return httpx.get(url, timeout=2).status_code == status


@dataclass
class Process:
    """A child process with its output in a log file; stopped by PID."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        with self.log.open("ab") as output:
            self.popen = subprocess.Popen(
                self.command, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        return self

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, number: int) -> None:
        assert self.popen is not None
        self.popen.send_signal(number)

    def wait(self, seconds: float) -> int:
        assert self.popen is not None
        return self.popen.wait(timeout=seconds)

    def stop(self, grace: float = 10) -> None:
        if not self.running:
            return
        assert self.popen is not None
        self.popen.terminate()
        try:
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


def supportdesk(*args: str) -> list[str]:
    return [sys.executable, "-m", "supportdesk.cli", *args]


def pgbouncer_binary() -> str:
    if BUILT_PGBOUNCER.exists():
        return str(BUILT_PGBOUNCER)
    found = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    print(
        f"{BUILT_PGBOUNCER} is missing (make scale-tools builds it): using {found}, "
        "which may exit when a client gives up on a cancel request",
        file=sys.stderr,
    )
    return found


class PgBouncer:
    """Debian's pgbouncer in transaction pooling mode in front of the machine's PostgreSQL,
    every database passed through. It refuses to run as root, so it runs as ``nobody``,
    from a copy in a directory that user can read (the project's folders may not be)."""

    def __init__(self, port: int, pool_size: int = 20) -> None:
        self.port = port
        self.directory = Path(tempfile.mkdtemp(prefix="supportdesk-pgbouncer-"))
        self.directory.chmod(0o755)
        users = self.directory / "users.txt"
        users.write_text('"postgres" ""\n')
        config = self.directory / "pgbouncer.ini"
        config.write_text(
            "[databases]\n"
            f"* = host={POSTGRES[0]} port={POSTGRES[1]}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {users}\n"
            "pool_mode = transaction\n"
            f"max_client_conn = 2000\ndefault_pool_size = {pool_size}\n"
            # asyncpg sends it; PgBouncer would refuse the connection over it.
            "ignore_startup_parameters = extra_float_digits\n"
        )
        for path in (users, config):
            path.chmod(0o644)
        binary = self.directory / "pgbouncer"
        shutil.copy(os.environ.get("PGBOUNCER") or pgbouncer_binary(), binary)
        binary.chmod(0o755)
        command = [str(binary), str(config)]
        if os.geteuid() == 0:
            command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
        self.process = Process("pgbouncer", command, dict(os.environ), self.directory / "log")

    def __enter__(self) -> PgBouncer:
        self.process.start()

        def listening() -> bool:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True

        wait_until(listening, 20, "PgBouncer did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        died = not self.process.running
        self.process.stop()
        if died:  # say why, before its log goes
            print(f"PgBouncer exited early; its log:\n{self.process.log.read_text()[-5000:]}")
        shutil.rmtree(self.directory, ignore_errors=True)


def haproxy_config(port: int, replicas: list[int], stats_port: int, admin_port: int) -> str:
    servers = "\n".join(
        f"  server r{number} 127.0.0.1:{replica} check"
        for number, replica in enumerate(replicas, start=1)
    )
    return f"""global
  maxconn 4000
  log stdout format raw local0 info
  # The runtime API: a replica is drained here before it is told to stop (docs/deploying.md).
  stats socket ipv4@127.0.0.1:{admin_port} level admin

defaults
  mode http
  log global
  option httplog
  option forwardfor
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  # Server-sent events: an open stream is a tunnel.
  timeout tunnel 10m
  # A replica refusing connections (killed) is tried once more on another.
  retries 2
  option redispatch

frontend api
  bind 127.0.0.1:{port}
  default_backend replicas

# Each replica's state and session count, as CSV at /stats;csv (the fault test reads it).
listen stats
  bind 127.0.0.1:{stats_port}
  stats enable
  stats uri /stats
  stats refresh 1s

backend replicas
  balance roundrobin
  option httpchk GET /api/v1/health/ready
  http-check expect status 200
  # Out after two failed checks a second apart (a check may take 5 s on a busy machine);
  # back after two good ones. A draining replica (SHUTDOWN_DRAIN_SECONDS, 5 s) is out
  # before it stops accepting.
  timeout check 5s
  default-server inter 1s fall 2 rise 2
{servers}
"""


class BalancerView(NamedTuple):
    state: str  # UP, DOWN, DRAIN, NOLB, …
    sent: int  # requests HAProxy has sent the replica so far
    check: str  # the last health check's outcome: L7OK, L7STS (a status other than 200), …


@dataclass
class Topology:
    directory: Path
    database: str
    redis_url: str
    pgbouncer_port: int
    smtp_port: int
    orders_url: str
    gateway_url: str
    base: str  # HAProxy
    stats_url: str  # HAProxy's statistics, CSV
    admin_port: int  # HAProxy's runtime API
    replica_ports: list[int]
    env: dict[str, str]
    replicas: list[Process] = field(default_factory=list)
    workers: list[Process] = field(default_factory=list)
    others: list[Process] = field(default_factory=list)

    def replica_url(self, number: int) -> str:
        """Replica 1, 2 or 3, directly, not through the balancer."""
        return f"http://127.0.0.1:{self.replica_ports[number - 1]}"

    def replica(self, number: int) -> Process:
        return self.replicas[number - 1]

    def start_replica(self, number: int) -> Process:
        port = self.replica_ports[number - 1]
        process = Process(
            f"replica{number}",
            supportdesk("serve", "--port", str(port)),
            self.env,
            self.directory / f"replica{number}.log",
        ).start()
        if len(self.replicas) >= number:
            self.replicas[number - 1] = process
        else:
            self.replicas.append(process)
        wait_until(
            lambda: answers(f"{self.replica_url(number)}/api/v1/health/ready"),
            90,
            f"replica {number} never became ready",
        )
        return process

    def balancer_view(self) -> dict[str, BalancerView]:
        """Each replica as HAProxy sees it."""
        rows = httpx.get(self.stats_url, timeout=2).text.lstrip("# ").splitlines()
        header = rows[0].split(",")
        name, state, sent = header.index("svname"), header.index("status"), header.index("stot")
        check = header.index("check_status")
        return {
            fields[name]: BalancerView(fields[state], int(fields[sent]), fields[check])
            for fields in (row.split(",") for row in rows[1:])
            if fields[0] == "replicas" and fields[name].startswith("r")
        }

    def tell_balancer(self, command: str) -> str:
        """One command to HAProxy's runtime API, e.g. ``set server replicas/r2 state drain``."""
        with socket.create_connection(("127.0.0.1", self.admin_port), timeout=5) as connection:
            connection.sendall(command.encode() + b"\n")
            answer = b""
            while chunk := connection.recv(4096):
                answer += chunk
        return answer.decode().strip()

    def log(self, name: str) -> str:
        path = self.directory / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for process in [*self.replicas, *self.workers, *self.others]:
            process.stop()


def postgres_admin(statement: str) -> None:
    subprocess.run(
        ["psql", "-h", POSTGRES[0], "-p", str(POSTGRES[1]), "-U", "postgres", "-d", "postgres",
         "-qc", statement],
        check=True, capture_output=True,
    )  # fmt: skip


@contextlib.contextmanager
def topology(
    directory: Path, *, smtp_port: int, redis_url: str, replicas: int = 3, workers: int = 2
) -> Iterator[Topology]:
    database = "supportdesk_scale"
    postgres_admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    postgres_admin(f"CREATE DATABASE {database}")
    with PgBouncer(free_port(), pool_size=30) as bouncer:
        orders_port, gateway_port = free_port(), free_port()
        balancer_port, stats_port, admin_port = free_port(), free_port(), free_port()
        replica_ports = [free_port() for _ in range(replicas)]
        base_env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgresql+asyncpg://postgres@127.0.0.1:{bouncer.port}/{database}?pgbouncer=true"
            ),
            "REDIS_URL": redis_url,
            "ORDER_SYSTEM_URL": f"http://127.0.0.1:{orders_port}",
            "ORDER_SYSTEM_API_KEY": ORDER_SYSTEM_API_KEY,
            "PAYMENT_GATEWAY_URL": f"http://127.0.0.1:{gateway_port}",
            "LOG_LEVEL": "INFO",
            "LOG_JSON": "true",
        }
        # The schema and the demo users, once, through PgBouncer like everything else.
        setup_env = {**base_env, "ENVIRONMENT": "development"}
        for args in (("migrate",), ("seed-demo",)):
            subprocess.run(supportdesk(*args), env=setup_env, check=True, capture_output=True)
        env = {
            **base_env,
            "ENVIRONMENT": "production",
            "JWT_SECRET": JWT_SECRET,
            "SEED_DEMO_DATA": "false",
            "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            "WEB_DIST_DIR": str(directory),
            "DISPATCHER_IN_SERVE": "false",
            # Every replica reconciles refunds the gateway has not confirmed.
            "RECONCILE_INTERVAL_SECONDS": "2",
            "RECONCILE_STALE_AFTER_SECONDS": "1",
            "PAYMENT_GATEWAY_TIMEOUT_SECONDS": "2",
            "RATE_LIMIT_PER_MINUTE": "1200",
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
            "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
            "OUTBOX_POLL_SECONDS": "0.5",
            "SHUTDOWN_DRAIN_SECONDS": "5",
        }
        shape = Topology(
            directory=directory,
            database=database,
            redis_url=redis_url,
            pgbouncer_port=bouncer.port,
            smtp_port=smtp_port,
            orders_url=base_env["ORDER_SYSTEM_URL"],
            gateway_url=base_env["PAYMENT_GATEWAY_URL"],
            base=f"http://127.0.0.1:{balancer_port}",
            stats_url=f"http://127.0.0.1:{stats_port}/stats;csv",
            admin_port=admin_port,
            replica_ports=replica_ports,
            env=env,
        )
        try:
            shape.others.append(
                Process("orders", supportdesk("simulate", "orders", "--port", str(orders_port)),
                        env, directory / "orders.log").start()
            )  # fmt: skip
            shape.others.append(
                Process("gateway", supportdesk("simulate", "gateway", "--port", str(gateway_port)),
                        env, directory / "gateway.log").start()
            )  # fmt: skip
            wait_until(lambda: answers(f"{shape.orders_url}/health"), 60, "no order simulator")
            wait_until(
                lambda: answers(f"{shape.gateway_url}/_sandbox/refunds"), 60, "no gateway sandbox"
            )
            for number in range(1, replicas + 1):
                shape.start_replica(number)
            for number in range(1, workers + 1):
                shape.workers.append(
                    Process(f"worker{number}", supportdesk("worker"), env,
                            directory / f"worker{number}.log").start()
                )  # fmt: skip
            config = directory / "haproxy.cfg"
            config.write_text(haproxy_config(balancer_port, replica_ports, stats_port, admin_port))
            shape.others.append(
                Process("haproxy", ["haproxy", "-db", "-f", str(config)], env,
                        directory / "haproxy.log").start()
            )  # fmt: skip
            wait_until(
                lambda: answers(f"{shape.base}/api/v1/health/ready"), 30, "HAProxy never answered"
            )
            yield shape
        finally:
            shape.stop()
            postgres_admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def main(argv: list[str]) -> int:
    """pgbouncer PORT -- COMMAND…"""
    if len(argv) < 4 or argv[0] != "pgbouncer" or argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    with PgBouncer(int(argv[1])):
        return subprocess.run(argv[3:]).returncode


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    sys.exit(main(sys.argv[1:]))
