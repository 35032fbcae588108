"""What the API takes as text, checked once at the boundary for every route.

No control character (Unicode category Cc) and no lone surrogate (Cs) gets past the
boundary: PostgreSQL refuses NUL in text, SQLite's full-text search chokes on it, a lone
surrogate cannot be encoded as UTF-8 at all, and the rest only ever come from a broken or
hostile client. Free text (a description, a message, a reason, a note) may hold tabs and line
breaks; everything else (query strings, path segments, the headers we read, and single-line
body fields such as an email or a subject) may not.

Bodies are checked by the input models (``schemas.Input``); parameters by
``check_parameters``, a dependency of the whole API router. Both answer 422
``validation_error`` naming where the character was (``["query", "q"]``).
"""

from __future__ import annotations

import email.message
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException

# Cc is U+0000-U+001F and U+007F-U+009F; Cs is U+D800-U+DFFF.
_NOT_IN_FREE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_ON_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def unwanted_character(value: str, *, multiline: bool) -> str | None:
    """The first character that text may not hold, or None."""
    found = (_NOT_IN_FREE_TEXT if multiline else _NOT_ON_ONE_LINE).search(value)
    return found.group() if found else None


def describe(character: str, *, multiline: bool) -> str:
    code = f"U+{ord(character):04X}"
    if character in "\t\n\r":
        return f"{code} is a tab or line break; this text must be a single line"
    kind = "a lone surrogate" if "\ud800" <= character <= "\udfff" else "a control character"
    allowed = " other than tab and line breaks" if multiline else ""
    return f"{code} is {kind}; this text may hold none{allowed}"


def refuse_unwanted(value: Any, *, multiline: bool) -> None:
    """Raise a pydantic error for the first unwanted character in a text or a list of
    texts. Objects are left to their own input model, so that the error names the field."""
    if isinstance(value, str):
        character = unwanted_character(value, multiline=multiline)
        if character is not None:
            raise PydanticCustomError(
                "control_character",
                "{detail}",
                {"detail": describe(character, multiline=multiline)},
            )
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_unwanted(item, multiline=multiline)


def one_line(value: str) -> str:
    """For single-line fields: no tab or line break inside (those around are trimmed)."""
    refuse_unwanted(value, multiline=False)
    return value


# Per route (kept alive by the app), the headers it reads: routes do not change once served.
_HEADERS_READ: dict[int, tuple[APIRoute, frozenset[str]]] = {}


def _headers_read_by(route: Any) -> frozenset[str]:
    """The headers a route declares, its dependencies' included (walked once per route)."""
    if not isinstance(route, APIRoute):
        return frozenset()
    known = _HEADERS_READ.get(id(route))
    if known is not None and known[0] is route:
        return known[1]

    def walk(dependant: Dependant) -> set[str]:
        names = {field.alias.lower() for field in dependant.header_params}
        return names.union(*(walk(sub) for sub in dependant.dependencies))

    names = frozenset(walk(route.dependant))
    _HEADERS_READ[id(route)] = (route, names)
    return names


async def check_request(request: Request) -> None:
    """What every API route checks before anything of its own, as one dependency (each
    dependency solved costs per request): the parameters, then the body's type."""
    await check_parameters(request)
    await require_json(request)


async def check_parameters(request: Request) -> None:
    """Path parameters, query parameters and the headers a route reads hold no control
    character: 422 naming the first bad one of each."""
    found: list[dict[str, Any]] = []

    def check(where: str, name: str, value: str) -> None:
        character = unwanted_character(value, multiline=False)
        if character is not None:
            found.append(
                {
                    "loc": (where, name),
                    "msg": describe(character, multiline=False),
                    "type": "control_character",
                    "input": value,
                }
            )

    for name, value in request.path_params.items():
        check("path", name, str(value))
    for name in _not_utf8(request.scope.get("query_string", b"")):
        found.append(
            {
                "loc": ("query", name),
                "msg": "not UTF-8 once percent-decoded",
                "type": "unicode_decode",
                "input": None,
            }
        )
    for name, value in request.query_params.multi_items():
        check("query", name, value)
    for name in _headers_read_by(request.scope.get("route")):
        value = request.headers.get(name)
        if value is not None:
            check("header", name, value)
    if found:
        raise RequestValidationError(found)


def _not_utf8(query_string: bytes) -> list[str]:
    """The names of query parameters whose name or value is not UTF-8 (which the query
    parser would silently turn into U+FFFD)."""
    names = []
    for part in query_string.split(b"&"):
        name, _, value = part.partition(b"=")
        try:
            for raw in (name, value):
                unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            names.append(unquote_to_bytes(name).decode("utf-8", "replace"))
    return names


def _is_json(content_type: str) -> bool:
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


async def require_json(request: Request) -> None:
    """A route that takes a JSON body refuses a body of another type with 415, rather than
    trying to read it and complaining about its shape (the upload of a file checks its own:
    ``api/multipart.py``)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or route.body_field is None:
        return
    headers = request.headers
    has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
    content_type = headers.get("content-type")
    if has_body and (content_type is None or not _is_json(content_type)):
        raise HTTPException(
            415,
            detail=f"send the body as application/json, not {content_type or 'untyped'}",
        )
