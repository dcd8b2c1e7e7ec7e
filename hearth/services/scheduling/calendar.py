"""An .ics file for one appointment: when and where, and the visit type's name, no health details."""

from __future__ import annotations

from icalendar import Calendar, Event

from hearth import db, policy, texts
from hearth.clock import utcnow
from hearth.i18n import _l, current_language
from hearth.models import Patient, User
from hearth.services.scheduling.common import load_appointment

SCOPE = "appointments"


@db.transactional
def ics(user: User, patient: Patient, appointment_id: int, *, host: str = "hearth.localhost") -> bytes:
    """The appointment as an iCalendar file (cancelled ones carry STATUS:CANCELLED)."""
    policy.authorize(user, patient, SCOPE, "export", "appointment", appointment_id)
    appointment = load_appointment(patient, appointment_id)
    practice = patient.practice
    cal = Calendar()
    cal.add("prodid", "-//Hearth//Appointments//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{appointment.id}@{host}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    language = current_language()  # the practice's texts in the reader's language (hearth.texts)
    event.add("summary", f"{texts.localized(appointment.visit_type, 'name', language)} – {practice.name}")
    if appointment.location is not None:
        name = texts.localized(appointment.location, "name", language)
        where = ", ".join(x for x in (name, appointment.location.address) if x)
        event.add("location", where)
    else:
        event.add("location", str(_l("Video visit (join from Hearth)")))
    event.add("status", "CANCELLED" if not appointment.is_active else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()
