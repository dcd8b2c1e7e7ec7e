"""Changing the sign-in email or the password sends a notice: the email change to the old address."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from hearth import db
from hearth.models import Notification
from hearth.notify.templates import render
from hearth.services.security_notices import mask
from tests.api.test_account import _sign_in
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "a quite long new passphrase 42"


def notices(template):
    return db.session.scalars(select(Notification).where(Notification.template == template)).all()


@pytest.fixture
def user(db_session):
    person = make_user(name="Ana Lopez", email="ana.lopez@example.test", locale="es")
    db_session.commit()
    return person


def test_email_change_tells_the_old_address_with_the_new_one_masked(client, user):
    auth = _sign_in(client, user)
    same = client.post("/api/v1/account/email", headers=auth,
                       json={"email": "ANA.LOPEZ@example.test", "current_password": PASSWORD})
    assert same.status_code == 422 and notices("email_changed") == []  # nothing changed, nothing sent
    ok = client.post("/api/v1/account/email", headers=auth,
                     json={"email": "ana@new.example", "current_password": PASSWORD})
    assert ok.status_code == 202 and notices("email_changed") == []  # not before the new address confirms
    [link] = notices("email_change_confirm")
    assert link.to_address == "ana@new.example" and link.locale == "es"
    token = urlsplit(link.params["url"]).path.rsplit("/", 1)[1]
    assert client.post("/api/v1/account/email/confirm", json={"token": token}).status_code == 204
    [row] = notices("email_changed")
    assert row.channel == "email" and row.to_address == "ana.lopez@example.test" and row.kind == "account"
    assert row.params == {"new_email": "a***@new.example"} and row.locale == "es"
    text = render(row.template, row.locale, row.params)
    assert "a***@new.example" in text.body and "llame a su clínica" in text.body


def test_password_change_and_reset_send_a_notice(client, user):
    auth = _sign_in(client, user)
    changed = client.post("/api/v1/account/password", headers=auth,
                          json={"current_password": PASSWORD, "password": NEW_PASSWORD})
    assert changed.status_code in (200, 204), changed.json
    assert [r.to_address for r in notices("password_changed")] == ["ana.lopez@example.test"]
    assert client.post("/api/v1/auth/password-reset", json={"email": user.email}).status_code == 202
    reset = db.session.scalars(select(Notification).where(Notification.template == "password_reset")).one()
    token = urlsplit(reset.params["url"]).path.rsplit("/", 1)[1]
    done = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": PASSWORD + " again"})
    assert done.status_code == 204
    assert len(notices("password_changed")) == 2


def test_mask():
    assert mask("ana.lopez@example.com") == "a***@example.com"
    assert mask("nonsense") == "***"
