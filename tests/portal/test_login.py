"""Portal sign-in: password and code steps, lockout, rate limit, timeouts, cookie flags, CSRF, staff two-factor."""

import re
from datetime import timedelta

import pyotp
import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import select

from hearth.clock import utcnow
from hearth.models import UserSession
from hearth.services import two_factor
from tests.conftest import login
from tests.factories import PASSWORD, make_patient, make_practice, make_staff, make_user


class FreshClient(FlaskClient):
    """Starts each request with an empty `g`, as production does.

    The harness keeps one app context for the whole test, so Flask-Login's per-request user cache
    (g._login_user) would otherwise carry a signed-in user over to the next request, or another client.
    """

    def open(self, *args, **kwargs):
        for key in list(vars(g)):
            g.pop(key, None)
        return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def fresh_requests(app, monkeypatch):
    monkeypatch.setattr(app, "test_client_class", FreshClient)


def _rows(db_session, user):
    return db_session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                              .order_by(UserSession.id)).all()


def _with_totp(**kw):
    return make_user(totp_secret=two_factor.new_secret(), totp_enabled_at=utcnow(), **kw)


@pytest.fixture
def staff_two_factor(app, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_TWO_FACTOR_REQUIRED", True)


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


def test_patient_signs_in_and_sees_her_record(client, db_session):
    patient = make_patient(given_name="Ana", family_name="Lopez")
    response = login(client, patient.user)
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert b"Ana Lopez" in page.data
    assert patient.mrn.encode() in page.data


def test_wrong_password_shows_clear_error(client, db_session):
    patient = make_patient()
    response = login(client, patient.user, password="nope")
    assert response.status_code == 200
    assert b"The email or password is incorrect." in response.data
    unknown = client.post("/login", data={"email": "nobody@example.test", "password": "nope"})
    assert b"The email or password is incorrect." in unknown.data


def test_logout_revokes_session(client, db_session):
    patient = make_patient()
    login(client, patient.user)
    client.post("/logout")
    rows = _rows(db_session, patient.user)
    assert rows and all(r.revoked_at is not None for r in rows)
    assert client.get("/").status_code == 302


def test_lockout_after_repeated_failures_says_when_to_retry(client, db_session):
    user = make_user()
    for _ in range(4):
        assert login(client, user, password="wrong").status_code == 200
    locked = login(client, user, password="wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins. Try again in 15 minutes, or reset your password." in locked.text
    # While locked, even the right password is refused with the same message on the page.
    again = login(client, user)
    assert again.status_code == 429 and "Too many failed sign-ins" in again.text
    assert not _rows(db_session, user)
    user.locked_until = utcnow() - timedelta(seconds=1)
    assert login(client, user).status_code == 302


def test_sign_in_posts_are_rate_limited_per_address(limited_client):
    for n in range(20):  # a new address each time: an address tried 5 times locks (tests/api/test_enumeration.py)
        assert limited_client.post("/login", data={"email": f"x{n}@example.test", "password": "x"}).status_code == 200
    refused = limited_client.post("/login", data={"email": "x-last@example.test", "password": "x"})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.text and "Traceback" not in refused.text
    assert limited_client.get("/login").status_code == 200  # only POSTs count


def test_two_step_sign_in_asks_for_the_code_and_refuses_a_replayed_one(client, db_session):
    user = _with_totp()
    first = login(client, user)
    assert first.status_code == 302 and first.headers["Location"] == "/login/code"
    assert not _rows(db_session, user)  # no session before the code
    assert client.get("/").status_code == 302
    wrong = client.post("/login/code", data={"code": "000000"})
    assert wrong.status_code == 422 and "That code is not right" in wrong.text
    code = pyotp.TOTP(user.totp_secret).now()
    done = client.post("/login/code", data={"code": code})
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout")
    login(client, user)
    replay = client.post("/login/code", data={"code": code})
    assert replay.status_code == 422 and "already used" in replay.text


def test_code_step_expires_after_a_few_minutes(client, db_session):
    user = _with_totp()
    login(client, user)
    with client.session_transaction() as sess:
        sess["pending_sign_in"] = {**sess["pending_sign_in"], "t": sess["pending_sign_in"]["t"] - 301}
    late = client.post("/login/code", data={"code": pyotp.TOTP(user.totp_secret).now()})
    assert late.status_code == 302 and late.headers["Location"] == "/login"
    assert "Your sign-in took too long" in client.get("/login").text
    assert not _rows(db_session, user)


def test_staff_without_two_factor_must_enrol_before_using_anything(client, db_session, staff_two_factor):
    staff = make_staff(practice=make_practice())
    assert login(client, staff).status_code == 302
    for path in ("/", "/account", "/account/password"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor", path
    page = client.get("/account/two-factor")
    assert page.status_code == 200
    assert staff.totp_secret and staff.totp_enabled_at is None
    assert staff.totp_secret[:4] in page.text and "otpauth://totp/Hearth:" in page.text
    assert "Staff accounts must use two-factor sign-in." in page.text
    confirmed = client.post("/account/two-factor", data={"code": pyotp.TOTP(staff.totp_secret).now()})
    assert confirmed.status_code == 302 and staff.totp_enabled_at is not None
    assert client.get("/").status_code == 200
    # Next sign-in asks for the code.
    client.post("/logout")
    assert login(client, staff).headers["Location"] == "/login/code"


def test_idle_session_is_signed_out_with_a_message(client, db_session):
    patient = make_patient()
    login(client, patient.user)
    row = _rows(db_session, patient.user)[-1]
    row.last_seen_at = utcnow() - timedelta(minutes=16)
    db_session.flush()
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/")
    assert "You were signed out after a period of inactivity." in client.get("/login").text
    assert row.revoked_at is not None
    assert client.get("/").headers["Location"].startswith("/login")  # the message shows once, still out


def test_session_past_its_absolute_lifetime_is_signed_out(client, db_session):
    patient = make_patient()
    login(client, patient.user)
    row = _rows(db_session, patient.user)[-1]
    assert row.expires_at - row.created_at == timedelta(hours=12)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db_session.flush()
    page = client.get("/account", follow_redirects=True)
    assert "sessions last a limited time" in page.text


def test_session_cookie_is_httponly_samesite_lax_and_secure_when_configured(client, app, db_session, monkeypatch):
    user = make_user()
    cookie = login(client, user).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    cookie = login(app.test_client(), user).headers["Set-Cookie"]
    assert "Secure" in cookie


def test_posts_without_csrf_token_get_a_clear_400_page(client, app, db_session, monkeypatch):
    user = make_user()
    login(client, user)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    for path, data in (("/account/profile", {"display_name": "X", "locale": "en"}),
                       ("/login", {"email": user.email, "password": PASSWORD})):
        refused = app.test_client().post(path, data=data) if path == "/login" else client.post(path, data=data)
        assert refused.status_code == 400, path
        assert "This form could not be sent" in refused.text and "Traceback" not in refused.text
    # With the token from the form, the same sign-in works.
    fresh = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', fresh.get("/login").text).group(1)
    ok = fresh.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert ok.status_code == 302


def test_next_only_follows_local_paths(client, db_session):
    user = make_user()
    response = client.post("/login?next=https://evil.example/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
