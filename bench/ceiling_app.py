"""The ceiling: bare Starlette + sqlite3 doing the SQL supportdesk does for three requests.

    GET  /api/v1/support-cases/{id}  one case and its refunds
    GET  /api/v1/support-cases       the 25 newest cases and their refunds
    POST /api/v1/support-cases       one case row, its ``case_opened`` event and the event's
                                     outbox row (the mail channel's)

No authentication, validation, domain model, ORM, middleware or logging: what is left is
the HTTP server, the SQL and JSON, the least any implementation of these requests costs
on the same core. ``CEILING_DB`` names the SQLite file (the one the real app serves).
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

db = sqlite3.connect(os.environ["CEILING_DB"], isolation_level=None, check_same_thread=False)
db.row_factory = sqlite3.Row
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=NORMAL")
db.execute("PRAGMA busy_timeout=15000")

CASE_COLUMNS = [r[1] for r in db.execute("PRAGMA table_info(support_cases)")]
EVENT_COLUMNS = [r[1] for r in db.execute("PRAGMA table_info(events)") if r[1] != "seq"]
INSERT_CASE = (
    f"INSERT INTO support_cases ({', '.join(CASE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in CASE_COLUMNS)})"
)
INSERT_EVENT = (
    f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})"
)
# supportdesk writes one outbox row per event per channel in the change's transaction.
INSERT_OUTBOX = (
    "INSERT INTO outbox (event_id, channel, case_id, state, attempts, next_attempt_at, "
    "progress, created_at) VALUES (?, 'email', ?, 'pending', 0, ?, '{}', ?)"
)
TEMPLATE = dict(db.execute("SELECT * FROM support_cases LIMIT 1").fetchone())


def _case(row: sqlite3.Row, refunds: list[sqlite3.Row]) -> dict[str, object]:
    case = dict(row)
    case["order_snapshot"] = json.loads(case["order_snapshot"])
    case["refunds"] = [
        {
            "id": r["id"],
            "status": r["status"],
            "total_amount": r["total_amount"],
            "currency": r["currency"],
        }
        for r in refunds
    ]
    return case


async def get_case(request: Request) -> Response:
    case_id = request.path_params["case_id"]
    row = db.execute("SELECT * FROM support_cases WHERE id = ?", (case_id,)).fetchone()
    if row is None:
        return JSONResponse({"status": 404}, status_code=404)
    refunds = db.execute("SELECT * FROM refunds WHERE support_case_id = ?", (case_id,)).fetchall()
    return JSONResponse(_case(row, refunds))


async def list_cases(request: Request) -> Response:
    rows = db.execute(
        "SELECT * FROM support_cases ORDER BY created_at DESC, id DESC LIMIT 26"
    ).fetchall()
    page = rows[:25]
    ids = [r["id"] for r in page]
    by_case: dict[str, list[sqlite3.Row]] = {}
    for refund in db.execute(
        f"SELECT * FROM refunds WHERE support_case_id IN ({', '.join('?' for _ in ids)})", ids
    ):
        by_case.setdefault(refund["support_case_id"], []).append(refund)
    return JSONResponse(
        {
            "items": [_case(r, by_case.get(r["id"], [])) for r in page],
            "next_cursor": page[-1]["id"] if len(rows) > 25 else None,
        }
    )


async def open_case(request: Request) -> Response:
    body = await request.json()
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    case = {
        **TEMPLATE,
        "id": f"case_{uuid.uuid4().hex}",
        "subject": body["subject"],
        "description": body["description"],
        "category": body["category"],
        "priority": body.get("priority", "normal"),
        "status": "open",
        "assignee_id": None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    event = {
        "id": f"evt_{uuid.uuid4().hex}",
        "at": now,
        "actor_id": "usr_alice",
        "actor_role": "customer",
        "entity": "case",
        "entity_id": case["id"],
        "case_id": case["id"],
        "type": "case_opened",
        "from_status": None,
        "to_status": "open",
        "note": None,
        "note_public": 1,
    }
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(INSERT_CASE, [case[c] for c in CASE_COLUMNS])
        db.execute(INSERT_EVENT, [event[c] for c in EVENT_COLUMNS])
        db.execute(INSERT_OUTBOX, (event["id"], case["id"], now, now))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    case["order_snapshot"] = json.loads(case["order_snapshot"])
    case["refunds"] = []
    return JSONResponse(case, status_code=201)


app = Starlette(
    routes=[
        Route("/api/v1/support-cases/{case_id}", get_case, methods=["GET"]),
        Route("/api/v1/support-cases", list_cases, methods=["GET"]),
        Route("/api/v1/support-cases", open_case, methods=["POST"]),
    ]
)
