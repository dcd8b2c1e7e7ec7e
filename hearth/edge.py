"""Bounds on what comes in over HTTP, set once for the portal and the API alike.

- URL parts: `<int:…>` stops at the Integer column's range and `<…>`/`<string:…>` refuse a NUL byte,
  so a bigger number or a "%00" is a 404 (no route), never a database error;
- JSON bodies: at most MAX_JSON_DEPTH levels of arrays and objects, no NaN or Infinity (a body of
  1,000 nested arrays is a 400, not a RecursionError);
- request size: MAX_CONTENT_LENGTH (config), a 413 answered by the app's error handlers;
- headers kept in the audit trail and session list (User-Agent): `header_text`, no NUL, bounded.

Values inside a body or a query string are bounded by the schema fields (hearth.schemas.fields).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

from hearth.schemas.fields import INT32_MAX

MAX_JSON_DEPTH = 32


def up_to(limit: int) -> str:
    """A regex matching the decimal numbers 1..limit, without leading zeros.

    The bound must be in the regex: werkzeug treats a rule whose converter refuses the value after
    matching as "this path exists with other methods" and answers 405 instead of 404.
    """
    digits = str(limit)
    parts = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, d in enumerate(digits):
        low = "1" if i == 0 else "0"
        if int(d) > int(low):
            parts.append(f"{digits[:i]}[{low}-{int(d) - 1}][0-9]{{{len(digits) - i - 1}}}")
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` for ids of Integer columns: 1..INT32_MAX; anything else matches no route (404)."""

    regex = up_to(INT32_MAX)

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = INT32_MAX,
                 signed: bool = False) -> None:
        if fixed_digits or signed or (min, max) != (1, INT32_MAX):
            raise ValueError("<int:…> is for ids; declare another converter for other numbers")
        super().__init__(map, min=1, max=INT32_MAX)


class TextConverter(UnicodeConverter):
    """`<name>` and `<string:name>` without NUL bytes (PostgreSQL cannot compare them)."""

    def to_python(self, value: str) -> str:
        if "\x00" in value:
            raise ValidationError()
        return value


_CONTROLS = dict.fromkeys([*range(0, 9), *range(10, 32), 127])


def header_text(value: str | None, limit: int = 300) -> str | None:
    """A request header kept for the record (User-Agent): control characters (NUL) dropped, at most `limit`."""
    if value is None:
        return None
    return value.translate(_CONTROLS)[:limit] or None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def check_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """ValueError when arrays and objects nest deeper than `limit` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            raise ValueError(f"JSON nested deeper than {limit} levels")
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def loads(data: str | bytes, **kwargs: Any) -> Any:
    """json.loads for untrusted input: ValueError for bad, too deep, NaN/Infinity or undecodable text."""
    try:
        value = json.loads(data, parse_constant=_refuse_constant, **kwargs)
    except RecursionError:
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    check_depth(value)
    return value


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider whose `loads` (request.get_json, webargs through api.blueprint) is bounded."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)


def init_edge(app: Flask) -> None:
    """Install the converters and the JSON provider; call before any blueprint is registered."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
    app.json = BoundedJSONProvider(app)
