"""The account page: profile, re-authentication, password, email, two-factor, sessions and devices."""

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from hearth.clock import utcnow
from hearth.models import Device, UserSession
from hearth.services import sessions
from tests.conftest import login
from tests.factories import PASSWORD, make_practice, make_staff, make_user
from tests.portal.test_login import fresh_requests  # noqa: F401  (autouse: a fresh g per request)
from tests.querycount import count_queries

NEW_PASSWORD = "violet canyon pebble saffron"


def _current_row(db_session, user) -> UserSession:
    return db_session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                              .order_by(UserSession.id.desc())).first()


def _stale(db_session, user):
    """Make the signed-in session's last password check older than REAUTH_MINUTES."""
    row = _current_row(db_session, user)
    row.reauth_at = utcnow() - timedelta(minutes=6)
    db_session.flush()
    return row


@pytest.fixture
def user(client, db_session):
    person = make_user(name="Ana Lopez", email="ana.lopez@example.test")
    login(client, person)
    return person


def test_account_page_shows_profile_security_and_sessions(client, user, db_session):
    other = sessions.start_api_session(user, timedelta(days=30), "Ana's Pixel")
    page = client.get("/account")
    assert page.status_code == 200
    assert 'href="/account"' in page.text and 'aria-current="page"' in page.text  # in the main nav
    assert "Ana Lopez" in page.text and "Ana&#39;s Pixel" in page.text
    assert "This session" in page.text
    assert f"/account/sessions/{other.id}/sign-out" in page.text
    assert "Sign out everywhere" in page.text


def test_account_page_queries_stay_bounded_with_many_sessions(client, user, db_session):
    for n in range(3):
        sessions.start_api_session(user, timedelta(days=30), f"Phone {n}")
    client.get("/account")
    with count_queries() as few:
        client.get("/account")
    for n in range(30):
        sessions.start_api_session(user, timedelta(days=30), f"Tablet {n}")
        db_session.add(Device(user_id=user.id, fcm_token=f"tok{n}", token_hash=f"{n:064d}", platform="ios"))
    db_session.flush()
    with count_queries() as many:
        page = client.get("/account")
    assert "Tablet 29" in page.text
    assert many.count == few.count, many.statements


def test_profile_saves_and_bad_zone_is_a_form_error(client, user, db_session):
    saved = client.post("/account/profile", data={"display_name": "Ana María López", "locale": "es",
                                                  "timezone": "America/Mexico_City"})
    assert saved.status_code == 302
    assert (user.display_name, user.locale, user.timezone) == ("Ana María López", "es", "America/Mexico_City")
    bad = client.post("/account/profile", data={"display_name": "Ana", "locale": "fr", "timezone": "Mars/Olympus"})
    assert bad.status_code == 422
    assert "Elija una zona horaria de la lista." in bad.text or "Choose a time zone from the list." in bad.text
    assert 'value="Ana"' in bad.text  # values kept
    assert user.timezone == "America/Mexico_City"


def test_change_password_needs_recent_password_then_rules_then_signs_out_others(app, client, user, db_session):
    _stale(db_session, user)
    phone = app.test_client()
    login(phone, user)
    gate = client.get("/account/password")
    assert gate.status_code == 302 and gate.headers["Location"] == "/account/confirm-password?next=/account/password"
    wrong = client.post(gate.headers["Location"], data={"current_password": "nope"})
    assert wrong.status_code == 422 and "The password is incorrect." in wrong.text
    assert user.failed_logins == 1
    ok = client.post(gate.headers["Location"], data={"current_password": PASSWORD})
    assert ok.status_code == 302 and ok.headers["Location"] == "/account/password"
    weak = client.post("/account/password", data={"password": "password1234", "password_confirm": "password1234"})
    assert weak.status_code == 422 and "too common" in weak.text
    mismatch = client.post("/account/password", data={"password": NEW_PASSWORD, "password_confirm": "x"})
    assert mismatch.status_code == 422 and "do not match" in mismatch.text
    done = client.post("/account/password", data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get("/account").status_code == 200  # this session stays
    assert phone.get("/account").headers["Location"].startswith("/login")  # the other one ended
    client.post("/logout")
    assert login(client, user, password=PASSWORD).status_code == 200  # old password refused
    assert login(client, user, password=NEW_PASSWORD).status_code == 302


def test_change_email_is_normalized_and_waits_for_the_link(client, user, db_session):
    make_user(email="taken@example.test")
    taken = client.post("/account/email", data={"email": "Taken@Example.test"})
    assert taken.status_code == 302 and user.email == "ana.lopez@example.test"
    done = client.post("/account/email", data={"email": "  Ana.New@Example.TEST "})
    assert done.status_code == 302 and user.pending_email == "ana.new@example.test"
    assert user.email == "ana.lopez@example.test"
    _stale(db_session, user)
    assert client.post("/account/email", data={"email": "x@example.test"}).headers["Location"].startswith(
        "/account/confirm-password")
    assert user.pending_email == "ana.new@example.test"


def test_patient_turns_two_factor_on_and_off(client, user, db_session):
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and user.totp_secret and "otpauth://totp/Hearth:" in page.text
    assert client.get("/account/two-factor").status_code == 200
    secret = user.totp_secret
    assert secret == user.totp_secret  # reloading keeps the pending secret the app already has
    wrong = client.post("/account/two-factor", data={"code": "123456"})
    assert wrong.status_code == 422 and user.totp_enabled_at is None
    assert client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert user.totp_enabled
    _stale(db_session, user)
    gate = client.post("/account/two-factor/disable")
    assert gate.headers["Location"].startswith("/account/confirm-password") and user.totp_enabled
    client.post("/account/confirm-password", data={"current_password": PASSWORD})
    assert client.post("/account/two-factor/disable").status_code == 302
    assert not user.totp_enabled and user.totp_secret is None


def test_staff_cannot_turn_two_factor_off(app, client, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_TWO_FACTOR_REQUIRED", True)
    staff = make_staff(practice=make_practice())
    login(client, staff)
    client.get("/account/two-factor")
    client.post("/account/two-factor", data={"code": pyotp.TOTP(staff.totp_secret).now()})
    assert staff.totp_enabled
    page = client.get("/account/two-factor")
    assert "cannot be turned off" in page.text and "/account/two-factor/disable" not in page.text
    refused = client.post("/account/two-factor/disable", follow_redirects=True)
    assert "cannot be turned off" in refused.text and staff.totp_enabled


def test_sign_out_one_session_and_everywhere_including_api_tokens(app, client, user, db_session):
    laptop = app.test_client()
    login(laptop, user)
    laptop_row = _current_row(db_session, user)
    token = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD}).json["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    db_session.add(Device(user_id=user.id, fcm_token="fcm-token-1", token_hash="a" * 64, platform="android"))
    db_session.flush()

    assert client.post(f"/account/sessions/{laptop_row.id}/sign-out").status_code == 302
    assert laptop.get("/account").headers["Location"].startswith("/login")
    stranger = make_user()
    foreign = sessions.start_api_session(stranger, timedelta(days=1), None)
    assert client.post(f"/account/sessions/{foreign.id}/sign-out").status_code == 404
    assert foreign.revoked_at is None

    out = client.post("/account/sessions/sign-out-everywhere")
    assert out.status_code == 302 and out.headers["Location"] == "/login"
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    assert client.get("/account").headers["Location"].startswith("/login")
    device = db_session.scalar(select(Device).where(Device.user_id == user.id))
    assert device.disabled_at is not None and device.disabled_reason == "signed_out"


def test_signing_out_the_current_session_from_the_list_signs_out(client, user, db_session):
    row = _current_row(db_session, user)
    response = client.post(f"/account/sessions/{row.id}/sign-out")
    assert response.headers["Location"] == "/login"
    assert client.get("/account").status_code == 302


def test_remove_device(client, user, db_session):
    device = Device(user_id=user.id, fcm_token="fcm-token-2", token_hash="b" * 64, platform="ios", label="iPhone")
    db_session.add(device)
    db_session.flush()
    assert "iPhone" in client.get("/account").text
    assert client.post(f"/account/devices/{device.id}/remove").status_code == 302
    assert db_session.get(Device, device.id) is None
