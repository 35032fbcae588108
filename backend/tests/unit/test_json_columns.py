"""JSON columns are written and read by orjson (``infrastructure/db/session.py``)."""

from __future__ import annotations

import json

from supportdesk.infrastructure.db.session import read_json
from supportdesk.infrastructure.json_text import json_text as write_json


def test_a_snapshot_written_reads_back_the_same() -> None:
    snapshot = {
        "order_id": "ORD-1001",
        "lines": [{"line_id": "L1", "name": "Crème brûlée set", "quantity": 2, "tax": 0}],
        "customer": None,
        "shipped": True,
    }

    written = write_json(snapshot)

    assert read_json(written) == snapshot
    assert json.loads(written) == snapshot


def test_what_orjson_refuses_is_written_the_standard_librarys_way() -> None:
    value = {1: "a key that is a number", "big": 2**70}

    written = write_json(value)

    assert json.loads(written) == {"1": "a key that is a number", "big": 2**70}
