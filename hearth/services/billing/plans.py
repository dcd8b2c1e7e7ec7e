"""Payment plans: a statement's balance split over 3–12 monthly payments on a card saved with Stripe.

Rules: the practice's `BillingSettings` (smallest monthly payment, longest plan). Setting up is a
Stripe Checkout Session in setup mode (card data stays with Stripe); its webhook (or reconcile)
activates the plan with the saved payment method. The worker then charges each month off-session
(`charge_due`): month n is a Payment row with (plan_id, n) unique and its own idempotency key, so a
month is charged once however many runs overlap or crash; a notification goes out REMIND_DAYS
before each charge (`remind_upcoming`). Amounts in cents; dates in the practice's zone.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date, timedelta

import stripe
from sqlalchemy import select

from hearth import db, notify, policy
from hearth.claims import claim, lock
from hearth.clock import to_zone, utcnow
from hearth.errors import Conflict, Invalid
from hearth.i18n import _l
from hearth.models import (
    BillingSettings,
    Patient,
    Payment,
    PaymentMethod,
    PaymentPlan,
    PaymentStatus,
    PlanStatus,
    Statement,
    User,
)
from hearth.services.billing import ledger
from hearth.services.billing.money import format_cents
from hearth.services.billing.payments import DOWN, OFF, PaymentUnavailable, settle_intent
from hearth.services.billing.stripe_gateway import StripeGateway

log = logging.getLogger("hearth.billing")
MIN_MONTHS, MAX_MONTHS = 3, 12
REMIND_DAYS = 3
OPEN = (PlanStatus.SETUP, PlanStatus.ACTIVE, PlanStatus.PAST_DUE)


@dataclass(frozen=True)
class Option:
    months: int
    monthly_cents: int


def settings_for(practice_id: int) -> BillingSettings:
    return db.session.get(BillingSettings, practice_id) or BillingSettings(practice_id=practice_id,
                                                                           plan_min_monthly_cents=2500,
                                                                           plan_max_months=MAX_MONTHS)


def options(balance_cents: int, rules: BillingSettings) -> list[Option]:
    """The plan lengths the practice allows for this balance (each monthly payment ≥ its minimum)."""
    longest = max(MIN_MONTHS, min(MAX_MONTHS, rules.plan_max_months or MAX_MONTHS))
    return [Option(n, balance_cents // n) for n in range(MIN_MONTHS, longest + 1)
            if balance_cents // n >= rules.plan_min_monthly_cents]


def current(statement_id: int) -> PaymentPlan | None:
    """The statement's open or finished plan (not a canceled one), newest first."""
    return db.session.scalars(select(PaymentPlan).where(PaymentPlan.statement_id == statement_id,
                                                        PaymentPlan.status != PlanStatus.CANCELED)
                              .order_by(PaymentPlan.id.desc())).first()


def _today(patient: Patient) -> date:
    return to_zone(utcnow(), patient.practice.timezone).date()


def add_month(day: date) -> date:
    """The same day next month (the 31st becomes the month's last day)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@db.transactional
def _open(user: User, statement_id: int, months: int, online: bool) -> PaymentPlan:
    statement = ledger.load_statement(statement_id)
    policy.authorize(user, statement.patient, ledger.SCOPE, "create", "payment_plan", statement.id)
    if not online:
        raise Conflict(OFF)
    lock(Statement, statement.id)
    if db.session.scalar(select(PaymentPlan.id).where(PaymentPlan.statement_id == statement.id,
                                                      PaymentPlan.status.in_(OPEN))) is not None:
        raise Conflict(_l("This bill already has a payment plan."))
    balance = ledger.totals(statement.id).balance
    allowed = {o.months: o for o in options(balance, settings_for(statement.practice_id))}
    if months not in allowed:
        message = _l("Choose one of the plan lengths offered for this bill.")
        raise Invalid(message, fields={"months": [message]})
    plan = PaymentPlan(statement_id=statement.id, patient_id=statement.patient_id, total_cents=balance, months=months,
                       monthly_cents=allowed[months].monthly_cents, created_by_user_id=user.id)
    db.session.add(plan)
    db.session.flush()
    return plan


@db.transactional
def _set(plan_id: int, **values) -> PaymentPlan:
    plan = db.session.get(PaymentPlan, plan_id)
    for name, value in values.items():
        setattr(plan, name, value)
    return plan


def start(user: User, statement_id: int, months: int, gateway: StripeGateway | None, *, success_url: str,
          cancel_url: str) -> PaymentPlan:
    """Create the plan and the Checkout Session (setup mode) where the payer saves a card; returns the plan
    (its `setup_url`). Raises Conflict, Invalid, NotFound, PaymentUnavailable."""
    plan = _open(user, statement_id, months, gateway is not None)
    patient = db.session.get(Patient, plan.patient_id)
    meta = {"hearth_plan_id": str(plan.id)}
    try:
        customer = gateway.create_customer(email=patient.email, metadata={"hearth_patient_id": str(patient.id)},
                                           idempotency_key=f"hearth-plan-{plan.id}-customer")
        session = gateway.create_setup_session(customer=customer["id"], success_url=success_url,
                                               cancel_url=cancel_url, metadata=meta,
                                               idempotency_key=f"hearth-plan-{plan.id}-setup")
    except stripe.StripeError as exc:
        _set(plan.id, status=PlanStatus.CANCELED)
        raise PaymentUnavailable(str(DOWN)) from exc
    return _set(plan.id, stripe_customer_id=customer["id"], setup_session_id=session["id"],
                setup_url=session.get("url"))


@db.transactional
def activate(session: dict, setup_intent: dict | None) -> str:
    """Apply a setup-mode Checkout Session read from Stripe: the card is saved → the plan starts today."""
    raw = (session.get("metadata") or {}).get("hearth_plan_id")
    plan = db.session.get(PaymentPlan, int(raw)) if raw and str(raw).isdigit() and len(str(raw)) < 10 else None
    plan = plan or db.session.scalars(select(PaymentPlan)
                                      .where(PaymentPlan.setup_session_id == session.get("id"))).first()
    if plan is None:
        return "unknown"
    if session.get("status") == "complete" and setup_intent and setup_intent.get("status") == "succeeded":
        patient = db.session.get(Patient, plan.patient_id)
        won = claim(plan, PaymentPlan.status == PlanStatus.SETUP, status=PlanStatus.ACTIVE,
                    stripe_payment_method_id=setup_intent.get("payment_method"), next_charge_on=_today(patient))
        return "plan_active" if won else "noop"
    if session.get("status") == "expired":
        return "plan_canceled" if claim(plan, PaymentPlan.status == PlanStatus.SETUP,
                                        status=PlanStatus.CANCELED) else "noop"
    return "noop"


@db.transactional
def _installment(plan_id: int, today: date) -> Payment | None:
    """Month n's Payment row (new, or the one a crashed run left pending), or None when nothing is due."""
    lock(PaymentPlan, plan_id)
    plan = db.session.get(PaymentPlan, plan_id)
    db.session.refresh(plan)
    if plan.status != PlanStatus.ACTIVE or plan.next_charge_on is None or plan.next_charge_on > today:
        return None
    month = plan.charged_months + 1
    existing = db.session.scalars(select(Payment).where(Payment.plan_id == plan.id,
                                                        Payment.installment == month)).first()
    if existing is not None:
        return existing if existing.status == PaymentStatus.PENDING else None
    balance = ledger.totals(plan.statement_id).balance
    amount = min(plan.amount_for(month), balance)
    if amount <= 0:  # paid some other way meanwhile
        plan.status = PlanStatus.COMPLETED
        return None
    payment = Payment(statement_id=plan.statement_id, patient_id=plan.patient_id, amount_cents=amount,
                      method=PaymentMethod.PLAN, plan_id=plan.id, installment=month,
                      idempotency_key=f"hearth-plan-{plan.id}-month-{month}")
    db.session.add(payment)
    db.session.flush()
    return payment


@db.transactional
def _advance(plan_id: int, month: int) -> None:
    plan = db.session.get(PaymentPlan, plan_id)
    done = month >= plan.months
    claim(plan, PaymentPlan.charged_months == month - 1, charged_months=month,
          next_charge_on=None if done else add_month(plan.next_charge_on),
          status=PlanStatus.COMPLETED if done else PlanStatus.ACTIVE)


@db.transactional
def _declined(plan_id: int, payment_id: int) -> None:
    payment = db.session.get(Payment, payment_id)
    claim(payment, Payment.status == PaymentStatus.PENDING, status=PaymentStatus.FAILED)
    plan = db.session.get(PaymentPlan, plan_id)
    if claim(plan, PaymentPlan.status == PlanStatus.ACTIVE, status=PlanStatus.PAST_DUE):
        patient = db.session.get(Patient, plan.patient_id)
        notify.enqueue(key=f"plan:{plan.id}:month:{payment.installment}:declined", kind="bill",
                       template="plan_payment_failed", user=patient.user, patient=patient,
                       params={"ref": str(plan.statement_id)})


def charge_due(gateway: StripeGateway, today: date | None = None) -> list[str]:
    """Charge every active plan whose month is due (no transaction is held during Stripe calls)."""
    outcomes = []
    ids = db.session.scalars(select(PaymentPlan.id).where(PaymentPlan.status == PlanStatus.ACTIVE,
                                                          PaymentPlan.next_charge_on <= (today or utcnow().date()))
                             .order_by(PaymentPlan.id).limit(200)).all()
    db.session.commit()
    for plan_id in ids:
        plan = db.session.get(PaymentPlan, plan_id)
        payment = _installment(plan_id, today or _today(db.session.get(Patient, plan.patient_id)))
        if payment is None:
            continue
        try:
            intent = gateway.charge_saved_card(
                amount_cents=payment.amount_cents, customer=plan.stripe_customer_id,
                payment_method=plan.stripe_payment_method_id,
                description=f"{plan.statement.code} {payment.installment}",
                metadata={"hearth_payment_id": str(payment.id), "hearth_plan_id": str(plan.id)},
                idempotency_key=payment.idempotency_key)
        except stripe.CardError:
            _declined(plan_id, payment.id)
            outcomes.append("declined")
            continue
        except stripe.StripeError as exc:  # Stripe unreachable: the pending row is retried next run
            log.warning("plan %s month %s: %s", plan_id, payment.installment, type(exc).__name__)
            db.session.rollback()
            continue
        if settle_intent(intent) in ("paid", "noop") and intent.get("status") == "succeeded":
            _advance(plan_id, payment.installment)
            outcomes.append("charged")
    return outcomes


@db.transactional
def remind_upcoming(today: date | None = None) -> int:
    """Tell each patient REMIND_DAYS ahead that a plan payment (amount only) will be charged."""
    day = (today or utcnow().date()) + timedelta(days=REMIND_DAYS)
    plans = db.session.scalars(select(PaymentPlan).where(PaymentPlan.status == PlanStatus.ACTIVE,
                                                         PaymentPlan.next_charge_on == day)).all()
    for plan in plans:
        patient = db.session.get(Patient, plan.patient_id)
        month = plan.charged_months + 1
        notify.enqueue(key=f"plan:{plan.id}:month:{month}:reminder", kind="bill", template="plan_payment_soon",
                       user=patient.user, patient=patient,
                       params={"amount": format_cents(plan.amount_for(month)), "days": REMIND_DAYS,
                               "ref": str(plan.statement_id)})
    return len(plans)
