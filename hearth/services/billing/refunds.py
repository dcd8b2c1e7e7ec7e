"""Refunds, full or partial, from a statement; and keeping Stripe's refunds in step (charge.refunded).

A staff refund is a `Refund` row written (PENDING) under the payment's row lock, after checking it
fits what is left of the payment; then Stripe is asked with an idempotency key of that row, and
the row takes Stripe's id and status. A refund made in Stripe's dashboard arrives through
`sync`, which inserts or updates rows by Stripe's refund id, so it is never counted twice.
"""

from __future__ import annotations

import stripe
from sqlalchemy import func, select

from hearth import db
from hearth.claims import lock
from hearth.errors import Conflict, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import Payment, PaymentMethod, PaymentStatus, Refund, User
from hearth.services.billing import ledger
from hearth.services.billing.money import check_cents, format_cents
from hearth.services.billing.payments import DOWN, PaymentUnavailable
from hearth.services.billing.stripe_gateway import StripeGateway

LIVE = ("pending", "succeeded")  # statuses that take money back (failed and canceled do not)


def refundable_cents(payment: Payment) -> int:
    taken = db.session.scalar(select(func.coalesce(func.sum(Refund.amount_cents), 0))
                              .where(Refund.payment_id == payment.id, Refund.status.in_(LIVE)))
    return payment.amount_cents - int(taken)


@db.transactional
def _open(user: User, statement_id: int, payment_id: int, amount_cents: int, reason: str,
          online: bool) -> Refund:
    statement = ledger.load_statement(statement_id)
    ledger.staff_patient(user, statement.patient_id, "refund", "payment", payment_id)
    lock(Payment, payment_id)
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.statement_id != statement.id or payment.status != PaymentStatus.SUCCEEDED:
        raise NotFound()
    check_cents(amount_cents, "amount_cents")
    left = refundable_cents(payment)
    if amount_cents > left:
        message = _l("You can refund at most %(amount)s of this payment.", amount=format_cents(left))
        raise Invalid(message, fields={"amount_cents": [message]})
    stripe_paid = payment.method in (PaymentMethod.CHECKOUT, PaymentMethod.APP, PaymentMethod.PLAN)
    if stripe_paid and not online:
        raise Conflict(_l("Online payment is not set up, so this card payment cannot be refunded here."))
    row = Refund(payment_id=payment.id, amount_cents=amount_cents, reason=reason.strip()[:200] or None,
                 status="pending" if stripe_paid else "succeeded", created_by_user_id=user.id)
    db.session.add(row)
    db.session.flush()
    return row


@db.transactional
def _close(refund_id: int, *, stripe_id: str | None, status: str) -> Refund:
    lock(Refund, refund_id)
    row = db.session.get(Refund, refund_id)
    db.session.refresh(row)
    if stripe_id and row.stripe_refund_id is None:
        row.stripe_refund_id = stripe_id
    if row.status == "pending":
        row.status = status
    return row


def refund(user: User, statement_id: int, payment_id: int, amount_cents: int, gateway: StripeGateway | None, *,
           reason: str = "") -> Refund:
    """Give back `amount_cents` of a received payment (card: through Stripe). Raises Invalid, Conflict,
    NotFound, Forbidden, payments.PaymentUnavailable (nothing refunded)."""
    row = _open(user, statement_id, payment_id, amount_cents, reason, gateway is not None)
    if row.status != "pending":
        return row
    payment = db.session.get(Payment, payment_id)
    try:
        made = gateway.create_refund(payment_intent=payment.payment_intent_id, amount_cents=amount_cents,
                                     idempotency_key=f"hearth-refund-{row.id}",
                                     metadata={"hearth_refund_id": str(row.id)})
    except stripe.StripeError as exc:
        _close(row.id, stripe_id=None, status="failed")
        raise PaymentUnavailable(str(DOWN)) from exc
    return _close(row.id, stripe_id=made["id"], status=made.get("status") or "pending")


@db.transactional
def sync(payment_intent_id: str | None, stripe_refunds: list[dict]) -> str:
    """Bring the refunds of one PaymentIntent in step with Stripe's list (idempotent)."""
    payment = db.session.scalars(select(Payment).where(Payment.payment_intent_id == payment_intent_id)).first() \
        if payment_intent_id else None
    if payment is None:
        return "unknown"
    lock(Payment, payment.id)
    changed = 0
    for item in stripe_refunds:
        stripe_id, status = item.get("id"), item.get("status") or "pending"
        raw = (item.get("metadata") or {}).get("hearth_refund_id")
        row = db.session.scalars(select(Refund).where(Refund.stripe_refund_id == stripe_id)).first()
        if row is None and raw and str(raw).isdigit() and len(str(raw)) < 10:
            row = db.session.get(Refund, int(raw))
        if row is None:
            db.session.add(Refund(payment_id=payment.id, amount_cents=int(item["amount"]), stripe_refund_id=stripe_id,
                                  status=status, reason="Stripe"))
            changed += 1
        elif row.status != status or row.stripe_refund_id is None:
            row.status, row.stripe_refund_id = status, row.stripe_refund_id or stripe_id
            changed += 1
    db.session.flush()
    return "refunds" if changed else "noop"
