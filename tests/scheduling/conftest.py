"""A small clinic to schedule in: one practice (New York), a location, a provider, visit types, hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

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
    StaffRole,
    User,
    VisitMode,
    VisitType,
)
from hearth.services.scheduling.common import hold
from tests.factories import make_patient, make_practice, make_provider, make_staff

NY = ZoneInfo("America/New_York")
QUESTIONS = [
    {"id": "meds", "text": "Any medication changes?", "type": "yes_no", "required": True},
    {"id": "mood", "text": "How do you feel?", "type": "choice", "options": ["good", "bad"], "required": False},
    {"id": "notes", "text": "Anything else?", "type": "text", "required": False},
]


@dataclass
class Clinic:
    practice: Practice
    location: Location
    provider: Provider
    visit: VisitType
    video: VisitType
    staff: User
    patient: Patient


def make_visit_type(practice, *, name="Check-up", minutes=30, mode=VisitMode.IN_PERSON, providers=(),
                    self_schedulable=True, questionnaire=None) -> VisitType:
    vt = VisitType(practice_id=practice.id, name=name, duration_minutes=minutes, mode=mode,
                   self_schedulable=self_schedulable, questionnaire=questionnaire or [])
    vt.providers = list(providers)
    db.session.add(vt)
    db.session.flush()
    return vt


def add_hours(provider, location, *, weekdays=range(7), start=time(9), end=time(17)) -> None:
    for weekday in weekdays:
        db.session.add(ProviderSchedule(provider_id=provider.id, location_id=location.id, weekday=weekday,
                                        start_time=start, end_time=end))
    db.session.flush()


def place(clinic: Clinic, starts_at: datetime, *, patient=None, visit=None, status=AppointmentStatus.BOOKED,
          provider=None) -> Appointment:
    """An appointment put straight in the book (bypassing availability), holding its slot locks."""
    visit = visit or clinic.visit
    appointment = Appointment(
        patient_id=(patient or clinic.patient).id, provider_id=(provider or clinic.provider).id,
        location_id=None if visit.mode == VisitMode.VIDEO else clinic.location.id, visit_type_id=visit.id,
        starts_at=starts_at, ends_at=starts_at + timedelta(minutes=visit.duration_minutes), status=status)
    db.session.add(appointment)
    db.session.flush()
    hold(appointment)
    return appointment


def local(day, hour, minute=0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=NY).astimezone(ZoneInfo("UTC"))


def future_day(days: int = 7):
    return utcnow().astimezone(NY).date() + timedelta(days=days)


@pytest.fixture
def clinic() -> Clinic:
    practice = make_practice(timezone="America/New_York", phone="555-0100")
    location = Location(practice_id=practice.id, name="Main Street", address="1 Main St")
    db.session.add(location)
    db.session.flush()
    provider = make_provider(practice=practice, given_name="Ada", family_name="Lovelace")
    add_hours(provider, location)
    visit = make_visit_type(practice, providers=[provider], questionnaire=QUESTIONS)
    video = make_visit_type(practice, name="Video chat", minutes=20, mode=VisitMode.VIDEO, providers=[provider])
    staff = make_staff(practice=practice)
    patient = make_patient(practice=practice, given_name="Pat")
    # Commit the setup (inside the test's outer transaction, still rolled back at the end), so a
    # service that raises and rolls back its own work does not take the clinic with it.
    db.session.commit()
    return Clinic(practice, location, provider, visit, video, staff, patient)


@pytest.fixture
def practice_admin(clinic) -> User:
    """An admin of the clinic's practice (committed, like the clinic)."""
    user = make_staff(practice=clinic.practice, role=StaffRole.ADMIN)
    db.session.commit()
    return user
