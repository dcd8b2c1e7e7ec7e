"""Factories for messaging tests: a practice with its default pools, a patient, staff, threads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hearth import db
from hearth.models import Patient, Practice, StaffRole, User
from hearth.services.messages import pools, threads
from tests.factories import make_patient, make_practice, make_staff


@dataclass
class Clinic:
    practice: Practice
    patient: Patient
    nurse: User


def make_clinic(**patient_kw) -> Clinic:
    practice = make_practice(phone="+15555550100")
    pools.ensure_default_pools(practice)
    patient = make_patient(practice=practice, given_name=patient_kw.pop("given_name", "Maria"), **patient_kw)
    nurse = make_staff(practice=practice, role=StaffRole.STAFF, name="Nurse Joy")
    db.session.commit()  # a refused use case rolls back to here
    return Clinic(practice, patient, nurse)


def make_teen(practice: Practice, today: date) -> Patient:
    """A patient aged 15 (the default teen tier is 12 to 17)."""
    teen = make_patient(practice=practice, given_name="Tina", date_of_birth=date(today.year - 15, 1, 2))
    db.session.commit()
    return teen


def start(user: User, patient: Patient, *, subject: str = "Question about my rash",
          body: str = "It has been itchy for a week.", reason: str = "medical_question", **kw):
    return threads.start_thread(user, patient, reason=reason, subject=subject, body=body, **kw)
