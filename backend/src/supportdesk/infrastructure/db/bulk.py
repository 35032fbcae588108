"""Bulk demo data: a year of realistic support cases, refunds and their history, fast.

For load tests and benchmarks, not for the demo (that is ``seed.py``). Rows are built in
memory batch by batch from one seeded random generator (same seed, same data) and written
with PostgreSQL's COPY or, on SQLite, multi-row executemany in large transactions.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from supportdesk.domain.money import split_over_units
from supportdesk.infrastructure.db.models import EventRecord, RefundRecord, SupportCaseRecord
from supportdesk.infrastructure.db.session import make_engine

FTS_INSERT_TRIGGER = "support_cases_fts_insert"
DAY = timedelta(days=1)
SPAN = timedelta(days=365)
STAFF = (("usr_bob", "agent"), ("usr_sam", "supervisor"), ("usr_admin", "admin"))
DEMO_CUSTOMERS = {"CUST-1001": "usr_alice", "CUST-1002": "usr_carol"}
# The demo orders of the specification, so bulk cases of the demo customers look right.
DEMO_ORDERS: dict[str, list[tuple[str, str, str, int, int, int, int]]] = {
    "ORD-1001": [
        ("L1", "HP-100", "Wireless Headphones", 1, 8999, 0, 1710),
        ("L2", "CBL-2", "USB-C Cable", 3, 999, 300, 512),
    ],
    "ORD-1002": [("L1", "GR-7", "Coffee Grinder", 1, 4999, 0, 950)],
    "ORD-1004": [("L1", "MUG-1", "Mug", 4, 1250, 500, 855)],
    "ORD-1005": [("L1", "TV-55", "Television", 1, 89900, 0, 17081)],
    "ORD-2001": [("L1", "RUN-9", "Running Shoes", 1, 11999, 0, 2280)],
}
PRODUCTS = [
    ("HP-100", "Wireless Headphones", 8999),
    ("CBL-2", "USB-C Cable", 999),
    ("GR-7", "Coffee Grinder", 4999),
    ("LMP-3", "Desk Lamp", 2500),
    ("MUG-1", "Mug", 1250),
    ("TV-55", "Television", 89900),
    ("RUN-9", "Running Shoes", 11999),
    ("KTL-4", "Electric Kettle", 3999),
    ("BLN-2", "Blender", 6999),
    ("BKP-8", "Hiking Backpack", 7499),
    ("JKT-5", "Rain Jacket", 12999),
    ("WCH-1", "Smart Watch", 19999),
    ("SPK-3", "Bluetooth Speaker", 5999),
    ("CHR-6", "Office Chair", 24999),
    ("PAN-2", "Frying Pan", 3499),
    ("TOW-9", "Bath Towel Set", 2999),
    ("MSE-4", "Gaming Mouse", 4999),
    ("KBD-7", "Mechanical Keyboard", 10999),
    ("MON-27", "Monitor", 27999),
    ("CAM-1", "Action Camera", 29999),
    ("VAC-3", "Robot Vacuum", 39999),
    ("TNT-2", "Camping Tent", 15999),
    ("BOT-1", "Water Bottle", 1999),
    ("SNK-4", "Sneakers", 8999),
    ("PIL-2", "Pillow", 2499),
    ("BKS-5", "Cookbook", 2999),
]
CATEGORIES = [
    "damaged_item",
    "wrong_item",
    "missing_item",
    "not_delivered",
    "return_refund",
    "billing",
    "other",
]
CATEGORY_WEIGHTS = [22, 14, 12, 14, 22, 8, 8]
SUBJECTS = {
    "damaged_item": ["{p} arrived damaged", "Broken {p}", "{p} is cracked", "Damaged {p} in box"],
    "wrong_item": ["Wrong {p} delivered", "Received the wrong {p}", "{p} is not what I ordered"],
    "missing_item": ["{p} missing from parcel", "Parcel incomplete, no {p}", "Missing {p}"],
    "not_delivered": ["Order {o} not delivered", "Parcel never arrived", "Where is my {p}?"],
    "return_refund": [
        "Return and refund for {p}",
        "I want to return the {p}",
        "Refund request: {p}",
    ],
    "billing": [
        "Charged twice for order {o}",
        "Invoice question about {o}",
        "Wrong amount charged for {p}",
    ],
    "other": ["Question about my {p}", "Gift wrapping for {o}", "Change address for {o}"],
}
OPENERS = ["Hello,", "Hi team,", "Good morning,", "Dear support,", "Hi,"]
DETAILS = {
    "damaged_item": "the {p} came with a {defect} and the box was {box}.",
    "wrong_item": "I ordered the {p} but got a {colour} one in the wrong size.",
    "missing_item": "the parcel from {courier} arrived but the {p} was not inside.",
    "not_delivered": "tracking with {courier} has not moved for {n} days, "
    "nothing arrived in {city}.",
    "return_refund": "the {p} does not fit my needs and I would like my money back.",
    "billing": "my card was charged {n} times for the {p}, please check the payment.",
    "other": "can you tell me more about the warranty of the {p}?",
}
DEFECTS = [
    "scratched screen",
    "broken hinge",
    "dent on the side",
    "cracked handle",
    "loose cable",
    "torn seam",
    "missing screw",
    "damaged plug",
]
BOXES = ["crushed", "wet", "torn open", "fine", "dented"]
COLOURS = ["red", "blue", "green", "black", "white", "grey", "yellow", "purple"]
COURIERS = ["DHL", "UPS", "DPD", "GLS", "Hermes", "FedEx", "PostNL", "Colissimo"]
CITIES = [
    "Berlin",
    "Paris",
    "Madrid",
    "Rome",
    "Vienna",
    "Lisbon",
    "Dublin",
    "Prague",
    "Warsaw",
    "Amsterdam",
    "Brussels",
    "Copenhagen",
    "Stockholm",
    "Helsinki",
    "Athens",
    "Munich",
    "Lyon",
    "Porto",
    "Krakow",
    "Milan",
    "Hamburg",
    "Valencia",
    "Antwerp",
]
CLOSINGS = [
    "Thanks.",
    "Thank you for your help.",
    "Best regards.",
    "Kind regards.",
    "Please advise.",
]
# About one case in ten thousand mentions it: the benchmark's rare search word.
RARE_SENTENCE = "It came with a theremin manual instead of the right one."
RARE_RATE = 1e-4
SETTLEMENT_TYPES = ["store_credit", "voucher", "bank_transfer", "replacement", "other"]
REFUND_REASONS = [
    "Item arrived damaged",
    "Wrong item",
    "Item missing",
    "Not delivered",
    "Changed my mind",
    "Charged twice",
]


@dataclass(slots=True)
class Batch:
    cases: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class BulkResult:
    cases: int
    refunds: int
    events: int
    seconds: float


class CaseFactory:
    """Makes plausible cases: older ones mostly closed, recent ones still being worked on."""

    def __init__(self, rng: random.Random, now: datetime, total: int) -> None:
        self.rng = rng
        self.now = now
        self.total = total
        self.start = now - SPAN
        self.customers = max(total // 5, 10)
        self.clock = self.start  # the time of the case being made

    def _id(self, prefix: str, at: datetime | None = None) -> str:
        """32 hex digits like the service's own ids, but led by the time (as a ULID is), so
        a year of rows lands at the end of every id index instead of all over it."""
        millis = int(((at or self.clock) - self.start).total_seconds() * 1000)
        return f"{prefix}_{millis:012x}{self.rng.getrandbits(80):020x}"

    def _after(self, at: datetime, most: timedelta) -> datetime:
        return min(at + most * self.rng.random(), self.now)

    def batch(self, first: int, count: int) -> Batch:
        batch = Batch()
        step = SPAN / self.total
        for index in range(first, first + count):
            # In time order, as a live system would have written them.
            created = self.start + step * index + step * self.rng.random()
            created = created.replace(microsecond=created.microsecond // 1000 * 1000)
            self.clock = created
            self._case(batch, created)
        return batch

    def _customer(self) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.02:
            customer_id = rng.choice(list(DEMO_CUSTOMERS))
            return customer_id, DEMO_CUSTOMERS[customer_id]
        number = 2000 + rng.randrange(self.customers)
        return f"CUST-{number}", f"usr_c{number}"

    def _order(self, customer_id: str) -> tuple[str, list[dict[str, Any]], int]:
        rng = self.rng
        if customer_id == "CUST-1002":
            order_id = "ORD-2001"
        elif customer_id == "CUST-1001":
            order_id = rng.choice(["ORD-1001", "ORD-1002", "ORD-1004", "ORD-1005"])
        else:
            order_id = f"ORD-{customer_id[5:]}-{rng.randint(1, 9)}"
        if order_id in DEMO_ORDERS:
            lines = DEMO_ORDERS[order_id]
        else:
            lines = []
            for number, (sku, name, price) in enumerate(rng.sample(PRODUCTS, rng.randint(1, 3))):
                quantity = rng.choice((1, 1, 1, 2, 3))
                discount = rng.choice((0, 0, 0, price * quantity // 10))
                tax = (price * quantity - discount) * 19 // 100
                lines.append((f"L{number + 1}", sku, name, quantity, price, discount, tax))
        keys = ("line_id", "sku", "name", "quantity", "unit_price", "discount", "tax")
        shipping = 0 if lines[0][4] > 50000 else 594
        return order_id, [dict(zip(keys, line, strict=True)) for line in lines], shipping

    def _text(self, category: str, order_id: str, product: str) -> tuple[str, str]:
        rng = self.rng
        subject = rng.choice(SUBJECTS[category]).format(p=product, o=order_id)
        detail = DETAILS[category].format(
            p=product.lower(),
            defect=rng.choice(DEFECTS),
            box=rng.choice(BOXES),
            colour=rng.choice(COLOURS),
            courier=rng.choice(COURIERS),
            city=rng.choice(CITIES),
            n=rng.randint(2, 9),
        )
        parts = [rng.choice(OPENERS), f"about order {order_id}: {detail}"]
        if rng.random() < RARE_RATE:
            parts.append(RARE_SENTENCE)
        parts.append(rng.choice(CLOSINGS))
        return subject, " ".join(parts)

    def _status(self, created: datetime) -> str:
        rng = self.rng
        if self.now - created > 30 * DAY:
            return rng.choices(
                ["closed", "resolved", "in_progress", "waiting_on_customer", "open"],
                [70, 24, 3, 2, 1],
            )[0]
        return rng.choices(
            ["open", "in_progress", "waiting_on_customer", "resolved", "closed"],
            [30, 30, 15, 15, 10],
        )[0]

    def _case(self, batch: Batch, created: datetime) -> None:
        rng = self.rng
        case_id = self._id("case")
        customer_id, customer_user = self._customer()
        order_id, lines, shipping = self._order(customer_id)
        category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
        subject, description = self._text(category, order_id, rng.choice(lines)["name"])
        status = self._status(created)
        events: list[dict[str, Any]] = []
        event = self._history(events, case_id, "support_case", case_id)

        customer = (customer_user, "customer")
        event(created, customer, "case_opened", None, "open", subject)
        at = created
        unassigned = status == "open" and rng.random() < 0.6
        assignee = (
            None
            if unassigned
            else rng.choices(["usr_bob", "usr_sam", "usr_admin", None], [50, 30, 8, 12])[0]
        )
        staff = next((s for s in STAFF if s[0] == assignee), STAFF[0])
        if assignee is not None:
            at = self._after(at, DAY / 2)
            event(at, staff, "assigned", None, None, f"assignee: {assignee}")
        path = {
            "open": [],
            "in_progress": ["in_progress"],
            "waiting_on_customer": ["in_progress", "waiting_on_customer"],
            "resolved": ["resolved"],
            "closed": ["resolved", "closed"],
        }[status]
        source = "open"
        for target in path:
            at = self._after(at, 3 * DAY)
            event(at, staff, "status_changed", source, target, None)
            source = target
        batch.cases.append(
            {
                "id": case_id,
                "customer_id": customer_id,
                "order_id": order_id,
                "subject": subject,
                "description": description,
                "category": category,
                "priority": rng.choices(["low", "normal", "high", "urgent"], [20, 55, 20, 5])[0],
                "status": status,
                "assignee_id": assignee,
                "order_snapshot": {"currency": "EUR", "lines": lines},
                "version": len(events),
                "created_at": created,
                "updated_at": at,
            }
        )
        if category != "other" and rng.random() < 0.36:
            refund_id = self._id("rf")
            batch.refunds.append(
                self._refund(
                    refund_id,
                    case_id,
                    order_id,
                    customer_id,
                    lines,
                    shipping,
                    created,
                    status,
                    self._history(events, case_id, "refund", refund_id),
                    customer,
                    staff,
                )
            )
        batch.events.extend(events)

    def _history(
        self, events: list[dict[str, Any]], case_id: str, entity: str, entity_id: str
    ) -> Callable[..., None]:
        """Appends events of one case or refund: (at, actor, type, from, to, note)."""

        def event(
            at: datetime,
            actor: tuple[str, str],
            type_: str,
            source: str | None,
            target: str | None,
            note: str | None,
        ) -> None:
            events.append(
                {
                    "id": self._id("evt"),
                    "at": at,
                    "actor_id": actor[0],
                    "actor_role": actor[1],
                    "entity": entity,
                    "entity_id": entity_id,
                    "case_id": case_id,
                    "type": type_,
                    "from_status": source,
                    "to_status": target,
                    "note": note,
                }
            )

        return event

    def _refund(
        self,
        refund_id: str,
        case_id: str,
        order_id: str,
        customer_id: str,
        lines: list[dict[str, Any]],
        shipping: int,
        case_created: datetime,
        case_status: str,
        event: Callable[..., None],
        customer: tuple[str, str],
        staff: tuple[str, str],
    ) -> dict[str, Any]:
        rng = self.rng
        items = []
        for line in rng.sample(lines, rng.randint(1, len(lines))):
            gross = line["quantity"] * line["unit_price"] - line["discount"] + line["tax"]
            quantity = rng.randint(1, line["quantity"])
            items.append(
                {
                    "line_id": line["line_id"],
                    "sku": line["sku"],
                    "name": line["name"],
                    "quantity": quantity,
                    "parts": list(split_over_units(gross, line["quantity"])[:quantity]),
                }
            )
        include_shipping = shipping > 0 and rng.random() < 0.3
        shipping_amount = shipping if include_shipping else 0
        total = sum(sum(item["parts"]) for item in items) + shipping_amount
        if case_status in ("closed", "resolved"):
            status = rng.choices(["refunded", "rejected", "cancelled", "settled"], [62, 14, 8, 16])[
                0
            ]
        else:
            status = rng.choices(
                [
                    "requested",
                    "approved",
                    "processing",
                    "failed",
                    "refunded",
                    "rejected",
                    "cancelled",
                    "settled",
                ],
                [40, 10, 3, 4, 25, 8, 4, 6],
            )[0]
        created = self._after(case_created, DAY)
        delivered = case_created - rng.randint(1, 20) * DAY
        reason = rng.choice(REFUND_REASONS)
        event(created, customer, "refund_requested", None, "requested", reason)
        steps = {
            "requested": [],
            "approved": [("refund_approved", "approved")],
            "processing": [("refund_approved", "approved"), ("execution_started", "processing")],
            "refunded": [
                ("refund_approved", "approved"),
                ("execution_started", "processing"),
                ("refund_succeeded", "refunded"),
            ],
            "failed": [
                ("refund_approved", "approved"),
                ("execution_started", "processing"),
                ("refund_failed", "failed"),
            ],
            "rejected": [("refund_rejected", "rejected")],
            "cancelled": [("refund_cancelled", "cancelled")],
            "settled": [("refund_settled", "settled")],
        }[status]
        at, source = created, "requested"
        for type_, target in steps:
            at = self._after(at, DAY if type_ == "refund_approved" else timedelta(minutes=5))
            note = "attempt 1" if type_ == "execution_started" else None
            event(
                at, customer if type_ == "refund_cancelled" else staff, type_, source, target, note
            )
            source = target
        approved = any(type_ == "refund_approved" for type_, _ in steps)
        closes = delivered + 14 * DAY
        settled_amount = rng.randint(0, total)
        return {
            "id": refund_id,
            "support_case_id": case_id,
            "order_id": order_id,
            "customer_id": customer_id,
            "payment_reference": f"pi_{rng.getrandbits(64):016x}",
            "delivered_at": delivered,
            "status": status,
            "currency": "EUR",
            "items": items,
            "include_shipping": include_shipping,
            "shipping_amount": shipping_amount,
            "total_amount": total,
            "reason": reason,
            "approval_window": {
                "delivered_at": delivered.isoformat(),
                "closes_at": closes.isoformat(),
                "open": True,
            }
            if approved
            else None,
            "settlement": {
                "type": rng.choice(SETTLEMENT_TYPES),
                "amount": settled_amount,
                "note": "goodwill settlement",
                "reference": None,
            }
            if status == "settled"
            else None,
            "gateway_refund_id": f"re_{rng.getrandbits(96):024x}"
            if status in ("processing", "refunded")
            else None,
            "failure_reason": "card_declined" if status == "failed" else None,
            "attempt": 1 if status in ("processing", "refunded", "failed") else 0,
            "reconcile_lease_until": None,
            "version": 1 + len(steps),
            "created_at": created,
            "updated_at": at,
            "final_at": at if status in ("refunded", "rejected", "cancelled", "settled") else None,
        }


def generate(cases: int, *, seed: int, batch: int, now: datetime) -> Iterator[Batch]:
    """The batches of a bulk load; the same seed and ``now`` make the same rows."""
    factory = CaseFactory(random.Random(seed), now, cases)
    for first in range(0, cases, batch):
        yield factory.batch(first, min(batch, cases - first))


async def seed_bulk(
    database_url: str,
    *,
    cases: int,
    seed: int = 1,
    batch: int = 10_000,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> BulkResult:
    """Adds ``cases`` cases (about a third with a refund) and their history; returns counts."""
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    engine = make_engine(database_url, write=True)
    totals = [0, 0, 0]
    try:
        async with engine.connect() as connection:
            postgres = connection.dialect.name == "postgresql"
            text_index = None
            if not postgres:
                await _sqlite_bulk_pragmas(connection)
                text_index = await _SqliteTextIndex.pause(connection)
            for number, rows in enumerate(generate(cases, seed=seed, batch=batch, now=now)):
                if postgres:
                    await _copy(connection, rows)
                else:
                    await _insert(connection, rows)
                totals = [
                    totals[0] + len(rows.cases),
                    totals[1] + len(rows.refunds),
                    totals[2] + len(rows.events),
                ]
                # Large transactions, but a bounded WAL on SQLite.
                if postgres or (number + 1) % 10 == 0:
                    if text_index:
                        await text_index.resume(connection)
                    await connection.commit()
                    if text_index:
                        text_index = await _SqliteTextIndex.pause(connection)
                if progress:
                    progress(totals[0])
            if text_index:
                await text_index.resume(connection)
            await connection.commit()
            # Fresh planner statistics, or the first queries over the new rows plan blind.
            # On PostgreSQL VACUUM also merges the GIN indexes' pending lists, which every
            # text search would otherwise read through (3 ms instead of 10-15 ms at 1M).
            if postgres:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.exec_driver_sql("VACUUM ANALYZE support_cases, refunds, events")
            else:
                # Likewise, merge the FTS segments the per-transaction fills have left.
                if text_index:
                    await connection.exec_driver_sql(
                        "INSERT INTO support_cases_fts(support_cases_fts) VALUES ('optimize')"
                    )
                await connection.exec_driver_sql("ANALYZE")
                await connection.commit()
    finally:
        await engine.dispose()
    return BulkResult(
        cases=totals[0], refunds=totals[1], events=totals[2], seconds=time.perf_counter() - started
    )


async def _sqlite_bulk_pragmas(connection: AsyncConnection) -> None:
    """A lost bulk load is simply run again, so durability is traded for speed here.
    Run before the first statement: SQLite refuses some of these inside a transaction."""
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    for pragma in ("synchronous=OFF", "cache_size=-1048576", "temp_store=MEMORY"):
        await driver.execute(f"PRAGMA {pragma}")


@dataclass(frozen=True, slots=True)
class _SqliteTextIndex:
    """Fills the full-text table of migration 0002 once per transaction instead of once per
    row from its insert trigger, which is many times slower. The trigger is dropped and made
    again inside the same write transaction, so no other writer ever sees it missing."""

    trigger_sql: str
    rowid_before: int

    @classmethod
    async def pause(cls, connection: AsyncConnection) -> _SqliteTextIndex | None:
        trigger_sql = await connection.scalar(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
            {"name": FTS_INSERT_TRIGGER},
        )
        if trigger_sql is None:
            return None
        rowid_before = await connection.scalar(text("SELECT max(rowid) FROM support_cases"))
        await connection.exec_driver_sql(f"DROP TRIGGER {FTS_INSERT_TRIGGER}")
        return cls(trigger_sql=trigger_sql, rowid_before=rowid_before or 0)

    async def resume(self, connection: AsyncConnection) -> None:
        await connection.execute(
            text(
                "INSERT INTO support_cases_fts(rowid, subject, description) "
                "SELECT rowid, subject, description FROM support_cases WHERE rowid > :before"
            ),
            {"before": self.rowid_before},
        )
        await connection.exec_driver_sql(self.trigger_sql)


async def _insert(connection: AsyncConnection, rows: Batch) -> None:
    await connection.execute(insert(SupportCaseRecord), rows.cases)
    if rows.refunds:
        await connection.execute(insert(RefundRecord), rows.refunds)
    await connection.execute(insert(EventRecord), rows.events)


async def _copy(connection: AsyncConnection, rows: Batch) -> None:
    """COPY, the fastest way into PostgreSQL; JSON goes in as text."""
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    jsons = {"order_snapshot", "items", "approval_window", "settlement"}
    for table, records in (
        ("support_cases", rows.cases),
        ("refunds", rows.refunds),
        ("events", rows.events),
    ):
        if not records:
            continue
        columns = list(records[0])
        await driver.copy_records_to_table(
            table,
            columns=columns,
            records=[
                tuple(
                    json.dumps(r[c]) if c in jsons and r[c] is not None else r[c] for c in columns
                )
                for r in records
            ],
        )
