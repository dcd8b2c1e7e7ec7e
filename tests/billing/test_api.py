"""/api/v1 statements and payments; every response is checked against the OpenAPI document."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hearth import db
from hearth.models import Payment, PaymentStatus
from hearth.services.billing import events
from tests.api.contract import ContractClient
from tests.api.test_staff import bearer
from tests.billing.test_stripe_payments import send
from tests.factories import make_grant, make_user


@pytest.fixture(autouse=True)
def _responses_match_the_document(app, monkeypatch):
    monkeypatch.setattr(app, "test_client_class", ContractClient)


@pytest.fixture
def client(app):
    return app.test_client()


def test_staff_posts_and_patient_reads_and_pays(client, world, fake_stripe, gateway):
    staff = bearer(client, world.staff)
    base = f"/api/v1/patients/{world.patient.id}"
    r = client.post(base + "/charges", headers=staff, json={"appointment_id": world.appointment.id,
                                                             "code": "99213", "description": "Office visit",
                                                             "amount_cents": 20000})
    assert r.status_code == 201, r.json
    charge_id = r.json["id"]
    bad = client.post(base + "/charges", headers=staff, json={"appointment_id": world.appointment.id, "code": "1",
                                                               "description": "x", "amount_cents": 10.5})
    assert bad.status_code == 422
    r = client.post(base + f"/charges/{charge_id}/insurance", headers=staff,
                    json={"payer": "Acme", "allowed_cents": 15000, "paid_cents": 9000, "deductible_cents": 6000})
    assert r.status_code == 201 and r.json["adjustment_cents"] == 5000
    r = client.post(base + "/statements", headers=staff)
    assert r.status_code == 201 and r.json["balance_cents"] == 6000
    statement_id = r.json["id"]

    me = bearer(client, world.patient.user)
    assert client.post(base + "/charges", headers=me, json={"appointment_id": world.appointment.id, "code": "1",
                                                             "description": "x", "amount_cents": 5}).status_code \
        in (403, 404)
    listing = client.get(base + "/statements", headers=me)
    assert listing.status_code == 200 and listing.json[0]["balance_cents"] == 6000
    one = client.get(f"/api/v1/statements/{statement_id}", headers=me)
    assert one.status_code == 200 and one.json["online_payment"] is True
    assert one.json["visits"][0]["lines"][0]["patient_cents"] == 6000
    pdf = client.get(f"/api/v1/statements/{statement_id}/pdf?lang=es", headers=me)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    too_much = client.post(f"/api/v1/statements/{statement_id}/checkout-session", headers=me,
                           json={"amount_cents": 6001})
    assert too_much.status_code == 422 and too_much.mimetype == "application/problem+json"
    r = client.post(f"/api/v1/statements/{statement_id}/checkout-session", headers=me, json={"amount_cents": 1000})
    assert r.status_code == 201 and r.json["checkout_url"].startswith(fake_stripe.base_url)
    r = client.post(f"/api/v1/statements/{statement_id}/payment-intent", headers=me, json={"amount_cents": 5000})
    assert r.status_code == 201 and "_secret_" in r.json["client_secret"]
    payment = db.session.get(Payment, r.json["payment_id"])
    send(client, fake_stripe.succeed_intent(payment.payment_intent_id))
    events.process_pending(gateway)
    receipts = client.get(base + "/receipts", headers=me)
    assert receipts.status_code == 200 and receipts.json[0]["amount_cents"] == 5000
    r = client.post(f"/api/v1/statements/{statement_id}/refunds", headers=staff,
                    json={"payment_id": payment.id, "amount_cents": 5000})
    assert r.status_code == 201 and r.json["status"] == "succeeded"
    assert db.session.get(Payment, payment.id).status == PaymentStatus.SUCCEEDED
    assert client.get(f"/api/v1/statements/{statement_id}", headers=me).json["balance_cents"] == 6000


def test_caregiver_needs_the_billing_scope(client, world, fake_stripe):
    statement = world.statement(5000)
    without = make_grant(patient=world.patient, scopes=("appointments",)).caregiver
    with_scope = make_grant(patient=world.patient, scopes=("billing",)).caregiver
    stranger = make_user()
    db.session.commit()
    for user, status in ((without, 404), (stranger, 404), (with_scope, 200)):
        assert client.get(f"/api/v1/statements/{statement.id}", headers=bearer(client, user)).status_code == status
    r = client.post(f"/api/v1/statements/{statement.id}/checkout-session", headers=bearer(client, without),
                    json={"amount_cents": 1000})
    assert r.status_code == 404
    assert not db.session.scalars(select(Payment)).all()
