"""``python -m tests.outbox.process ARGS``: the ``supportdesk`` command with the recording
channel registered (delivering to RECEIVER_URL), for tests that run real processes."""

from __future__ import annotations

import os
import sys

from supportdesk import bootstrap, cli
from tests.outbox.channel import HttpRecordingChannel


def main() -> None:
    url = os.environ["RECEIVER_URL"]
    bootstrap.build_channels = lambda settings: {"recording": HttpRecordingChannel(url)}
    cli.app(sys.argv[1:])


if __name__ == "__main__":
    main()
