"""Patient payments: Checkout Sessions (portal, guest), PaymentIntents (app), staff-posted payments,
and settling an attempt from Stripe's own state.

An attempt is a `Payment` row in PENDING with its own idempotency key, written and committed
before Stripe is called (no database lock is held during the HTTP call). It becomes SUCCEEDED
only in `settle_*`, from an object just read back from Stripe, through one conditional UPDATE:
however many webhooks, reconcile runs and redirects arrive, in whatever order, one of them wins
and only the winner sends the "Payment received" notification (the emailed receipt).
Amounts: whole cents, at least MIN_ONLINE_CENTS online, at most the balance.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import stripe
from sqlalchemy import or_, select

from hearth import db, notify, policy
from hearth.claims import claim, lock
from hearth.clock import utcnow
from hearth.errors import Conflict, DomainError, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import Patient, Payment, PaymentMethod, PaymentStatus, Statement, User
from hearth.services.billing import ledger
from hearth.services.billing.money import MIN_ONLINE_CENTS, check_cents, format_cents
from hearth.services.billing.stripe_gateway import StripeGateway


class PaymentUnavailable(DomainError):
    """Stripe could not be reached or refused the request; nothing was charged."""

    status = 503
    title = _l("Payment is not available right now")


OFF = _l("Online payment is not available. You can pay by mail or by phone.")
DOWN = _l("We could not reach the payment service. Nothing was charged. Please try again in a few minutes.")


@dataclass(frozen=True)
class Attempt:
    payment: Payment
    checkout_url: str | None = None
    client_secret: str | None = None


def check_amount(amount_cents: int, balance_cents: int, *, online: bool = True) -> int:
    """Invalid unless `amount_cents` is whole cents, ≥ $0.50 online (≥ $0.01 otherwise) and ≤ the balance."""
    check_cents(amount_cents, "amount_cents")
    if balance_cents <= 0:
        raise Conflict(_l("This statement is already paid."))
    if online and amount_cents < MIN_ONLINE_CENTS:
        message = _l("The smallest online payment is %(min)s.", min=format_cents(MIN_ONLINE_CENTS))
        raise Invalid(message, fields={"amount_cents": [message]})
    if amount_cents > balance_cents:
        message = _l("Enter an amount no more than the balance of %(balance)s.", balance=format_cents(balance_cents))
        raise Invalid(message, fields={"amount_cents": [message]})
    return amount_cents


@db.transactional
def _open(actor: User | None, statement_id: int, amount_cents: int, method: PaymentMethod, *,
          guest: bool = False, online: bool = True) -> Payment:
    """The PENDING attempt, after access and amount checks (the statement row locked while deciding)."""
    statement = ledger.load_statement(statement_id)
    if not guest:
        policy.authorize(actor, statement.patient, ledger.SCOPE, "pay", "statement", statement.id)
    if not online:
        raise Conflict(OFF)
    lock(Statement, statement.id)
    check_amount(amount_cents, ledger.totals(statement.id).balance)
    payment = Payment(statement_id=statement.id, patient_id=statement.patient_id, amount_cents=amount_cents,
                      method=method, guest=guest, idempotency_key=f"hearth-pay-{uuid.uuid4().hex}",
                      created_by_user_id=actor.id if actor else None)
    db.session.add(payment)
    db.session.flush()
    return payment


@db.transactional
def _attach(payment_id: int, **values: Any) -> Payment:
    payment = db.session.get(Payment, payment_id)
    for name, value in values.items():
        setattr(payment, name, value)
    return payment


def _metadata(payment: Payment) -> dict[str, str]:
    return {"hearth_payment_id": str(payment.id), "hearth_statement_id": str(payment.statement_id)}


def start_checkout(actor: User | None, statement_id: int, amount_cents: int, gateway: StripeGateway | None, *,
                   success_url: str, cancel_url: str, guest: bool = False) -> Attempt:
    """A Stripe Checkout Session for the amount; returns where to send the payer.

    Raises Conflict (online payment off, already paid), Invalid (amount), NotFound, PaymentUnavailable.
    """
    payment = _open(actor, statement_id, amount_cents, PaymentMethod.CHECKOUT, guest=guest, online=gateway is not None)
    statement = payment.statement
    try:
        session = gateway.create_checkout_session(
            amount_cents=amount_cents, description=f"{statement.patient.practice.name} {statement.code}",
            success_url=success_url, cancel_url=cancel_url, metadata=_metadata(payment),
            idempotency_key=payment.idempotency_key)
    except stripe.StripeError as exc:
        _attach(payment.id, status=PaymentStatus.FAILED)
        raise PaymentUnavailable(str(DOWN)) from exc
    payment = _attach(payment.id, checkout_session_id=session["id"], checkout_url=session.get("url"),
                      payment_intent_id=session.get("payment_intent"))
    return Attempt(payment, checkout_url=session.get("url"))


def start_intent(actor: User | None, statement_id: int, amount_cents: int, gateway: StripeGateway | None, *,
                 guest: bool = False) -> Attempt:
    """A PaymentIntent for the mobile app; returns its client secret. Same errors as `start_checkout`."""
    payment = _open(actor, statement_id, amount_cents, PaymentMethod.APP, guest=guest, online=gateway is not None)
    try:
        intent = gateway.create_payment_intent(amount_cents=amount_cents, description=payment.statement.code,
                                               metadata=_metadata(payment), idempotency_key=payment.idempotency_key)
    except stripe.StripeError as exc:
        _attach(payment.id, status=PaymentStatus.FAILED)
        raise PaymentUnavailable(str(DOWN)) from exc
    payment = _attach(payment.id, payment_intent_id=intent["id"])
    return Attempt(payment, client_secret=intent.get("client_secret"))


@db.transactional
def post_manual(user: User, patient_id: int, statement_id: int, amount_cents: int, method: PaymentMethod) -> Payment:
    """Staff record a check by mail or a payment at the desk (settled at once, receipt sent)."""
    patient = ledger.staff_patient(user, patient_id, "create", "payment", statement_id)
    if method not in (PaymentMethod.MAIL, PaymentMethod.DESK):
        raise Invalid(_l("Choose mail or front desk."))
    statement = ledger.load_statement(statement_id)
    if statement.patient_id != patient.id:
        raise NotFound()
    lock(Statement, statement.id)
    check_amount(amount_cents, ledger.totals(statement.id).balance, online=False)
    payment = Payment(statement_id=statement.id, patient_id=patient.id, amount_cents=amount_cents, method=method,
                      status=PaymentStatus.SUCCEEDED, paid_at=utcnow(), created_by_user_id=user.id,
                      idempotency_key=f"hearth-manual-{uuid.uuid4().hex}")
    db.session.add(payment)
    db.session.flush()
    _receipt(payment)
    return payment


def _receipt(payment: Payment) -> None:
    """'Payment received: $25.00' by the patient's channels (email included): the amount only."""
    patient = db.session.get(Patient, payment.patient_id)
    notify.enqueue(key=f"payment:{payment.id}:received", kind="bill", template="payment_received",
                   user=patient.user, patient=patient,
                   params={"amount": format_cents(payment.amount_cents), "ref": str(payment.id)})


def _find(metadata: dict | None, **ids: str | None) -> Payment | None:
    """The attempt an object is about: by our metadata first, else by its Stripe ids."""
    raw = (metadata or {}).get("hearth_payment_id")
    if raw and str(raw).isdigit() and len(str(raw)) < 10:
        payment = db.session.get(Payment, int(raw))
        if payment is not None:
            return payment
    conditions = [getattr(Payment, name) == value for name, value in ids.items() if value]
    if not conditions:
        return None
    return db.session.scalars(select(Payment).where(or_(*conditions))).first()


def _succeed(payment: Payment, amount_cents: int | None, intent_id: str | None) -> bool:
    values: dict[str, Any] = {"status": PaymentStatus.SUCCEEDED, "paid_at": utcnow()}
    if amount_cents:
        values["amount_cents"] = amount_cents
    if intent_id and payment.payment_intent_id is None:
        values["payment_intent_id"] = intent_id
    won = claim(payment, Payment.status != PaymentStatus.SUCCEEDED, **values)
    if won:
        _receipt(payment)
    return won


def _end(payment: Payment, status: PaymentStatus) -> bool:
    return claim(payment, Payment.status == PaymentStatus.PENDING, status=status)


@db.transactional
def settle_session(session: dict, *, failed: bool = False) -> str:
    """Apply a Checkout Session just read from Stripe. Returns what happened ("paid", "expired", ...)."""
    payment = _find(session.get("metadata"), checkout_session_id=session.get("id"))
    if payment is None:
        return "unknown"
    if session.get("status") == "complete" and session.get("payment_status") in ("paid", "no_payment_required"):
        return "paid" if _succeed(payment, session.get("amount_total"), session.get("payment_intent")) else "noop"
    if session.get("status") == "expired":
        return "expired" if _end(payment, PaymentStatus.EXPIRED) else "noop"
    if failed and session.get("payment_status") == "unpaid":
        return "failed" if _end(payment, PaymentStatus.FAILED) else "noop"
    return "noop"


@db.transactional
def settle_intent(intent: dict, *, failed: bool = False) -> str:
    """Apply a PaymentIntent just read from Stripe (the app's, or the one behind a Checkout Session)."""
    payment = _find(intent.get("metadata"), payment_intent_id=intent.get("id"))
    if payment is None:
        return "unknown"
    if intent.get("status") == "succeeded":
        return "paid" if _succeed(payment, intent.get("amount_received") or intent.get("amount"),
                                  intent.get("id")) else "noop"
    # A Checkout payer may try another card on the same page: only the app's own attempt ends here.
    if (failed and payment.method == PaymentMethod.APP
            and intent.get("status") in ("requires_payment_method", "canceled")):
        return "failed" if _end(payment, PaymentStatus.FAILED) else "noop"
    return "noop"


@db.transactional
def receipts_for(user: User, patient_id: int) -> list[Payment]:
    """The patient's received payments, newest first (audited): the portal's and the app's receipts."""
    patient = db.session.get(Patient, patient_id)
    policy.authorize(user, patient, ledger.SCOPE, "view", "receipt")
    return list(db.session.scalars(select(Payment).where(Payment.patient_id == patient_id,
                                                         Payment.status == PaymentStatus.SUCCEEDED)
                                   .order_by(Payment.paid_at.desc(), Payment.id.desc()).limit(100)))


@db.transactional
def receipt(user: User, payment_id: int) -> Payment:
    """One receipt (audited); NotFound unless it is a received payment the user may see."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.status != PaymentStatus.SUCCEEDED:
        raise NotFound()
    policy.authorize(user, db.session.get(Patient, payment.patient_id), ledger.SCOPE, "view", "receipt", payment.id)
    return payment
