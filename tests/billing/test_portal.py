"""Portal pages: the statement explained, the pay button only with Stripe keys, PDF, receipts, scopes,
staff posting and guest pay."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hearth import db
from hearth.models import Payment, PaymentMethod, SignInThrottle
from hearth.services.billing import guest, ledger, payments
from tests.billing.test_stripe_payments import send
from tests.conftest import login
from tests.factories import make_grant, make_user

EOB = {"allowed_cents": 15000, "paid_cents": 9000, "deductible_cents": 5000, "coinsurance_cents": 1000}


@pytest.fixture
def no_stripe(app, monkeypatch):
    for key in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE"):
        monkeypatch.setitem(app.config, key, "")
        monkeypatch.delenv(key, raising=False)


def test_statement_page_explains_and_offers_pay(client, world, fake_stripe):
    statement = world.statement(20000, eob=EOB)
    login(client, world.patient.user)
    html = client.get(f"/billing/statements/{statement.id}").get_data(as_text=True)
    assert "Amount due: $60.00" in html and "Pay with card" in html
    assert "toward your deductible" in html and "coinsurance" in html and "$90.00" in html
    assert client.get("/billing").status_code == 200
    assert "Billing" in client.get("/").get_data(as_text=True)


def test_without_stripe_keys_no_pay_button_and_other_ways(client, world, no_stripe):
    statement = world.statement(5000)
    login(client, world.patient.user)
    html = client.get(f"/billing/statements/{statement.id}").get_data(as_text=True)
    assert "Pay with card" not in html
    assert "mail a check" in html and statement.code in html
    assert client.post(f"/billing/statements/{statement.id}/pay", data={"amount": "10"}).status_code == 409


def test_bad_amounts_are_form_errors(client, world, fake_stripe):
    statement = world.statement(5000)
    login(client, world.patient.user)
    for typed in ("-5", "1.005", "abc", "0.49", "50.01"):
        response = client.post(f"/billing/statements/{statement.id}/pay", data={"amount": typed})
        assert response.status_code == 422, typed
        assert 'value="' + typed in response.get_data(as_text=True)
    assert db.session.scalars(select(Payment)).all() == []


@pytest.mark.parametrize("lang", ["en", "es"])
def test_pdf_in_english_and_spanish(client, world, fake_stripe, lang):
    statement = world.statement(20000, eob=EOB)
    login(client, world.patient.user)
    response = client.get(f"/billing/statements/{statement.id}/statement.pdf?lang={lang}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_receipts_and_caregiver_scope(client, world):
    statement = world.statement(5000)
    payment = payments.post_manual(world.staff, world.patient.id, statement.id, 1500, PaymentMethod.DESK)
    helper = make_grant(patient=world.patient, scopes=("appointments",)).caregiver
    db.session.commit()
    login(client, helper)
    assert client.get(f"/billing/statements/{statement.id}").status_code == 404
    assert client.get(f"/billing/receipts/{payment.id}").status_code == 404
    assert "Billing" not in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login(client, world.patient.user)
    html = client.get(f"/billing/receipts/{payment.id}").get_data(as_text=True)
    assert "$15.00" in html and payment.receipt_number in html
    assert "$15.00" in client.get("/billing/receipts").get_data(as_text=True)


def test_staff_posts_charge_eob_statement_and_refund(client, world, no_stripe):
    login(client, world.staff)
    base = f"/staff/patients/{world.patient.id}/billing"
    assert client.get(base).status_code == 200
    r = client.post(base + "/charges", data={"appointment_id": world.appointment.id, "code": "99213",
                                             "description": "Office visit", "amount": "200.00"})
    assert r.status_code == 303
    charge = ledger.unbilled_charges(world.patient.id)[0]
    assert charge.amount_cents == 20000
    bad = client.post(base + "/charges", data={"appointment_id": world.appointment.id, "code": "99213",
                                               "description": "Office visit", "amount": "-3"})
    assert bad.status_code == 422
    r = client.post(base + f"/charges/{charge.id}/insurance", data={"payer": "Acme", "allowed": "150",
                                                                     "paid": "90", "deductible": "50",
                                                                     "coinsurance": "10", "copay": ""})
    assert r.status_code == 303
    assert client.post(base + "/statements").status_code == 303
    statement_id = charge.statement_id or db.session.get(type(charge), charge.id).statement_id
    assert client.post(base + f"/statements/{statement_id}/payments",
                       data={"amount": "60", "method": "mail"}).status_code == 303
    payment = db.session.scalars(select(Payment)).one()
    assert client.post(base + f"/statements/{statement_id}/refunds",
                       data={"payment_id": payment.id, "amount": "10"}).status_code == 303
    assert ledger.totals(statement_id).balance == 1000
    # a patient cannot reach the staff pages
    client.post("/logout")
    login(client, world.patient.user)
    assert client.get(base).status_code in (403, 404)


def test_guest_pays_by_code_and_date_of_birth(client, world, fake_stripe, gateway):
    statement = world.statement(5000)
    dob = world.patient.date_of_birth
    form = {"code": statement.code.lower().replace("-", " "), "dob_month": dob.month, "dob_day": dob.day,
            "dob_year": dob.year}
    response = client.post("/pay", data=form)
    assert response.status_code == 303
    html = client.get("/pay/statement").get_data(as_text=True)
    assert "$50.00" in html and world.practice.name in html
    assert world.patient.given_name not in html and "Office visit" not in html
    response = client.post("/pay/statement")
    assert response.status_code == 303 and response.headers["Location"].startswith(fake_stripe.base_url)
    session_id = response.headers["Location"].rsplit("/", 1)[1]
    for event in fake_stripe.complete_session(session_id):
        send(client, event)
    from hearth.services.billing import events

    events.process_pending(gateway)
    assert ledger.totals(statement.id).balance == 0
    payment = db.session.scalars(select(Payment)).one()
    assert payment.guest and payment.created_by_user_id is None


def test_guest_wrong_answers_lock_the_code(client, world, fake_stripe):
    statement = world.statement(5000)
    dob = world.patient.date_of_birth
    wrong = {"code": statement.code, "dob_month": dob.month, "dob_day": dob.day, "dob_year": dob.year - 1}
    statuses = [client.post("/pay", data=wrong).status_code for _ in range(guest.MAX_FAILURES)]
    assert statuses == [422] * (guest.MAX_FAILURES - 1) + [429]
    right = {**wrong, "dob_year": dob.year}
    assert client.post("/pay", data=right).status_code == 429  # locked, even with the right answer
    unknown = client.post("/pay", data={**right, "code": "ZZZZ-ZZZZ"})
    assert unknown.status_code == 422
    assert db.session.scalars(select(SignInThrottle)).all()


def test_guest_page_expires(client, world, fake_stripe, monkeypatch):
    statement = world.statement(5000)
    dob = world.patient.date_of_birth
    client.post("/pay", data={"code": statement.code, "dob_month": dob.month, "dob_day": dob.day,
                              "dob_year": dob.year})
    assert client.get("/pay/statement").status_code == 200
    with client.session_transaction() as sess:
        sess["guest_pay"] = {**sess["guest_pay"], "until": "2000-01-01T00:00:00+00:00"}
    response = client.get("/pay/statement")
    assert response.status_code == 303 and response.headers["Location"].endswith("/pay")
    assert client.get("/pay/statement").status_code == 303


def test_guest_sees_one_statement_only(client, world, fake_stripe):
    statement = world.statement(5000)
    other = make_user()
    assert other  # a signed-out guest cannot open statements by id
    assert client.get(f"/billing/statements/{statement.id}").status_code in (302, 401)


def test_home_card_for_a_bill_to_pay(client, world):
    statement = world.statement(5000)
    login(client, world.patient.user)
    html = client.get("/").get_data(as_text=True)
    assert "You have a bill to pay: $50.00" in html and f"/billing/statements/{statement.id}" in html
    payments.post_manual(world.staff, world.patient.id, statement.id, 5000, PaymentMethod.DESK)
    assert "bill to pay" not in client.get("/").get_data(as_text=True)


@pytest.fixture
def limited_app(app):
    from hearth.app import create_app
    from hearth.extensions import limiter

    keys = ("DATABASE_URL", "TESTING", "SECRET_KEY", "WTF_CSRF_ENABLED", "MAIL_HOST", "STAFF_TWO_FACTOR_REQUIRED")
    try:
        yield create_app({**{k: app.config[k] for k in keys}, "SKIP_DB_CONFIGURE": True, "RATELIMIT_ENABLED": True,
                          "RATELIMIT_STORAGE_URI": "memory://"})
    finally:
        limiter.reset()
        limiter.enabled = False


def test_guest_pay_is_rate_limited_per_address(limited_app):
    client = limited_app.test_client()
    form = {"code": "ZZZZ-ZZZ2", "dob_month": "1", "dob_day": "1", "dob_year": "1980"}
    statuses = [client.post("/pay", data={**form, "code": f"ZZZZ-ZZ{i:02d}"},
                            environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code for i in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429
    other = client.post("/pay", data=form, environ_base={"REMOTE_ADDR": "10.1.2.4"})
    assert other.status_code == 422
