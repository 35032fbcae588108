"""The OpenAPI document says, per operation, which problems it can answer, and no more.

Two sources, one document:
- what follows from how a route is built, the same for every route built that way: a body
  can be malformed (400), too large (413), of a type we do not read (415) or invalid
  (422); parameters can be invalid
  (422); a signed-in route answers 401 without a valid token and 429 past the budget; and
  every route that reads the database or the cache answers 503 when they are down;
- what follows from the use case, declared next to the route with ``problems(...)``: 403,
  404, 409, a business 422, 502 and 503 from the order system or the payment gateway.

Problem bodies are ``application/problem+json`` with the ``Problem`` schema, so a client
generator and a schema-checking fuzzer both see what is really sent.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from supportdesk.api.errors import PROBLEM_JSON
from supportdesk.api.schemas import Problem

PROBLEM_REF = "#/components/schemas/Problem"
# Answers nothing but "the process runs": no dependency, no input, no way to fail.
NEVER_FAILS = frozenset({"/api/v1/health/live"})


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The problem answers a route gives for its use case's rules, for ``responses=``."""
    return {status: _problem_response(status) for status in statuses}


def csv_answer(row: str) -> dict[int | str, dict[str, Any]]:
    """A CSV download's success, for ``responses=``."""
    return {
        200: {
            "description": f"CSV, a header line and one line per {row}",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}},
    }


def _built_in_problems(path: str, operation: dict[str, Any]) -> set[int]:
    """The problems that follow from how the operation is built, read from its own entry."""
    if path in NEVER_FAILS:
        return set()
    statuses = {503}
    if "requestBody" in operation:
        statuses |= {400, 413, 415, 422}
    if operation.get("parameters"):
        statuses.add(422)
    if operation.get("security"):
        statuses |= {401, 429}
    return statuses


def _as_fastapi_writes_it(schema: dict[str, Any]) -> dict[str, Any]:
    """FastAPI leaves out ``"default": null``; so do we, so that clients generated from the
    document keep an optional field optional."""
    for field in schema.get("properties", {}).values():
        if "default" in field and field["default"] is None:
            del field["default"]
    return schema


def install_openapi(app: FastAPI) -> None:
    """Build the document once, with each operation's problems declared."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = get_openapi(
            title=app.title,
            version=app.version,
            openapi_version=app.openapi_version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
            servers=app.servers,
            separate_input_output_schemas=app.separate_input_output_schemas,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, schema in {**problem_schema.pop("$defs", {}), "Problem": problem_schema}.items():
            schemas[name] = _as_fastapi_writes_it(schema)
        for path, operations in document.get("paths", {}).items():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                # Replaces FastAPI's own 422 entry too: ours is a problem, not its error list.
                for status in _built_in_problems(path, operation):
                    responses[str(status)] = _problem_response(status)
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
