"""The Blueprint every /api/v1 module uses: who is calling is settled before any body is read, and
request bodies are JSON, bounded (hearth.edge), or refused with 415.

Order of answers for one request: no such route (404, incl. ids past the column's range) → no or bad
token (401) → body not JSON (415) → body not parseable or too deep (400) → fields (422).
"""

from __future__ import annotations

import flask_smorest
from flask import current_app, request
from marshmallow import Schema as MarshmallowSchema
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request

from api.security import authenticate
from hearth.i18n import _l

NOT_JSON = _l("Send the request body as JSON, with the header Content-Type: application/json.")
BAD_JSON = _l("The request body is not valid JSON, or it is nested too deeply.")


def _has_body(req) -> bool:
    return bool(req.content_length) or "chunked" in req.headers.get("Transfer-Encoding", "").lower()


class HearthParser(FlaskParser):
    """webargs' Flask parser, reading JSON with the app's bounded provider and refusing other bodies."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._schemas: dict[type[MarshmallowSchema], MarshmallowSchema] = {}

    def _get_schema(self, argmap, req) -> MarshmallowSchema:
        """A Schema class given to @blp.arguments is instantiated once, not on every request (~60 us each).

        marshmallow 4 schemas keep no per-load state (no `context`), so one instance serves every
        request, as the instances some endpoints pass (`Schema(partial=True)`) already do.
        """
        if isinstance(argmap, type) and issubclass(argmap, MarshmallowSchema):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas.setdefault(argmap, argmap())
            return schema
        return super()._get_schema(argmap, req)

    def load_json(self, req, schema):
        if not is_json_request(req):
            if _has_body(req):
                abort(415, message=str(NOT_JSON))
            return core.missing
        data = req.get_data(cache=True)
        if not data:
            return core.missing
        try:
            return current_app.json.loads(data)
        except ValueError:  # includes UnicodeDecodeError
            abort(400, message=str(BAD_JSON), messages={"json": [str(BAD_JSON)]})


def _authenticate_first() -> None:
    """Views marked by @token_required check the bearer token before webargs parses anything."""
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "hearth_token_required", False):
        authenticate()


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = HearthParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(_authenticate_first)
