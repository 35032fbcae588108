"""Hostile input over every route and every parameter, read from the app's OpenAPI document:
a new route, parameter or body field is covered without touching this file.

- Refused input (control characters, lone surrogates, wrong types, huge and negative
  numbers, naive and extreme dates, bad cursors, over-long strings, bodies that are not
  objects): every answer is a 4xx problem, and nothing is written (rows of cases, messages,
  refunds, events and users are counted before and after).
- Unusual but valid text (right-to-left marks, emoji, combining characters, other scripts,
  the last code points): never a 5xx, whatever the route does with it.

Each request carries one hostile value; everything else in it is a valid request by a caller
who may make it, so that the value is what is judged.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from sqlalchemy import text

from supportdesk.bootstrap import Container
from supportdesk.devdata import DEMO_PASSWORD
from tests.api.test_access_rules import ADMIN, CUSTOMER, PUBLIC, ROUTES, STAFF
from tests.factories import open_case, request_refund
from tests.files import image_bytes

COUNTED_TABLES = (
    "support_cases",
    "messages",
    "refunds",
    "events",
    "users",
    "notification_settings",
    "webhook_endpoints",
    "attachments",
    "reason_codes",
)

# A valid body per route that takes one. A new route with a body must add one here
# (``test_every_route_with_a_body_has_a_valid_one_here``).
VALID_BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/auth/login"): {"email": "alice@example.com", "password": DEMO_PASSWORD},
    ("POST", "/api/v1/auth/refresh"): {"refresh_token": "{refresh_token}"},
    ("POST", "/api/v1/auth/logout"): {"refresh_token": "{refresh_token}"},
    ("POST", "/api/v1/auth/order-link"): {"order_id": "ORD-3001", "email": "dave@example.com"},
    ("POST", "/api/v1/auth/order-link/redeem"): {"token": "not-a-link"},
    ("POST", "/api/v1/auth/password-reset"): {"email": "carol@example.com"},
    ("POST", "/api/v1/auth/password-reset/confirm"): {
        "token": "not-a-link",
        "password": "lantern-orchard-veranda-41",
    },
    ("POST", "/api/v1/auth/oidc/redeem"): {"code": "a-one-time-code"},
    # A form, as OpenID Connect Back-Channel Logout sends it (FORM_BODIES).
    ("POST", "/api/v1/auth/oidc/backchannel-logout"): {"logout_token": "a.b.c"},
    ("POST", "/api/v1/users"): {
        "email": "dana@example.com",
        "name": "Dana",
        "role": "agent",
        "password": "a-long-enough-password",
    },
    # The world's user is carol, a customer: her role as it is.
    ("PATCH", "/api/v1/users/{user_id}"): {"role": "customer"},
    ("POST", "/api/v1/support-cases"): {
        "order_id": "ORD-1001",
        "subject": "About my order",
        "description": "Something is wrong",
        "category": "damaged_item",
    },
    ("PATCH", "/api/v1/support-cases/{case_id}"): {"priority": "high", "note": "n"},
    ("POST", "/api/v1/support-cases/{case_id}/messages"): {"body": "hello", "internal": False},
    ("POST", "/api/v1/support-cases/{case_id}/refunds"): {
        "items": [{"line_id": "L2", "quantity": 1}],
        "reason": "broken",
        "include_shipping": False,
    },
    ("POST", "/api/v1/support-cases/{case_id}/refunds/quote"): {
        "items": [{"line_id": "L2", "quantity": 1}],
        "reason": "broken",
        "include_shipping": False,
    },
    ("POST", "/api/v1/refunds/{refund_id}/approve"): {"note": "ok"},
    ("POST", "/api/v1/refunds/{refund_id}/reject"): {"reason": "no"},
    ("POST", "/api/v1/refunds/{refund_id}/settlement"): {
        "type": "voucher",
        "amount": 100,
        "note": "n",
        "reference": "r",
    },
    ("POST", "/api/v1/webhook-endpoints"): {
        "url": "https://erp.shop.example/hooks",
        "event_types": ["refund.refunded"],
        "description": "ERP",
    },
    ("PATCH", "/api/v1/webhook-endpoints/{endpoint_id}"): {
        "url": "https://erp.shop.example/hooks/2",
        "event_types": [],
        "description": "ERP",
        "active": False,
    },
    # An unknown case is a row refused with not_found: the request itself is valid.
    ("POST", "/api/v1/support-cases/bulk"): {
        "ids": ["case_x"],
        "changes": {"status": "in_progress", "priority": "high", "assignee_id": "usr_bob"},
    },
    ("POST", "/api/v1/canned-replies"): {
        "title": "Thanks",
        "body": "Hello {{customer.name}}",
        "shared": False,
        "set_status": "resolved",
    },
    ("PATCH", "/api/v1/canned-replies/{reply_id}"): {
        "title": "Thanks",
        "body": "Hello {{customer.name}}",
        "shared": True,
        "set_status": "resolved",
    },
    ("POST", "/api/v1/reason-codes"): {"code": "gift_return", "label": "Gift return"},
    ("PATCH", "/api/v1/reason-codes/{code}"): {"label": "Broken", "active": True},
    ("POST", "/api/v1/refund-policy"): {
        "window_days": 21,
        "final_sale_skus": ["GC-1"],
        "category_windows": [{"category": "electronics", "days": 30}],
        "note": "Longer window",
    },
    ("POST", "/api/v1/refund-policy/dry-run"): {
        "window_days": 21,
        "category_windows": [{"category": "electronics", "days": 30}],
    },
    ("PATCH", "/api/v1/me/notification-settings"): {
        "case_replies": True,
        "new_unassigned": False,
        "supervisor_approvals": True,
    },
    # A multipart form (``Operation.multipart``): the file's bytes and the form's other field.
    ("POST", "/api/v1/support-cases/{case_id}/attachments"): {
        "file": image_bytes(),
        "internal": "false",
    },
}

# Who makes each request: a caller the route lets through, so that the input is judged.
CALLER_OF_RULE = {PUBLIC: None, CUSTOMER: "alice", STAFF: "bob", ADMIN: "admin"}
OWNER_ONLY = {("POST", "/api/v1/refunds/{refund_id}/cancel")}
# Routes that end the caller's sign-in: each request brings a sign-in of its own.
ENDS_A_SIGN_IN = {("POST", "/api/v1/auth/logout")}


class Raw(str):
    """A query or path value sent as it is (already percent-encoded): bytes that are not
    UTF-8 cannot be written any other way."""


@dataclass(frozen=True)
class Slot:
    """One place a value goes: a path, query or header parameter, or a body field
    (``("items", 0, "line_id")``)."""

    where: str
    name: str | tuple[str | int, ...]
    schema: dict[str, Any]


# --- the values ---------------------------------------------------------------------------

CONTROLS = ["a\u0000b", "\u0000", "a\u0001", "\u001b[31mred", "a\u007f", "a\u0085b", "\u009f"]
LINE_BREAKS = ["a\nb", "a\rb", "a\tb"]
SURROGATES_JSON = ["a\ud800b", "\udfff", "\ud83d"]  # sent as JSON escapes
SURROGATES_URL = [Raw("a%ED%A0%80b"), Raw("%FF%FE"), Raw("%C0%80")]  # not UTF-8 at all
NAIVE_AND_EXTREME_DATES = [
    "2030-01-01T10:00",
    "2020-01-01T00:00:00.000001",
    "9999-12-31T23:59:59.999999-23:59",
    "9999-12-31T23:59:59.999999-13:00",
    Raw("0001-01-01T00:00:00%2B01:00"),
    "2020-02-30",
    "0.5",
    "1700000000",
    "-1",
    "99999-01-01",
    "2020-01-01T25:00:00Z",
    "2020-01-01T10:00:00+99:00",
]
BAD_CURSORS = [
    "garbage!",
    "e30",  # {}
    "W10",  # []
    "WzEsMiwzXQ",  # [1,2,3]
    "WyJuYW1lIiwiMjAyNi0wMS0wMVQwMDowMDowMFoiLCJ4Il0",  # ["name", …, "x"]
    "WyItY3JlYXRlZF9hdCIsMWUzMDgsIngiXQ",  # ["-created_at", 1e308, "x"]
    "x" * 501,
]
QUERY_NUMBERS = ["-1", "0", "-99999999999999999999999", "99999999999999999999999", "1.5", "1e3"]
QUERY_NUMBERS += ["abc", "", "0x10", "NaN", "Infinity"]
BODY_NUMBERS: list[Any] = [-1, -(10**30), 10**30, 1e308, 1.5, -0.5, "12", True, "", [], {}]
BODY_BOOLEANS: list[Any] = ["yes", "true", "false", 1, 0, "", [], {}]
WRONG_TYPES_FOR_TEXT: list[Any] = [12345, 1.5, True, [], {}, ["a"], {"a": "b"}]
# How a form writes yes and no: refused in JSON, where true is a boolean, valid in a form.
FORM_SPELLINGS = ("true", "false")
WHOLE_BODIES: list[Any] = [[], "x", 123, True, "[" * 5000 + "]" * 5000, {"unknown_field": 1}]

UNUSUAL_TEXT = [
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u05e9\u05dc\u05d5\u05dd",  # right-to-left mark, Hebrew
    "\u0645\u0631\u062d\u0628\u0627",  # Arabic
    "\U0001f600\U0001f468\u200d\U0001f469\u200d\U0001f467",  # emoji, zero-width joiner
    "e\u0301\u0301\u0301\u0301",  # combining accents
    "\ufeffbom",
    "a\u2028b\u2029c",  # line and paragraph separators (Zl, Zp, not Cc)
    "\uffff\U0010ffff",  # the last code points
    "\U0001d518\U0001d52b\U0001d526",  # mathematical letters
    "\uff21\uff22\uff23\uff11",  # full-width letters and digits
    "%00",  # the three characters, not a NUL
    "' OR 1=1 --",
    '" AND "" = "',
    "\\",
    "_%",
]


def refused_values(slot: Slot) -> Iterator[Any]:
    """Values every place of this kind must refuse."""
    kind, schema = _kind(slot.schema)
    in_url = slot.where in ("path", "query")
    if slot.where == "header":
        yield from ["a\u0000b", "a\u0001", "\u007f", "x" * 10_000]
        if str(slot.name).lower() == "if-match":  # a version: a number we could have issued
            yield from ["-1", "9" * 30]
        return
    if kind == "integer":
        yield from QUERY_NUMBERS if in_url else BODY_NUMBERS
        return
    if kind == "boolean":
        yield from BODY_BOOLEANS
        return
    if kind == "array":
        if in_url:
            yield from [*CONTROLS[:3], *SURROGATES_URL[:1], "nope"]
        else:
            yield from ["x", 1, {}, [None], [[]] * 101, [1], ["x"]]
            if schema.get("minItems", 0) > 0:  # an empty list means something where allowed
                yield []
        return
    yield from CONTROLS
    if slot.where != "body" or not _multiline(slot):
        yield from LINE_BREAKS
    yield from SURROGATES_URL if in_url else SURROGATES_JSON
    if slot.where == "body":
        yield from WRONG_TYPES_FOR_TEXT
    if "maxLength" in schema:
        yield "x" * (schema["maxLength"] + 1)
        yield "\U0001f600" * (schema["maxLength"] + 1)
    if slot.name == "cursor":
        yield from BAD_CURSORS
    if schema.get("pattern") and "\\d{4}" in schema["pattern"]:  # a date
        yield from NAIVE_AND_EXTREME_DATES
    if slot.where == "path":
        yield from ["x" * 10_000, Raw("a%2Fb"), Raw("..%2F..%2Fetc%2Fpasswd")]


def _multiline(slot: Slot) -> bool:
    return bool(slot.name) and slot.name[-1] in ("description", "body", "reason", "note")


def _kind(schema: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The type of a (possibly optional) schema, and the schema of that type."""
    for option in schema.get("anyOf", [schema]):
        if option.get("type") != "null":
            if "$ref" in option:
                return "enum", option
            return option.get("type", "string"), {**schema, **option}
    return "string", schema


# --- the routes ---------------------------------------------------------------------------


@dataclass
class Operation:
    method: str
    template: str
    slots: list[Slot]
    body: Any
    form: bool = False  # the body is application/x-www-form-urlencoded, not JSON
    # The body is a multipart form (a file upload), not JSON.
    multipart: bool = False


def operations(document: dict[str, Any]) -> list[Operation]:
    found = []
    for template, methods in document["paths"].items():
        for method, operation in methods.items():
            key = (method.upper(), template)
            slots = [
                Slot(p["in"], p["name"], p["schema"])
                for p in operation.get("parameters", [])
                if p["in"] in ("path", "query", "header")
            ]
            body = None
            form = False
            multipart = MULTIPART in operation.get("requestBody", {}).get("content", {})
            if "requestBody" in operation:
                body = VALID_BODIES.get(key)
                form = FORM in operation["requestBody"]["content"]
                schema = _body_schema(document, operation)
                slots += list(_body_slots(document, schema, (), body))
            found.append(Operation(key[0], template, slots, body, form, multipart))
    return found


FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def _body_schema(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    content = operation["requestBody"]["content"]
    schema = content.get("application/json", content.get(FORM, content.get(MULTIPART)))["schema"]
    return _resolve(document, schema)


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    for option in schema.get("anyOf", [schema]):
        if "$ref" in option:
            name = option["$ref"].rsplit("/", 1)[1]
            return dict(document["components"]["schemas"][name])
    return schema


def _body_slots(
    document: dict[str, Any], schema: dict[str, Any], prefix: tuple[str | int, ...], body: Any
) -> Iterator[Slot]:
    for name, field in schema.get("properties", {}).items():
        path = (*prefix, name)
        yield Slot("body", path, field)
        items = field.get("items", {})
        if field.get("type") == "array" and "$ref" in items:
            nested = _resolve(document, items)
            if nested.get("type") == "object":
                yield from _body_slots(document, nested, (*path, 0), body)


# --- sending ------------------------------------------------------------------------------


@dataclass
class World:
    ids: dict[str, str]
    callers: dict[str | None, dict[str, str]]
    sign_ins: list[dict[str, str]]


def _url_value(value: Any) -> str:
    return str(value) if isinstance(value, Raw) else quote(str(value), safe="")


def request_for(op: Operation, world: World, slot: Slot | None, value: Any) -> dict[str, Any]:
    """The arguments of ``client.request``: a valid request, with ``value`` in ``slot`` (a
    slot named ``()`` is the whole body)."""
    path_values = {k: quote(v, safe="") for k, v in world.ids.items()}
    query: list[str] = []
    headers: dict[str, str] = dict(world.callers[_caller(op)])
    body = copy.deepcopy(op.body)
    if (op.method, op.template) in ENDS_A_SIGN_IN:
        assert world.sign_ins, "take more sign-ins in the world fixture"
        sign_in = world.sign_ins.pop()
        body["refresh_token"] = sign_in["refresh_token"]
        headers["Authorization"] = f"Bearer {sign_in['access_token']}"
    elif isinstance(body, dict) and body.get("refresh_token") == "{refresh_token}":
        body["refresh_token"] = "not.a.token"
    if slot is not None and slot.where == "body" and slot.name == ():
        body = value
    elif slot is not None and slot.where == "path":
        path_values[str(slot.name)] = _url_value(value)
    elif slot is not None and slot.where == "query":
        query.append(f"{slot.name}={_url_value(value)}")
    elif slot is not None and slot.where == "header":
        headers[str(slot.name)] = value
    elif slot is not None and slot.where == "body":
        body = _set(body if isinstance(body, dict) else {}, slot.name, value)
    url = op.template.format(**path_values) + ("?" + "&".join(query) if query else "")
    arguments: dict[str, Any] = {"method": op.method, "url": url, "headers": headers}
    if op.multipart and not (slot is not None and slot.where == "body" and slot.name == ()):
        # A field of the form holds the value: the file's bytes, or the text of a field.
        fields = {k: v if isinstance(v, bytes) else _form_text(v) for k, v in body.items()}
        arguments["files"] = {"file": ("photo.png", fields.pop("file"), "image/png")}
        arguments["data"] = fields
        return arguments
    if op.form and (op.body is not None or (slot is not None and slot.where == "body")):
        arguments["content"] = _form_body(body)
        arguments["headers"]["Content-Type"] = FORM
    elif op.body is not None or (slot is not None and slot.where == "body"):
        arguments["content"] = body if isinstance(body, str) else json.dumps(body)
        arguments["headers"]["Content-Type"] = "application/json"
    return arguments


def _form_body(body: Any) -> str:
    """A form as a client would write it; a value that is not text goes as its JSON, and a
    lone surrogate as the bytes it would be (which are not UTF-8)."""
    if not isinstance(body, dict):
        return body if isinstance(body, str) else json.dumps(body)
    fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
    return urlencode(fields, errors="surrogatepass")


def _form_text(value: Any) -> str | bytes:
    """A value as a form field carries it: text, or JSON for anything else."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return json.dumps(value)


def _caller(op: Operation) -> str | None:
    if (op.method, op.template) in OWNER_ONLY:
        return "alice"
    return CALLER_OF_RULE.get(ROUTES[(op.method, op.template)], "bob")


def _set(body: dict[str, Any], path: Any, value: Any) -> dict[str, Any]:
    target: Any = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


async def _rows(container: Container) -> dict[str, int]:
    async with container.database.writer.connect() as connection:
        counted = {
            table: (await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
            for table in COUNTED_TABLES
        }
    counted["stored files"] = len(await container.storage.keys())
    return counted


# The test client reads each answer to its end: a live-update stream here ends after a moment
# (its own tests read streams open over a real socket).
# The embedded identity provider is on, so that its routes judge input as they would
# when signing in through one is configured.
pytestmark = pytest.mark.parametrize(
    "settings_overrides",
    [{"sse_max_seconds": 0.05, "sse_heartbeat_seconds": 0.05, "idp_simulator": True}],
    indirect=True,
)


@pytest.fixture
async def world(client: httpx.AsyncClient, as_user) -> World:
    alice = await as_user("alice")
    case = await open_case(client, alice)
    refund = await request_refund(client, alice, case["id"], [("L2", 1)])
    assert refund.status_code == 201, refund.text
    callers: dict[str | None, dict[str, str]] = {None: {}}
    for who in ("alice", "bob", "admin"):
        callers[who] = await as_user(who)
    # Sign-ins for the routes that end one (logout), taken before any hostile sign-in
    # attempt can slow sign-ins down: enough for every value either table sends there.
    sign_ins = []
    for _ in range(40):
        response = await client.post(
            "/api/v1/auth/login", json={"email": "carol@example.com", "password": DEMO_PASSWORD}
        )
        sign_ins.append(response.json())
    users = (await client.get("/api/v1/users", headers=callers["admin"])).json()
    endpoint = await client.post(
        "/api/v1/webhook-endpoints",
        headers=callers["admin"],
        json={"url": "https://erp.shop.example/hooks", "description": "ERP"},
    )
    return World(
        ids={
            "case_id": case["id"],
            "refund_id": refund.json()["id"],
            "order_id": "ORD-1001",
            "user_id": next(u["id"] for u in users if u["email"] == "carol@example.com"),
            "endpoint_id": endpoint.json()["id"],
            "delivery_id": "1",
            "reply_id": "crp_demo_photo",
            "code": "damaged",
        },
        callers=callers,
        sign_ins=sign_ins,
    )


async def _document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _shown(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) < 80 else shown[:77] + "..."


# --- the tests ----------------------------------------------------------------------------


async def test_every_route_with_a_body_has_a_valid_one_here(client: httpx.AsyncClient) -> None:
    missing = [
        (op.method, op.template)
        for op in operations(await _document(client))
        if any(s.where == "body" for s in op.slots) and op.body is None
    ]
    assert not missing, f"routes that take a body without a valid one in VALID_BODIES: {missing}"


async def test_refused_input_is_a_4xx_problem_everywhere_and_writes_nothing(
    client: httpx.AsyncClient, container: Container, world: World
) -> None:
    document = await _document(client)
    before = await _rows(container)
    failures: list[str] = []
    sent = 0
    for op in operations(document):
        cases = [(slot, value) for slot in op.slots for value in refused_values(slot)]
        if op.body is not None:
            cases += [(Slot("body", (), {}), whole) for whole in WHOLE_BODIES]
        for slot, value in cases:
            if (op.form or op.multipart) and value in FORM_SPELLINGS:
                continue
            response = await client.request(**request_for(op, world, slot, value))
            sent += 1
            where = f"{op.method} {op.template} {slot.where}:{slot.name}"
            if not 400 <= response.status_code < 500:
                failures.append(f"{where} = {_shown(value)}: {response.status_code}")
            elif not response.headers["content-type"].startswith("application/problem+json"):
                failures.append(f"{where} = {_shown(value)}: not a problem")
    after = await _rows(container)

    print(f"\nhostile inputs sent: {sent}")
    assert not failures, "\n".join(failures)
    assert after == before
    assert sent > 1000


async def test_unusual_but_valid_text_is_never_a_server_error(
    client: httpx.AsyncClient, world: World
) -> None:
    document = await _document(client)
    failures: list[str] = []
    sent = 0
    for op in operations(document):
        for slot in op.slots:
            kind, schema = _kind(slot.schema)
            if kind != "string" or slot.where == "header" or "pattern" in schema:
                continue
            for value in UNUSUAL_TEXT:
                if slot.name == "cursor":
                    continue
                response = await client.request(**request_for(op, world, slot, value))
                sent += 1
                if response.status_code >= 500:
                    where = f"{op.method} {op.template} {slot.where}:{slot.name}"
                    failures.append(f"{where} = {value!r}: {response.status_code}")

    print(f"\nunusual texts sent: {sent}")
    assert not failures, "\n".join(failures)
    assert sent > 200
