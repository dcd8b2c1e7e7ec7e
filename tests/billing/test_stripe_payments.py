"""Paying through Stripe: the real SDK against the local fake, webhooks with real signatures.

The success redirect never marks anything paid; the stored, re-read webhook does, exactly once.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.errors import Conflict, Invalid
from hearth.models import Notification, Payment, PaymentStatus, Refund, StripeEvent
from hearth.services.billing import events, ledger, payments, refunds
from tests.billing.conftest import WEBHOOK_SECRET
from tests.conftest import login
from tests.fakes.stripe_fake import signed

HOOK = "/api/v1/stripe/webhook"


def send(client, event, secret=WEBHOOK_SECRET, timestamp=None):
    payload, header = signed(event, secret, timestamp)
    return client.post(HOOK, data=payload, headers={"Stripe-Signature": header, "Content-Type": "application/json"})


def receipts_sent(payment_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.idempotency_key == f"payment:{payment_id}:received"))


def pay_in_portal(client, world, statement, amount="30.00"):
    login(client, world.patient.user)
    response = client.post(f"/billing/statements/{statement.id}/pay", data={"amount": amount})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def test_checkout_redirect_never_pays_and_duplicate_webhooks_settle_once(client, world, fake_stripe, gateway):
    statement = world.statement(5000)
    url = pay_in_portal(client, world, statement)
    session_id = url.rsplit("/", 1)[1]
    assert url.startswith(fake_stripe.base_url + "/checkout/")
    payment = db.session.scalars(select(Payment).where(Payment.checkout_session_id == session_id)).one()
    # the create carried the attempt's own idempotency key
    assert ("POST", "/v1/checkout/sessions", payment.idempotency_key) in fake_stripe.requests
    assert fake_stripe.sessions[session_id]["amount_total"] == 3000
    # the success page says "confirming" and changes nothing
    page = client.get(f"/billing/statements/{statement.id}/paid")
    assert page.status_code == 200 and "confirming" in page.get_data(as_text=True)
    db.session.refresh(payment)
    assert payment.status == PaymentStatus.PENDING
    completed, succeeded = fake_stripe.complete_session(session_id)
    for event in (succeeded, completed, succeeded, completed, completed, succeeded):  # out of order, 3 times each
        assert send(client, event).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 2
    run = events.process_pending(gateway)
    assert run.processed == 2 and sorted(run.outcomes) == ["noop", "paid"]
    db.session.refresh(payment)
    assert payment.status == PaymentStatus.SUCCEEDED and payment.amount_cents == 3000
    assert receipts_sent(payment.id) == 1
    assert ledger.totals(statement.id).balance == 2000
    assert events.process_pending(gateway).processed == 0
    page = client.get(f"/billing/statements/{statement.id}").get_data(as_text=True)
    assert "$20.00" in page


@pytest.mark.parametrize("case", ["wrong_secret", "stale", "missing", "tampered"])
def test_bad_or_stale_signature_is_400_and_changes_nothing(client, world, fake_stripe, case):
    event = {"id": "evt_test_bad", "object": "event", "type": "checkout.session.completed",
             "data": {"object": {"id": "cs_x"}}}
    if case == "wrong_secret":
        response = send(client, event, secret="whsec_other")
    elif case == "stale":
        response = send(client, event, timestamp=int(time.time()) - 600)
    elif case == "missing":
        response = client.post(HOOK, data=b"{}", headers={"Content-Type": "application/json"})
    else:
        payload, header = signed(event, WEBHOOK_SECRET)
        response = client.post(HOOK, data=payload.replace(b"cs_x", b"cs_y"), headers={"Stripe-Signature": header})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_webhook_without_stripe_settings_is_404(client, app, monkeypatch):
    for key in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"):
        monkeypatch.setitem(app.config, key, "")
        monkeypatch.delenv(key, raising=False)
    assert client.post(HOOK, data=b"{}").status_code == 404


def test_worker_killed_between_receiving_and_processing(client, world, fake_stripe, gateway):
    statement = world.statement(5000)
    session_id = pay_in_portal(client, world, statement, "50.00").rsplit("/", 1)[1]
    completed, _ = fake_stripe.complete_session(session_id)
    assert send(client, completed).status_code == 200  # stored, then the worker "dies" before processing
    row = db.session.scalars(select(StripeEvent)).one()
    assert row.processed_at is None
    db.session.remove()  # the restarted worker starts from the database alone
    assert events.process_pending(gateway).outcomes == ["paid"]
    assert events.process_pending(gateway).processed == 0
    payment = db.session.scalars(select(Payment).where(Payment.checkout_session_id == session_id)).one()
    assert payment.status == PaymentStatus.SUCCEEDED and receipts_sent(payment.id) == 1
    assert ledger.totals(statement.id).balance == 0


def test_reconcile_settles_a_session_whose_webhook_never_came(client, world, fake_stripe, gateway):
    statement = world.statement(5000)
    session_id = pay_in_portal(client, world, statement).rsplit("/", 1)[1]
    fake_stripe.complete_session(session_id)  # paid at Stripe; no webhook is ever sent
    assert events.reconcile(gateway, older_than=__import__("datetime").timedelta(0)) == ["paid"]
    assert events.reconcile(gateway, older_than=__import__("datetime").timedelta(0)) == []
    assert ledger.totals(statement.id).balance == 2000


def test_expired_session_and_failed_then_succeeded_intent(client, world, fake_stripe, gateway):
    statement = world.statement(5000)
    session_id = pay_in_portal(client, world, statement).rsplit("/", 1)[1]
    send(client, fake_stripe.expire_session(session_id))
    events.process_pending(gateway)
    assert db.session.scalars(select(Payment.status).where(Payment.checkout_session_id == session_id)).one() \
        == PaymentStatus.EXPIRED
    attempt = payments.start_intent(world.patient.user, statement.id, 2500, gateway)
    assert attempt.client_secret.startswith(attempt.payment.payment_intent_id)
    send(client, fake_stripe.fail_intent(attempt.payment.payment_intent_id))
    events.process_pending(gateway)
    db.session.refresh(attempt.payment)
    assert attempt.payment.status == PaymentStatus.FAILED
    send(client, fake_stripe.succeed_intent(attempt.payment.payment_intent_id))  # Stripe's final state wins
    events.process_pending(gateway)
    db.session.refresh(attempt.payment)
    assert attempt.payment.status == PaymentStatus.SUCCEEDED and ledger.totals(statement.id).balance == 2500


def test_amount_bounds_and_no_stripe_call(world, fake_stripe, gateway):
    statement = world.statement(5000)
    for cents in (49, 5001, 0, -1):
        with pytest.raises(Invalid):
            payments.start_checkout(world.patient.user, statement.id, cents, gateway, success_url="http://x/ok",
                                    cancel_url="http://x/no")
    assert not [r for r in fake_stripe.requests if r[0] == "POST"]
    with pytest.raises(Conflict):
        payments.start_checkout(world.patient.user, statement.id, 1000, None, success_url="http://x/ok",
                                cancel_url="http://x/no")


def test_stripe_outage_fails_the_attempt_cleanly(client, world, fake_stripe):
    statement = world.statement(5000)
    login(client, world.patient.user)
    fake_stripe.fail_next = 10
    response = client.post(f"/billing/statements/{statement.id}/pay", data={"amount": "10"})
    assert response.status_code == 503
    assert db.session.scalars(select(Payment.status)).all() == [PaymentStatus.FAILED]


def test_partial_and_full_refunds_counted_once(client, world, fake_stripe, gateway):
    statement = world.statement(5000)
    session_id = pay_in_portal(client, world, statement, "50.00").rsplit("/", 1)[1]
    for event in fake_stripe.complete_session(session_id):
        send(client, event)
    events.process_pending(gateway)
    payment = db.session.scalars(select(Payment).where(Payment.checkout_session_id == session_id)).one()
    refunds.refund(world.staff, statement.id, payment.id, 2000, gateway, reason="Overbilled")
    with pytest.raises(Invalid):
        refunds.refund(world.staff, statement.id, payment.id, 3001, gateway)
    send(client, fake_stripe.last_event("charge.refunded"))
    events.process_pending(gateway)
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 1
    assert ledger.totals(statement.id).balance == 2000
    refunds.refund(world.staff, statement.id, payment.id, 3000, gateway)
    send(client, fake_stripe.last_event("charge.refunded"))
    events.process_pending(gateway)
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 2
    assert ledger.totals(statement.id).balance == 5000
    assert [r["amount"] for r in fake_stripe.refunds.values()] == [2000, 3000]
