"""The OpenAPI document as a product: one Problem schema, the statuses each operation really returns,
readable operation ids, and schemas a client generator can type (required fields, enums, nullable refs)."""

from __future__ import annotations

import http
import re

from apispec import BasePlugin
from marshmallow import Schema

from api.problems import PROBLEM
from hearth.schemas import fields

SERVERS = [{"url": "/", "description": "This Hearth installation"}]
# The repository has no LICENSE file yet, so `info` names none (tests/api/test_openapi.py keeps the two in step).
LICENSE: dict | None = None
CONTACT = {"name": "Hearth maintainers"}

# Operations (blueprint.view) that answer 409 when the appointment or slot changed under the client.
CONFLICTS = {
    "api_appointments.book", "api_appointments.reschedule", "api_appointments.cancel",
    "api_appointments.confirm", "api_appointments.check_in", "api_appointments.join",
    "api_appointments.waitlist_join", "api_appointments.waitlist_book_offer", "api_appointment_links.act",
    "api_schedule.book_for_patient", "api_schedule.cancel", "api_schedule.set_status",
}
# Views whose name alone does not say what they act on.
OPERATION_IDS = {
    "api_me.me": "getMe",
    "api_staff.chart": "getPatientChart",
    "api_appointments.options": "getBookingOptions",
    "api_appointments.slots": "listSlots",
    "api_appointments.ics": "getAppointmentCalendar",
    "api_appointments.join": "joinVideoVisit",
    "api_appointments.waitlist_entries": "listWaitlistEntries",
    "api_appointments.waitlist_join": "joinWaitlist",
    "api_appointments.waitlist_leave": "leaveWaitlist",
    "api_appointments.waitlist_book_offer": "bookWaitlistOffer",
    "api_schedule.schedule": "getPracticeSchedule",
    "api_schedule.cancel": "cancelPracticeAppointment",
    "api_schedule.set_status": "setAppointmentStatus",
    "api_schedule.appointment_detail": "getPracticeAppointment",
    "api_appointment_links.show": "showAppointmentLink",
    "api_appointment_links.act": "actOnAppointmentLink",
}
# Statuses and the wording clients see for each, declared with the Problem body.
DESCRIPTIONS = {
    400: "The request could not be read",
    401: "No, expired or revoked bearer token (see WWW-Authenticate)",
    403: "Not allowed for this account or patient",
    404: "No such resource, or not available to you",
    409: "Conflict with the current state (for example the slot was just taken)",
    413: "Request too large",
    415: "The body is not application/json",
    422: "Invalid input: `errors` maps each field to its messages",
    429: "Too many attempts: wait for Retry-After seconds",
}
NULL = {"type": "object", "nullable": True, "enum": [None]}  # OpenAPI 3.0: the value null and nothing else
RETRY_AFTER = {"description": "Seconds to wait before trying again",
               "schema": {"type": "integer", "minimum": 1}}


def file_response(media_type: str, description: str, status: int = 200) -> dict:
    """`@blp.doc(responses=file_response("application/pdf", "The statement"))` for a view answering a file: the
    document then says what the body is (a text type is a string, anything else binary)."""
    schema = {"type": "string"} if media_type.startswith("text/") else {"type": "string", "format": "binary"}
    return {str(status): {"description": description, "content": {media_type: {"schema": schema}}}}


class ProblemSchema(Schema):
    """RFC 9457 problem details, as api/problems.py sends them."""

    type = fields.String(required=True, metadata={"description": "A URI naming the problem type; about:blank"})
    title = fields.String(required=True, metadata={"description": "Short, translated summary of the status"})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code"})
    detail = fields.String(metadata={"description": "Translated explanation meant for the person"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(metadata={"anyOf": [{"type": "array", "items": {"type": "string"}},
                                              {"type": "object", "additionalProperties": True}]}),
        metadata={"description": "Field name to its translated messages; a nested field (a list item or an "
                                 "object) maps to an object of the same shape keyed by index or field name"})


def operation_id(endpoint: str) -> str:
    """`api_appointments.list_appointments` -> `listAppointments`; other views get their module's noun."""
    if endpoint in OPERATION_IDS:
        return OPERATION_IDS[endpoint]
    blueprint, _, view = endpoint.partition(".")
    words = view.split("_")
    if len(words) == 1:  # `get`, `book`, `cancel`: say what of, in the singular
        words = words + [blueprint.removeprefix("api_").removesuffix("s")]
    return words[0] + "".join(w.capitalize() for w in words[1:])


class ProblemsPlugin(BasePlugin):
    """Adds each operation's error statuses (with the Problem body), operationId and public `security: []`."""

    def __init__(self, rate_limited=lambda endpoint: False):
        self.rate_limited = rate_limited
        self.ids: dict[str, str] = {}

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        endpoint = rule.endpoint if rule is not None else ""
        for method, operation in (operations or {}).items():
            op_id = operation_id(endpoint)
            if op_id in self.ids.values():  # one view serving two methods
                op_id = method + op_id[0].upper() + op_id[1:]
            if op_id in self.ids.values():
                raise ValueError(f"operationId {op_id} is not unique ({method} {path})")
            self.ids[f"{method} {path}"] = op_id
            operation.setdefault("operationId", op_id)
            if not operation.get("summary"):  # a view without a docstring: Redocly's recommended rules want one
                operation["summary"] = re.sub(r"(?<!^)([A-Z])", r" \1", operation["operationId"]).capitalize()
            responses = operation.setdefault("responses", {})
            responses.pop("default", None)
            for status in statuses(endpoint, method, path, operation, self.rate_limited(endpoint)):
                declared = responses.get(str(status)) or responses.get(status)
                responses.pop(status, None)
                if isinstance(declared, dict) and "content" not in declared:  # keep the view's own wording
                    responses[str(status)] = {**problem_response(status), **declared}
                else:
                    responses[str(status)] = http.HTTPStatus(status).name
            for code, declared in list(responses.items()):  # errors a view declared itself: the Problem body
                if int(code) >= 400 and isinstance(declared, dict) and "content" not in declared:
                    responses[str(code)] = {**problem_response(int(code)), **declared}
            if "security" not in operation:
                operation["security"] = []


def statuses(endpoint: str, method: str, path: str, operation: dict, rate_limited: bool) -> list[int]:
    bearer = bool(operation.get("security"))
    query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    out = []
    if bearer:
        out += [401, 403]
    if re.search(r"\{[^}]+\}", path):
        out.append(404)
    if endpoint in CONFLICTS:
        out.append(409)
    if "requestBody" in operation:
        out += [413, 415]
    if query or "requestBody" in operation:
        out.append(422)
    if rate_limited:
        out.append(429)
    return out


def problem_responses(spec) -> None:
    """One response component per error status, each a Problem under application/problem+json."""
    for status in DESCRIPTIONS:
        spec.components.response(http.HTTPStatus(status).name, problem_response(status), lazy=True)


def problem_response(status: int) -> dict:
    response = {"description": DESCRIPTIONS.get(status, http.HTTPStatus(status).phrase),
                "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    if status == 429:
        response["headers"] = {"Retry-After": RETRY_AFTER}
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return response


def _word(name: str) -> str:
    return name.removeprefix("api_").replace("_", " ").capitalize()


def finish(document: dict) -> dict:
    """Last touches that need the whole document: nullable refs, required output fields, tag names."""
    schemas = document.get("components", {}).get("schemas", {})
    for schema in schemas.values():
        for prop in (schema.get("properties") or {}).values():
            _nullable_ref(prop)
            _nullable_enum(prop)
            if "items" in prop:
                _nullable_ref(prop["items"])
                _nullable_enum(prop["items"])
    for item in document.get("paths", {}).values():
        for operation in item.values():
            for parameter in (operation.get("parameters") or []) if isinstance(operation, dict) else []:
                _optional_parameter(parameter.get("schema") or {})
    inputs = _reachable(document, schemas, "requestBody") | _reachable(document, schemas, "parameters")
    outputs = _reachable(document, schemas, "responses") - {"Problem"}
    for name in outputs - inputs:
        props = schemas[name].get("properties") or {}
        required = [key for key, prop in props.items() if not prop.get("x-optional")]
        for prop in props.values():
            prop.pop("x-optional", None)
        if required:
            schemas[name]["required"] = required
    for schema in schemas.values():
        for prop in (schema.get("properties") or {}).values():
            prop.pop("x-optional", None)
    used = _reachable(document, schemas, "")
    for name in [name for name in schemas if name not in used]:  # e.g. flask-smorest's PaginationMetadata
        del schemas[name]
    for tag in document.get("tags", []):
        tag["name"] = _word(tag["name"])
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "tags" in operation:
                operation["tags"] = [_word(t) for t in operation["tags"]]
    return document


def _nullable_ref(prop: dict) -> None:
    """`anyOf: [{type: object, nullable}, {$ref}]` -> `anyOf: [{$ref}, NULL]`, NULL being OpenAPI 3.0's schema of
    null alone (`{type: object, nullable: true, enum: [null]}`): openapi-python-client types it `LocationOut | None`,
    and Redocly accepts it (`nullable` beside a `type`). `allOf: [$ref], nullable` lacks the type; with a
    `type: object` beside it the generator drops the null and a null crashes the parsing."""
    options = prop.get("anyOf")
    if not options or len(options) != 2:
        return
    refs = [o for o in options if "$ref" in o]
    nulls = [o for o in options if o.get("nullable") and "$ref" not in o]
    if len(refs) == 1 and len(nulls) == 1:
        prop["anyOf"] = [*refs, dict(NULL)]


def _nullable_enum(prop: dict) -> None:
    """`type: string, enum, nullable` -> `anyOf: [{type: string, enum}, NULL]`: a generator then types it as the
    enum or None (with `nullable` beside the enum it types the enum alone and fails on null); null inside the
    enum is refused by Redocly."""
    if not (prop.get("nullable") and "enum" in prop and "type" in prop):
        return
    options = {key: prop.pop(key) for key in ("type", "enum", "maxLength", "minLength") if key in prop}
    options["enum"] = [value for value in options["enum"] if value is not None]  # apispec lists null for allow_none
    prop.pop("nullable")
    prop["anyOf"] = [options, dict(NULL)]


def _optional_parameter(schema: dict) -> None:
    """A query parameter that may be left out is absent, never null: `enum: [..., null], nullable` -> the enum alone
    (null in a string enum is refused by Redocly and means nothing in a query string)."""
    if "enum" in schema and None in schema["enum"]:
        schema["enum"] = [value for value in schema["enum"] if value is not None]
        schema.pop("nullable", None)
        if schema.get("default", "") is None:
            schema.pop("default")


def _reachable(document: dict, schemas: dict, key: str) -> set[str]:
    """Names of the component schemas reachable from every operation's `key` (responses, requestBody...; "": all)."""
    seen: set[str] = set()
    stack = []
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and (key in operation or not key):
                stack.extend(_refs(operation[key] if key else operation, document))
    if not key:  # everything: the shared responses too
        stack.extend(_refs(document.get("components", {}).get("responses", {}), document))
    while stack:
        name = stack.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        stack.extend(_refs(schemas[name], document))
    return seen


def _refs(node, document: dict) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.append(ref.rsplit("/", 1)[1])
        elif isinstance(ref, str) and ref.startswith("#/components/responses/"):
            found.extend(_refs(document["components"]["responses"][ref.rsplit("/", 1)[1]], document))
        for value in node.values():
            found.extend(_refs(value, document))
    elif isinstance(node, list):
        for value in node:
            found.extend(_refs(value, document))
    return found
