"""No route leaks a patient's data: every rule in app.url_map, asked by everyone who may not see it.

Routes are enumerated from the URL map at collection time, so a route added later is covered without
touching this file. Each (route, method) is one test in its own rolled-back transaction: a victim
patient with a row in every table that belongs to a patient, then one request per role (and per body
for writes). Refused roles must get a refusal (redirect to sign-in, 400/401/403/404/405/422), never
the victim's MRN, family name, birth date, email or any marker text stored in her rows, and must
leave her rows unchanged. Public routes (sign-in, reset, invitations, language, health) may answer
anyone but never with her data.
"""

from __future__ import annotations

import re
import traceback

import pyotp
import pytest
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter

from hearth.app import create_app
from hearth.models import ALL_SCOPES, Scope
from tests import authz_world as world_mod
from tests.conftest import login
from tests.factories import PASSWORD

# Reachable signed out by design (sign-in, password reset, invitations, reminder links, language, health, the app's
# manifest, service worker and offline page); these are
# still checked never to show the victim's data. Any other route must refuse a signed-out visitor.
PUBLIC_ENDPOINTS = {
    "auth.login", "auth.login_code", "auth.logout", "auth.forgot_password", "auth.reset_password",
    "home.language", "caregivers.accept", "caregivers.accept_post", "caregivers.decline", "caregivers.register",
    "api_auth.create_token", "api_auth.refresh_token", "api_auth.request_password_reset",
    "api_auth.confirm_password_reset", "api_caregivers.show_invitation",
    # Reminder links: the signed token is the credential (tests/scheduling/test_confirmation.py).
    "reminder_links.show", "reminder_links.act", "api_appointment_links.show", "api_appointment_links.act",
    # The installable app: the same for everyone, nothing personal (tests/portal/test_shell.py).
    "pwa.manifest", "pwa.service_worker", "pwa.offline",
    # Guest pay: statement code + date of birth open one statement (tests/billing/test_portal.py); Stripe's
    # webhook is signed instead (tests/billing/test_stripe_payments.py).
    "guest_pay.start", "guest_pay.statement", "guest_pay.done", "api_stripe_webhook.receive_stripe_event",
    # The same over the API: the signed guest token from the lookup is the credential (tests/billing/test_guest_api.py).
    "api_guest_payments.lookup_guest_statement", "api_guest_payments.create_guest_checkout_session",
    "api_guest_payments.create_guest_payment_intent",
}
HEALTH = re.compile(r"^/(api/v1/)?(health|healthz|ready|readyz)$")
SKIP_ENDPOINTS = {"static", "api-docs.openapi_json"}
REFUSED = {400, 401, 403, 404, 405, 422}
# Path words → the caregiver scope a route needs (the refused caregiver holds every other scope).
SCOPE_WORDS = {  # regular expressions
    Scope.APPOINTMENTS: ("appointment", "visit", "schedul", "slot", "waitlist", "booking"),
    Scope.MESSAGES: ("message", "thread", "inbox", "conversation"),
    Scope.MEDICATIONS: ("medication", "refill", "prescription", "pharmac"),
    Scope.RESULTS: ("result", r"\blabs?\b"),
    Scope.BILLING: ("bill", "payment", "invoice", "statement", "estimate", "financ", "balance", "charge"),
}
STRICT_ROLES = ("anonymous", "other_patient", "caregiver_without_scope", "caregiver_expired",
                "caregiver_revoked", "other_practice_staff")
ROLES = (*STRICT_ROLES, "caregiver_with_scope")


def _routes():
    app = create_app({"SKIP_DB_CONFIGURE": True, "SECRET_KEY": "collect-only", "TESTING": True})
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIP_ENDPOINTS or rule.endpoint.endswith(".static"):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append(pytest.param(rule.rule, rule.endpoint, method, id=f"{method} {rule.rule}"))
    return found


ROUTES = _routes()


def route_scope(path: str) -> str | None:
    lowered = path.lower()
    for scope, words in SCOPE_WORDS.items():
        if any(re.search(w, lowered) for w in words):
            return scope.value
    return None


def _rule(app, path, endpoint):
    return next(r for r in app.url_map.iter_rules() if r.rule == path and r.endpoint == endpoint)


def fill_url(app, rule, w) -> tuple[str | None, bool]:
    """The rule's URL aimed at the victim's ids; the flag says whether every part is the victim's."""
    values, targeted = {}, True
    for name, converter in rule._converters.items():
        value = w.id_for(name) if isinstance(converter, IntegerConverter) else None
        targeted = targeted and value is not None and w.is_victims(name)
        if value is None:
            value = 1 if isinstance(converter, IntegerConverter) else "no-such-thing"
        values[name] = value
    with app.test_request_context():
        from flask import url_for

        try:
            return url_for(rule.endpoint, **values), targeted and bool(values)
        except Exception:  # a converter we cannot fill (a custom one): the test says so and skips
            return None, False


class FreshContextClient(FlaskClient):
    """Each request in its own app context, as in production, so flask.g never carries over between users."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _sign_in(app, user, kind: str):
    """A test client signed in as `user` (portal cookie) or an Authorization header (API)."""
    client = FreshContextClient(app, app.response_class, use_cookies=True)
    if user is None:
        return client, {}
    otp = pyotp.TOTP(user.totp_secret).now() if user.totp_secret else None
    if kind == "api":
        body = {"email": user.email, "password": PASSWORD, **({"otp": otp} if otp else {})}
        r = client.post("/api/v1/auth/token", json=body)
        assert r.status_code == 201, r.json
        return client, {"Authorization": f"Bearer {r.json['access_token']}"}
    r = login(client, user)
    if otp and "/login/code" in r.headers.get("Location", ""):  # the second step asks for the code
        r = client.post("/login/code", data={"code": otp})
    assert r.status_code in (302, 303), f"could not sign in {user.email}: {r.status_code}"
    return client, {}


def _server_errors(caplog) -> str:
    lines = []
    for record in caplog.records:
        if record.exc_info:
            error, frames = record.exc_info[1], traceback.extract_tb(record.exc_info[2])
            where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
            lines.append(f"{type(error).__name__}: {error}{where}")
    caplog.clear()
    return "; ".join(lines) or "no traceback logged"


def _seen(client, response, headers) -> list[bytes]:
    """The response body, and the page a same-site redirect leads to."""
    bodies = [response.get_data()]
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303, 307, 308) and location.startswith("/") and not location.startswith("//"):
        bodies.append(client.get(location, headers=headers).get_data())
    return bodies


def _problems(w, role, method, url, response, seen, *, changed, targeted, public, scope_words):
    """Every way this one response to a refused role could leak; empty when it is fine."""
    found = []
    for body in seen:
        leaked = w.leaks(body, scope_words if role == "caregiver_without_scope" else None)
        if leaked:
            text = body.decode("utf-8", "replace")
            at = text.lower().find(leaked[0].split(" ")[0].lower())
            context = " ".join(text[max(0, at - 120):at + 40].split())
            found.append(f"{role} {method} {url} → {response.status_code} shows {leaked}: …{context}…")
    if changed:
        found.append(f"{role} {method} {url} → {response.status_code} changed the victim's data")
    location = response.headers.get("Location", "")
    if public:
        return found
    status = response.status_code
    if role == "anonymous" and not url.startswith("/api/"):
        ok = status in REFUSED or (status in (302, 303) and "/login" in location)
    elif role == "anonymous":
        ok = status in REFUSED
    elif targeted:
        ok = status in REFUSED or status in (302, 303)
    else:
        ok = True
    if not ok:
        found.append(f"{role} {method} {url} → {status} (expected a refusal)")
    return found


@pytest.mark.parametrize(("path", "endpoint", "method"), ROUTES)
def test_no_route_leaks(app, path, endpoint, method, caplog):
    rule = _rule(app, path, endpoint)
    scope = route_scope(path)
    w = world_mod.build(without_scope=scope)
    url, targeted = fill_url(app, rule, w)
    if url is None:
        pytest.skip(f"cannot build a URL for {path}")
    kind = "api" if path.startswith("/api/") else "portal"
    public = endpoint in PUBLIC_ENDPOINTS or bool(HEALTH.match(path))
    bodies = [None] if method == "GET" else w.bodies(app, rule, method, kind)
    query = w.query(app, rule, method)
    problems = []
    before = w.fingerprint()
    for role in ROLES:  # refused roles first: the one allowed to write comes last
        strict = role in STRICT_ROLES and (role != "caregiver_without_scope" or scope is not None)
        client, headers = _sign_in(app, w.users[role], kind)
        for body in bodies:
            kwargs = {"json": body} if kind == "api" and body is not None else {"data": body or {}}
            response = client.open(url, method=method, headers=headers, query_string=query, **kwargs)
            seen = _seen(client, response, headers)
            after = w.fingerprint()
            if response.status_code >= 500:
                problems.append(f"{role} {method} {url} → {response.status_code}: {_server_errors(caplog)}")
            elif strict:
                problems += _problems(w, role, method, url, response, seen, changed=after != before,
                                      targeted=targeted, public=public, scope_words=SCOPE_WORDS.get(scope, ()))
            before = after
    assert not problems, "\n".join(problems)


def _get_rules(app, prefix: str):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix) and "GET" in (rule.methods or ()) and set(rule.arguments) == {"patient_id"}:
            yield rule


# Staff tools that take a patient id but are not her record (the price list staff post her charges from).
STAFF_TOOLS = {"api_billing.list_fee_choices"}


@pytest.mark.parametrize("role", ["victim", "own_practice_staff"])
def test_the_patient_and_her_practice_see_her_record(app, role, caplog):
    w = world_mod.build(without_scope=None)
    client, headers = _sign_in(app, w.users[role], "api")
    checked = 0
    for rule in _get_rules(app, "/api/v1/patients/"):
        if role == "victim" and rule.endpoint in STAFF_TOOLS:
            continue
        url, _ = fill_url(app, rule, w)
        response = client.get(url, headers=headers, query_string=w.query(app, rule, "GET"))
        assert response.status_code == 200, f"{role} GET {url} → {response.status_code} {_server_errors(caplog)}"
        checked += 1
    me = client.get("/api/v1/me", headers=headers).json
    if role == "victim":
        assert me["people"][0]["patient"]["mrn"] == world_mod.MRN
        portal, _ = _sign_in(app, w.users[role], "portal")
        home = portal.get("/")
        assert home.status_code == 200 and world_mod.MRN.encode() in home.data
    else:
        assert any(m["practice_id"] == w.practice_id for m in me["memberships"])
    assert checked or role == "victim", "no patient record endpoint under /api/v1 takes a patient_id"


def test_public_allowlist_names_real_routes(app):
    assert not PUBLIC_ENDPOINTS - set(app.view_functions)


def test_scope_words_cover_every_scope():
    assert set(SCOPE_WORDS) == {Scope(s) for s in ALL_SCOPES}
    assert route_scope("/api/v1/patients/<int:patient_id>/appointments") == "appointments"
    assert route_scope("/api/v1/me") is None
