"""A new sign-in email takes effect when a link sent to the NEW address is opened (issue 7, section 6).

Also: a password-reset link asked for before the email (or the password) changed is dead after it,
and changing to the current email or password says so and changes nothing.
"""

import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.models import Notification, User
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "harbor juniper quiver meadow"
OLD, NEW = "ana.lopez@example.test", "ana.new@example.test"


@pytest.fixture
def user(db_session):
    person = make_user(name="Ana Lopez", email=OLD)
    db_session.commit()
    return person


def _auth(client, email=OLD, password=PASSWORD):
    r = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    return r


def _bearer(client) -> dict:
    r = _auth(client)
    assert r.status_code == 201, r.json
    return {"Authorization": f"Bearer {r.json['access_token']}"}


def _mails(template: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.template == template)
                                   .order_by(Notification.id)))


def _token(mail: Notification) -> str:
    return urlsplit(mail.params["url"]).path.rsplit("/", 1)[1]


def _ask(client, headers, email=NEW):
    return client.post("/api/v1/account/email", headers=headers, json={"email": email, "current_password": PASSWORD})


def test_the_new_email_takes_effect_only_when_the_link_sent_to_it_is_opened(client, user):
    headers = _bearer(client)
    asked = _ask(client, headers, email=" Ana.New@Example.TEST ")
    assert asked.status_code == 202 and asked.json["email"] == OLD and asked.json["pending_email"] == NEW
    assert user.email == OLD
    assert _auth(client, email=NEW).status_code == 401 and _auth(client).status_code == 201
    [link] = _mails("email_change_confirm")
    assert link.to_address == NEW and link.params["hours"] == 24
    assert link.params["url"].startswith("http://127.0.0.1:5000/account/email/confirm/")
    assert _mails("email_changed") == []

    done = client.post("/api/v1/account/email/confirm", json={"token": _token(link)})
    assert done.status_code == 204
    db.session.refresh(user)
    assert user.email == NEW and user.pending_email is None
    [notice] = _mails("email_changed")
    assert notice.to_address == OLD and notice.params == {"new_email": "a***@example.test"}
    assert _auth(client, email=NEW).status_code == 201 and _auth(client).status_code == 401
    again = client.post("/api/v1/account/email/confirm", json={"token": _token(link)})
    assert again.status_code == 422 and "already used" in again.json["detail"]
    assert len(_mails("email_changed")) == 1


def test_the_answer_is_the_same_whether_or_not_the_address_is_taken(client, user):
    owner = make_user(email="taken@example.test")
    db.session.commit()
    headers = _bearer(client)
    free = _ask(client, headers, email="free@example.test")
    taken = _ask(client, headers, email="TAKEN@example.test")
    assert (free.status_code, sorted(free.json)) == (taken.status_code, sorted(taken.json)) == (202, sorted(free.json))
    assert taken.json["pending_email"] == "taken@example.test" and user.email == OLD
    # No link goes to an address another account uses; its owner is told someone tried it.
    assert [m.to_address for m in _mails("email_change_confirm")] == ["free@example.test"]
    [notice] = _mails("email_in_use")
    assert notice.to_address == owner.email and notice.recipient_user_id == owner.id


def test_the_portal_page_shows_one_button_and_the_button_confirms(client, user):
    _ask(client, _bearer(client))
    token = _token(_mails("email_change_confirm")[0])
    page = client.get(f"/account/email/confirm/{token}")
    assert page.status_code == 200 and NEW in page.text and "Confirm" in page.text
    assert db.session.get(User, user.id).email == OLD  # opening the link changes nothing
    done = client.post(f"/account/email/confirm/{token}")
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    db.session.refresh(user)
    assert user.email == NEW
    dead = client.get(f"/account/email/confirm/{token}")
    assert dead.status_code == 400 and "already used" in dead.text


def test_a_newer_request_or_a_cancel_kills_the_earlier_link(client, user):
    headers = _bearer(client)
    _ask(client, headers, email="first@example.test")
    _ask(client, headers, email="second@example.test")
    first, second = _mails("email_change_confirm")
    assert client.post("/api/v1/account/email/confirm", json={"token": _token(first)}).status_code == 422
    cancelled = client.delete("/api/v1/account/email/pending", headers=headers)
    assert cancelled.status_code == 200 and cancelled.json["pending_email"] is None
    assert client.post("/api/v1/account/email/confirm", json={"token": _token(second)}).status_code == 422
    assert db.session.get(User, user.id).email == OLD


def test_an_expired_or_forged_link_is_refused(client, user, monkeypatch):
    _ask(client, _bearer(client))
    token = _token(_mails("email_change_confirm")[0])
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 25 * 3600)
    expired = client.post("/api/v1/account/email/confirm", json={"token": token})
    monkeypatch.setattr(time, "time", real)
    assert expired.status_code == 422 and "expired" in expired.json["detail"]
    forged = client.post("/api/v1/account/email/confirm", json={"token": token[:-3] + "abc"})
    assert forged.status_code == 422
    assert db.session.get(User, user.id).email == OLD


def test_changing_to_the_current_email_says_so_and_changes_nothing(client, user):
    headers = _bearer(client)
    same = _ask(client, headers, email=" ANA.LOPEZ@example.test ")
    assert same.status_code == 422
    assert same.json["errors"]["email"] == ["That is already your sign-in email address. Nothing was changed."]
    assert user.pending_email is None and _mails("email_change_confirm") == [] and _mails("email_changed") == []


def test_portal_email_change_sends_the_link(client, user):
    client.post("/login", data={"email": OLD, "password": PASSWORD})
    same = client.post("/account/email", data={"email": OLD.upper()})
    assert same.status_code == 422 and "That is already your sign-in email address." in same.text
    sent = client.post("/account/email", data={"email": f"  {NEW.upper()} "}, follow_redirects=True)
    assert sent.status_code == 200 and f"We sent a link to {NEW}" in sent.text
    assert f"Waiting for you to open the link we sent to {NEW}" in sent.text
    assert db.session.get(User, user.id).email == OLD


def _reset_token(client, email) -> str:
    assert client.post("/api/v1/auth/password-reset", json={"email": email}).status_code == 202
    mail = _mails("password_reset")[-1]
    return urlsplit(mail.params["url"]).path.rsplit("/", 1)[1]


def test_a_reset_link_asked_for_before_the_email_changed_is_dead_after_it(client, user):
    reset = _reset_token(client, OLD)
    _ask(client, _bearer(client))
    assert client.post("/api/v1/account/email/confirm",
                       json={"token": _token(_mails("email_change_confirm")[0])}).status_code == 204
    r = client.post("/api/v1/auth/password-reset/confirm", json={"token": reset, "password": NEW_PASSWORD})
    assert r.status_code == 422
    assert _auth(client, email=NEW, password=NEW_PASSWORD).status_code == 401


def test_a_reset_link_asked_for_before_the_password_changed_is_dead_after_it(client, user):
    reset = _reset_token(client, OLD)
    changed = client.post("/api/v1/account/password", headers=_bearer(client),
                          json={"password": NEW_PASSWORD, "current_password": PASSWORD})
    assert changed.status_code == 204
    r = client.post("/api/v1/auth/password-reset/confirm", json={"token": reset, "password": "other " + NEW_PASSWORD})
    assert r.status_code == 422


def test_an_email_change_link_dies_when_the_password_changes(client, user):
    headers = _bearer(client)
    _ask(client, headers)
    client.post("/api/v1/account/password", headers=headers, json={"password": NEW_PASSWORD,
                                                                   "current_password": PASSWORD})
    r = client.post("/api/v1/account/email/confirm", json={"token": _token(_mails("email_change_confirm")[0])})
    assert r.status_code == 422 and db.session.get(User, user.id).email == OLD


def test_a_new_password_equal_to_the_current_one_says_so_and_changes_nothing(client, user):
    before = user.password_hash
    r = client.post("/api/v1/account/password", headers=_bearer(client),
                    json={"password": PASSWORD, "current_password": PASSWORD})
    assert r.status_code == 422
    assert r.json["errors"]["password"] == ["Your new password is the same as your current one. Choose a "
                                            "different password; nothing was changed."]
    db.session.refresh(user)
    assert user.password_hash == before and _mails("password_changed") == []
    reset = _reset_token(client, OLD)
    same = client.post("/api/v1/auth/password-reset/confirm", json={"token": reset, "password": PASSWORD})
    assert same.status_code == 422 and "password" in same.json["errors"]
    client.post("/login", data={"email": OLD, "password": PASSWORD})
    portal = client.post("/account/password", data={"password": PASSWORD, "password_confirm": PASSWORD})
    assert portal.status_code == 422 and "Your new password is the same as your current one." in portal.text
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.template == "password_changed")) == 0


def test_openapi_documents_the_email_change(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    start = paths["/api/v1/account/email"]["post"]
    assert "202" in start["responses"] and start["security"] == [{"bearerAuth": []}]
    confirm = paths["/api/v1/account/email/confirm"]["post"]
    assert "204" in confirm["responses"] and "422" in confirm["responses"] and confirm.get("security") == []
    assert "delete" in paths["/api/v1/account/email/pending"]


def test_the_confirm_page_in_spanish(client, user):
    _ask(client, _bearer(client))
    token = _token(_mails("email_change_confirm")[0])
    page = client.get(f"/account/email/confirm/{token}", headers={"Accept-Language": "es-MX,en;q=0.5"})
    assert "Confirme su nuevo correo de acceso" in page.text and ">Confirmar</button>" in page.text
    dead = client.get("/account/email/confirm/not-a-real-token-at-all", headers={"Accept-Language": "es"})
    assert dead.status_code == 400 and "Este enlace no es válido o ya se usó." in dead.text
