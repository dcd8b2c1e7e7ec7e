"""A priced clinic: the scheduling clinic plus a fee schedule, a priced visit type and an insured patient."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hearth import db
from hearth.clock import utcnow
from hearth.models import (
    AllowedAmount,
    CodeType,
    Coverage,
    CoverageKind,
    FeeScheduleItem,
    ServiceCategory,
    StaffRole,
    User,
    VisitTypeService,
)
from tests.factories import make_staff
from tests.scheduling.conftest import Clinic, clinic  # noqa: F401  (fixture)


@dataclass
class Priced:
    clinic: Clinic
    office: FeeScheduleItem
    lab: FeeScheduleItem
    admin: User
    coverage: Coverage


def make_item(practice, code, description, category, self_pay, gross=None, *, code_type=CodeType.CPT, es=None):
    item = FeeScheduleItem(practice_id=practice.id, code_type=code_type, code=code, description=description,
                           category=category, self_pay_cents=self_pay, gross_charge_cents=gross,
                           translations={"es": {"description": es}} if es else {})
    db.session.add(item)
    db.session.flush()
    return item


def allow(item, payer, plan, cents):
    from hearth.services.estimates.fee_schedule import payer_key

    db.session.add(AllowedAmount(fee_item_id=item.id, payer_name=payer, payer_key=payer_key(payer), plan_name=plan,
                                 plan_key=payer_key(plan), allowed_cents=cents))
    db.session.flush()


def insure(patient, **benefits) -> Coverage:
    values = {"deductible_cents": 100_000, "coinsurance_bp": 2000, "copays": {"office_visit": 3_000},
              "oop_max_cents": 400_000, "deductible_met_cents": 40_000, "oop_met_cents": 40_000} | benefits
    coverage = Coverage(patient_id=patient.id, kind=CoverageKind.INSURANCE, payer_name="Blue Cross",
                        plan_name="PPO Gold", member_id="XYZ123", subscriber_relationship="self",
                        benefits_updated_at=utcnow(), **values)
    db.session.add(coverage)
    db.session.flush()
    return coverage


@pytest.fixture
def priced(clinic) -> Priced:  # noqa: F811
    practice = clinic.practice
    office = make_item(practice, "99213", "Office visit with your provider", ServiceCategory.OFFICE_VISIT, 12_000,
                       20_000, es="Consulta con su proveedor")
    lab = make_item(practice, "80053", "Blood test (metabolic panel)", ServiceCategory.LAB, 4_000, 9_000,
                    es="Análisis de sangre")
    allow(office, "Blue Cross", "PPO Gold", 15_000)
    allow(lab, "Blue Cross", "", 8_000)
    db.session.add_all([VisitTypeService(visit_type_id=clinic.visit.id, fee_item_id=office.id, position=0),
                        VisitTypeService(visit_type_id=clinic.visit.id, fee_item_id=lab.id, position=1)])
    admin = make_staff(practice=practice, role=StaffRole.ADMIN)
    coverage = insure(clinic.patient)
    db.session.commit()
    return Priced(clinic, office, lab, admin, coverage)


@pytest.fixture
def card_storage(app, tmp_path, monkeypatch):
    """Card photos stored in a temporary folder."""
    monkeypatch.setitem(app.config, "FILE_STORAGE_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


def jpeg_bytes(color=(10, 120, 200)) -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", (64, 40), color)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
