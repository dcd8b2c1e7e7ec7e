"""Real parallel deliveries and workers (committed rows, one connection each): exactly one effect."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.models import Notification, Payment, PaymentStatus, StripeEvent
from hearth.services.billing import events, payments
from tests.billing.test_stripe_payments import send
from tests.parallel import committed, in_app, race  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("committed")  # before `world`, so the world is committed for real


def test_same_event_three_times_at_once_and_out_of_order_gives_one_payment(app, world, fake_stripe, gateway):
    statement = world.statement(5000)
    attempt = payments.start_checkout(world.patient.user, statement.id, 5000, gateway, success_url="http://h/ok",
                                      cancel_url="http://h/no")
    completed, succeeded = fake_stripe.complete_session(attempt.payment.checkout_session_id)
    order = [succeeded, completed, completed, succeeded, completed, succeeded]
    statuses = race(app, 6, lambda i, client: send(client, order[i]).status_code)
    assert statuses == [200] * 6
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 2
    # three workers process at once
    outcomes = race(app, 3, lambda i, client: in_app(app, lambda: events.process_pending(gateway).outcomes))
    flat = sorted(o for run in outcomes for o in run)
    assert flat == ["noop", "paid"], outcomes
    payment = db.session.get(Payment, attempt.payment.id)
    db.session.refresh(payment)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.idempotency_key == f"payment:{payment.id}:received")) == 1
