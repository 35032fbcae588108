"""The reads most requests are for, a case by id and a page of cases, served as plain
Starlette routes.

A GET of a case spent a third of its CPU in FastAPI's own work around the use case:
matching the path through the included routers (~12 %), solving its dependencies
(``check_request``, the actor, the service: ~18 %) and serialising the returned model
(bench/README.md). Here the route is matched first, on its own, and the same parts are
called directly, in the same order: the request's checks, the actor, the use case, the
presenter, and the answer's plain data encoded by orjson, as the list's is (below):
validating it into ``SupportCaseOut`` and pydantic's JSON were a tenth of the GET's
CPU. Errors are raised to the same exception handlers.

The list spent a fifth of its CPU there too, half of it checking its fourteen query
parameters one by one (``request_params_to_args``). Here the parameters each function
declares (``case_filters``, ``list_cases``) are read from its signature by FastAPI's own
analysis, once, into one pydantic model per function, and checked in one call per
request, in FastAPI's order: the filters, which are only built when theirs are all good,
then the page's own.

Opening a case spent a sixth of its CPU solving the dependencies of its route and a
twentieth matching it. Here a plain route serves the request that is plainly good to go:
a JSON body of a declared length that makes a valid ``CaseCreateIn``, and a well-formed
Idempotency-Key if any. Every other request (another content type, a body that does not
parse or validate, a chunked body, a key too long) is handed, its body as it came, to the
FastAPI route, which answers it as it always has: the plain route never words a
refusal of its own about the request's shape.

The FastAPI routes (``routes/cases.py``'s ``get_case``, ``list_cases`` and ``open_case``)
stay: they are what the OpenAPI document describes, and what answers if these routes are
not installed.
A test holds the two to the same answers (``tests/api/test_hot_route.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi._compat import field_annotation_is_sequence
from fastapi.dependencies.utils import get_dependant
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError, create_model
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Message, Receive, Scope, Send

from supportdesk.api.boundary import check_parameters, unwanted_character
from supportdesk.api.deps import actor_of, cache_backend, case_service, etag, read_queries
from supportdesk.api.encoding import encode_json
from supportdesk.api.filters import case_filters
from supportdesk.api.idempotency import MOST_KEY_CHARACTERS, fingerprint, key_scope, once
from supportdesk.api.presenters import case_fields
from supportdesk.api.routes import cases as documented
from supportdesk.api.schemas import CaseCreateIn

# The other GETs at /support-cases/<one segment>: theirs, not a case id.
_NOT_CASE_IDS = frozenset({"export.csv"})


async def get_case(request: Request) -> Response:
    # The API router's ``check_request`` is ``check_parameters`` and, for a route that
    # reads a body, its type: a GET reads none.
    await check_parameters(request)
    actor = await actor_of(request)
    cases = await case_service(request)
    view = await cases.get(request.path_params["case_id"], actor)
    # Encoded as it is, not validated, as the list is (below); the same test holds it to
    # the documented route's answers.
    out = case_fields(view.case, view.refunds, actor, view.sla, view.read_at)
    return Response(
        encode_json(out),
        media_type="application/json",
        headers={"ETag": etag(view.case.version)},
    )


class QueryParameters:
    """The query parameters a FastAPI dependency or endpoint declares, with their types,
    constraints, validators and defaults, checked as one model."""

    def __init__(self, call: Callable[..., Any]) -> None:
        fields = get_dependant(path="", call=call).query_params
        self._read = [
            (field.name, field_annotation_is_sequence(field.field_info.annotation))
            for field in fields
        ]
        assert all(field.alias == field.name for field in fields), "aliases are not read"
        definitions: dict[str, Any] = {
            field.name: (field.field_info.annotation, field.field_info) for field in fields
        }
        self._model: type[BaseModel] = create_model(f"{call.__name__}_query", **definitions)

    def check(self, params: QueryParams) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The values, or FastAPI's errors for them. As FastAPI reads a query: all of a
        list's values, else the last one; an empty list is as if not sent."""
        sent: dict[str, Any] = {}
        for name, is_list in self._read:
            value: Any = params.getlist(name) if is_list else params.get(name)
            if value is not None and value != []:
                sent[name] = value
        try:
            return self._model.model_validate(sent).__dict__, []
        except ValidationError as refused:
            return {}, [
                {"loc": ("query", *e["loc"]), "msg": e["msg"], "type": e["type"]}
                for e in refused.errors(include_url=False)
            ]


_CASE_FILTERS = QueryParameters(case_filters)
_LIST_OF_CASES = QueryParameters(documented.list_cases)


async def list_cases(request: Request) -> Response:
    await check_parameters(request)
    actor = await actor_of(request)
    read = await read_queries(request)
    filter_values, errors = _CASE_FILTERS.check(request.query_params)
    filters = None if errors else await case_filters(actor, **filter_values)
    page_values, page_errors = _LIST_OF_CASES.check(request.query_params)
    if filters is None or page_errors:
        raise RequestValidationError(errors + page_errors)
    # Encoded as it is, not validated: the same data the documented route validates
    # (``page_of_case_fields``); a test holds the two routes to the same answers.
    out = await documented.page_of_case_fields(read, actor, filters, **page_values)
    return Response(encode_json(out), media_type="application/json")


# Set on a request a plain route handed on: the router then matches the FastAPI route.
_HANDED_ON = "supportdesk.hot_route_handed_on"


class HotRoute(Route):
    """A plain route that metrics and logs name by its template, as they name FastAPI's."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get(_HANDED_ON):
            return Match.NONE, {}
        match, child_scope = super().matches(scope)
        if match is Match.NONE:
            return match, child_scope
        if child_scope["path_params"].get("case_id") in _NOT_CASE_IDS:
            return Match.NONE, {}
        return match, {**child_scope, "route": self}


class OpenCaseRoute(HotRoute):
    """``POST /support-cases`` for a request plainly good to go; any other is handed on."""

    def __init__(self, path: str) -> None:
        super().__init__(
            path, self._unused, methods=["POST"], include_in_schema=False, name="open_case_hot"
        )

    @staticmethod
    async def _unused(request: Request) -> Response:  # pragma: no cover - handle() serves
        raise AssertionError("served by handle()")

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        headers = request.headers
        key = headers.get("idempotency-key")
        if not (
            scope["method"] == "POST"  # another is this route's only as a partial match
            and _is_plain_json(headers.get("content-type"))
            and (headers.get("content-length") or "0") != "0"
            and "transfer-encoding" not in headers
            and (key is None or _is_plain_key(key))
        ):
            await self._hand_on(scope, receive, send)
            return
        body = await request.body()
        try:
            # As FastAPI reads it: the standard library's parser, then the model.
            asked = CaseCreateIn.model_validate(json.loads(body))
        except (ValueError, RecursionError, ValidationError):
            await self._hand_on(scope, _replaying(body, receive), send)
            return
        await check_parameters(request)
        actor = await actor_of(request)
        cases = await case_service(request)
        response = await once(
            await cache_backend(request),
            key_scope(documented.OPEN_CASE, [], actor),
            key,
            lambda: documented.opened_case(cases, asked, actor),
            # Only a key's request is compared with a retry's.
            request=fingerprint(asked) if key is not None else "",
        )
        await response(scope, receive, send)

    @staticmethod
    async def _hand_on(scope: Scope, receive: Receive, send: Send) -> None:
        scope[_HANDED_ON] = True
        await scope["app"].router(scope, receive, send)


def _is_plain_json(content_type: str | None) -> bool:
    return content_type is not None and (
        content_type.partition(";")[0].strip().lower() == "application/json"
    )


def _is_plain_key(key: str) -> bool:
    return 0 < len(key) <= MOST_KEY_CHARACTERS and (
        unwanted_character(key, multiline=False) is None
    )


def _replaying(body: bytes, receive: Receive) -> Receive:
    """``receive`` as it was before the body was read from it."""
    pending = [body]

    async def replay() -> Message:
        if pending:
            return {"type": "http.request", "body": pending.pop(), "more_body": False}
        return await receive()

    return replay


def hot_routes(prefix: str) -> list[Route]:
    return [
        OpenCaseRoute(f"{prefix}/support-cases"),
        HotRoute(
            f"{prefix}/support-cases",
            list_cases,
            methods=["GET"],
            include_in_schema=False,
            name="list_cases_hot",
        ),
        HotRoute(
            f"{prefix}/support-cases/{{case_id}}",
            get_case,
            methods=["GET"],
            include_in_schema=False,
            name="get_case_hot",
        ),
    ]
