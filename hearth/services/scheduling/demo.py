"""Demo scheduling data for one practice: visit types, weekly hours and a few booked visits (idempotent)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import (
    Appointment,
    AppointmentStatus,
    Location,
    Patient,
    Practice,
    Provider,
    ProviderSchedule,
    VisitMode,
    VisitType,
)
from hearth.services.scheduling import history
from hearth.services.scheduling.availability import open_slots
from hearth.services.scheduling.common import hold

VISIT_TYPES = [
    # name, minutes, mode, self-schedulable, instructions, questionnaire
    ("Annual physical", 30, VisitMode.IN_PERSON, True, "Please arrive 10 minutes early and bring your insurance card.",
     [{"id": "meds_changed", "text": "Have your medications changed since your last visit?", "type": "yes_no",
       "required": True, "translations": {"es": "¿Han cambiado sus medicamentos desde su última visita?"}},
      {"id": "concerns", "text": "Anything you would like to discuss?", "type": "text", "required": False,
       "translations": {"es": "¿Hay algo de lo que quiera hablar?"}}]),
    ("Follow-up visit", 15, VisitMode.IN_PERSON, True, None, []),
    ("Video visit", 20, VisitMode.VIDEO, True, "Find a quiet, private place with a good connection.", []),
    ("Procedure", 60, VisitMode.IN_PERSON, False, None, []),
]

# The demo practice writes in English; Spanish readers see these (hearth.texts), as a practice would enter them.
SPANISH = {
    "Annual physical": {"name": "Examen físico anual",
                        "instructions": "Llegue 10 minutos antes y traiga su tarjeta del seguro."},
    "Follow-up visit": {"name": "Visita de seguimiento"},
    "Video visit": {"name": "Visita por video",
                    "instructions": "Busque un lugar tranquilo y privado con buena conexión."},
    "Procedure": {"name": "Procedimiento"},
}


def seed_scheduling(practice: Practice) -> None:
    """Create visit types, Mon–Fri 9–12 and 13–17 hours at each location, and a few bookings."""
    existing = db.session.scalar(select(VisitType.id).where(VisitType.practice_id == practice.id).limit(1))
    if existing is not None:
        return
    providers = list(db.session.scalars(select(Provider).where(Provider.practice_id == practice.id)))
    locations = list(db.session.scalars(select(Location).where(Location.practice_id == practice.id)))
    types = []
    for name, minutes, mode, self_ok, instructions, questions in VISIT_TYPES:
        vt = VisitType(practice_id=practice.id, name=name, duration_minutes=minutes, mode=mode,
                       self_schedulable=self_ok, instructions=instructions, questionnaire=questions,
                       translations={"es": SPANISH[name]})
        vt.providers = providers
        db.session.add(vt)
        types.append(vt)
    for index, provider in enumerate(providers):
        if not locations:
            break
        location = locations[index % len(locations)]
        for weekday in range(5):
            for start, end in ((time(9), time(12)), (time(13), time(17))):
                db.session.add(ProviderSchedule(provider_id=provider.id, location_id=location.id, weekday=weekday,
                                                start_time=start, end_time=end))
    db.session.flush()
    _book_samples(practice, types[0])


def _book_samples(practice: Practice, visit_type: VisitType) -> None:
    patients = list(db.session.scalars(select(Patient).where(Patient.practice_id == practice.id)
                                       .order_by(Patient.id).limit(4)))
    today = utcnow().date()
    slots = open_slots(visit_type, today + timedelta(days=3), today + timedelta(days=17))
    for patient, slot in zip(patients[:3], slots[::7], strict=False):
        _add(patient, visit_type, slot.provider_id, slot.location_id, slot.starts_at, slot.ends_at)
    if len(patients) == 4 and slots:
        # One visit today at 7:30 (before the day's open hours, so it takes no bookable time): the front desk
        # has someone to mark as arrived whatever day the demo is seeded on.
        zone = ZoneInfo(practice.timezone)
        starts_at = datetime.combine(utcnow().astimezone(zone).date(), time(7, 30), tzinfo=zone).astimezone(UTC)
        _add(patients[3], visit_type, slots[0].provider_id, slots[0].location_id, starts_at,
             starts_at + timedelta(minutes=visit_type.duration_minutes))


def _add(patient: Patient, visit_type: VisitType, provider_id: int, location_id: int | None, starts_at, ends_at):
    appointment = Appointment(patient_id=patient.id, provider_id=provider_id, location_id=location_id,
                              visit_type_id=visit_type.id, starts_at=starts_at, ends_at=ends_at,
                              status=AppointmentStatus.BOOKED)
    db.session.add(appointment)
    db.session.flush()
    history.record(appointment, None, AppointmentStatus.BOOKED, None)
    hold(appointment)
