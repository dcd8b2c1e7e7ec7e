"""RFC 9457 problem+json responses for every API error, with field errors for bad input."""

from __future__ import annotations

import math

from flask import Response, json
from werkzeug.exceptions import HTTPException

from hearth.clock import utcnow
from hearth.errors import DomainError

PROBLEM = "application/problem+json"


def _plain(messages):
    """Error messages with string keys all the way down: marshmallow keys a list's items by index
    (`{"preferred_channels": {1: [...], "_schema": [...]}}`), and JSON objects (sorted) need strings."""
    if isinstance(messages, dict):
        return {str(key): _plain(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [_plain(value) for value in messages]
    return messages if isinstance(messages, (int, float, bool, type(None))) else str(messages)


def problem(status: int, title: str, detail: str | None = None, *, errors: dict | None = None,
            headers: dict | None = None) -> Response:
    body: dict = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = _plain(errors)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def from_domain(error: DomainError) -> Response:
    fields = {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in error.fields.items()}
    headers = {}
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="hearth"'
    if getattr(error, "until", None) is not None:  # Locked: when the client may try again
        headers["Retry-After"] = str(max(1, math.ceil((error.until - utcnow()).total_seconds())))
    return problem(error.status, error.title, str(error.message), errors=fields or None, headers=headers)


def from_http(error: HTTPException) -> Response:
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    if isinstance(errors, dict) and set(errors) <= {"json", "query", "form", "headers", "files", "path"}:
        # webargs nests messages by location; flatten body and query errors to field names.
        flat: dict = {}
        for location_errors in errors.values():
            flat.update(location_errors if isinstance(location_errors, dict) else {"_schema": location_errors})
        errors = flat
    status = error.code or 500
    detail = data.get("message") or (error.description if status < 500 else None)
    headers = dict(data.get("headers") or {})
    return problem(status, error.name, detail, errors=errors or None, headers=headers)
