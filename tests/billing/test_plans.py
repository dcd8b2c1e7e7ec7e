"""Payment plans: 3–12 months within the practice's minimum, a card saved through Checkout (setup mode),
monthly off-session charges once per month, a reminder ahead, a declined month."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.errors import Conflict, Invalid
from hearth.models import BillingSettings, Notification, Payment, PaymentStatus, PlanStatus
from hearth.services.billing import events, ledger, plans
from tests.billing.test_stripe_payments import send


def test_options_follow_the_practice_minimum(world):
    rules = BillingSettings(practice_id=world.practice.id, plan_min_monthly_cents=5000, plan_max_months=12)
    assert [o.months for o in plans.options(30000, rules)] == [3, 4, 5, 6]
    assert plans.options(10000, rules) == []
    assert plans.add_month(date(2026, 1, 31)) == date(2026, 2, 28)


def _start(world, gateway, months=3, cents=30000):
    statement = world.statement(cents)
    plan = plans.start(world.patient.user, statement.id, months, gateway, success_url="http://h/ok",
                       cancel_url="http://h/no")
    return statement, plan


def _activate(client, fake_stripe, gateway, plan):
    (event,) = fake_stripe.complete_session(plan.setup_session_id)
    for _ in range(3):
        send(client, event)
    assert events.process_pending(gateway).outcomes == ["plan_active"]
    db.session.refresh(plan)


def test_plan_set_up_then_charged_monthly_once(client, world, fake_stripe, gateway):
    statement, plan = _start(world, gateway, months=3, cents=30001)
    assert plan.status == PlanStatus.SETUP and plan.setup_url.startswith(fake_stripe.base_url)
    with pytest.raises(Conflict):
        plans.start(world.patient.user, statement.id, 3, gateway, success_url="http://h/ok", cancel_url="http://h/no")
    _activate(client, fake_stripe, gateway, plan)
    assert plan.status == PlanStatus.ACTIVE and plan.stripe_payment_method_id.startswith("pm_")
    today = plan.next_charge_on
    assert plans.charge_due(gateway, today) == ["charged"]
    assert plans.charge_due(gateway, today) == []  # the same month is never charged twice
    assert ledger.totals(statement.id).balance == 20001
    # a reminder three days before the next month, the amount only
    assert plans.remind_upcoming(plan.next_charge_on - timedelta(days=3)) == 1
    note = db.session.scalars(select(Notification).where(Notification.template == "plan_payment_soon")).one()
    assert note.params["amount"] == "$100.00"
    db.session.refresh(plan)
    assert plans.charge_due(gateway, plan.next_charge_on) == ["charged"]
    db.session.refresh(plan)
    assert plans.charge_due(gateway, plan.next_charge_on) == ["charged"]
    db.session.refresh(plan)
    assert plan.status == PlanStatus.COMPLETED and ledger.totals(statement.id).balance == 0
    amounts = db.session.scalars(select(Payment.amount_cents).where(Payment.plan_id == plan.id)
                                 .order_by(Payment.installment)).all()
    assert amounts == [10000, 10000, 10001]
    charges = [r for r in fake_stripe.requests if r[:2] == ("POST", "/v1/payment_intents")]
    assert len({key for *_, key in charges}) == 3


def test_declined_month_makes_the_plan_past_due(client, world, fake_stripe, gateway):
    statement, plan = _start(world, gateway)
    _activate(client, fake_stripe, gateway, plan)
    fake_stripe.decline_next = 1
    assert plans.charge_due(gateway, plan.next_charge_on) == ["declined"]
    db.session.refresh(plan)
    assert plan.status == PlanStatus.PAST_DUE
    assert db.session.scalars(select(Payment.status).where(Payment.plan_id == plan.id)).all() == [PaymentStatus.FAILED]
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.template == "plan_payment_failed")) == 1
    assert ledger.totals(statement.id).balance == 30000


def test_plan_bounds_and_reconcile(world, fake_stripe, gateway):
    statement = world.statement(6000)  # $60: $20 a month for 3 months is under the $25 minimum
    with pytest.raises(Invalid):
        plans.start(world.patient.user, statement.id, 3, gateway, success_url="http://h/ok", cancel_url="http://h/no")
    statement2 = world.statement(30000)
    with pytest.raises(Invalid):
        plans.start(world.patient.user, statement2.id, 13, gateway, success_url="http://h/ok",
                    cancel_url="http://h/no")
    plan = plans.start(world.patient.user, statement2.id, 6, gateway, success_url="http://h/ok",
                       cancel_url="http://h/no")
    fake_stripe.complete_session(plan.setup_session_id)  # the webhook never comes
    assert events.reconcile(gateway, older_than=timedelta(0)) == ["plan_active"]


def test_plan_in_the_portal_and_the_api(app, world, fake_stripe, gateway, monkeypatch):
    from tests.api.contract import ContractClient
    from tests.api.test_staff import bearer
    from tests.conftest import login

    monkeypatch.setattr(app, "test_client_class", ContractClient)  # API answers checked against the document
    client = app.test_client()

    statement = world.statement(30000)
    login(client, world.patient.user)
    html = client.get(f"/billing/statements/{statement.id}").get_data(as_text=True)
    assert "3 payments of $100.00 a month" in html and "12 payments of $25.00 a month" in html
    assert client.post(f"/billing/statements/{statement.id}/plan", data={"months": "2"}).status_code == 422
    response = client.post(f"/billing/statements/{statement.id}/plan", data={"months": "4"})
    assert response.status_code == 303 and response.headers["Location"].startswith(fake_stripe.base_url)
    html = client.get(f"/billing/statements/{statement.id}").get_data(as_text=True)
    assert "waiting for your card" in html
    auth = bearer(client, world.patient.user)
    plan = client.get(f"/api/v1/statements/{statement.id}/payment-plan", headers=auth)
    assert plan.status_code == 200 and plan.json["months"] == 4 and plan.json["status"] == "setup"
    other = world.statement(30000)
    r = client.post(f"/api/v1/statements/{other.id}/payment-plan", headers=auth, json={"months": 6})
    assert r.status_code == 201 and r.json["monthly_cents"] == 5000 and r.json["setup_url"]


def test_a_plan_payment_can_be_refunded(client, world, fake_stripe, gateway):
    from hearth.services.billing import refunds

    statement, plan = _start(world, gateway)
    _activate(client, fake_stripe, gateway, plan)
    plans.charge_due(gateway, plan.next_charge_on)
    payment = db.session.scalars(select(Payment).where(Payment.plan_id == plan.id)).one()
    refund = refunds.refund(world.staff, statement.id, payment.id, 10000, gateway)
    assert refund.status == "succeeded" and refund.stripe_refund_id.startswith("re_")
    assert ledger.totals(statement.id).balance == 30000
