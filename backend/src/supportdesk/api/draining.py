"""Whether this process is draining: it was told to stop (SIGTERM) and is still serving the
requests a load balancer sends it while its health checks notice, but says it is not ready.

Process-wide on purpose: there is one server per process (``serve`` with one worker is the
shape behind a balancer), and the signal arrives for the process, not for an app."""

from __future__ import annotations

import threading

_draining = threading.Event()


def start() -> None:
    _draining.set()


def is_draining() -> bool:
    return _draining.is_set()
