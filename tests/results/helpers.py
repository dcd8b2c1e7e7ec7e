"""Factories for the results tests: a practice with a provider, a patient, and reports through the service."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from hearth import db
from hearth.clock import utcnow
from hearth.models import Patient, Practice, ReportStatus, ResultCategory, StaffRole, User
from hearth.services.results import recording
from tests.factories import make_grant, make_patient, make_practice, make_provider, make_user

_seq = itertools.count(1)


@dataclass
class Clinic:
    practice: Practice
    clinician: User  # provider + staff
    nurse: User  # staff only
    patient: Patient
    provider_id: int


def clinic(**patient_kw) -> Clinic:
    practice = make_practice()
    clinician = make_user(roles={practice: [StaffRole.PROVIDER, StaffRole.STAFF]}, name="Dr Rivera")
    nurse = make_user(roles={practice: [StaffRole.STAFF]}, name="Nurse Kim")
    provider = make_provider(practice=practice, user=clinician)
    patient = make_patient(practice=practice, given_name="Maria", family_name="Lopez", **patient_kw)
    db.session.commit()  # a refused use case rolls back: keep the set-up
    return Clinic(practice, clinician, nurse, patient, provider.id)


def glucose(value="95", *, low="70", high="99", unit="mg/dL", code="2345-7", **kw) -> dict:
    return {"name": "Glucose", "loinc_code": code, "value_quantity": Decimal(value), "unit": unit,
            "range_low": Decimal(low) if low else None, "range_high": Decimal(high) if high else None, **kw}


def report_data(*, days_ago: int = 1, category=ResultCategory.LAB, observations=None, **kw) -> dict:
    now = utcnow()
    return {"category": category, "name": kw.pop("name", "Basic metabolic panel"), "loinc_code": None,
            "status": kw.pop("status", ReportStatus.FINAL), "performer": "Quest Diagnostics",
            "effective_at": now - timedelta(days=days_ago, hours=2), "issued_at": now - timedelta(days=days_ago),
            "observations": observations or [glucose()], **kw}


def grant(c: Clinic, **kw):
    """A caregiver grant for the clinic's patient, committed (see `clinic`)."""
    made = make_grant(patient=c.patient, **kw)
    db.session.commit()
    return made


def record(c: Clinic, *, by: User | None = None, **kw):
    return recording.record(by or c.clinician, c.patient.id, report_data(**kw))
