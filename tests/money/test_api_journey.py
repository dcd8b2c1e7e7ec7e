"""Issue 10's "Done when" over /api/v1 on the demo data (every response checked against the OpenAPI document):
an insured patient's estimate with its breakdown; a self-pay patient's GFE PDF and her bill $450 above it;
a statement paid with a PaymentIntent whose signed webhook, sent 3 times, settles it exactly once; a large
balance's financing offers with the issue's figures. Guest pay has no API (it is a browser page for people
without an account): it is driven here through /pay as a guest would, and settled by the webhook."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from hearth import db, demo
from hearth.models import Patient, Payment, PaymentStatus, Statement, VisitType
from hearth.services.billing import events, ledger
from tests.api.contract import ContractClient
from tests.billing.test_stripe_payments import send


@pytest.fixture(autouse=True)
def _responses_match_the_document(app, monkeypatch):
    monkeypatch.setattr(app, "test_client_class", ContractClient)


@pytest.fixture
def client(app):
    return app.test_client()


def token(client, email: str) -> dict:
    r = client.post("/api/v1/auth/token", json={"email": email, "password": demo.DEMO_PASSWORD})
    assert r.status_code == 201, r.json
    return {"Authorization": f"Bearer {r.json['access_token']}"}


def patient(mrn: str) -> Patient:
    return db.session.scalar(select(Patient).where(Patient.mrn == mrn))


def statement(code: str) -> Statement:
    return db.session.scalar(select(Statement).where(Statement.code == code))


def test_money_done_when_over_the_api(client, fake_stripe, gateway, db_session):
    demo.seed()
    db.session.commit()

    # an insured patient's estimated cost for a visit type, with its breakdown
    emily = patient("HFM-000101")
    me = token(client, demo.PATIENT_EMAIL)
    physical = db.session.scalar(select(VisitType).where(VisitType.practice_id == emily.practice_id,
                                                         VisitType.name == "Annual physical"))
    r = client.post(f"/api/v1/patients/{emily.id}/estimates", headers=me, json={"visit_type_id": physical.id})
    assert r.status_code == 201 and r.json["patient_cents"] == 11_000 and r.json["basis"] == "insurance"
    assert {line["code"] for line in r.json["lines"]} >= {"99395", "85025"}
    assert any(line["deductible_cents"] for line in r.json["lines"]) and "estimate" in r.json["notice"]
    assert r.json["financing_offers_url"] is None  # $110 reaches no offer's minimum

    # a self-pay patient downloads her GFE PDF, and her bill $450 above it carries the dispute notice
    aisha = patient("HFM-000117")
    hers = token(client, "aisha.khan@example.com")
    gfes = client.get(f"/api/v1/patients/{aisha.id}/good-faith-estimates", headers=hers)
    assert gfes.status_code == 200
    items = gfes.json["items"] if isinstance(gfes.json, dict) else gfes.json
    pdf = client.get(f"/api/v1/patients/{aisha.id}/good-faith-estimates/{items[0]['id']}/pdf", headers=hers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    bill = client.get(f"/api/v1/statements/{statement('DEMO-4500').id}", headers=hers).json
    [over] = bill["over_estimate"]
    assert over["excess_cents"] == 45_000
    assert any("120 days" in s for s in over["notice"]) and any("1-800-985-3059" in s for s in over["notice"])

    # a statement paid with a PaymentIntent; the signed webhook, three times, settles it once
    st = statement("DEMO-2345")
    r = client.post(f"/api/v1/statements/{st.id}/payment-intent", headers=me, json={"amount_cents": 12_100})
    assert r.status_code == 201 and "_secret_" in r.json["client_secret"]
    payment = db.session.get(Payment, r.json["payment_id"])
    event = fake_stripe.succeed_intent(payment.payment_intent_id)
    for _ in range(3):
        assert send(client, event).status_code == 200
    events.process_pending(gateway)
    events.process_pending(gateway)
    assert client.get(f"/api/v1/statements/{st.id}", headers=me).json["balance_cents"] == 0
    assert db.session.scalars(select(Payment).where(Payment.statement_id == st.id,
                                                    Payment.status == PaymentStatus.SUCCEEDED)).all() == [payment]

    # a guest pays by statement code and date of birth (DEMO-6789, María García, born 1979-11-02)
    guest = statement("DEMO-6789")
    r = client.post("/pay", data={"code": "demo 6789", "dob_year": "1979", "dob_month": "11", "dob_day": "2"})
    assert r.status_code == 303
    r = client.post("/pay/statement")
    assert r.status_code == 303 and r.headers["Location"].startswith(fake_stripe.base_url)
    for event in fake_stripe.complete_session(r.headers["Location"].rsplit("/", 1)[1]):
        send(client, event)
        send(client, event)
    events.process_pending(gateway)
    assert ledger.totals(guest.id).balance == 0

    # a large balance: the statement links to the offers with the figures
    kevin = token(client, "kevin.thompson@example.com")
    large = client.get(f"/api/v1/statements/{statement('DEMO-3000').id}", headers=kevin).json
    assert large["balance_cents"] == 300_000
    link = urlsplit(large["financing_offers_url"])
    offers = client.get(f"{link.path}?{link.query}", headers=kevin).json
    by_term = {(e["kind"], e["months"]): e for o in offers["offers"] for e in o["examples"]}
    assert by_term[("fixed_apr", 24)]["monthly_cents"] == 14_532
    small = client.get(f"/api/v1/patients/{patient('HFM-000120').id}/financing-offers?amount_cents=120000",
                       headers=kevin).json
    deferred = {e["months"]: e["monthly_cents"] for o in small["offers"] for e in o["examples"]
                if e["kind"] == "deferred"}
    assert deferred[12] == 10_000
