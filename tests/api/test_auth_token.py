"""POST/DELETE /api/v1/auth/token and /refresh: credentials, one-time codes, lockout, rate limit, staff 2FA."""

from datetime import timedelta

import pyotp
import pytest

from hearth.clock import utcnow
from hearth.services import two_factor
from tests.factories import PASSWORD, make_patient, make_practice, make_staff, make_user


def _token(client, email, password=PASSWORD, **extra):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password, **extra})


@pytest.fixture
def limited_client(app):
    """A second app over the same database with Flask-Limiter on (the shared app runs with it off)."""
    from hearth.app import create_app
    from hearth.extensions import limiter

    keys = ("DATABASE_URL", "TESTING", "SECRET_KEY", "WTF_CSRF_ENABLED", "MAIL_HOST", "STAFF_TWO_FACTOR_REQUIRED")
    other = create_app({**{k: app.config[k] for k in keys}, "SKIP_DB_CONFIGURE": True, "RATELIMIT_ENABLED": True})
    try:
        yield other.test_client()
    finally:
        limiter.reset()
        limiter.enabled = False


def test_token_me_refresh_logout(client):
    patient = make_patient(given_name="Ana")
    r = _token(client, patient.user.email)
    assert r.status_code == 201, r.json
    access, refresh = r.json["access_token"], r.json["refresh_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})
    assert me.status_code == 200
    assert me.json["people"][0]["patient"]["given_name"] == "Ana"
    r2 = client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    assert r2.status_code == 200
    # Reusing the old refresh token revokes the family: the new tokens stop working too.
    reuse = client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    assert reuse.status_code == 401
    assert reuse.mimetype == "application/problem+json"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {r2.json['access_token']}"}).status_code == 401


def test_bad_input_is_problem_json_with_fields(client):
    r = client.post("/api/v1/auth/token", json={"email": "not-an-email"})
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    assert "email" in r.json["errors"] and "password" in r.json["errors"]


def test_logout_revokes_access(client):
    patient = make_patient()
    access = _token(client, patient.user.email).json["access_token"]
    auth = {"Authorization": f"Bearer {access}"}
    assert client.delete("/api/v1/auth/token", headers=auth).status_code == 204
    assert client.get("/api/v1/me", headers=auth).status_code == 401


def test_wrong_password_401(client):
    patient = make_patient()
    r = _token(client, patient.user.email, password="wrong")
    assert r.status_code == 401
    assert r.json["detail"] == "The email or password is incorrect."
    assert _token(client, "nobody@example.test").json["detail"] == "The email or password is incorrect."


def test_lockout_is_a_429_problem_with_retry_after(client):
    user = make_user()
    for _ in range(4):
        assert _token(client, user.email, password="wrong").status_code == 401
    locked = _token(client, user.email, password="wrong")
    assert locked.status_code == 429 and locked.mimetype == "application/problem+json"
    assert locked.json["detail"].startswith("Too many failed sign-ins. Try again in 15 minutes")
    assert 14 * 60 < int(locked.headers["Retry-After"]) <= 15 * 60
    still = _token(client, user.email)
    assert still.status_code == 429 and "Retry-After" in still.headers


def test_token_endpoint_is_rate_limited_per_address(limited_client):
    for n in range(20):  # a new address each time: an address tried 5 times locks (tests/api/test_enumeration.py)
        assert limited_client.post("/api/v1/auth/token", json={"email": f"x{n}@example.test", "password": "x"}
                                   ).status_code == 401
    refused = limited_client.post("/api/v1/auth/token", json={"email": "x-last@example.test", "password": "x"})
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert "Too many attempts from your network" in refused.json["detail"]


def test_enrolled_user_must_send_a_valid_unused_otp(client, db_session):
    user = make_user(totp_secret=two_factor.new_secret(), totp_enabled_at=utcnow())
    db_session.commit()  # a refused request rolls back; keep the test's data (the test transaction still ends)
    missing = _token(client, user.email)
    assert missing.status_code == 401 and "otp" in missing.json["errors"]
    wrong = _token(client, user.email, otp="000000")
    assert wrong.status_code == 401 and "already used" in wrong.json["errors"]["otp"][0]
    assert user.failed_logins == 1  # the wrong code counted; the missing one did not
    code = pyotp.TOTP(user.totp_secret).now()
    assert _token(client, user.email, otp=code).status_code == 201
    assert user.failed_logins == 0
    assert _token(client, user.email, otp=code).status_code == 401  # replay
    assert user.failed_logins == 1


def test_staff_without_two_factor_are_sent_to_the_portal(app, client, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_TWO_FACTOR_REQUIRED", True)
    staff = make_staff(practice=make_practice())
    db_session.commit()  # a refused request rolls back; keep the test's data (the test transaction still ends)
    refused = _token(client, staff.email)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert "Set it up in the Hearth portal" in refused.json["detail"]
    assert _token(client, staff.email, password="wrong").status_code == 401  # no hint before the password
    staff.totp_secret, staff.totp_enabled_at = two_factor.new_secret(), utcnow()
    db_session.commit()
    assert _token(client, staff.email, otp=pyotp.TOTP(staff.totp_secret).now()).status_code == 201


def test_expired_refresh_token_is_refused(client, db_session):
    from hearth.models import RefreshToken

    patient = make_patient()
    refresh = _token(client, patient.user.email).json["refresh_token"]
    for row in db_session.query(RefreshToken).all():
        row.expires_at = utcnow() - timedelta(seconds=1)
    db_session.flush()
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    assert r.status_code == 401 and "expired" in r.json["detail"]
