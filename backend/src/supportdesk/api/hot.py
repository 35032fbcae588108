"""The reads most requests are for, a case by id and a page of cases, served as plain
Starlette routes.

A GET of a case spent a third of its CPU in FastAPI's own work around the use case:
matching the path through the included routers (~12 %), solving its dependencies
(``check_request``, the actor, the service: ~18 %) and serialising the returned model
(bench/README.md). Here the route is matched first, on its own, and the same parts are
called directly, in the same order: the request's checks, the actor, the use case, the
presenter, the model's own JSON. Errors are raised to the same exception handlers.

The list spent a fifth of its CPU there too, half of it checking its fourteen query
parameters one by one (``request_params_to_args``). Here the parameters each function
declares (``case_filters``, ``list_cases``) are read from its signature by FastAPI's own
analysis, once, into one pydantic model per function, and checked in one call per
request, in FastAPI's order: the filters, which are only built when theirs are all good,
then the page's own.

The FastAPI routes (``routes/cases.py``'s ``get_case`` and ``list_cases``) stay: they are
what the OpenAPI document describes, and what answers if these routes are not installed.
A test holds the two to the same answers (``tests/api/test_hot_route.py``).
"""

from __future__ import annotations

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
from starlette.types import Scope

from supportdesk.api.boundary import check_parameters
from supportdesk.api.deps import actor_of, case_service, etag, read_queries
from supportdesk.api.filters import case_filters
from supportdesk.api.presenters import case_out
from supportdesk.api.routes import cases as documented

# The other GETs at /support-cases/<one segment>: theirs, not a case id.
_NOT_CASE_IDS = frozenset({"export.csv"})


async def get_case(request: Request) -> Response:
    # The API router's ``check_request`` is ``check_parameters`` and, for a route that
    # reads a body, its type: a GET reads none.
    await check_parameters(request)
    actor = await actor_of(request)
    cases = await case_service(request)
    view = await cases.get(request.path_params["case_id"], actor)
    out = case_out(view.case, view.refunds, actor, view.sla, view.read_at)
    return Response(
        out.model_dump_json(by_alias=True),
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
    out = await documented.page_of_cases(read, actor, filters, **page_values)
    return Response(out.model_dump_json(by_alias=True), media_type="application/json")


class HotRoute(Route):
    """A plain route that metrics and logs name by its template, as they name FastAPI's."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is Match.NONE:
            return match, child_scope
        if child_scope["path_params"].get("case_id") in _NOT_CASE_IDS:
            return Match.NONE, {}
        return match, {**child_scope, "route": self}


def hot_routes(prefix: str) -> list[Route]:
    return [
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
