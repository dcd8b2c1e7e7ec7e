"""Guest pay over /api/v1/guest-payments: the portal's /pay rules through the same service; every response
is checked against the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hearth import db
from hearth.models import Payment, PaymentStatus, SignInThrottle
from hearth.services.billing import events, guest, ledger
from tests.api.contract import ContractClient
from tests.billing.test_portal import limited_app  # noqa: F401  (fixture)
from tests.billing.test_stripe_payments import receipts_sent, send

LOOKUP = "/api/v1/guest-payments/lookup"
CHECKOUT = "/api/v1/guest-payments/checkout-session"
INTENT = "/api/v1/guest-payments/payment-intent"


@pytest.fixture(autouse=True)
def _responses_match_the_document(app, monkeypatch):
    monkeypatch.setattr(app, "test_client_class", ContractClient)


@pytest.fixture
def client(app):
    return app.test_client()


def _answer(statement, born) -> dict:
    return {"statement_code": statement.code.lower().replace("-", " "), "date_of_birth": born.isoformat()}


def test_right_answer_shows_only_amount_practice_and_date(client, world):
    statement = world.statement(5000)
    r = client.post(LOOKUP, json=_answer(statement, world.patient.date_of_birth))
    assert r.status_code == 200, r.json
    assert set(r.json) == {"amount_due_cents", "practice_name", "statement_date", "guest_token", "expires_in"}
    assert r.json["amount_due_cents"] == 5000 and r.json["practice_name"] == "Maple Family Clinic"
    assert r.json["statement_date"] == statement.issued_on.isoformat()
    assert r.json["expires_in"] == guest.ACCESS_MINUTES * 60
    text = r.get_data(as_text=True)
    assert "Ana" not in text and "Lopez" not in text and "Office visit" not in text
    assert r.headers["Cache-Control"] == "no-store"


def test_wrong_date_answers_like_an_unknown_code(client, world):
    statement = world.statement(5000)
    wrong = client.post(LOOKUP, json=_answer(statement, world.patient.date_of_birth - timedelta(days=1)))
    unknown = client.post(LOOKUP, json={"statement_code": "ZZZZ-ZZZZ",
                                        "date_of_birth": world.patient.date_of_birth.isoformat()})
    assert wrong.status_code == unknown.status_code == 422
    assert wrong.mimetype == unknown.mimetype == "application/problem+json"
    assert wrong.json == unknown.json
    assert "statement_code" in wrong.get_data(as_text=True)


def test_five_wrong_answers_lock_the_code(client, world):
    statement = world.statement(5000)
    wrong = _answer(statement, world.patient.date_of_birth.replace(year=world.patient.date_of_birth.year - 1))
    statuses = [client.post(LOOKUP, json=wrong).status_code for _ in range(guest.MAX_FAILURES)]
    assert statuses == [422] * (guest.MAX_FAILURES - 1) + [429]
    right = client.post(LOOKUP, json=_answer(statement, world.patient.date_of_birth))
    assert right.status_code == 429 and right.mimetype == "application/problem+json"
    assert int(right.headers["Retry-After"]) > 0
    assert db.session.scalars(select(SignInThrottle)).all()


def test_errors_in_the_callers_language(client, world):
    statement = world.statement(5000)
    r = client.post(LOOKUP, json=_answer(statement, world.patient.date_of_birth - timedelta(days=1)),
                    headers={"Accept-Language": "es"})
    assert r.status_code == 422
    assert r.json["detail"].startswith("No encontramos una factura") and r.json["title"] == "Datos no válidos"


def test_expired_or_forged_token(client, world, fake_stripe, monkeypatch):
    statement = world.statement(5000)
    token = client.post(LOOKUP, json=_answer(statement, world.patient.date_of_birth)).json["guest_token"]
    forged = client.post(CHECKOUT, json={"guest_token": token[:-2] + "xx", "amount_cents": 1000})
    assert forged.status_code == 401 and forged.mimetype == "application/problem+json"
    import itsdangerous.timed

    later = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: later(self) + guest.ACCESS_MINUTES * 60 + 5)
    old = client.post(CHECKOUT, json={"guest_token": token, "amount_cents": 1000})
    assert old.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0


def test_amount_above_balance_or_below_fifty_cents(client, world, fake_stripe):
    statement = world.statement(5000)
    token = client.post(LOOKUP, json=_answer(statement, world.patient.date_of_birth)).json["guest_token"]
    for cents in (5001, 49):
        r = client.post(CHECKOUT, json={"guest_token": token, "amount_cents": cents})
        assert r.status_code == 422 and r.mimetype == "application/problem+json"
        assert "amount_cents" in r.get_data(as_text=True)
    fractional = client.post(CHECKOUT, json={"guest_token": token, "amount_cents": 10.5})
    assert fractional.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0


def test_guest_pays_through_checkout_and_the_webhook_settles_once(client, world, fake_stripe, gateway):
    statement = world.statement(5000)
    token = client.post(LOOKUP, json=_answer(statement, world.patient.date_of_birth)).json["guest_token"]
    r = client.post(CHECKOUT, json={"guest_token": token, "amount_cents": 3000})
    assert r.status_code == 201 and r.json["checkout_url"].startswith(fake_stripe.base_url)
    payment = db.session.get(Payment, r.json["payment_id"])
    assert payment.guest and payment.created_by_user_id is None and payment.statement_id == statement.id
    evs = fake_stripe.complete_session(payment.checkout_session_id)
    for _ in range(3):  # duplicates
        for event in evs:
            assert send(client, event).status_code == 200
    events.process_pending(gateway)
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == PaymentStatus.SUCCEEDED
    assert ledger.totals(statement.id).balance == 2000
    assert receipts_sent(payment.id) == 1


def test_guest_pays_in_the_app_with_a_payment_intent(client, world, fake_stripe, gateway):
    statement = world.statement(5000)
    token = client.post(LOOKUP, json=_answer(statement, world.patient.date_of_birth)).json["guest_token"]
    r = client.post(INTENT, json={"guest_token": token, "amount_cents": 5000})
    assert r.status_code == 201 and "_secret_" in r.json["client_secret"]
    payment = db.session.get(Payment, r.json["payment_id"])
    event = fake_stripe.succeed_intent(payment.payment_intent_id)
    send(client, event)
    send(client, event)
    events.process_pending(gateway)
    assert ledger.totals(statement.id).balance == 0
    assert receipts_sent(payment.id) == 1
    paid = client.post(CHECKOUT, json={"guest_token": token, "amount_cents": 100})
    assert paid.status_code == 409


def test_lookup_is_rate_limited_per_address(limited_app):  # noqa: F811  (the fixture)
    client = limited_app.test_client()
    body = {"date_of_birth": "1980-01-01"}
    statuses = [client.post(LOOKUP, json={**body, "statement_code": f"ZZZZ-ZZ{i:02d}"},
                            environ_base={"REMOTE_ADDR": "10.1.2.5"}).status_code for i in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429
    other = client.post(LOOKUP, json={**body, "statement_code": "ZZZZ-ZZ99"}, environ_base={"REMOTE_ADDR": "10.1.2.6"})
    assert other.status_code == 422


def test_codes_stop_working_after_180_days(client, world):
    statement = world.statement(5000)
    statement.issued_on = statement.issued_on - timedelta(days=guest.CODE_DAYS + 1)
    db.session.commit()
    r = client.post(LOOKUP, json=_answer(statement, world.patient.date_of_birth))
    assert r.status_code == 422 and "guest_token" not in r.get_data(as_text=True)
