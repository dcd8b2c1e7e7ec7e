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
    r"|(get|post) /api/v1/appointment-links/\{token\}|post /api/v1/account/email/confirm)$"
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
