"""An .ics file for one appointment, and the patient's choice of what its title says.

One event per visit for its whole life: the UID is the visit's own random id (the same from the
portal and the app, and on every install), SEQUENCE grows with each move or cancellation and
LAST-MODIFIED says when, so a calendar app replaces its copy; a cancelled visit is served as
METHOD:CANCEL with STATUS:CANCELLED. The title names the practice only ("Appointment at …"): the
visit type, which can be clinical, shows on lock screens and shared calendars only when the patient
chose so. No health details either way.
"""

from __future__ import annotations

from icalendar import Calendar, Event

from hearth import db, policy, texts
from hearth.clock import utcnow
from hearth.errors import Forbidden
from hearth.i18n import _l, current_language
from hearth.models import Appointment, Patient, User
from hearth.services.scheduling.common import load_appointment

SCOPE = "appointments"


@db.transactional
def ics(user: User, patient: Patient, appointment_id: int) -> bytes:
    """The appointment as an iCalendar file (cancelled ones as METHOD:CANCEL, STATUS:CANCELLED)."""
    policy.authorize(user, patient, SCOPE, "export", "appointment", appointment_id)
    return to_ical(load_appointment(patient, appointment_id), patient)


def to_ical(appointment: Appointment, patient: Patient) -> bytes:
    """The iCalendar text of one visit (no authorization: callers do it)."""
    cancelled = not appointment.is_active
    cal = Calendar()
    cal.add("prodid", "-//Hearth//Appointments//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", appointment.uid)
    event.add("sequence", appointment.calendar_sequence)
    event.add("dtstamp", utcnow())
    event.add("last-modified", appointment.changed_at)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    language = current_language()  # the practice's texts in the reader's language (hearth.texts)
    event.add("summary", title(appointment, patient, language))
    if appointment.location is not None:
        name = texts.localized(appointment.location, "name", language)
        where = ", ".join(x for x in (name, appointment.location.address) if x)
        event.add("location", where)
    else:
        event.add("location", str(_l("Video visit (join from Hearth)")))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()


def title(appointment: Appointment, patient: Patient, language: str | None = None) -> str:
    """ "Appointment at PRACTICE", or "VISIT TYPE at PRACTICE" (in `language` when the practice wrote it so)
    when the patient chose to show the type."""
    practice = patient.practice.name
    if patient.calendar_shows_visit_type:
        visit_type = texts.localized(appointment.visit_type, "name", language)
        return str(_l("%(visit_type)s at %(practice)s", visit_type=visit_type, practice=practice))
    return str(_l("Appointment at %(practice)s", practice=practice))


@db.transactional
def shows_visit_type(user: User, patient: Patient) -> bool:
    """Whether the patient's calendar files name the visit type."""
    policy.authorize(user, patient, SCOPE, "view", "calendar_preference")
    return patient.calendar_shows_visit_type


@db.transactional
def set_shows_visit_type(user: User, patient: Patient, show: bool) -> bool:
    """The patient (or a caregiver for her) chooses whether calendar files name the visit type.

    Raises NotFound (no access), Forbidden (staff: it is the patient's choice).
    """
    granted = policy.authorize(user, patient, SCOPE, "update", "calendar_preference")
    if granted.relation == "staff":
        raise Forbidden(_l("Only the patient or their caregivers can change this."))
    patient.calendar_shows_visit_type = bool(show)
    return patient.calendar_shows_visit_type
