"""Demo data for GFEs and financing: the practice's GFE settings, a CareCredit offer, and a self-pay
patient (Aisha Khan) with a booked visit and its Good Faith Estimate. Idempotent: a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import (
    Appointment,
    AppointmentStatus,
    CodeType,
    Coverage,
    CoverageKind,
    FeeScheduleItem,
    FinancingOffer,
    FinancingPromotion,
    GfeReason,
    GfeSettings,
    GoodFaithEstimate,
    Patient,
    Practice,
    ServiceCategory,
    VisitType,
    VisitTypeService,
)
from hearth.models.financing import PromotionKind
from hearth.services.gfe import issue
from hearth.services.scheduling import history
from hearth.services.scheduling.availability import open_slots
from hearth.services.scheduling.common import hold

SELF_PAY_MRN = "HFM-000117"
CARECREDIT_DISCLOSURE = (
    "Subject to credit approval. Minimum monthly payments required. For deferred interest promotions, interest "
    "is charged to your account from the purchase date if the promotional balance is not paid in full within the "
    "promotional period. See carecredit.com for details.")
# code, description, Spanish, category, self-pay cents, gross cents
SERVICES = [
    ("99203", "New patient visit", "Consulta de paciente nuevo", ServiceCategory.OFFICE_VISIT, 15_000, 25_000),
    ("80053", "Blood test (metabolic panel)", "Análisis de sangre (panel metabólico)", ServiceCategory.LAB,
     4_000, 9_000),
]


def seed_gfe_and_financing(practice: Practice) -> None:
    """Create what is missing of the demo's GFE settings, financing offer and self-pay patient's estimate."""
    if db.session.scalar(select(GfeSettings).where(GfeSettings.practice_id == practice.id)) is None:
        db.session.add(GfeSettings(practice_id=practice.id, tin="12-3456789", npi="1234567893", state="NY",
                                   contact="Billing office, +1 555 010 1000"))
    if db.session.scalar(select(FinancingOffer).where(FinancingOffer.practice_id == practice.id)) is None:
        _carecredit(practice)
    db.session.flush()
    _self_pay_gfe(practice)


def _carecredit(practice: Practice) -> None:
    offer = FinancingOffer(practice_id=practice.id, provider="carecredit",
                           link="https://www.carecredit.com/go/DEMO01/", disclosure=CARECREDIT_DISCLOSURE)
    promos = [(PromotionKind.DEFERRED, m, None, 20_000) for m in (6, 12, 18, 24)]
    promos += [(PromotionKind.FIXED_APR, 24, 1490, 100_000), (PromotionKind.FIXED_APR, 60, 1690, 250_000)]
    offer.promotions = [FinancingPromotion(position=i, kind=k, months=m, apr_bp=apr, min_amount_cents=minimum)
                        for i, (k, m, apr, minimum) in enumerate(promos)]
    db.session.add(offer)


def _fee_item(practice: Practice, code, description, spanish, category, self_pay, gross) -> FeeScheduleItem:
    item = db.session.scalar(select(FeeScheduleItem).where(
        FeeScheduleItem.practice_id == practice.id, FeeScheduleItem.code_type == CodeType.CPT,
        FeeScheduleItem.code == code))
    if item is None:
        item = FeeScheduleItem(practice_id=practice.id, code_type=CodeType.CPT, code=code, description=description,
                               translations={"es": {"description": spanish}}, category=category,
                               self_pay_cents=self_pay, gross_charge_cents=gross)
        db.session.add(item)
        db.session.flush()
    return item


def _self_pay_gfe(practice: Practice) -> None:
    patient = db.session.scalar(select(Patient).where(Patient.practice_id == practice.id,
                                                      Patient.mrn == SELF_PAY_MRN))
    if patient is None or db.session.scalar(select(GoodFaithEstimate.id).where(
            GoodFaithEstimate.patient_id == patient.id).limit(1)) is not None:
        return
    if db.session.scalar(select(Coverage).where(Coverage.patient_id == patient.id)) is None:
        db.session.add(Coverage(patient_id=patient.id, kind=CoverageKind.SELF_PAY))
    visit_type = db.session.scalar(select(VisitType).where(VisitType.practice_id == practice.id,
                                                           VisitType.active.is_(True)).order_by(VisitType.id))
    if visit_type is None:
        return
    if db.session.scalar(select(VisitTypeService.id).where(VisitTypeService.visit_type_id == visit_type.id)
                         .limit(1)) is None:
        for position, spec in enumerate(SERVICES):
            db.session.add(VisitTypeService(visit_type_id=visit_type.id, fee_item_id=_fee_item(practice, *spec).id,
                                            position=position))
    db.session.flush()
    today = utcnow().date()
    slots = open_slots(visit_type, today + timedelta(days=14), today + timedelta(days=21))
    appointment = None
    if slots:
        slot = slots[len(slots) // 2]
        appointment = Appointment(patient_id=patient.id, provider_id=slot.provider_id, location_id=slot.location_id,
                                  visit_type_id=visit_type.id, starts_at=slot.starts_at, ends_at=slot.ends_at,
                                  status=AppointmentStatus.BOOKED)
        db.session.add(appointment)
        db.session.flush()
        history.record(appointment, None, AppointmentStatus.BOOKED, None)
        hold(appointment)
    issue.build(patient, visit_type, appointment, GfeReason.BOOKING if appointment else GfeReason.REQUEST, None)
