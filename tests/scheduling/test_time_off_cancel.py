"""Time off that cancels the visits booked inside it: service, portal, API, and the patient's message."""

import re
from datetime import time, timedelta

import pytest
from babel.dates import format_date, format_time
from sqlalchemy import func, select

from hearth import db
from hearth.errors import Conflict, Invalid
from hearth.models import (
    AppointmentSlotLock,
    AppointmentStatus,
    AuditEvent,
    Location,
    Notification,
    NotificationStatus,
    WaitlistStatus,
)
from hearth.notify.templates import localized, render
from hearth.schemas.scheduling_admin import ScheduleExceptionInputSchema
from hearth.services.scheduling import admin_hours, booking, waitlist
from hearth.services.scheduling.booking import SlotChoice
from hearth.services.scheduling.common import practice_phone
from tests.conftest import login
from tests.factories import make_patient, make_provider
from tests.scheduling.conftest import add_hours, future_day, local, place
from tests.scheduling.test_api import auth

TEMPLATE = "appointment_cancelled"


def book(clinic, starts_at, patient=None):
    """A visit booked the real way (slot locks and reminders included)."""
    patient = patient or make_patient(practice=clinic.practice)
    return booking.book(patient.user, patient, SlotChoice(clinic.visit.id, clinic.provider.id, starts_at,
                                                          clinic.location.id))


def time_off(clinic, day, start=9, end=12, **changes):
    return {"provider_id": clinic.provider.id, "kind": "time_off", "starts_at": f"{day}T{start:02d}:00",
            "ends_at": f"{day}T{end:02d}:00", "reason": "Surgery at St. Mary's"} | changes


def given(clinic, day, start=9, end=12, **changes):
    """What the service gets: the form or JSON body after the schema."""
    data = ScheduleExceptionInputSchema().load(time_off(clinic, day, start, end, **changes))
    data.pop("cancel_booked")
    return data


def messages(appointment_id=None):
    stmt = select(Notification).where(Notification.template == TEMPLATE)
    if appointment_id is not None:
        stmt = stmt.where(Notification.idempotency_key == f"appointment-cancelled:{appointment_id}")
    return db.session.scalars(stmt).all()


def reminder_statuses(appointment_id):
    return set(db.session.scalars(select(Notification.status).where(
        Notification.idempotency_key.startswith(f"reminder:{appointment_id}:"))))


def locks(appointment_id):
    return db.session.scalar(select(func.count()).select_from(AppointmentSlotLock)
                             .where(AppointmentSlotLock.appointment_id == appointment_id))


def test_cancels_only_the_providers_booked_visits_inside_and_tells_each_patient(clinic, practice_admin):
    day = future_day(8)
    inside = [book(clinic, local(day, 10)), book(clinic, local(day, 11))]
    straddling = place(clinic, local(day, 11, 45), patient=make_patient(practice=clinic.practice))  # to 12:15
    before = place(clinic, local(day, 8, 30))  # to 9:00: touching is not inside
    after = book(clinic, local(day, 12, 30))
    arrived = place(clinic, local(day, 10, 30), status=AppointmentStatus.ARRIVED)
    gone = place(clinic, local(day, 9, 30), status=AppointmentStatus.CANCELLED)
    colleague = make_provider(practice=clinic.practice, given_name="Grace", family_name="Hopper")
    add_hours(colleague, clinic.location)
    clinic.visit.providers.append(colleague)
    elsewhere = place(clinic, local(day, 10), provider=colleague)
    hopeful = make_patient(practice=clinic.practice)
    db.session.commit()
    entry = waitlist.join(hopeful.user, hopeful, clinic.visit.id, day - timedelta(days=2), day + timedelta(days=2))

    row = admin_hours.add_exception(practice_admin, clinic.practice.id, given(clinic, day), cancel_booked=True)

    cancelled = [*inside, straddling]
    assert (row.cancelled, row.booked) == (3, 0)
    assert {a.status for a in cancelled} == {AppointmentStatus.CANCELLED}
    assert all(a.status == AppointmentStatus.BOOKED for a in (before, after, elsewhere))
    assert (arrived.status, gone.status) == (AppointmentStatus.ARRIVED, AppointmentStatus.CANCELLED)
    for appointment in cancelled:
        # A plain-language reason the patient may see, never the time off's staff-only reason.
        assert appointment.cancel_reason == "The provider is not available at this time."
        assert locks(appointment.id) == 0
        [message] = messages(appointment.id)
        patient = appointment.patient
        assert (message.kind, message.patient_id, message.recipient_user_id) == ("appointment", patient.id,
                                                                                  patient.user_id)
        phone = practice_phone(clinic.practice, appointment.location)
        assert phone and message.params["phone"] == phone  # cancellations give the number to call
        assert message.status == NotificationStatus.PENDING and set(message.params) == {"ref", "starts_at", "zone",
                                                                                        "phone"}
        text = str(message.params)
        for secret in ("Surgery", "Check-up", "Lovelace", "Family medicine", "not available"):
            assert secret not in text
        audit = db.session.scalars(select(AuditEvent).where(
            AuditEvent.patient_id == patient.id, AuditEvent.action == "cancel",
            AuditEvent.resource_id == str(appointment.id))).all()
        assert [(e.actor_user_id, e.actor_relation, e.resource_type) for e in audit] == [
            (practice_admin.id, "staff", "appointment")]
    assert len(messages()) == 3
    assert all(reminder_statuses(a.id) == {NotificationStatus.CANCELLED} for a in inside)
    assert reminder_statuses(after.id) == {NotificationStatus.PENDING}
    assert locks(before.id) and locks(elsewhere.id)
    # The provider is away: the time is not offered to the waitlist, and cannot be booked again.
    assert entry.status == WaitlistStatus.WAITING
    assert not db.session.scalars(select(Notification).where(Notification.template == "waitlist_offer")).all()
    with pytest.raises(Invalid):  # refused for the time off, not as a double booking (Conflict)
        book(clinic, local(day, 10))


def test_by_default_nothing_is_cancelled(clinic, practice_admin):
    day = future_day(8)
    visit = book(clinic, local(day, 10))
    row = admin_hours.add_exception(practice_admin, clinic.practice.id, given(clinic, day))
    assert (row.cancelled, row.booked) == (0, 1)
    assert visit.status == AppointmentStatus.BOOKED and locks(visit.id)
    assert reminder_statuses(visit.id) == {NotificationStatus.PENDING}
    assert messages() == []
    with pytest.raises(Conflict):  # the visit still holds its time
        book(clinic, local(day, 10))


def test_update_cancels_inside_the_new_times_and_extra_hours_cancel_nothing(clinic, practice_admin):
    day = future_day(9)
    visit = book(clinic, local(day, 13))
    pid = clinic.practice.id
    row = admin_hours.add_exception(practice_admin, pid, given(clinic, day, 9, 12), cancel_booked=True)
    assert (row.cancelled, visit.status) == (0, AppointmentStatus.BOOKED)
    moved = admin_hours.update_exception(practice_admin, pid, row.exception.id,
                                         {"ends_at": local(day, 14)}, cancel_booked=True)
    assert (moved.cancelled, moved.booked, visit.status) == (1, 0, AppointmentStatus.CANCELLED)
    again = admin_hours.update_exception(practice_admin, pid, row.exception.id, {}, cancel_booked=True)
    assert again.cancelled == 0 and len(messages(visit.id)) == 1

    other = book(clinic, local(future_day(10), 10))
    annex = Location(practice_id=pid, name="Annex")
    db.session.add(annex)
    db.session.commit()
    extra = admin_hours.add_exception(practice_admin, pid, given(
        clinic, future_day(10), 8, 18, kind="extra_hours", location_id=annex.id), cancel_booked=True)
    assert (extra.cancelled, other.status) == (0, AppointmentStatus.BOOKED)


def test_message_shows_date_and_time_in_the_patients_language_and_the_visits_zone(clinic, practice_admin):
    day = future_day(8)
    patient = make_patient(practice=clinic.practice)
    patient.user.locale = "es"
    visit = book(clinic, local(day, 10, 30), patient=patient)
    admin_hours.add_exception(practice_admin, clinic.practice.id, given(clinic, day), cancel_booked=True)
    [message] = messages(visit.id)
    # The moment is kept; the words are written in the patient's language when the message is sent.
    phone = practice_phone(clinic.practice, clinic.location)
    assert message.params == {"ref": f"appointment:{visit.id}", "zone": "America/New_York",
                              "starts_at": visit.starts_at.isoformat(), "phone": phone}
    assert localized(message.params, "es") == {"ref": f"appointment:{visit.id}", "phone": phone,
                                               "date": format_date(day, "full", locale="es"),
                                               "time": format_time(time(10, 30), "short", locale="es")}
    assert message.locale == "es"


def test_the_cancelled_template_in_english_and_spanish():
    params = {"ref": "appointment:7", "date": "Monday, May 5, 2031", "time": "10:30 AM"}
    en = render(TEMPLATE, "en", params)
    assert en.subject == "Appointment cancelled"
    assert en.body == ("Your appointment on Monday, May 5, 2031 at 10:30 AM was cancelled by the practice. "
                       "Open Hearth to book a new time, or call us.")
    es = render(TEMPLATE, "es-MX", {"date": "lunes, 5 de mayo de 2031", "time": "10:30"})
    assert es.locale == "es" and es.subject == "Cita cancelada"
    assert "canceló su cita del lunes, 5 de mayo de 2031 a las 10:30" in es.body and "Abra Hearth" in es.body
    assert "lunes, 5 de mayo de 2031" in es.html
    plain = render(TEMPLATE, "en", {"ref": "appointment:7"})
    assert plain.body.startswith("Your upcoming appointment was cancelled by the practice.")
    assert "{" not in render(TEMPLATE, "es", {}).body
    with pytest.raises(ValueError):  # no room for the visit type or the reason
        render(TEMPLATE, "en", params | {"reason": "Surgery"})


# Portal


def test_portal_checkbox_cancels_and_the_flash_says_how_many(client, clinic, practice_admin):
    day = future_day(8)
    first, second = book(clinic, local(day, 10)), book(clinic, local(day, 11))
    db.session.commit()
    login(client, practice_admin)
    url = f"/settings/scheduling/{clinic.practice.id}/exceptions"
    form = client.get(url).get_data(as_text=True)
    assert 'name="cancel_booked"' in form and "Cancel the visits booked in this time and tell the patients" in form
    assert 'name="cancel_booked" value="1" checked' not in form  # unchecked by default
    r = client.post(url, data=time_off(clinic, day) | {"cancel_booked": "1"}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "Saved. 2 booked visits were cancelled and the patients were told." in html
    assert (first.status, second.status) == (AppointmentStatus.CANCELLED, AppointmentStatus.CANCELLED)
    assert "(still booked)" not in html and len(messages()) == 2


def test_portal_unchecked_keeps_the_visits_and_points_to_the_schedule(client, clinic, practice_admin):
    day = future_day(8)
    visit = book(clinic, local(day, 10))
    db.session.commit()
    login(client, practice_admin)
    url = f"/settings/scheduling/{clinic.practice.id}/exceptions"
    bad = client.post(url, data=time_off(clinic, day, 12, 9) | {"cancel_booked": "1"})
    assert bad.status_code == 422 and 'name="cancel_booked" value="1" checked' in bad.get_data(as_text=True)
    assert visit.status == AppointmentStatus.BOOKED
    r = client.post(url, data=time_off(clinic, day), follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "1 booked visits fall in this time off. They were not cancelled" in html
    schedule = f'<a href="/schedule?practice_id={clinic.practice.id}&amp;date={day.isoformat()}&amp;days=1'
    assert html.count(schedule) == 2  # in the flash and in the row
    href = re.search(r'<a href="(/schedule\?[^"]+)"', html).group(1).replace("&amp;", "&")
    opened = client.get(href)
    assert opened.status_code == 200 and "Lovelace" in opened.get_data(as_text=True)
    assert visit.status == AppointmentStatus.BOOKED and messages() == []


def test_portal_refuses_non_admins(client, clinic):
    day = future_day(8)
    visit = book(clinic, local(day, 10))
    db.session.commit()
    login(client, clinic.staff)
    r = client.post(f"/settings/scheduling/{clinic.practice.id}/exceptions",
                    data=time_off(clinic, day) | {"cancel_booked": "1"})
    assert r.status_code == 403 and visit.status == AppointmentStatus.BOOKED and messages() == []


# API


def test_api_cancel_booked_in_and_count_out(client, clinic, practice_admin):
    base = f"/api/v1/practices/{clinic.practice.id}/exceptions"
    day = future_day(8)
    first, later = book(clinic, local(day, 10)), book(clinic, local(day, 14))
    db.session.commit()
    h = auth(client, practice_admin)
    body = time_off(clinic, day) | {"cancel_booked": True}
    made = client.post(base, json=body, headers=h)
    assert made.status_code == 201, made.json
    assert (made.json["cancelled"], made.json["booked_appointments"]) == (1, 0)
    kept = client.patch(f"{base}/{made.json['id']}", json={"ends_at": f"{day}T15:00:00"}, headers=h)
    assert (kept.json["cancelled"], kept.json["booked_appointments"]) == (0, 1)
    done = client.patch(f"{base}/{made.json['id']}", json={"cancel_booked": True}, headers=h)
    assert done.status_code == 200 and (done.json["cancelled"], done.json["booked_appointments"]) == (1, 0)
    db.session.expire_all()
    assert (first.status, later.status) == (AppointmentStatus.CANCELLED, AppointmentStatus.CANCELLED)
    listed = client.get(base, headers=h)
    assert [(i["cancelled"], i["booked_appointments"]) for i in listed.json["items"]] == [(0, 0)]


def test_api_bad_input_and_non_admins_get_problems(client, clinic, practice_admin):
    base = f"/api/v1/practices/{clinic.practice.id}/exceptions"
    day = future_day(8)
    bad = client.post(base, json=time_off(clinic, day) | {"cancel_booked": "maybe"},
                      headers=auth(client, practice_admin))
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert set(bad.json["errors"]) == {"cancel_booked"}
    refused = client.post(base, json=time_off(clinic, day) | {"cancel_booked": True},
                          headers=auth(client, clinic.staff))
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"


def test_openapi_documents_the_field_and_the_count(client):
    spec = client.get("/api/v1/openapi.json").json
    schemas = spec["components"]["schemas"]
    given = next(s for name, s in schemas.items() if name.startswith("ScheduleExceptionInput"))
    assert given["properties"]["cancel_booked"]["type"] == "boolean"
    assert given["properties"]["cancel_booked"]["default"] is False
    assert schemas["ScheduleException"]["properties"]["cancelled"]["type"] == "integer"
