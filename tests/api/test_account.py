"""/api/v1/account: profile, password, email and two-factor with `current_password`, sessions."""

import time
from datetime import timedelta

import pyotp
import pytest

from hearth.clock import utcnow
from hearth.services import sessions, two_factor
from tests.factories import PASSWORD, make_practice, make_staff, make_user

NEW_PASSWORD = "harbor juniper quiver meadow"


def _sign_in(client, user, password=PASSWORD, **extra) -> dict:
    r = client.post("/api/v1/auth/token", json={"email": user.email, "password": password, **extra})
    assert r.status_code == 201, r.json
    return {"Authorization": f"Bearer {r.json['access_token']}"}


@pytest.fixture
def user(db_session):
    person = make_user(name="Ana Lopez", email="ana.lopez@example.test")
    db_session.commit()  # refused requests roll back; keep the test's data (the test transaction still ends)
    return person


def test_get_and_replace_profile(client, user):
    auth = _sign_in(client, user)
    got = client.get("/api/v1/account", headers=auth)
    assert got.status_code == 200
    assert got.json["email"] == "ana.lopez@example.test" and got.json["two_factor_enabled"] is False
    put = client.put("/api/v1/account", headers=auth,
                     json={"display_name": "Ana María", "locale": "es", "timezone": "Europe/Madrid"})
    assert put.status_code == 200 and put.json["timezone"] == "Europe/Madrid" and put.json["locale"] == "es"
    bad = client.put("/api/v1/account", headers=auth, json={"display_name": "", "locale": "fr", "timezone": "Nowhere"})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert {"display_name", "locale", "timezone"} <= set(bad.json["errors"])
    assert client.get("/api/v1/account").status_code == 401


def test_change_password_requires_current_password_and_ends_other_sessions(app, client, user):
    auth = _sign_in(client, user)
    other = _sign_in(app.test_client(), user)
    missing = client.post("/api/v1/account/password", headers=auth, json={"password": NEW_PASSWORD})
    assert missing.status_code == 422 and "current_password" in missing.json["errors"]
    wrong = client.post("/api/v1/account/password", headers=auth,
                        json={"password": NEW_PASSWORD, "current_password": "nope"})
    assert wrong.status_code == 422 and wrong.json["errors"]["current_password"] == ["The password is incorrect."]
    weak = client.post("/api/v1/account/password", headers=auth,
                       json={"password": "ana lopez rules", "current_password": PASSWORD})
    assert weak.status_code == 422
    assert weak.json["errors"]["password"] == ["Do not use your email address in your password.",
                                               "Do not use your name in your password."]
    ok = client.post("/api/v1/account/password", headers=auth,
                     json={"password": NEW_PASSWORD, "current_password": PASSWORD})
    assert ok.status_code == 204
    assert client.get("/api/v1/account", headers=auth).status_code == 200
    assert client.get("/api/v1/account", headers=other).status_code == 401
    _sign_in(client, user, password=NEW_PASSWORD)


def test_wrong_current_passwords_lock_the_account(client, user):
    auth = _sign_in(client, user)
    for _ in range(4):
        client.post("/api/v1/account/email", headers=auth, json={"email": "x@example.test", "current_password": "no"})
    locked = client.post("/api/v1/account/email", headers=auth,
                         json={"email": "x@example.test", "current_password": "no"})
    assert locked.status_code == 429 and "Retry-After" in locked.headers
    assert user.email == "ana.lopez@example.test"


def test_change_email_waits_for_the_link_and_answers_alike_for_a_taken_address(client, user):
    """The full flow is in tests/api/test_email_change.py."""
    make_user(email="taken@example.test")
    auth = _sign_in(client, user)
    taken = client.post("/api/v1/account/email", headers=auth,
                        json={"email": "TAKEN@example.test", "current_password": PASSWORD})
    assert taken.status_code == 202 and taken.json["email"] == "ana.lopez@example.test"
    ok = client.post("/api/v1/account/email", headers=auth,
                     json={"email": " Ana@New.Example ", "current_password": PASSWORD})
    assert ok.status_code == 202 and ok.json["pending_email"] == "ana@new.example"
    assert user.email == "ana.lopez@example.test"


def test_two_factor_enrol_confirm_sign_in_and_disable(client, user):
    auth = _sign_in(client, user)
    started = client.post("/api/v1/account/two-factor", headers=auth)
    assert started.status_code == 200
    secret = started.json["secret"]
    assert started.json["otpauth_uri"].startswith("otpauth://totp/Hearth:ana.lopez%40example.test?secret=" + secret)
    bad = client.post("/api/v1/account/two-factor/confirm", headers=auth,
                      json={"code": "000000", "current_password": PASSWORD})
    assert bad.status_code == 422 and "code" in bad.json["errors"]
    code = pyotp.TOTP(secret).now()
    on = client.post("/api/v1/account/two-factor/confirm", headers=auth,
                     json={"code": code, "current_password": PASSWORD})
    assert on.status_code == 200 and on.json["two_factor_enabled"] is True
    assert client.post("/api/v1/account/two-factor", headers=auth).status_code == 409
    # The code used to confirm cannot be reused to sign in; the next one works.
    assert client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD,
                                                   "otp": code}).status_code == 401
    auth2 = _sign_in(client, user, otp=pyotp.TOTP(secret).at(time.time() + 30))
    off = client.post("/api/v1/account/two-factor/disable", headers=auth2, json={"current_password": PASSWORD})
    assert off.status_code == 200 and off.json["two_factor_enabled"] is False


def test_staff_cannot_disable_two_factor(app, client, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_TWO_FACTOR_REQUIRED", True)
    staff = make_staff(practice=make_practice(), totp_secret=two_factor.new_secret(), totp_enabled_at=utcnow())
    db_session.commit()
    auth = _sign_in(client, staff, otp=pyotp.TOTP(staff.totp_secret).now())
    refused = client.post("/api/v1/account/two-factor/disable", headers=auth, json={"current_password": PASSWORD})
    assert refused.status_code == 403 and staff.totp_enabled


def test_sessions_list_revoke_one_and_sign_out_everywhere(app, client, user):
    auth = _sign_in(client, user)
    phone = app.test_client()
    phone_auth = _sign_in(phone, user)
    listed = client.get("/api/v1/account/sessions", headers=auth)
    assert listed.status_code == 200 and len(listed.json) == 2
    assert [s["current"] for s in listed.json].count(True) == 1
    other_id = next(s["id"] for s in listed.json if not s["current"])
    stranger = sessions.start_api_session(make_user(), timedelta(days=1), None)
    assert client.delete(f"/api/v1/account/sessions/{stranger.id}", headers=auth).status_code == 404
    assert client.delete(f"/api/v1/account/sessions/{other_id}", headers=auth).status_code == 204
    assert phone.get("/api/v1/account", headers=phone_auth).status_code == 401
    third = _sign_in(phone, user)
    assert client.post("/api/v1/account/sessions/sign-out-everywhere", headers=auth).status_code == 204
    assert client.get("/api/v1/account", headers=auth).status_code == 401
    assert phone.get("/api/v1/account", headers=third).status_code == 401


def test_openapi_documents_the_account_and_device_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/account", "/api/v1/account/password", "/api/v1/account/sessions",
                 "/api/v1/devices", "/api/v1/auth/password-reset"):
        assert path in paths, path
    assert paths["/api/v1/account"]["get"]["security"] == [{"bearerAuth": []}]
