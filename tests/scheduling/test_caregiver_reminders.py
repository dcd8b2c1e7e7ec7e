"""Caregivers with the appointments scope get their own reminders and links; losing access stops both."""

from urllib.parse import urlsplit

from sqlalchemy import select

from hearth import db
from hearth.models import AuditEvent, Notification, NotificationStatus
from hearth.notify.templates import render
from hearth.services import caregivers
from hearth.services.scheduling import booking
from hearth.services.scheduling.booking import SlotChoice
from tests.factories import make_grant, make_user
from tests.scheduling.conftest import future_day, local


def rows_for(appointment_id, user_id, status=NotificationStatus.PENDING):
    return db.session.scalars(
        select(Notification).where(Notification.idempotency_key.startswith(f"reminder:{appointment_id}:"),
                                   Notification.recipient_user_id == user_id, Notification.status == status)
        .order_by(Notification.due_at)
    ).all()


def setup(clinic, *, scopes=("appointments",), locale="es"):
    helper = make_user(email=f"helper-{locale}@example.com", locale=locale)
    grant = make_grant(patient=clinic.patient, caregiver=helper, scopes=list(scopes))
    db.session.commit()
    appt = booking.book(clinic.patient.user, clinic.patient,
                        SlotChoice(clinic.visit.id, clinic.provider.id, local(future_day(10), 10), clinic.location.id,
                                   reason="Sore knee"))
    return helper, grant, appt


def test_caregiver_gets_her_own_reminders_in_her_language(clinic):
    helper, _, appt = setup(clinic)
    mine = rows_for(appt.id, helper.id)
    assert len(mine) == 3 and len(rows_for(appt.id, clinic.patient.user_id)) == 3
    row = mine[0]
    assert row.template == "caregiver_reminder" and row.locale == "es" and row.patient_id == clinic.patient.id
    assert row.idempotency_key.endswith(f":u{helper.id}")
    assert row.params["name"] == "Pat" and "?lang=es" in row.params["confirm_url"]
    text = render(row.template, row.locale, row.params)
    assert text.short.startswith("Pat tiene una cita el ") and "Confirmar: " in text.body
    assert "Check-up" not in text.body and "Sore knee" not in text.body and "Lovelace" not in text.body


def test_caregiver_without_the_scope_gets_none(clinic):
    helper, _, appt = setup(clinic, scopes=("messages",))
    assert rows_for(appt.id, helper.id) == []


def test_caregiver_link_confirms_as_her_and_dies_with_her_access(clinic, client):
    helper, grant, appt = setup(clinic, locale="en")
    url = urlsplit(rows_for(appt.id, helper.id)[0].params["confirm_url"])
    page = client.get(f"{url.path}?{url.query}")
    assert page.status_code == 200 and "Appointment for Pat" in page.text
    assert client.post(url.path).status_code == 200
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "confirm",
                                                        AuditEvent.actor_relation == "link")).one()
    assert event.actor_user_id == helper.id

    caregivers.revoke(clinic.patient.user, clinic.patient.id, grant.id)
    assert rows_for(appt.id, helper.id) == []  # her queued reminders are withdrawn at once
    assert len(rows_for(appt.id, helper.id, NotificationStatus.CANCELLED)) == 3
    assert client.get(url.path).status_code == 404
    assert len(rows_for(appt.id, clinic.patient.user_id)) == 3  # the patient's stay


def test_narrowing_scopes_withdraws_and_accepting_adds_reminders(clinic):
    helper, grant, appt = setup(clinic, scopes=("appointments", "messages"))
    caregivers.update(clinic.patient.user, clinic.patient.id, grant.id, {"scopes": ["messages"]})
    assert rows_for(appt.id, helper.id) == []
    caregivers.update(clinic.patient.user, clinic.patient.id, grant.id, {"scopes": ["appointments"]})
    assert len(rows_for(appt.id, helper.id)) == 3  # the same keys, queued again
