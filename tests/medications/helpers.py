"""Keyword-only factories for medications, pharmacies and a small world (flush, never commit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hearth import db
from hearth.models import (
    ControlledSchedule,
    Medication,
    Patient,
    Pharmacy,
    Practice,
    Provider,
    StaffRole,
    User,
)
from tests.factories import make_patient, make_practice, make_provider, make_staff


def make_medication(*, patient: Patient, name: str = "Lisinopril", strength: str = "10 mg", form: str = "tablet",
                    refills_left: int = 3, quantity: int = 30, supply_days: int = 30,
                    last_filled_on: date | None = None, controlled: ControlledSchedule | None = None,
                    prescriber: Provider | None = None, **kw) -> Medication:
    med = Medication(patient_id=patient.id, name=name, strength=strength, form=form,
                     instructions=kw.pop("instructions", "Take 1 tablet by mouth every morning."),
                     refills_left=refills_left, quantity=quantity, supply_days=supply_days,
                     last_filled_on=last_filled_on or date.today() - timedelta(days=10),
                     controlled_schedule=controlled, prescriber_id=prescriber.id if prescriber else None, **kw)
    db.session.add(med)
    db.session.flush()
    return med


def make_pharmacy(*, patient: Patient, name: str = "Corner Pharmacy", preferred: bool = True) -> Pharmacy:
    pharmacy = Pharmacy(patient_id=patient.id, name=name, address="1 Main St", phone="+12025550123",
                        preferred=preferred)
    db.session.add(pharmacy)
    db.session.flush()
    return pharmacy


@dataclass
class World:
    practice: Practice
    provider: Provider
    staff: User
    patient: Patient
    pharmacy: Pharmacy
    med: Medication


def make_world(*, practice: Practice | None = None) -> World:
    practice = practice or make_practice(phone="+12025550100")
    provider = make_provider(practice=practice)
    staff = make_staff(practice=practice, role=StaffRole.STAFF)
    patient = make_patient(practice=practice)
    world = World(practice, provider, staff, patient, make_pharmacy(patient=patient),
                  make_medication(patient=patient, prescriber=provider))
    db.session.commit()  # the test's savepoint: a refused use case rolls back to here, not before the world
    return world
