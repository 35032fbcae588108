"""`supportdesk serve` gives uvicorn the same trusted proxies the app reads the client
address with, so both agree on who the client is."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from supportdesk.api.server import DrainingServer
from supportdesk.cli import app


def started_with(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `serve` starts uvicorn with, without starting it: uvicorn.run (several
    workers) or the draining server (one)."""
    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.update(kwargs))

    def run(server: DrainingServer, *args: Any, **kwargs: Any) -> None:
        config = server.config
        started.update(
            proxy_headers=config.proxy_headers, forwarded_allow_ips=config.forwarded_allow_ips
        )

    monkeypatch.setattr(DrainingServer, "run", run)
    return started


@pytest.mark.parametrize(
    ("environment", "trusted"),
    [
        ({}, "127.0.0.1,::1"),
        ({"FORWARDED_ALLOW_IPS": "10.0.0.0/8, 192.0.2.7"}, "10.0.0.0/8,192.0.2.7"),
    ],
)
def test_serve_passes_the_trusted_proxies_to_uvicorn(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], trusted: str
) -> None:
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    started = started_with(monkeypatch)

    for workers in ("1", "2"):
        started.clear()
        result = CliRunner().invoke(app, ["serve", "--workers", workers])

        assert result.exit_code == 0, result.output
        assert started["proxy_headers"] is True
        assert started["forwarded_allow_ips"] == trusted


def test_serve_refuses_a_proxy_that_is_not_an_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "proxy.internal")
    started_with(monkeypatch)

    result = CliRunner().invoke(app, ["serve"])

    assert result.exit_code != 0
    assert "FORWARDED_ALLOW_IPS" in str(result.exception) + result.output
