"""The balancer's configuration that compose.yaml mounts (deploy/haproxy.cfg) is one that
the HAProxy of the scale test accepts; its shape is held by tests/unit/test_deploy_files.py."""

from __future__ import annotations

import subprocess

from tests.scale.topology import PROJECT

CONFIG = PROJECT / "deploy" / "haproxy.cfg"


def test_haproxy_accepts_the_deployed_configuration():
    checked = subprocess.run(
        ["haproxy", "-c", "-f", str(CONFIG)], capture_output=True, text=True, timeout=30
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
