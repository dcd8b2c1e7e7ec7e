"""Stripe webhooks: verify and store fast, process later in the worker, reconcile what never came.

`receive` checks the signature and stores the event by its id (INSERT … ON CONFLICT DO NOTHING),
nothing more, so Stripe gets its 200 at once and a redelivery is stored once. The worker's
`process_pending` then handles each stored event: it reads the event and its object back from
Stripe (never trusting the payload or the order of deliveries) and applies the object's current
state through the idempotent `payments.settle_*` / `refunds.sync`. An event is marked processed
under its row lock, so two workers never both finish it; were one killed between storing and
processing, the row simply waits for the next run. `reconcile` settles Checkout Sessions and
PaymentIntents whose webhook never arrived, from Stripe's state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

import stripe
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from hearth import db
from hearth.claims import lock
from hearth.clock import utcnow
from hearth.models import Payment, PaymentMethod, PaymentPlan, PaymentStatus, PlanStatus, StripeEvent
from hearth.services.billing import payments, plans, refunds
from hearth.services.billing.stripe_gateway import StripeGateway

log = logging.getLogger("hearth.billing")

HANDLED = frozenset({
    "checkout.session.completed", "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed", "checkout.session.expired",
    "payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded",
})
MAX_ATTEMPTS = 20
RECONCILE_AFTER = timedelta(minutes=10)  # a webhook usually arrives within seconds
RECONCILE_WINDOW = timedelta(days=3)  # Stripe retries webhooks for up to 3 days; sessions expire in 24 h


@db.transactional
def store(event_id: str, event_type: str, object_id: str | None) -> bool:
    """Keep the event once by its id; True when this delivery was the first."""
    insert = postgresql.insert if db.is_postgres() else sqlite.insert
    stmt = (insert(StripeEvent).values(event_id=event_id[:255], type=event_type[:100],
                                       object_id=(object_id or "")[:255] or None, received_at=utcnow(), attempts=0)
            .on_conflict_do_nothing(index_elements=["event_id"]))
    return db.session.execute(stmt).rowcount == 1


def receive(gateway: StripeGateway, payload: bytes, signature: str | None) -> bool:
    """Verify a webhook delivery and store it. Raises stripe.SignatureVerificationError or ValueError."""
    event = gateway.construct_event(payload, signature)
    event_id, event_type = str(event.get("id") or ""), str(event.get("type") or "")
    if not event_id.startswith("evt_"):
        raise ValueError("not an event")
    obj = (event.get("data") or {}).get("object") or {}
    return store(event_id, event_type, obj.get("id") if isinstance(obj, dict) else None)


@dataclass
class Run:
    processed: int = 0
    failed: int = 0
    outcomes: list[str] = field(default_factory=list)


def _fetch(gateway: StripeGateway, row: StripeEvent) -> tuple[str, dict | None]:
    """Read the event and its object back from Stripe (network; no transaction held)."""
    if row.type not in HANDLED:
        return row.type, None
    event = gateway.retrieve_event(row.event_id)
    obj = event["data"]["object"]
    if row.type.startswith("checkout.session."):
        session = gateway.retrieve_session(obj["id"])
        if session.get("mode") == "setup":  # a payment plan's saved card
            intent = gateway.retrieve_setup_intent(session["setup_intent"]) if session.get("setup_intent") else None
            return "plan", {"session": session, "setup_intent": intent}
        return row.type, session
    if row.type.startswith("payment_intent."):
        return row.type, gateway.retrieve_payment_intent(obj["id"])
    intent_id = obj.get("payment_intent")
    return row.type, {"payment_intent": intent_id, "refunds": gateway.list_refunds(intent_id) if intent_id else []}


def _apply(event_type: str, state: dict | None) -> str:
    if state is None:
        return "ignored"
    if event_type == "plan":
        return plans.activate(state["session"], state["setup_intent"])
    if event_type.startswith("checkout.session."):
        return payments.settle_session(state, failed=event_type.endswith("failed"))
    if event_type.startswith("payment_intent."):
        return payments.settle_intent(state, failed=event_type.endswith("failed"))
    return refunds.sync(state["payment_intent"], state["refunds"])


@db.transactional
def _finish(row_id: int, event_type: str, state: dict | None) -> str | None:
    """Apply and mark processed, once: under the event's row lock; None when another run finished it."""
    lock(StripeEvent, row_id)
    row = db.session.get(StripeEvent, row_id)
    db.session.refresh(row)
    if row.processed_at is not None:
        return None
    outcome = _apply(event_type, state)
    row.processed_at = utcnow()
    return outcome


@db.transactional
def _failed(row_id: int, error: str) -> None:
    db.session.execute(update(StripeEvent).where(StripeEvent.id == row_id)
                       .values(attempts=StripeEvent.attempts + 1, last_error=error[:2000]))


def process_one(gateway: StripeGateway, row_id: int) -> str | None:
    """Handle one stored event; returns the outcome, or None if it was already processed."""
    row = db.session.get(StripeEvent, row_id)
    if row is None or row.processed_at is not None:
        return None
    event_type = row.type
    db.session.commit()  # hold nothing (no SQLite write lock) while Stripe is asked
    kind, state = _fetch(gateway, row)
    return _finish(row_id, kind if kind == "plan" else event_type, state)


def process_pending(gateway: StripeGateway, *, limit: int = 100) -> Run:
    """Process stored events not yet processed, oldest first; errors are kept on the row and retried."""
    run = Run()
    ids = db.session.scalars(select(StripeEvent.id).where(StripeEvent.processed_at.is_(None),
                                                          StripeEvent.attempts < MAX_ATTEMPTS)
                             .order_by(StripeEvent.received_at, StripeEvent.id).limit(limit)).all()
    db.session.commit()
    for row_id in ids:
        try:
            outcome = process_one(gateway, row_id)
        except (stripe.StripeError, KeyError, TypeError) as exc:
            db.session.rollback()
            log.warning("stripe event %s failed: %s", row_id, type(exc).__name__)
            _failed(row_id, f"{type(exc).__name__}: {exc}")
            run.failed += 1
            continue
        if outcome is not None:
            run.processed += 1
            run.outcomes.append(outcome)
    return run


def reconcile(gateway: StripeGateway, *, older_than: timedelta = RECONCILE_AFTER, limit: int = 100) -> list[str]:
    """Settle pending online attempts whose webhook never came, from Stripe's current state."""
    now = utcnow()
    rows = db.session.execute(
        select(Payment.id, Payment.method, Payment.checkout_session_id, Payment.payment_intent_id)
        .where(Payment.status == PaymentStatus.PENDING, Payment.created_at <= now - older_than,
               Payment.created_at >= now - RECONCILE_WINDOW)
        .order_by(Payment.id).limit(limit)).all()
    db.session.commit()
    outcomes = []
    for _pid, method, session_id, intent_id in rows:
        try:
            if method == PaymentMethod.CHECKOUT and session_id:
                outcomes.append(payments.settle_session(gateway.retrieve_session(session_id)))
            elif method == PaymentMethod.APP and intent_id:
                outcomes.append(payments.settle_intent(gateway.retrieve_payment_intent(intent_id)))
        except stripe.StripeError as exc:
            db.session.rollback()
            log.warning("reconcile of payment %s failed: %s", _pid, type(exc).__name__)
    setups = db.session.execute(
        select(PaymentPlan.id, PaymentPlan.setup_session_id)
        .where(PaymentPlan.status == PlanStatus.SETUP, PaymentPlan.setup_session_id.is_not(None),
               PaymentPlan.created_at <= now - older_than, PaymentPlan.created_at >= now - RECONCILE_WINDOW)
        .order_by(PaymentPlan.id).limit(limit)).all()
    db.session.commit()
    for _plan_id, session_id in setups:
        try:
            session = gateway.retrieve_session(session_id)
            intent = gateway.retrieve_setup_intent(session["setup_intent"]) if session.get("setup_intent") else None
            outcomes.append(plans.activate(session, intent))
        except stripe.StripeError as exc:
            db.session.rollback()
            log.warning("reconcile of plan %s failed: %s", _plan_id, type(exc).__name__)
    return outcomes


def run_once(config) -> tuple[Run, list[str]]:
    """One worker tick: process stored events, reconcile, remind and charge payment plans due.

    Nothing to do without Stripe settings.
    """
    gateway = StripeGateway.from_config(config)
    if gateway is None:
        return Run(), []
    run, reconciled = process_pending(gateway), reconcile(gateway)
    plans.remind_upcoming()
    plans.charge_due(gateway)
    return run, reconciled
