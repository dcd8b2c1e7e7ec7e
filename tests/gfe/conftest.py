"""A self-pay patient at a priced clinic (the scheduling clinic with a fee schedule and GFE settings)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hearth import db
from hearth.models import Coverage, CoverageKind, GfeSettings, Patient, ServiceCategory, VisitTypeService
from tests.estimates.conftest import make_item
from tests.scheduling.conftest import Clinic, clinic  # noqa: F401  (fixture)

NPI = "1234567893"  # a valid check digit


@dataclass
class SelfPay:
    clinic: Clinic
    patient: Patient


def self_pay(patient) -> Coverage:
    coverage = Coverage(patient_id=patient.id, kind=CoverageKind.SELF_PAY)
    db.session.add(coverage)
    db.session.flush()
    return coverage


@pytest.fixture
def selfpay(clinic) -> SelfPay:  # noqa: F811
    practice = clinic.practice
    office = make_item(practice, "99203", "New patient visit", ServiceCategory.OFFICE_VISIT, 15_000, 25_000,
                       es="Consulta de paciente nuevo")
    lab = make_item(practice, "80053", "Blood test (metabolic panel)", ServiceCategory.LAB, 4_000, 9_000,
                    es="Análisis de sangre")
    db.session.add_all([VisitTypeService(visit_type_id=clinic.visit.id, fee_item_id=office.id, position=0),
                        VisitTypeService(visit_type_id=clinic.visit.id, fee_item_id=lab.id, position=1, quantity=2)])
    db.session.add(GfeSettings(practice_id=practice.id, tin="12-3456789", npi=NPI, state="NY",
                               contact="Billing office, 555-0100"))
    clinic.provider.npi = NPI
    self_pay(clinic.patient)
    db.session.commit()
    return SelfPay(clinic, clinic.patient)
