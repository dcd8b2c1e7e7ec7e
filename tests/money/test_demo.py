"""The issue's demo rows: an insured patient with a deductible partly met, a self-pay patient with a GFE and a
bill $450 above it, a balance large enough for financing (offers visible), a payment plan."""

from __future__ import annotations

from sqlalchemy import select

from hearth import db
from hearth.models import Coverage, CoverageKind, Patient, PaymentPlan, Statement
from hearth.services.billing import ledger, statements
from hearth.services.financing import offers


def test_money_demo(db_session):
    from hearth import demo

    demo.seed()
    demo.seed()  # idempotent
    emily = db.session.scalar(select(Patient).where(Patient.mrn == "HFM-000101"))
    cov = db.session.scalar(select(Coverage).where(Coverage.patient_id == emily.id))
    assert cov.kind == CoverageKind.INSURANCE and 0 < cov.deductible_met_cents < cov.deductible_cents
    aisha = db.session.scalars(select(Statement).where(Statement.code == "DEMO-4500")).one()
    view = statements.build_view(aisha)
    assert view.over_estimate and view.over_estimate[0].excess_cents == 45_000
    large = db.session.scalars(select(Statement).where(Statement.code == "DEMO-3000")).one()
    assert ledger.totals(large.id).balance == 300_000
    found = offers.offers_for(large.practice_id, 300_000)
    monthly = {(e.kind, e.months): e.monthly_cents for o in found for e in o.examples}
    assert monthly[("fixed_apr", 24)] == 14_532
    assert db.session.scalar(select(PaymentPlan.id)) is not None
