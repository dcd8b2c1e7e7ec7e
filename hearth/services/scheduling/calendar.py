"""An .ics file for one appointment: when and where, and the visit type's name, no health details."""

from __future__ import annotations

from icalendar import Calendar, Event

from hearth import db, policy
from hearth.clock import utcnow
from hearth.i18n import _l
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
    event.add("summary", f"{appointment.visit_type.name} – {practice.name}")
    if appointment.location is not None:
        where = ", ".join(x for x in (appointment.location.name, appointment.location.address) if x)
        event.add("location", where)
    else:
        event.add("location", str(_l("Video visit (join from Hearth)")))
    event.add("status", "CANCELLED" if not appointment.is_active else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()
