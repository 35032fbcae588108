"""compose.yaml and deploy/haproxy.cfg describe the production shape that the scale test
builds (docs/deploying.md). No container runtime runs here, so these tests hold the files to
what the service reads and to the shape the scale test proves."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from supportdesk.infrastructure.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
HAPROXY = (ROOT / "deploy" / "haproxy.cfg").read_text()


def known_variables() -> set[str]:
    return {(field.alias or name).upper() for name, field in Settings.model_fields.items()}


def test_every_variable_compose_gives_the_service_is_a_setting_it_reads():
    # A misspelt variable is ignored by the settings (extra="ignore"), silently.
    given = set(COMPOSE["x-app"]["environment"])
    assert given - known_variables() == set()


def test_compose_runs_three_replicas_a_worker_pgbouncer_redis_and_haproxy():
    services = COMPOSE["services"]
    assert {"app", "worker", "migrate", "pgbouncer", "postgres", "redis", "haproxy"} <= set(
        services
    )
    assert services["app"]["deploy"]["replicas"] == 3
    assert services["app"]["command"] == ["supportdesk", "serve"]
    assert services["worker"]["command"] == ["supportdesk", "worker"]
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"


def test_replicas_reach_postgresql_through_pgbouncer_and_leave_delivery_to_workers():
    environment = COMPOSE["x-app"]["environment"]
    assert re.search(r"@pgbouncer:\d+/.+\?pgbouncer=true$", environment["DATABASE_URL"])
    assert environment["DISPATCHER_IN_SERVE"] == "false"
    assert int(environment["SHUTDOWN_DRAIN_SECONDS"]) > 0


def test_redis_keeps_ended_sign_ins_across_a_restart():
    # Redis holds the ended refresh-token families: lost, they would work again (docs).
    assert "--appendonly" in COMPOSE["services"]["redis"]["command"]


def test_haproxy_balances_round_robin_over_the_replicas_checking_readiness():
    assert "balance roundrobin" in HAPROXY
    assert "option httpchk GET /api/v1/health/ready" in HAPROXY
    assert re.search(r"server-template app 3 app:8000", HAPROXY)
    # A replica is out after two failed checks a second apart: sooner than its drain.
    interval, fall = re.search(r"inter (\d+)s fall (\d+)", HAPROXY).groups()  # type: ignore[union-attr]
    drain = int(COMPOSE["x-app"]["environment"]["SHUTDOWN_DRAIN_SECONDS"])
    assert int(interval) * int(fall) < drain
