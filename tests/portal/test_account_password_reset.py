"""Forgot password: neutral answer, emailed signed link through the outbox, single use, expiry, sessions ended."""

from datetime import timedelta
from urllib.parse import urlsplit

from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from hearth.clock import utcnow
from hearth.models import Notification
from tests.conftest import login
from tests.factories import make_user
from tests.portal.test_login import fresh_requests  # noqa: F401  (autouse: a fresh g per request)

NEW_PASSWORD = "juniper falcon ember thistle"
NEUTRAL = "If an account uses that email address, we have sent it a link"


def _reset_mail(db_session, user) -> Notification:
    return db_session.scalar(select(Notification).where(Notification.to_address == user.email,
                                                        Notification.template == "password_reset"))


def _ask(client, email):
    response = client.post("/forgot-password", data={"email": email})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    return client.get("/login").text


def test_the_answer_is_the_same_whether_or_not_the_account_exists(app, client, db_session):
    user = make_user()
    assert NEUTRAL in _ask(client, "nobody@example.test")
    # An unknown address is told no account uses it (the same work as a link, so timing tells nothing).
    note = db_session.scalar(select(Notification).where(Notification.to_address == "nobody@example.test"))
    assert note.template == "password_reset_no_account" and note.kind == "account" and note.channel == "email"
    assert note.params == {"url": app.config["BASE_URL"].rstrip("/") + "/forgot-password"}
    assert NEUTRAL in _ask(client, user.email.upper())
    mail = _reset_mail(db_session, user)
    assert mail is not None and mail.kind == "account" and mail.channel == "email"
    assert mail.to_address == user.email and mail.params["minutes"] == 60
    bad = client.post("/forgot-password", data={"email": "not an email"})
    assert bad.status_code == 422 and 'value="not an email"' in bad.text


def test_reset_link_sets_a_new_password_once_and_ends_every_session(app, client, db_session):
    user = make_user()
    laptop = app.test_client()
    login(laptop, user)
    user.failed_logins, user.locked_until = 3, utcnow() + timedelta(minutes=10)  # forgot it, then locked out
    _ask(client, user.email)
    url = _reset_mail(db_session, user).params["url"]
    assert url.startswith(app.config["BASE_URL"] + "/reset-password/")
    path = urlsplit(url).path

    page = client.get(path)
    assert page.status_code == 200 and "Choose a new password" in page.text
    weak = client.post(path, data={"password": "aaaaaaaaaaaa", "password_confirm": "aaaaaaaaaaaa"})
    assert weak.status_code == 422 and "repeated or sequential" in weak.text
    done = client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert "Your password has been changed" in client.get("/login").text

    assert user.locked_until is None and user.failed_logins == 0
    assert laptop.get("/account").headers["Location"].startswith("/login")  # old session revoked
    assert login(client, user, password=NEW_PASSWORD).status_code == 302

    again = app.test_client().get(path)
    assert again.status_code == 400 and "not valid or was already used" in again.text
    reuse = app.test_client().post(path, data={"password": "another fine passphrase", "password_confirm":
                                               "another fine passphrase"})
    assert reuse.status_code == 400 and "Ask for a new link" in reuse.text


def test_expired_and_forged_links_say_so(app, client, db_session, monkeypatch):
    user = make_user()
    two_hours_ago = int(utcnow().timestamp()) - 7200
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: two_hours_ago)
    _ask(client, user.email)
    monkeypatch.undo()
    path = urlsplit(_reset_mail(db_session, user).params["url"]).path
    expired = client.get(path)
    assert expired.status_code == 400 and "This password reset link has expired." in expired.text
    forged = client.get(path[:-3] + "abc")
    assert forged.status_code == 400 and "not valid" in forged.text


def test_reset_over_the_api_is_neutral_and_confirms_with_the_token(client, db_session):
    user = make_user()
    assert client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.test"}).status_code == 202
    assert client.post("/api/v1/auth/password-reset", json={"email": user.email}).status_code == 202
    token = urlsplit(_reset_mail(db_session, user).params["url"]).path.rsplit("/", 1)[1]
    weak = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "short"})
    assert weak.status_code == 422 and weak.mimetype == "application/problem+json"
    assert "password" in weak.json["errors"]
    ok = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert ok.status_code == 204
    used = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert used.status_code == 422 and "already used" in used.json["detail"]
