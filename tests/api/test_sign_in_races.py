"""Parallel sign-in attempts on separate connections: the lockout count is exact, tokens and codes are spent once.

Issue 7, section 1: 30 concurrent wrong passwords left the counter at 2 and never locked; the same
refresh token posted 10 times at once gave 10 live families. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import RefreshToken, SignInThrottle, User, UserSession
from hearth.services import lockout, two_factor
from tests.factories import PASSWORD, make_patient, make_user
from tests.parallel import committed, race, sqlite_writer_begin  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("committed")

RACERS = 30


def _statuses(results) -> list:
    return sorted(r.status_code if hasattr(r, "status_code") else repr(r) for r in results)


def _fresh(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_30_parallel_wrong_passwords_lock_at_the_5th_with_an_exact_count(app):
    user = make_user()
    db.session.commit()
    user_id, email = user.id, user.email

    results = race(app, RACERS, lambda i, c: c.post("/api/v1/auth/token", json={"email": email, "password": "wrong"}))

    assert _statuses(results) == [401] * 4 + [429] * 26, [getattr(r, "json", r) for r in results]
    assert all("Retry-After" in r.headers for r in results if r.status_code == 429)
    stored = _fresh(user_id)
    assert stored.failed_logins == 5
    assert stored.locked_until is not None and stored.locked_until > utcnow()
    # Locked means locked: even the right password waits.
    assert app.test_client().post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}
                                  ).status_code == 429


def test_30_parallel_wrong_codes_share_the_same_exact_count(app):
    user = make_user(totp_secret=two_factor.new_secret(), totp_enabled_at=utcnow())
    db.session.commit()
    user_id, email = user.id, user.email

    results = race(app, RACERS, lambda i, c: c.post("/api/v1/auth/token",
                                                    json={"email": email, "password": PASSWORD, "otp": "000000"}))

    assert _statuses(results) == [401] * 4 + [429] * 26, [getattr(r, "json", r) for r in results]
    assert _fresh(user_id).failed_logins == 5


def test_30_parallel_portal_sign_ins_lock_the_same_way(app):
    user = make_user()
    db.session.commit()
    email = user.email

    results = race(app, RACERS, lambda i, c: c.post("/login", data={"email": email, "password": "wrong"}))

    assert _statuses(results) == [200] * 4 + [429] * 26
    assert _fresh(user.id).failed_logins == 5


def test_30_parallel_tries_of_an_unknown_address_lock_it_the_same_way(app):
    email = "nobody-races@example.test"

    results = race(app, RACERS, lambda i, c: c.post("/api/v1/auth/token", json={"email": email, "password": "x"}))

    assert _statuses(results) == [401] * 4 + [429] * 26
    row = db.session.get(SignInThrottle, lockout.address_key(email))
    assert row.failed_logins == 5 and row.locked_until > utcnow()


def test_one_refresh_token_posted_10_times_at_once_wins_once_and_revokes_the_family(app):
    patient = make_patient()
    db.session.commit()
    signed_in = app.test_client().post("/api/v1/auth/token", json={"email": patient.user.email, "password": PASSWORD})
    assert signed_in.status_code == 201
    refresh = signed_in.json["refresh_token"]

    results = race(app, 10, lambda i, c: c.post("/api/v1/auth/refresh", json={"refresh_token": refresh}))

    assert _statuses(results) == [200] + [401] * 9, [getattr(r, "json", r) for r in results]
    winner = next(r for r in results if r.status_code == 200)
    db.session.expire_all()
    family = db.session.scalars(select(UserSession).where(UserSession.user_id == patient.user_id)).all()
    assert len(family) == 1 and family[0].revoked_at is not None
    assert db.session.scalar(select(RefreshToken).where(RefreshToken.session_id == family[0].id,
                                                        RefreshToken.used_at.is_(None))) is not None  # one issued
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {winner.json['access_token']}"})
    assert me.status_code == 401  # the reuse revoked what the winner got too
    again = app.test_client().post("/api/v1/auth/refresh", json={"refresh_token": winner.json["refresh_token"]})
    assert again.status_code == 401


@pytest.mark.usefixtures("sqlite_writer_begin")
def test_one_code_sent_10_times_at_once_signs_in_once(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 100)  # the 9 refusals count, but must not lock here
    user = make_user(totp_secret=two_factor.new_secret(), totp_enabled_at=utcnow())
    db.session.commit()
    email, code = user.email, pyotp.TOTP(user.totp_secret).now()

    results = race(app, 10, lambda i, c: c.post("/api/v1/auth/token",
                                                json={"email": email, "password": PASSWORD, "otp": code}))

    assert _statuses(results) == [201] + [401] * 9, [getattr(r, "json", r) for r in results]
    refused = [r for r in results if r.status_code == 401]
    assert all("already used" in r.json["errors"]["otp"][0] for r in refused)
    assert len(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()) == 1
