"""The staff appointment detail: reason, check-in answers, status history, contacts, actions (service,
portal page, API), the schedule's links to it, and its policy and audit."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.errors import Forbidden, NotFound
from hearth.models import AppointmentStatus, AuditEvent
from hearth.services.scheduling import booking, checkin, staff, staff_detail
from hearth.services.scheduling.booking import SlotChoice
from tests.api.test_staff import bearer
from tests.conftest import login
from tests.factories import make_grant, make_patient, make_practice, make_staff, make_user
from tests.scheduling.conftest import future_day, local, place

ANSWERS = {"meds": "yes", "mood": "bad", "notes": "Dizzy when standing"}


def _checked_in(clinic):
    """A visit booked by the patient with a reason, checked in with answers."""
    start = local(future_day(2), 10)
    appt = booking.book(clinic.patient.user, clinic.patient,
                        SlotChoice(clinic.visit.id, clinic.provider.id, start, clinic.location.id,
                                   reason="Knee pain after a fall"))
    checkin.check_in(clinic.patient.user, clinic.patient, appt.id, contact_confirmed=True,
                     insurance_confirmed=True, answers=ANSWERS, now=start - timedelta(hours=2))
    return appt


def test_detail_shows_reason_answers_history_and_caregivers(clinic):
    appt = _checked_in(clinic)
    daughter = make_user(name="Rosa Carer")
    make_grant(patient=clinic.patient, caregiver=daughter, relationship_label="Daughter")
    db.session.commit()
    # On the visit's day, after its start: Arrived and No-show are offered (issue 7: arrival only that day).
    view = staff_detail.appointment_detail(clinic.staff, clinic.practice.id, appt.id,
                                           now=appt.starts_at + timedelta(minutes=5))
    assert view.appointment.reason == "Knee pain after a fall"
    assert [(a.question, a.answer) for a in view.answers] == [
        ("Any medication changes?", True), ("How do you feel?", "bad"), ("Anything else?", "Dizzy when standing")]
    assert [(c.from_status, c.to_status, c.by_user_id) for c in view.history] == [
        (None, AppointmentStatus.BOOKED, clinic.patient.user.id)]
    assert [(c.name, c.relationship, c.email) for c in view.caregivers] == [("Rosa Carer", "Daughter", daughter.email)]
    assert view.next_statuses == [AppointmentStatus.ARRIVED, AppointmentStatus.NO_SHOW] and view.can_cancel
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.actor_user_id, event.action, event.resource_type, event.resource_id, event.actor_relation) == (
        clinic.staff.id, "view", "appointment", str(appt.id), "staff")


def test_history_records_every_status_change_with_who(clinic):
    start = local(future_day(-1), 10)
    appt = place(clinic, start)
    db.session.commit()
    now = start + timedelta(minutes=2)
    staff.set_status(clinic.staff, clinic.practice.id, appt.id, AppointmentStatus.ARRIVED, now=now)
    staff.set_status(clinic.staff, clinic.practice.id, appt.id, AppointmentStatus.ROOMED, now=now)
    view = staff_detail.appointment_detail(clinic.staff, clinic.practice.id, appt.id)
    assert [(c.from_status, c.to_status, c.by_user_id, c.at) for c in view.history] == [
        (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, clinic.staff.id, now),
        (AppointmentStatus.ARRIVED, AppointmentStatus.ROOMED, clinic.staff.id, now)]


def test_staff_cancel_is_recorded_and_only_for_booked_visits(clinic):
    appt = place(clinic, local(future_day(0), 23, 30))  # inside the patient's cutoff: staff may still cancel
    db.session.commit()
    staff_detail.cancel_visit(clinic.staff, clinic.practice.id, appt.id, "Provider ill")
    assert appt.status == AppointmentStatus.CANCELLED and appt.cancel_reason == "Provider ill"
    view = staff_detail.appointment_detail(clinic.staff, clinic.practice.id, appt.id)
    assert [(c.from_status, c.to_status, c.by_user_id) for c in view.history] == [
        (AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED, clinic.staff.id)]
    assert not view.can_cancel and view.next_statuses == []


def test_detail_is_for_the_practice_staff_only(clinic):
    appt = place(clinic, local(future_day(3), 10))
    outsider = make_staff(practice=make_practice())
    db.session.commit()
    with pytest.raises(Forbidden):
        staff_detail.appointment_detail(outsider, clinic.practice.id, appt.id)
    with pytest.raises(Forbidden):
        staff_detail.appointment_detail(clinic.patient.user, clinic.practice.id, appt.id)
    with pytest.raises(NotFound):  # the right staff, another practice's visit id
        staff_detail.appointment_detail(outsider, outsider.memberships[0].practice_id, appt.id)
    with pytest.raises(Forbidden):
        staff_detail.cancel_visit(outsider, clinic.practice.id, appt.id)
    assert appt.status == AppointmentStatus.BOOKED


def test_portal_page_and_schedule_links(client, clinic):
    appt = _checked_in(clinic)
    db.session.commit()
    login(client, clinic.staff)
    schedule = client.get("/schedule", query_string={"date": future_day(2).isoformat()}).get_data(as_text=True)
    assert f"/schedule/appointments/{appt.id}?practice_id={clinic.practice.id}" in schedule
    assert f"/staff/patients/{clinic.patient.id}" in schedule
    page = client.get(f"/schedule/appointments/{appt.id}", query_string={"practice_id": clinic.practice.id})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for words in ("Knee pain after a fall", "Any medication changes?", "Dizzy when standing", "Status history",
                  "Cancel this visit", clinic.patient.mrn):
        assert words in html
    assert "Mark Arrived" not in html  # two days ahead: arrival is offered on the visit's day only
    today = place(clinic, (utcnow() - timedelta(minutes=1)).replace(second=0, microsecond=0))
    db.session.commit()
    r = client.post(f"/schedule/appointments/{today.id}/status", data={
        "practice_id": clinic.practice.id, "status": "arrived",
        "next": f"/schedule/appointments/{today.id}?practice_id={clinic.practice.id}"}, follow_redirects=True)
    assert "Booked → Arrived" in r.get_data(as_text=True)


def test_portal_page_in_spanish(client, clinic):
    appt = _checked_in(clinic)
    clinic.staff.locale = "es"
    db.session.commit()
    login(client, clinic.staff)
    html = client.get(f"/schedule/appointments/{appt.id}").get_data(as_text=True)
    assert "Motivo de la visita" in html and "Historial de estados" in html and "Cancelar esta cita" in html


def test_portal_cancel(client, clinic):
    appt = place(clinic, local(future_day(3), 10))
    db.session.commit()
    login(client, clinic.staff)
    r = client.post(f"/schedule/appointments/{appt.id}/cancel", data={"reason": "Clinic closed"},
                    follow_redirects=True)
    assert "Appointment cancelled" in r.get_data(as_text=True)
    assert appt.status == AppointmentStatus.CANCELLED
    again = client.post(f"/schedule/appointments/{appt.id}/cancel", data={}, follow_redirects=True)
    assert "can no longer be changed" in again.get_data(as_text=True)


def test_api_detail_and_openapi(client, clinic):
    appt = _checked_in(clinic)
    db.session.commit()
    auth = bearer(client, clinic.staff)
    r = client.get(f"/api/v1/practices/{clinic.practice.id}/appointments/{appt.id}", headers=auth)
    assert r.status_code == 200, r.json
    body = r.json
    assert body["appointment"]["reason"] == "Knee pain after a fall"
    assert body["answers"][0] == {"question_id": "meds", "question": "Any medication changes?", "answer": True}
    assert body["history"][0]["to_status"] == "booked" and body["history"][0]["from_status"] is None
    assert body["patient"]["mrn"] == clinic.patient.mrn and body["next_statuses"] == []  # two days ahead
    other = make_patient(practice=make_practice())
    db.session.commit()
    assert client.get(f"/api/v1/practices/{other.practice_id}/appointments/{appt.id}",
                      headers=auth).status_code == 403
    patient_auth = bearer(client, clinic.patient.user)
    assert client.get(f"/api/v1/practices/{clinic.practice.id}/appointments/{appt.id}",
                      headers=patient_auth).status_code == 403
    spec = client.get("/api/v1/openapi.json").json
    assert "get" in spec["paths"]["/api/v1/practices/{practice_id}/appointments/{appointment_id}"]
    assert "post" in spec["paths"]["/api/v1/practices/{practice_id}/appointments/{appointment_id}/cancel"]
    c = client.post(f"/api/v1/practices/{clinic.practice.id}/appointments/{appt.id}/cancel", json={"reason": "x"},
                    headers=auth)
    assert c.status_code == 200 and c.json["status"] == "cancelled"
