"""Ending a sign-in stops pushes to the devices registered through it, however it ends (issue 7, section 6).

Each test signs in through the API, registers a phone, ends the sign-in one way, then queues a visit
reminder and runs the real dispatcher against the FCM fake: the phone gets nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hearth import db, notify
from hearth.clock import utcnow
from hearth.models import Device, UserSession
from hearth.notify.dispatcher import dispatch
from hearth.security.tokens import token_hash
from tests.conftest import login
from tests.factories import PASSWORD, make_patient

PHONE = "fcm-token-of-the-phone-" + "p" * 40
TABLET = "fcm-token-of-the-tablet-" + "t" * 40
NEW_PASSWORD = "harbor juniper quiver meadow"


@pytest.fixture
def patient(db_session):
    person = make_patient(preferred_channels="push")
    db_session.commit()
    return person


def _api_sign_in(client, user) -> dict:
    r = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD,
                                                "device_label": "Phone"})
    assert r.status_code == 201, r.json
    return {"headers": {"Authorization": f"Bearer {r.json['access_token']}"}, "refresh": r.json["refresh_token"]}


def _register(client, signed_in, token) -> int:
    r = client.post("/api/v1/devices", headers=signed_in["headers"], json={"token": token, "platform": "android"})
    assert r.status_code == 200 and r.json["active"] is True
    return r.json["id"]


def _remind(patient, n=1) -> None:
    notify.enqueue(key=f"reminder:{patient.id}:{n}", kind="reminder", template="appointment_reminder",
                   user=patient.user, patient=patient)


def _pushed_to(fake_fcm, make_channels, patient) -> list[str]:
    fake_fcm.reset()
    _remind(patient, n=utcnow().timestamp())
    dispatch(make_channels(fake_fcm.settings), "w1")
    return sorted(fake_fcm.tokens())


def test_api_sign_out_stops_pushes_to_the_phone_it_registered(client, app, patient, fake_fcm, make_channels):
    phone, tablet = _api_sign_in(client, patient.user), _api_sign_in(app.test_client(), patient.user)
    _register(client, phone, PHONE)
    _register(client, tablet, TABLET)
    assert _pushed_to(fake_fcm, make_channels, patient) == sorted([PHONE, TABLET])

    assert client.delete("/api/v1/auth/token", headers=phone["headers"]).status_code == 204

    assert _pushed_to(fake_fcm, make_channels, patient) == [TABLET]
    listed = {d["id"]: d["active"] for d in client.get("/api/v1/devices", headers=tablet["headers"]).json}
    assert sorted(listed.values()) == [False, True]


def test_refresh_token_reuse_revokes_the_family_and_its_devices(client, patient, fake_fcm, make_channels):
    phone = _api_sign_in(client, patient.user)
    _register(client, phone, PHONE)
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": phone["refresh"]}).status_code == 200
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": phone["refresh"]})
    assert reused.status_code == 401
    device = db.session.scalar(select(Device).where(Device.token_hash == token_hash(PHONE)))
    assert device.disabled_at is not None and device.disabled_reason == "signed_out"
    assert _pushed_to(fake_fcm, make_channels, patient) == []


def test_portal_sign_out_of_one_session_stops_its_devices(app, client, patient, fake_fcm, make_channels):
    phone = _api_sign_in(app.test_client(), patient.user)
    _register(app.test_client(), phone, PHONE)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == patient.user.id))
    login(client, patient.user)
    r = client.post(f"/account/sessions/{row.id}/sign-out")
    assert r.status_code == 302
    assert _pushed_to(fake_fcm, make_channels, patient) == []


def test_portal_sign_out_everywhere_stops_every_device(app, client, patient, fake_fcm, make_channels):
    phone = _api_sign_in(app.test_client(), patient.user)
    _register(app.test_client(), phone, PHONE)
    login(client, patient.user)
    assert client.post("/account/sessions/sign-out-everywhere").status_code == 302
    assert _pushed_to(fake_fcm, make_channels, patient) == []


def test_a_password_change_ends_the_other_sign_ins_and_their_devices(app, client, patient, fake_fcm,
                                                                        make_channels):
    phone, tablet = _api_sign_in(app.test_client(), patient.user), _api_sign_in(client, patient.user)
    _register(client, phone, PHONE)
    _register(client, tablet, TABLET)
    r = client.post("/api/v1/account/password", headers=tablet["headers"],
                    json={"password": NEW_PASSWORD, "current_password": PASSWORD})
    assert r.status_code == 204
    assert _pushed_to(fake_fcm, make_channels, patient) == [TABLET]


def test_an_expired_sign_in_gets_no_pushes(client, patient, fake_fcm, make_channels, db_session):
    phone = _api_sign_in(client, patient.user)
    _register(client, phone, PHONE)
    row = db_session.scalar(select(UserSession).where(UserSession.user_id == patient.user.id))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    assert _pushed_to(fake_fcm, make_channels, patient) == []
    listed = client.get("/api/v1/devices", headers=_api_sign_in(client, patient.user)["headers"]).json
    assert [d["active"] for d in listed] == [False]
    # Signing in again and registering the same phone brings its pushes back.
    _register(client, _api_sign_in(client, patient.user), PHONE)
    assert _pushed_to(fake_fcm, make_channels, patient) == [PHONE]
