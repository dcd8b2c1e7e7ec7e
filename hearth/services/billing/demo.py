"""Demo statements: Emily Carter (insured, deductible partly met) owes $121.00 on a statement with the
guest-pay code DEMO-2345; María García (self-pay, Spanish) owes $450.00 (code DEMO-6789)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
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
    Practice,
    Provider,
    Statement,
    VisitType,
)

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
]


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
    db.session.flush()
