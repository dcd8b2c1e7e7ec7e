"""Demo statements: Emily Carter (insured, deductible partly met) owes $121.00 on a statement with the
guest-pay code DEMO-2345; María García (self-pay, Spanish) owes $450.00 (code DEMO-6789); José Hernández
pays $600.00 over 6 months on a payment plan (one month paid; the saved card is a demo placeholder)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import (
    Appointment,
    AppointmentStatus,
    Charge,
    InsurancePayment,
    Patient,
    Payment,
    PaymentMethod,
    PaymentPlan,
    PaymentStatus,
    PlanStatus,
    Practice,
    Provider,
    Statement,
    VisitType,
)
from hearth.services.billing.plans import add_month

# mrn, statement code, days ago, [(code, description, cents, eob or None)]
BILLS = [
    ("HFM-000101", "DEMO-2345", 20, [
        ("99214", "Office visit, 30 to 39 minutes", 25000,
         {"payer": "Blue Harbor Health PPO", "allowed_cents": 18000, "paid_cents": 10400, "deductible_cents": 5000,
          "coinsurance_cents": 2600, "copay_cents": 0}),
        ("85025", "Blood count test", 4500, None),
    ]),
    ("HFM-000102", "DEMO-6789", 12, [
        ("99204", "New patient visit, 45 to 59 minutes", 32000, None),
        ("93000", "Heart rhythm test (ECG)", 13000, None),
    ]),
    ("HFM-000103", "DEMO-3456", 40, [
        ("99215", "Office visit, 40 to 54 minutes", 60000, None),
    ]),
]
PLAN_MRN = "HFM-000103"


def seed_billing(practice: Practice) -> None:
    """Completed visits with charges, an EOB and a statement each (once per practice)."""
    if db.session.scalar(select(Statement.id).where(Statement.practice_id == practice.id).limit(1)) is not None:
        return
    visit_type = db.session.scalar(select(VisitType).where(VisitType.practice_id == practice.id).order_by(VisitType.id))
    provider = db.session.scalar(select(Provider).where(Provider.practice_id == practice.id).order_by(Provider.id))
    if visit_type is None or provider is None:
        return
    zone = ZoneInfo(practice.timezone)
    for mrn, code, days_ago, lines in BILLS:
        patient = db.session.scalar(select(Patient).where(Patient.practice_id == practice.id, Patient.mrn == mrn))
        if patient is None:
            continue
        day = (utcnow().astimezone(zone) - timedelta(days=days_ago)).date()
        starts = datetime.combine(day, time(10), tzinfo=zone).astimezone(UTC)
        visit = Appointment(patient_id=patient.id, provider_id=provider.id, visit_type_id=visit_type.id,
                            starts_at=starts, ends_at=starts + timedelta(minutes=30),
                            status=AppointmentStatus.COMPLETED)
        db.session.add(visit)
        statement = Statement(patient_id=patient.id, practice_id=practice.id, code=code,
                              issued_on=day + timedelta(days=5), due_on=day + timedelta(days=35))
        db.session.add(statement)
        db.session.flush()
        for cpt, description, cents, eob in lines:
            charge = Charge(patient_id=patient.id, appointment_id=visit.id, statement_id=statement.id, service_date=day,
                            code=cpt, description=description, amount_cents=cents)
            db.session.add(charge)
            db.session.flush()
            if eob:
                db.session.add(InsurancePayment(charge_id=charge.id, adjustment_cents=cents - eob["allowed_cents"],
                                                received_on=day + timedelta(days=4), **eob))
        if mrn == PLAN_MRN:
            _plan(statement, sum(line[2] for line in lines), day + timedelta(days=6))
    db.session.flush()


def _plan(statement: Statement, total: int, started: date) -> None:
    plan = PaymentPlan(statement_id=statement.id, patient_id=statement.patient_id, total_cents=total, months=6,
                       monthly_cents=total // 6, status=PlanStatus.ACTIVE, stripe_customer_id="cus_demo",
                       stripe_payment_method_id="pm_demo", charged_months=1,
                       next_charge_on=add_month(add_month(started)))  # weeks ahead, whenever the demo is seeded
    db.session.add(plan)
    db.session.flush()
    db.session.add(Payment(statement_id=statement.id, patient_id=statement.patient_id, amount_cents=total // 6,
                           method=PaymentMethod.PLAN, status=PaymentStatus.SUCCEEDED, plan_id=plan.id, installment=1,
                           idempotency_key=f"hearth-demo-plan-{plan.id}-1",
                           paid_at=datetime.combine(started, time(12), tzinfo=UTC)))
