"""Statements: staff issue one for the charges not yet billed; the patient reads it in plain language.

Each line says what the service was, what insurance allowed and paid, and why the rest is the
patient's (deductible, coinsurance, copay). Amounts in cents; dates in the practice's zone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from hearth import db, notify, policy
from hearth.claims import lock
from hearth.clock import to_zone, utcnow
from hearth.errors import Conflict, NotFound
from hearth.i18n import _l
from hearth.models import Charge, GoodFaithEstimate, Patient, Payment, PaymentStatus, Statement, User
from hearth.services.billing import ledger
from hearth.services.billing.money import format_cents

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper
DUE_DAYS = 30


def new_code() -> str:
    """A human-friendly statement code, e.g. 'K7M2-9QXA' (40 bits of randomness: not guessable)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_code(text: str) -> str:
    """What a person typed ('k7m2 9qxa', 'K7M29QXA') in the stored form."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())[:8]
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


@db.transactional
def issue(user: User, patient_id: int, *, due_days: int = DUE_DAYS) -> Statement:
    """Put every unbilled charge on a new statement and tell the patient. Conflict when nothing is unbilled."""
    patient = ledger.staff_patient(user, patient_id, "create", "statement")
    lock(Patient, patient.id)  # two clicks make one statement
    charges = ledger.unbilled_charges(patient.id)
    if not charges:
        raise Conflict(_l("There are no new charges to bill."))
    today = to_zone(utcnow(), patient.practice.timezone).date()
    statement = Statement(patient_id=patient.id, practice_id=patient.practice_id, code=new_code(), issued_on=today,
                          due_on=today + timedelta(days=due_days), created_by_user_id=user.id)
    db.session.add(statement)
    db.session.flush()
    for charge in charges:
        charge.statement_id = statement.id
    db.session.flush()
    notify.enqueue(key=f"statement:{statement.id}", kind="bill", template="bill_ready", user=patient.user,
                   patient=patient, params={"ref": str(statement.id)})
    return statement


@dataclass(frozen=True)
class Line:
    """One service on the statement, explained."""

    charge_id: int
    service_date: date
    code: str
    description: str
    charge_cents: int
    insurance_paid_cents: int
    adjustment_cents: int
    patient_cents: int
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Visit:
    service_date: date
    lines: list[Line]


@dataclass(frozen=True)
class OverEstimate:
    """A visit billed $400 or more above its Good Faith Estimate (No Surprises Act, 45 CFR 149.620)."""

    service_date: date
    billed_cents: int
    estimate_cents: int
    dispute_by: date  # 120 days from the statement date

    @property
    def excess_cents(self) -> int:
        return self.billed_cents - self.estimate_cents


@dataclass(frozen=True)
class StatementView:
    statement: Statement
    patient: Patient
    practice_name: str
    visits: list[Visit]
    totals: ledger.Totals
    payments: list[Payment]
    over_estimate: list[OverEstimate] = field(default_factory=list)

    @property
    def balance_cents(self) -> int:
        return self.totals.balance

    @property
    def is_paid(self) -> bool:
        return self.totals.balance <= 0


def explain(charge: Charge) -> tuple[int, int, int, list[str]]:
    """(insurance paid, adjustment, patient share, reasons in plain words) for one charge."""
    if not charge.insurance:
        return 0, 0, charge.amount_cents, [str(_l("We have not received a payment from insurance for this "
                                                   "service, so the full amount is shown."))]
    paid = sum(i.paid_cents for i in charge.insurance)
    adjusted = sum(i.adjustment_cents for i in charge.insurance)
    deductible = sum(i.deductible_cents for i in charge.insurance)
    coinsurance = sum(i.coinsurance_cents for i in charge.insurance)
    copay = sum(i.copay_cents for i in charge.insurance)
    allowed = sum(i.allowed_cents for i in charge.insurance)
    reasons = [str(_l("Your insurance agreed to a price of %(allowed)s and paid %(paid)s.",
                      allowed=format_cents(allowed), paid=format_cents(paid)))]
    if adjusted:
        reasons.append(str(_l("We took %(amount)s off the bill because of our contract with your plan.",
                              amount=format_cents(adjusted))))
    if deductible:
        reasons.append(str(_l("%(amount)s goes toward your deductible. That is what you pay before your "
                              "plan starts to pay.", amount=format_cents(deductible))))
    if coinsurance:
        reasons.append(str(_l("%(amount)s is your coinsurance. That is your share of the cost after the "
                              "deductible.", amount=format_cents(coinsurance))))
    if copay:
        reasons.append(str(_l("%(amount)s is your copay. That is the set amount your plan asks you to pay "
                              "for this kind of visit.", amount=format_cents(copay))))
    return paid, adjusted, charge.amount_cents - paid - adjusted, reasons


DISPUTE_THRESHOLD_CENTS = 40_000  # $400 (45 CFR 149.620)
DISPUTE_DAYS = 120


def gfe_totals(appointment_ids: list[int]) -> dict[int, int]:
    """Each visit's Good Faith Estimate total in cents (`GoodFaithEstimate.total_cents`, one per appointment:
    a reschedule that changes the date or provider unlinks the old one and issues a new one).
    Visits without an estimate are left out (nothing to compare).
    """
    if not appointment_ids:
        return {}
    rows = db.session.execute(select(GoodFaithEstimate.appointment_id, GoodFaithEstimate.total_cents)
                              .where(GoodFaithEstimate.appointment_id.in_(appointment_ids))).all()
    return {appointment_id: int(total) for appointment_id, total in rows}


def over_estimate(statement: Statement, charges: list[Charge]) -> list[OverEstimate]:
    """Visits on the statement billed DISPUTE_THRESHOLD_CENTS or more above their GFE."""
    billed: dict[int, tuple[date, int]] = {}
    for charge in charges:
        if charge.appointment_id is not None:
            day, cents = billed.get(charge.appointment_id, (charge.service_date, 0))
            billed[charge.appointment_id] = (day, cents + charge.amount_cents)
    estimates = gfe_totals(list(billed))
    return [OverEstimate(day, cents, estimates[appt], statement.issued_on + timedelta(days=DISPUTE_DAYS))
            for appt, (day, cents) in billed.items()
            if appt in estimates and cents - estimates[appt] >= DISPUTE_THRESHOLD_CENTS]


def dispute_notice(item: OverEstimate, day) -> list[str]:
    """The patient's right to dispute, in plain words; `day` writes a date in the reader's language."""
    return [
        str(_l("Your bill for the visit on %(date)s is %(excess)s more than your Good Faith Estimate of "
               "%(estimate)s.", date=day(item.service_date), excess=format_cents(item.excess_cents),
               estimate=format_cents(item.estimate_cents))),
        str(_l("You have the right to dispute this bill. You must start by %(deadline)s. That is 120 days "
               "from the date of this bill.", deadline=day(item.dispute_by))),
        str(_l("To start, go to www.cms.gov/nosurprises or call 1-800-985-3059. Keep a copy of your estimate "
               "and this bill.")),
    ]


def build_view(statement: Statement) -> StatementView:
    """The statement grouped by visit date, each line explained, with its totals and payments."""
    charges = db.session.scalars(select(Charge).where(Charge.statement_id == statement.id)
                                 .options(selectinload(Charge.insurance))
                                 .order_by(Charge.service_date, Charge.id)).all()
    visits: dict[date, list[Line]] = {}
    for charge in charges:
        paid, adjusted, owed, reasons = explain(charge)
        visits.setdefault(charge.service_date, []).append(
            Line(charge.id, charge.service_date, charge.code, charge.description, charge.amount_cents, paid,
                 adjusted, owed, reasons))
    payments = [p for p in statement.payments if p.status == PaymentStatus.SUCCEEDED]
    patient = statement.patient
    return StatementView(statement, patient, patient.practice.name,
                         [Visit(day, lines) for day, lines in visits.items()], ledger.totals(statement.id), payments,
                         over_estimate(statement, list(charges)))


@db.transactional
def statement_for(user: User, statement_id: int, action: str = "view") -> StatementView:
    """The statement as its patient (or a caregiver with `billing`, or her practice) reads it (audited)."""
    statement = db.session.get(Statement, statement_id,
                               options=[joinedload(Statement.patient), selectinload(Statement.payments)])
    if statement is None:
        raise NotFound()
    policy.authorize(user, statement.patient, ledger.SCOPE, action, "statement", statement.id)
    return build_view(statement)


@dataclass(frozen=True)
class Summary:
    statement: Statement
    balance_cents: int


@db.transactional
def list_for(user: User, patient_id: int) -> list[Summary]:
    """The patient's statements, newest first, each with its balance (audited)."""
    patient = db.session.get(Patient, patient_id)
    policy.authorize(user, patient, ledger.SCOPE, "view", "statement")
    rows = db.session.scalars(select(Statement).where(Statement.patient_id == patient_id)
                              .order_by(Statement.issued_on.desc(), Statement.id.desc()).limit(100)).all()
    return [Summary(s, ledger.totals(s.id).balance) for s in rows]
