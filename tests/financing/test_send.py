import pytest
from sqlalchemy import select

from hearth import db
from hearth.errors import Forbidden, Invalid
from hearth.models import Message, MessageThread
from hearth.services.financing import messaging
from tests.api.conftest import _responses_match_the_document  # noqa: F401 - validate against the OpenAPI document
from tests.api.test_staff import bearer
from tests.conftest import login
from tests.factories import make_patient
from tests.financing.helpers import make_offer
from tests.financing.test_portal import FORBIDDEN
from tests.messages.helpers import make_clinic
from tests.portal.test_staff import enrolled_staff, sign_in

LINK = "http://localhost/financing/pay-over-time?amount_cents=300000&place=message"


@pytest.fixture
def clinic():
    clinic = make_clinic()
    make_offer(practice=clinic.practice)
    db.session.commit()
    return clinic


@pytest.mark.parametrize("language", ["en", "es"])
def test_staff_send_offers_in_a_new_billing_thread(clinic, language):
    clinic.patient.preferred_language = language
    db.session.commit()
    thread = messaging.send_offer(clinic.nurse, clinic.patient, 300_000, link=LINK)
    assert thread.reason == "billing" and thread.patient_id == clinic.patient.id
    body = db.session.scalar(select(Message.body).where(Message.thread_id == thread.id))
    assert not FORBIDDEN.search(body) and LINK in body
    if language == "en":
        assert "Monthly payment: $145.32 · Total of payments: $3,487.68 · Term: 24 months" in body
        assert "Interest is charged from the purchase date if the balance is not paid in full within 12 months." in body
        assert "Subject to credit approval." in body
    else:
        assert "Pago mensual: 145,32" in body and "Sujeto a aprobación de crédito." in body


def test_an_existing_thread_and_refusals(clinic):
    first = messaging.send_offer(clinic.nurse, clinic.patient, 300_000, link=LINK)
    again = messaging.send_offer(clinic.nurse, clinic.patient, 120_000, link=LINK, thread_id=first.id)
    assert again.id == first.id
    assert db.session.scalar(select(MessageThread).where(MessageThread.id == first.id)).id == first.id
    with pytest.raises(Invalid):
        messaging.send_offer(clinic.nurse, clinic.patient, 5_000, link=LINK)  # below every minimum
    with pytest.raises(Forbidden):
        messaging.send_offer(clinic.patient.user, clinic.patient, 300_000, link=LINK)


def test_portal_and_api(client, clinic):
    staff = enrolled_staff(practice=clinic.practice)
    db.session.commit()
    sign_in(client, staff)
    page = client.get(f"/financing/send/{clinic.patient.id}")
    assert page.status_code == 200
    bad = client.post(f"/financing/send/{clinic.patient.id}", data={"amount": "-1"})
    assert bad.status_code == 422
    sent = client.post(f"/financing/send/{clinic.patient.id}", data={"amount": "3,000", "client_key": "k1"})
    assert sent.status_code == 302
    client.post(f"/financing/send/{clinic.patient.id}", data={"amount": "3,000", "client_key": "k1"})  # double submit
    assert len(db.session.scalars(select(MessageThread).where(
        MessageThread.patient_id == clinic.patient.id)).all()) == 1
    other_staff = enrolled_staff(practice=clinic.practice)
    db.session.commit()
    auth = bearer(client, other_staff)  # (a one-time code is used once: another staff member for the API)
    r = client.post(f"/api/v1/patients/{clinic.patient.id}/financing-offers/send", headers=auth,
                    json={"amount_cents": 300_000})
    assert r.status_code == 201 and r.json["thread_id"]
    assert client.post(f"/api/v1/patients/{clinic.patient.id}/financing-offers/send", headers=auth,
                       json={"amount_cents": 12.5}).status_code == 422


def test_patients_cannot_send(client, clinic):
    login(client, clinic.patient.user)
    assert client.get(f"/financing/send/{clinic.patient.id}").status_code == 403
    other = make_patient(practice=clinic.practice)
    db.session.commit()
    assert client.post(f"/financing/send/{other.id}", data={"amount": "3000"}).status_code == 403
