"""The OpenAPI document is valid, lists every /api/v1 route, and marks which ones need a bearer token."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from api.security import token_required

OPENAPI_JSON = "/api/v1/openapi.json"
# Operations anyone may call without a token: signing in, refreshing, resetting a password, and reading
# the invitation a caregiver was emailed (its secret token is the credential).
PUBLIC = re.compile(
    r"^(post /api/v1/auth/(token|refresh|password-reset(/confirm)?)|get /api/v1/caregivers/invitations/\{token\}"
    r"|(get|post) /api/v1/appointment-links/\{token\}|post /api/v1/account/email/confirm|post /api/v1/stripe/webhook)$"
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
    assert document["servers"] and document["info"]["license"]["name"] and document["info"]["contact"]


def test_public_operations_say_no_security(document):
    assert document["paths"]["/api/v1/auth/token"]["post"]["security"] == []


def test_schemas_a_generator_can_type(document):
    schemas = document["components"]["schemas"]
    assert set(schemas["Appointment"]["required"]) >= {"id", "status", "starts_at"}
    assert "cancelled" in schemas["Appointment"]["properties"]["status"]["enum"]
    assert schemas["Appointment"]["properties"]["location"] == {
        "allOf": [{"$ref": "#/components/schemas/LocationOut"}], "nullable": True}
    assert schemas["NotificationItem"]["properties"]["channel"]["enum"] == ["push", "email", "sms"]
    assert schemas["Chart"]["properties"]["care_team"]["type"] == "string"
    reset = document["paths"]["/api/v1/auth/password-reset"]["post"]["responses"]["202"]
    assert "content" not in reset
