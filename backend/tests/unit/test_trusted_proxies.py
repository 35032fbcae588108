"""`supportdesk serve` gives uvicorn the same trusted proxies the app reads the client
address with, so both agree on who the client is."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from supportdesk.cli import app


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
    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.update(kwargs))

    result = CliRunner().invoke(app, ["serve"])

    assert result.exit_code == 0, result.output
    assert started["proxy_headers"] is True
    assert started["forwarded_allow_ips"] == trusted


def test_serve_refuses_a_proxy_that_is_not_an_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "proxy.internal")
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)

    result = CliRunner().invoke(app, ["serve"])

    assert result.exit_code != 0
    assert "FORWARDED_ALLOW_IPS" in str(result.exception) + result.output
