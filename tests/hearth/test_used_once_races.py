"""Things used once, used many times at once on separate connections: exactly one use wins.

Issue 7, section 1 ("find the others of this kind"): password-reset links, caregiver invitations
(accept, decline, revoke), reminder cancel links, two-factor enrolment. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.models import Appointment, AppointmentStatus, AuditEvent, CaregiverGrant, GrantStatus, Notification, User
from hearth.services import caregivers, password_reset
from hearth.services.scheduling import booking
from hearth.services.scheduling.booking import SlotChoice
from tests.factories import make_patient, make_user
from tests.hearth.test_caregivers_support import token_of
from tests.parallel import committed, race, sqlite_writer_begin  # noqa: F401  (fixtures)
from tests.scheduling.conftest import clinic, future_day, local  # noqa: F401  (clinic: a fixture)

pytestmark = pytest.mark.usefixtures("committed")

RACERS = 10
INVITE = caregivers.InviteSettings(base_url="http://127.0.0.1:5000", days=7)


def _codes(results) -> list:
    return sorted(r.status_code if hasattr(r, "status_code") else repr(r) for r in results)


def _count(stmt) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


@pytest.mark.usefixtures("sqlite_writer_begin")
def test_one_reset_link_used_10_times_at_once_sets_one_password(app):
    user = make_user()
    db.session.commit()
    settings = password_reset.ResetSettings(app.config["SECRET_KEY"], 60, app.config["BASE_URL"])
    token = password_reset.make_token(user, settings)

    results = race(app, RACERS, lambda i, c: c.post("/api/v1/auth/password-reset/confirm",
                                                    json={"token": token, "password": f"juniper falcon ember {i}x"}))

    assert _codes(results) == [204] + [422] * 9, [getattr(r, "json", r) for r in results]
    assert _count(select(Notification.id).where(Notification.recipient_user_id == user.id,
                                                Notification.template == "password_changed")) == 1


def _invitation():
    patient = make_patient()
    grant = caregivers.invite(patient.user, patient.id, {"email": "helper@example.test", "scopes": ["appointments"]},
                              INVITE).grant
    db.session.commit()
    return patient, grant.id, token_of(grant.id)


def _bearer(app, user) -> dict:
    from tests.factories import PASSWORD

    r = app.test_client().post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json['access_token']}"}


@pytest.mark.usefixtures("sqlite_writer_begin")
def test_one_invitation_accepted_by_10_people_at_once_binds_one(app):
    patient, grant_id, token = _invitation()
    people = [make_user() for _ in range(RACERS)]
    db.session.commit()
    headers = [_bearer(app, person) for person in people]

    results = race(app, RACERS, lambda i, c: c.post(f"/api/v1/caregivers/invitations/{token}/accept",
                                                    headers=headers[i]))

    assert _codes(results) == [200] + [409] * 9, [getattr(r, "json", r) for r in results]
    assert all(r.json["detail"] == "This invitation was already used." for r in results if r.status_code == 409)
    winner = people[next(i for i, r in enumerate(results) if r.status_code == 200)]
    db.session.expire_all()
    grant = db.session.get(CaregiverGrant, grant_id)
    assert grant.status == GrantStatus.ACTIVE and grant.caregiver_user_id == winner.id
    assert _count(select(AuditEvent.id).where(AuditEvent.action == "accept",
                                              AuditEvent.resource_id == str(grant_id))) == 1


@pytest.mark.usefixtures("sqlite_writer_begin")
def test_accept_and_decline_and_revoke_at_once_leave_one_outcome(app):
    patient, grant_id, token = _invitation()
    helper = make_user()
    db.session.commit()
    helper_auth, patient_auth = _bearer(app, helper), _bearer(app, patient.user)
    calls = [
        lambda c: c.post(f"/api/v1/caregivers/invitations/{token}/accept", headers=helper_auth),
        lambda c: c.post(f"/api/v1/caregivers/invitations/{token}/decline", headers=helper_auth),
        lambda c: c.delete(f"/api/v1/patients/{patient.id}/caregivers/{grant_id}", headers=patient_auth),
    ]

    results = race(app, 3, lambda i, c: calls[i](c))

    codes = [getattr(r, "status_code", repr(r)) for r in results]
    assert codes[2] == 204, [(r.status_code, r.get_data(as_text=True)) for r in results]
    db.session.expire_all()
    grant = db.session.get(CaregiverGrant, grant_id)
    if grant.status == GrantStatus.DECLINED:  # the decline came before the revoke, and beat the accept
        assert codes[:2] == [409, 204] and grant.caregiver_user_id is None
    else:  # revoked last: after an accept (access given, then removed) or before both uses of the link
        assert grant.status == GrantStatus.REVOKED and grant.revoked_by_user_id == patient.user_id
        assert (codes[0] == 200) == (grant.accepted_at is not None) == (grant.caregiver_user_id == helper.id)
        assert codes[1] == 409  # the decline lost to the accept or to the revoke
        assert codes[0] in (200, 409)


@pytest.mark.usefixtures("sqlite_writer_begin")
def test_one_cancel_link_used_10_times_at_once_cancels_once(app, clinic):  # noqa: F811
    starts_at = local(future_day(10), 10)
    appt = booking.book(clinic.patient.user, clinic.patient,
                        SlotChoice(clinic.visit.id, clinic.provider.id, starts_at, clinic.location.id))
    db.session.commit()
    reminder = db.session.scalars(select(Notification).where(
        Notification.idempotency_key.startswith(f"reminder:{appt.id}:"))).first()
    token = urlsplit(reminder.params["cancel_url"]).path.rsplit("/", 1)[1]

    results = race(app, RACERS, lambda i, c: c.post(f"/api/v1/appointment-links/{token}", json={"reason": f"r{i}"}))

    assert _codes(results) == [200] + [409] * 9, [getattr(r, "json", r) for r in results]
    db.session.expire_all()
    assert db.session.get(Appointment, appt.id).status == AppointmentStatus.CANCELLED
    assert _count(select(AuditEvent.id).where(AuditEvent.actor_relation == "link", AuditEvent.action == "cancel",
                                              AuditEvent.resource_id == str(appt.id))) == 1


@pytest.mark.usefixtures("sqlite_writer_begin")
def test_two_factor_set_up_started_10_times_at_once_keeps_one_secret(app):
    user = make_user()
    db.session.commit()
    headers = _bearer(app, user)

    results = race(app, RACERS, lambda i, c: c.post("/api/v1/account/two-factor", headers=headers))

    assert _codes(results) == [200] * RACERS, [getattr(r, "json", r) for r in results]
    db.session.expire_all()
    secret = db.session.get(User, user.id).totp_secret
    assert {r.json["secret"] for r in results} == {secret}


@pytest.mark.usefixtures("sqlite_writer_begin")
def test_one_person_invited_10_times_at_once_gets_one_invitation(app):
    patient = make_patient()
    db.session.commit()
    headers = _bearer(app, patient.user)
    body = {"email": "helper@example.test", "scopes": ["appointments"]}

    results = race(app, RACERS, lambda i, c: c.post(f"/api/v1/patients/{patient.id}/caregivers", json=body,
                                                    headers=headers))

    assert _codes(results) == [201] + [409] * 9, [getattr(r, "json", r) for r in results]
    assert _count(select(CaregiverGrant.id).where(CaregiverGrant.patient_id == patient.id)) == 1


@pytest.mark.usefixtures("sqlite_writer_begin")
def test_one_invitation_link_registering_10_times_at_once_makes_one_account(app):
    patient, grant_id, token = _invitation()
    form = {"display_name": "Helper", "password": "juniper falcon ember thistle"}

    results = race(app, RACERS, lambda i, c: c.post(f"/caregivers/accept/{token}/register", data=form))

    assert _codes(results) == [302] + [409] * 9, [getattr(r, "status_code", r) for r in results]
    assert _count(select(User.id).where(User.email == "helper@example.test")) == 1
    db.session.expire_all()
    assert db.session.get(CaregiverGrant, grant_id).status == GrantStatus.ACTIVE


@pytest.mark.usefixtures("sqlite_writer_begin")
def test_joining_one_waitlist_10_times_at_once_makes_one_entry(app, clinic):  # noqa: F811
    from hearth.models import WaitlistEntry

    headers = _bearer(app, clinic.patient.user)
    body = {"visit_type_id": clinic.visit.id, "window_start": future_day(3).isoformat(),
            "window_end": future_day(20).isoformat()}

    results = race(app, RACERS, lambda i, c: c.post(f"/api/v1/patients/{clinic.patient.id}/waitlist", json=body,
                                                    headers=headers))

    assert _codes(results) == [201] + [409] * 9, [getattr(r, "json", r) for r in results]
    assert _count(select(WaitlistEntry.id).where(WaitlistEntry.patient_id == clinic.patient.id)) == 1


@pytest.mark.usefixtures("sqlite_writer_begin")
def test_checking_in_10_times_at_once_checks_in_once(app, clinic):  # noqa: F811
    from datetime import timedelta

    from hearth.errors import Conflict
    from hearth.models import Patient
    from hearth.services.scheduling import checkin
    from tests.parallel import in_app
    from tests.scheduling.conftest import place

    start = local(future_day(5), 10)
    appt_id = place(clinic, start).id
    db.session.commit()
    user_id, patient_id = clinic.patient.user_id, clinic.patient.id
    answers = {"meds": "no", "mood": "good", "notes": "fine"}

    def check_in(i, _client):
        def body():
            try:
                checkin.check_in(db.session.get(User, user_id), db.session.get(Patient, patient_id), appt_id,
                                 contact_confirmed=True, insurance_confirmed=True, answers=answers,
                                 now=start - timedelta(hours=2, minutes=i))
                return "checked in"
            except Conflict as exc:
                return str(exc.message)
        return in_app(app, body)

    results = race(app, RACERS, check_in)

    assert sorted(results, key=str) == ["You have already checked in."] * 9 + ["checked in"], results
