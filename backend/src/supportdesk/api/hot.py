"""The one read most requests are for, a case by id, served as a plain Starlette route.

A GET of a case spent a third of its CPU in FastAPI's own work around the use case:
matching the path through the included routers (~12 %), solving its dependencies
(``check_request``, the actor, the service: ~18 %) and serialising the returned model
(bench/README.md). Here the route is matched first, on its own, and the same parts are
called directly, in the same order: the request's checks, the actor, the use case, the
presenter, the model's own JSON. Errors are raised to the same exception handlers.

The FastAPI route (``routes/cases.py``'s ``get_case``) stays: it is what the OpenAPI
document describes, and what answers if this route is not installed. A test holds the two
to the same answers (``tests/api/test_hot_route.py``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from supportdesk.api.boundary import check_parameters
from supportdesk.api.deps import actor_of, case_service, etag
from supportdesk.api.presenters import case_out

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
            f"{prefix}/support-cases/{{case_id}}",
            get_case,
            methods=["GET"],
            include_in_schema=False,
            name="get_case_hot",
        )
    ]
