"""RFC 9457 problem+json responses for every API error, with field errors for bad input."""

from __future__ import annotations

import math

from flask import Response, json
from werkzeug.exceptions import HTTPException

from hearth.clock import utcnow
from hearth.errors import DomainError
from hearth.i18n import _l
from hearth.schemas.messages import translate

PROBLEM = "application/problem+json"

# Titles for the HTTP errors the framework and libraries raise (werkzeug's names are English only).
TITLES = {
    400: _l("Bad request"),
    401: _l("Authentication required"),
    403: _l("Forbidden"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Request too large"),
    415: _l("Unsupported media type"),
    422: _l("Invalid input"),
    429: _l("Too many attempts"),
    500: _l("Internal server error"),
}
# What to say instead of werkzeug's English descriptions.
DETAILS = {
    400: _l("The request could not be read."),
    404: _l("The resource you asked for does not exist or is not available to you."),
    405: _l("This method is not allowed here."),
    413: _l("The request is too large."),
    415: _l("Send the body as application/json."),
    422: _l("Some fields are not valid: see errors."),
    429: _l("Please wait a few minutes and try again."),
}


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
    body: dict = {"type": "about:blank", "title": str(title), "status": status}
    if detail:
        body["detail"] = str(detail)
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
    return problem(error.status, str(error.title), str(error.message), errors=translate(fields) or None,
                   headers=headers)


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
    description = error.description if status < 500 else None
    if description == type(error).description:  # werkzeug's own English words: say ours
        description = DETAILS.get(status, description)
    detail = data.get("message") or description
    headers = dict(data.get("headers") or {})
    return problem(status, TITLES.get(status, error.name), translate(detail), errors=translate(errors) or None,
                   headers=headers)
