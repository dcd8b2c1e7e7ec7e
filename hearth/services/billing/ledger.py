"""Staff posting to the ledger (charges, the payer's EOB amounts) and the balance arithmetic.

Charges come from the practice's fee schedule (`fee_charges.post`); free entry of code + plain-language
description + amount in cents is only a fallback while the practice has no fee schedule.
A statement's balance is computed, never stored: charges − insurance paid − adjustments −
succeeded patient payments + succeeded refunds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from hearth import db, policy
from hearth.claims import lock
from hearth.clock import to_zone, utcnow
from hearth.errors import Conflict, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import (
    Appointment,
    AppointmentStatus,
    Charge,
    InsurancePayment,
    Patient,
    Payment,
    PaymentStatus,
    Refund,
    StaffRole,
    Statement,
    User,
)
from hearth.services.billing.money import check_cents

SCOPE = "billing"
BILLING_ROLES = frozenset({StaffRole.STAFF, StaffRole.ADMIN})
BILLABLE = (AppointmentStatus.COMPLETED, AppointmentStatus.SEEN)


@dataclass(frozen=True)
class Totals:
    """A statement's sums in cents."""

    charges: int = 0
    insurance_paid: int = 0
    adjustments: int = 0
    patient_paid: int = 0
    refunded: int = 0

    @property
    def patient_share(self) -> int:
        return self.charges - self.insurance_paid - self.adjustments

    @property
    def balance(self) -> int:
        return self.charges - self.insurance_paid - self.adjustments - self.patient_paid + self.refunded


def totals(statement_id: int) -> Totals:
    """The statement's sums, from the rows as they are now (bounded: five aggregate queries)."""
    charges = db.session.scalar(select(func.coalesce(func.sum(Charge.amount_cents), 0))
                                .where(Charge.statement_id == statement_id))
    paid, adjusted = db.session.execute(
        select(func.coalesce(func.sum(InsurancePayment.paid_cents), 0),
               func.coalesce(func.sum(InsurancePayment.adjustment_cents), 0))
        .join(Charge, Charge.id == InsurancePayment.charge_id).where(Charge.statement_id == statement_id)).one()
    patient_paid = db.session.scalar(select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
        Payment.statement_id == statement_id, Payment.status == PaymentStatus.SUCCEEDED))
    refunded = db.session.scalar(select(func.coalesce(func.sum(Refund.amount_cents), 0))
                                 .join(Payment, Payment.id == Refund.payment_id)
                                 .where(Payment.statement_id == statement_id, Refund.status == "succeeded"))
    return Totals(int(charges), int(paid), int(adjusted), int(patient_paid), int(refunded))


def staff_patient(user: User, patient_id: int, action: str, resource_type: str, resource_id=None) -> Patient:
    """The patient, for front-desk and admin staff of her practice only (audited). NotFound/Forbidden."""
    patient = db.session.get(Patient, patient_id)
    if patient is None or not policy.is_staff_of(user, patient.practice_id):
        raise NotFound()
    policy.require_practice_role(user, patient.practice_id, BILLING_ROLES)
    policy.authorize(user, patient, SCOPE, action, resource_type, resource_id)
    return patient


@db.transactional
def post_charge(user: User, patient_id: int, *, appointment_id: int, code: str, description: str,
                amount_cents: int, from_fee_schedule: bool = False) -> Charge:
    """Post one charge for a completed visit. Raises NotFound, Forbidden, Conflict (visit not done), Invalid
    (also for free entry once the practice has a fee schedule: charges then come from it)."""
    patient = staff_patient(user, patient_id, "create", "charge")
    if not from_fee_schedule:
        from hearth.services.billing.fee_charges import has_fee_schedule

        if has_fee_schedule(patient.practice_id):
            message = str(_l("Choose the service from the fee schedule."))
            raise Invalid(message, fields={"code": [message]})
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or appointment.patient_id != patient.id:
        raise NotFound()
    if appointment.status not in BILLABLE:
        raise Conflict(_l("Charges can be posted only for a completed visit."))
    code, description = code.strip().upper(), description.strip()
    if not code or not description:
        raise Invalid(_l("Enter the code and the description."))
    check_cents(amount_cents, "amount_cents")
    service_date = to_zone(appointment.starts_at, patient.practice.timezone).date()
    charge = Charge(patient_id=patient.id, appointment_id=appointment.id, service_date=service_date, code=code,
                    description=description, amount_cents=amount_cents, created_by_user_id=user.id)
    db.session.add(charge)
    db.session.flush()
    return charge


@db.transactional
def post_insurance(user: User, patient_id: int, charge_id: int, *, payer: str, allowed_cents: int, paid_cents: int,
                   deductible_cents: int = 0, coinsurance_cents: int = 0, copay_cents: int = 0,
                   received_on: date | None = None) -> InsurancePayment:
    """Post the payer's EOB for a charge: paid + deductible + coinsurance + copay must equal allowed.

    The adjustment (the practice's write-off) is charge − allowed. Raises Invalid when the amounts
    do not add up or exceed the charge, Conflict when the charge already has an EOB, NotFound.
    """
    patient = staff_patient(user, patient_id, "create", "insurance_payment", charge_id)
    lock(Charge, charge_id)  # one EOB per charge, however many submits
    charge = db.session.get(Charge, charge_id)
    if charge is None or charge.patient_id != patient.id:
        raise NotFound()
    amounts = {"allowed_cents": allowed_cents, "paid_cents": paid_cents, "deductible_cents": deductible_cents,
               "coinsurance_cents": coinsurance_cents, "copay_cents": copay_cents}
    for name, value in amounts.items():
        check_cents(value, name, allow_zero=True)
    if allowed_cents > charge.amount_cents:
        raise Invalid(_l("The allowed amount cannot be more than the charge."),
                      fields={"allowed_cents": [_l("The allowed amount cannot be more than the charge.")]})
    if paid_cents + deductible_cents + coinsurance_cents + copay_cents != allowed_cents:
        message = _l("Paid, deductible, coinsurance and copay must add up to the allowed amount.")
        raise Invalid(message, fields={"allowed_cents": [message]})
    if db.session.scalar(select(InsurancePayment.id).where(InsurancePayment.charge_id == charge.id)) is not None:
        raise Conflict(_l("This charge already has an insurance payment."))
    row = InsurancePayment(charge_id=charge.id, payer=payer.strip()[:120] or "Insurance",
                           adjustment_cents=charge.amount_cents - allowed_cents,
                           received_on=received_on or utcnow().date(), created_by_user_id=user.id, **amounts)
    db.session.add(row)
    db.session.flush()
    return row


def unbilled_charges(patient_id: int) -> list[Charge]:
    return list(db.session.scalars(select(Charge).where(Charge.patient_id == patient_id,
                                                        Charge.statement_id.is_(None))
                                   .order_by(Charge.service_date, Charge.id)))


def load_statement(statement_id: int) -> Statement:
    statement = db.session.get(Statement, statement_id)
    if statement is None:
        raise NotFound()
    return statement
