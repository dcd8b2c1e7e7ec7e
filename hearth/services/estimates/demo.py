"""Demo price data (idempotent): a fee schedule for the demo visit types with allowed amounts for two payers,
and insured patients: Emily Carter (deductible partly met: booking an annual physical shows "$110.00")
and María García (Spanish)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import (
    AllowedAmount,
    CodeType,
    Coverage,
    CoverageKind,
    FeeScheduleItem,
    Patient,
    Practice,
    ServiceCategory,
    SubscriberRelationship,
    User,
    VisitType,
    VisitTypeService,
)
from hearth.services.estimates.fee_schedule import payer_key

BCBS, BCBS_PLAN, AETNA = "Blue Cross Blue Shield", "PPO Gold", "Aetna"
C = ServiceCategory
# code, category, English, Spanish, self-pay, gross, allowed by BCBS PPO Gold, allowed by Aetna (all plans)
ITEMS = [
    ("99395", C.PREVENTIVE, "Yearly checkup to stay healthy (ages 18 to 39)",
     "Chequeo anual para cuidar su salud (18 a 39 años)", 18_000, 25_000, 19_000, 17_500),
    ("99213", C.OFFICE_VISIT, "Visit with your provider about a health concern",
     "Consulta con su proveedor por un problema de salud", 11_000, 17_500, 12_000, 10_500),
    ("80053", C.LAB, "Blood test: how your kidneys and liver work", "Análisis de sangre: cómo funcionan sus riñones "
     "y su hígado", 4_000, 12_000, 8_000, 7_000),
    ("85025", C.LAB, "Blood count (CBC)", "Conteo sanguíneo completo", 2_000, 6_000, 3_000, 2_500),
    ("20610", C.PROCEDURE, "Shot into a large joint, like the knee", "Inyección en una articulación grande, como la "
     "rodilla", 15_000, 30_000, 18_000, 16_500),
    ("90686", C.PREVENTIVE, "Flu shot", "Vacuna contra la gripe", 3_000, 4_500, 3_500, None),
]
VISIT_SERVICES = {
    "Annual physical": ["99395", "80053", "85025"],
    "Follow-up visit": ["99213"],
    "Video visit": ["99213"],
    "Procedure": ["20610"],
}
# MRN, payer, plan, member id, deductible, met, coinsurance bp, copays, OOP max, OOP met
COVERAGES = [
    ("HFM-000101", BCBS, BCBS_PLAN, "XHB884512037", 150_000, 90_000, 2000,
     {"office_visit": 3_000, "preventive": 0, "specialist": 5_000}, 500_000, 120_000),
    ("HFM-000102", AETNA, "Choice POS II", "W284019377", 200_000, 50_000, 3000, {"office_visit": 2_500}, 650_000,
     80_000),
]


def seed_estimates(practice: Practice, verified_by: User | None = None) -> None:
    """Create the fee schedule and the demo coverages once."""
    if db.session.scalar(select(FeeScheduleItem.id).where(FeeScheduleItem.practice_id == practice.id).limit(1)):
        return
    items = {}
    for code, category, en, es, self_pay, gross, bcbs, aetna in ITEMS:
        item = FeeScheduleItem(practice_id=practice.id, code_type=CodeType.CPT, code=code, description=en,
                               translations={"es": {"description": es}}, category=category, self_pay_cents=self_pay,
                               gross_charge_cents=gross)
        db.session.add(item)
        db.session.flush()
        items[code] = item
        for payer, plan, cents in ((BCBS, BCBS_PLAN, bcbs), (AETNA, "", aetna)):
            if cents is not None:
                db.session.add(AllowedAmount(fee_item_id=item.id, payer_name=payer, payer_key=payer_key(payer),
                                             plan_name=plan, plan_key=payer_key(plan), allowed_cents=cents))
    for visit_type in db.session.scalars(select(VisitType).where(VisitType.practice_id == practice.id)):
        for position, code in enumerate(VISIT_SERVICES.get(visit_type.name, [])):
            db.session.add(VisitTypeService(visit_type_id=visit_type.id, fee_item_id=items[code].id,
                                            position=position))
    now = utcnow()
    for mrn, payer, plan, member, deductible, met, bp, copays, oop, oop_met in COVERAGES:
        patient = db.session.scalar(select(Patient).where(Patient.practice_id == practice.id, Patient.mrn == mrn))
        if patient is None:
            continue
        name = f"{patient.given_name} {patient.family_name}"
        db.session.add(Coverage(
            patient_id=patient.id, kind=CoverageKind.INSURANCE, payer_name=payer, plan_name=plan, member_id=member,
            group_id="G-20417", subscriber_name=name, subscriber_relationship=SubscriberRelationship.SELF,
            deductible_cents=deductible, deductible_met_cents=met, coinsurance_bp=bp, copays=copays,
            oop_max_cents=oop, oop_met_cents=oop_met, benefits_updated_at=now - timedelta(days=5),
            verified_at=now - timedelta(days=5) if verified_by else None,
            verified_by_user_id=verified_by.id if verified_by else None, uncovered_categories=[]))
    db.session.flush()
