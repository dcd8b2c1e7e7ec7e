"""The demo's price data: Emily Carter, insured with part of her deductible met, sees $110.00 for a physical."""

from sqlalchemy import func, select

from hearth import db, demo
from hearth.models import FeeScheduleItem, Patient, VisitType
from hearth.services.estimates import pricing


def test_demo_prices_and_insured_patient(db_session):
    demo.seed()
    count = db.session.scalar(select(func.count()).select_from(FeeScheduleItem))
    demo.seed()
    assert db.session.scalar(select(func.count()).select_from(FeeScheduleItem)) == count == 6
    emily = db.session.scalar(select(Patient).where(Patient.mrn == "HFM-000101"))
    physical = db.session.scalar(select(VisitType).where(VisitType.name == "Annual physical"))
    estimate = pricing.estimate_for_visit_type(emily, physical)
    assert estimate.patient_cents == 11_000 and estimate.basis == pricing.INSURANCE and estimate.verified
    assert estimate.deductible_remaining_cents == 60_000
    maria = db.session.scalar(select(Patient).where(Patient.mrn == "HFM-000102"))
    follow_up = db.session.scalar(select(VisitType).where(VisitType.name == "Follow-up visit"))
    assert pricing.estimate_for_visit_type(maria, follow_up).patient_cents == 2_500
