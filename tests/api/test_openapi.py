"""The OpenAPI document is valid, lists every /api/v1 route, and marks which ones need a bearer token."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from api.security import token_required

OPENAPI_JSON = "/api/v1/openapi.json"
# Operations anyone may call without a token: signing in, refreshing, resetting a password, and reading
# the invitation a caregiver was emailed (its secret token is the credential).
PUBLIC = re.compile(
    r"^(post /api/v1/auth/(token|refresh|password-reset(/confirm)?)|get /api/v1/caregivers/invitations/\{token\}"
    r"|(get|post) /api/v1/appointment-links/\{token\}|post /api/v1/account/email/confirm|post /api/v1/stripe/webhook"
    r"|post /api/v1/guest-payments/(lookup|checkout-session|payment-intent))$"
)
_TOKEN_WRAPPER = token_required(lambda: None).__code__


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule)


def api_operations(app):
    """(method, OpenAPI path, view function) of every /api/v1 route except the document itself."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == OPENAPI_JSON:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method.lower(), openapi_path(rule.rule), app.view_functions[rule.endpoint]


def needs_token(view) -> bool:
    """True when `token_required` is among the view's decorators (found through functools.wraps)."""
    while view is not None:
        if getattr(view, "__code__", None) is _TOKEN_WRAPPER:
            return True
        view = getattr(view, "__wrapped__", None)
    return False


@pytest.fixture
def document(client):
    response = client.get(OPENAPI_JSON)
    assert response.status_code == 200
    return response.json


def test_document_is_valid_openapi_3(document):
    assert document["openapi"].startswith("3.")
    validate(document)
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}


def test_every_api_route_is_documented(app, document):
    missing = [f"{m.upper()} {p}" for m, p, _ in api_operations(app) if m not in document["paths"].get(p, {})]
    assert not missing, f"routes missing from {OPENAPI_JSON}: {missing}"
    assert len(list(api_operations(app))) >= 4


def test_protected_operations_declare_bearer_auth(app, document):
    problems = []
    for method, path, view in api_operations(app):
        declared = {"bearerAuth": []} in document["paths"].get(path, {}).get(method, {}).get("security", [])
        if needs_token(view) and not declared:
            problems.append(f"{method.upper()} {path} needs a token but does not declare bearerAuth")
        if not needs_token(view) and not PUBLIC.match(f"{method} {path}"):
            problems.append(f"{method.upper()} {path} takes no token and is not on the public list")
        if not needs_token(view) and declared:
            problems.append(f"{method.upper()} {path} declares bearerAuth but does not check a token")
    assert not problems, "\n".join(problems)


def test_public_list_matches_sign_in():
    assert PUBLIC.match("post /api/v1/auth/token") and PUBLIC.match("post /api/v1/auth/refresh")
    assert PUBLIC.match("get /api/v1/caregivers/invitations/{token}")
    assert not PUBLIC.match("delete /api/v1/auth/token") and not PUBLIC.match("get /api/v1/me")
    assert PUBLIC.match("post /api/v1/account/email/confirm") and not PUBLIC.match("post /api/v1/account/email")
    assert not PUBLIC.match("post /api/v1/caregivers/invitations/{token}/accept")


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield method, path, operation


def test_errors_are_one_problem_schema_under_problem_json(document):
    schemas = document["components"]["schemas"]
    assert "Error" not in schemas
    assert schemas["Problem"]["properties"]["status"]["type"] == "integer"
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status"}
    token = document["paths"]["/api/v1/auth/token"]["post"]["responses"]
    for status in ("401", "403", "429"):
        assert token[status]["content"] == {"application/problem+json": {"schema": {
            "$ref": "#/components/schemas/Problem"}}}
    assert "Retry-After" in token["429"]["headers"]


def test_each_operation_declares_the_errors_it_returns(document):
    problems = []
    for method, path, operation in _operations(document):
        codes = set(operation["responses"])
        expected = set()
        if operation.get("security"):
            expected.add("401")
        if "{" in path:
            expected.add("404")
        if "requestBody" in operation:
            expected |= {"415", "422"}
        if not expected <= codes:
            problems.append(f"{method} {path} lacks {sorted(expected - codes)}")
        if "default" in codes:
            problems.append(f"{method} {path} has a default Error response")
    assert not problems, "\n".join(problems)
    book = document["paths"]["/api/v1/patients/{patient_id}/appointments"]["post"]
    assert "409" in book["responses"] and book["operationId"] == "bookAppointment"


def test_operation_ids_are_unique_and_readable(document):
    ids = [operation["operationId"] for _, _, operation in _operations(document)]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z][A-Za-z]+", i) for i in ids)
    assert "listAppointments" in ids
    assert all(tag.get("description") for tag in document["tags"])
    assert document["servers"] and document["info"]["contact"]["name"]


def test_license_is_the_repository_s_own(document):
    """`info.license` names the project's licence, and none while the repository has no LICENSE file."""
    root = Path(__file__).resolve().parents[2]
    has_license_file = any(root.glob("LICENSE*")) or any(root.glob("COPYING*"))
    assert ("license" in document["info"]) == has_license_file, (
        "declare the LICENSE file's licence in api/openapi.py LICENSE" if has_license_file
        else "the repository has no LICENSE file: info.license would invent one")


def test_every_operation_has_a_summary(document):
    """A view without a docstring still gets a summary (Redocly's recommended rules: an error without one)."""
    from types import SimpleNamespace

    from api.openapi import ProblemsPlugin

    assert all(operation.get("summary") for _, _, operation in _operations(document))
    operations = {"get": {"responses": {"200": {"description": "OK"}}}}
    rule = SimpleNamespace(endpoint="api_messages.list_threads")
    ProblemsPlugin().operation_helper(path="/api/v1/threads", operations=operations, rule=rule)
    assert operations["get"]["summary"] == "List threads" and operations["get"]["operationId"] == "listThreads"


def test_public_operations_say_no_security(document):
    assert document["paths"]["/api/v1/auth/token"]["post"]["security"] == []


def test_schemas_a_generator_can_type(document):
    schemas = document["components"]["schemas"]
    assert set(schemas["Appointment"]["required"]) >= {"id", "status", "starts_at"}
    assert "cancelled" in schemas["Appointment"]["properties"]["status"]["enum"]
    assert schemas["Appointment"]["properties"]["location"] == {"anyOf": [
        {"$ref": "#/components/schemas/LocationOut"}, {"type": "object", "nullable": True, "enum": [None]}]}
    assert schemas["NotificationItem"]["properties"]["channel"]["enum"] == ["push", "email", "sms"]
    assert schemas["Chart"]["properties"]["care_team"]["type"] == "string"
    reset = document["paths"]["/api/v1/auth/password-reset"]["post"]["responses"]["202"]
    assert "content" not in reset


TYPED = ("type", "$ref", "allOf", "anyOf", "oneOf")


def _schema_problems(where: str, schema: dict) -> list[str]:
    """Every property, item and map value has a type; `nullable` has a `type` beside it (OpenAPI 3.0)."""
    problems = []
    if schema.get("nullable") and "type" not in schema:
        problems.append(f"{where}: nullable without a type")
    if not any(key in schema for key in TYPED):
        problems.append(f"{where}: no type")
    for name, prop in (schema.get("properties") or {}).items():
        problems += _schema_problems(f"{where}.{name}", prop)
    if isinstance(schema.get("items"), dict):
        problems += _schema_problems(f"{where}[]", schema["items"])
    if isinstance(schema.get("additionalProperties"), dict):
        problems += _schema_problems(f"{where}{{}}", schema["additionalProperties"])
    for key in ("allOf", "anyOf", "oneOf"):
        for i, option in enumerate(schema.get(key, [])):
            problems += _schema_problems(f"{where}.{key}[{i}]", option)
    return problems


def test_every_field_has_a_type(document):
    problems = []
    for name, schema in document["components"]["schemas"].items():
        problems += _schema_problems(name, schema)
    assert not problems, "\n".join(problems)


def test_success_bodies_declare_their_media_type(document):
    """A 2xx with a body says what it is (JSON schema, text/calendar...; api.openapi.file_response for files); 204
    has none, a 202 may have none."""
    problems = []
    for method, path, operation in _operations(document):
        for code, response in operation["responses"].items():
            if not code.startswith("2"):
                continue
            content = response.get("content") or {}
            if code == "204" and content:
                problems.append(f"{method} {path} {code} declares a body")
            if not all(media.get("schema") for media in content.values()):
                problems.append(f"{method} {path} {code} has a media type without a schema")
            if code not in ("202", "204") and not content:
                problems.append(f"{method} {path} {code} declares no body")
    assert not problems, "\n".join(problems)
    ics = document["paths"]["/api/v1/patients/{patient_id}/appointments/{appointment_id}/calendar.ics"]["get"]
    assert ics["responses"]["200"]["content"] == {"text/calendar": {"schema": {"type": "string"}}}


def test_closed_sets_are_enums(document):
    schemas = document["components"]["schemas"]

    def enum(schema, prop):
        return set(schemas[schema]["properties"][prop]["enum"])

    assert enum("NotificationItem", "status") == {"sent", "failed"}
    assert enum("Grant", "status") == {"pending", "active", "revoked", "declined"}
    assert enum("Grant", "kind") == {"proxy", "guardian"} and "ended" in enum("Grant", "state")
    assert enum("ChartCaregiver", "status") == enum("Grant", "status")
    assert enum("WaitlistEntry", "status") == {"waiting", "offered", "booked", "removed"}
    from_status = schemas["StatusChange"]["properties"]["from_status"]
    assert from_status["anyOf"][1] == {"type": "object", "nullable": True, "enum": [None]}  # the enum, or null
    assert enum("StatusChange", "to_status") == set(from_status["anyOf"][0]["enum"]) == enum("Appointment", "status")
    assert schemas["StaffAppointmentDetail"]["properties"]["next_statuses"]["items"]["enum"]
    assert set(schemas["Grant"]["properties"]["scopes"]["items"]["enum"]) == {
        "appointments", "messages", "medications", "results", "billing"}
    assert schemas["LocationOut"]["properties"]["name"]["type"] == "string"
    assert schemas["VisitTypeBrief"]["properties"]["instructions"]["type"] == "string"
    assert schemas["StatusChange"]["properties"]["by"]["type"] == "string"
    assert schemas["Answer"]["properties"]["answer"]["oneOf"] == [{"type": "boolean"}, {"type": "string"}]


def test_no_unused_schemas(document):
    text = str(document["paths"]) + str(document["components"].get("responses"))
    schemas = document["components"]["schemas"]
    text += str(schemas)
    unused = [name for name in schemas if f"#/components/schemas/{name}'" not in text]
    assert not unused
