"""Plain data to JSON by orjson, as pydantic writes it."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic_core import to_jsonable_python
from starlette.responses import JSONResponse


def encode_json(data: Any) -> bytes:
    """Plain data as pydantic's ``to_json`` writes it (UTC as ``Z``, enums by value, UTF-8
    unescaped), by orjson: a page of 25 cases in 0.03 ms instead of 0.31, a seventh of the
    list's CPU (bench/README.md). A type orjson does not know is handed to pydantic."""
    return orjson.dumps(data, default=to_jsonable_python, option=orjson.OPT_UTC_Z)


class PlainJSONResponse(JSONResponse):
    """A JSON answer of plain data, encoded by ``encode_json`` rather than the standard
    library's ``json.dumps`` (with pydantic's ``model_dump`` before it)."""

    def render(self, content: Any) -> bytes:
        return encode_json(content)
