from sqlalchemy import select

from hearth import db
from hearth.models import FinancingClick, FinancingOffer, StaffRole
from tests.api.conftest import _responses_match_the_document  # noqa: F401 - validate against the OpenAPI document
from tests.api.test_staff import bearer
from tests.factories import make_grant, make_patient, make_practice
from tests.financing.helpers import DISCLOSURE, make_offer
from tests.portal.test_staff import enrolled_staff

BODY = {"provider": "cherry", "link": "https://pay.withcherry.com/oak-clinic", "disclosure": DISCLOSURE,
        "promotions": [{"kind": "deferred", "months": 12, "min_amount_cents": 20_000},
                       {"kind": "fixed_apr", "months": 60, "apr": "16.90", "min_amount_cents": 100_000}]}


def test_admin_manages_offers(client):
    practice = make_practice()
    admin = enrolled_staff(practice=practice, role=StaffRole.ADMIN)
    auth = bearer(client, admin)
    url = f"/api/v1/practices/{practice.id}/financing-offers"
    bad = client.post(url, headers=auth, json={**BODY, "link": "https://pay.withcherry.com.evil.test/x"})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert "pay.withcherry.com" in bad.json["errors"]["link"][0]
    fractional = client.post(url, headers=auth, json={**BODY, "promotions": [
        {"kind": "deferred", "months": 12, "min_amount_cents": 200.5}]})
    assert fractional.status_code == 422
    assert db.session.scalar(select(FinancingOffer)) is None
    created = client.post(url, headers=auth, json=BODY)
    assert created.status_code == 201 and created.json["provider_name"] == "Cherry"
    assert [p["apr"] for p in created.json["promotions"]] == [None, "16.90"]
    offer_id = created.json["id"]
    assert client.get(url, headers=auth).json[0]["id"] == offer_id
    replaced = client.put(f"{url}/{offer_id}", headers=auth, json={**BODY, "active": False})
    assert replaced.status_code == 200 and replaced.json["active"] is False
    assert client.get(f"/api/v1/practices/{practice.id}/financing-clicks", headers=auth).json == []
    assert client.delete(f"{url}/{offer_id}", headers=auth).status_code == 204


def test_staff_who_are_not_admins_get_403(client):
    practice = make_practice()
    auth = bearer(client, enrolled_staff(practice=practice))
    assert client.get(f"/api/v1/practices/{practice.id}/financing-offers", headers=auth).status_code == 403
    assert client.post(f"/api/v1/practices/{practice.id}/financing-offers", headers=auth,
                       json=BODY).status_code == 403


def test_patient_sees_offers_and_follows_one(client):
    practice = make_practice()
    offer = make_offer(practice=practice)
    patient = make_patient(practice=practice)
    auth = bearer(client, patient.user)
    r = client.get(f"/api/v1/patients/{patient.id}/financing-offers?amount_cents=300000&place=statement",
                   headers=auth)
    assert r.status_code == 200 and r.json["subject_to_credit_approval"] == "Subject to credit approval."
    examples = r.json["offers"][0]["examples"]
    assert [(e["kind"], e["months"], e["apr"], e["monthly_cents"], e["total_cents"]) for e in examples] == [
        ("deferred", 12, None, 25_000, 300_000), ("fixed_apr", 24, "14.90", 14_532, 348_768),
        ("fixed_apr", 60, "16.90", 7_440, 446_400)]
    assert r.json["offers"][0]["apply_url"].endswith(f"/financing/go/{offer.id}?place=statement")
    for bad in ("-1", "12.5", "0", "abc"):
        assert client.get(f"/api/v1/patients/{patient.id}/financing-offers?amount_cents={bad}",
                          headers=auth).status_code == 422
    followed = client.post(f"/api/v1/patients/{patient.id}/financing-offers/{offer.id}/follow", headers=auth,
                           json={"place": "estimate"})
    assert followed.status_code == 200 and followed.json == {"url": offer.link}
    assert db.session.scalar(select(FinancingClick.count).where(FinancingClick.place == "estimate")) == 1


def test_caregiver_needs_the_billing_scope(client):
    practice = make_practice()
    make_offer(practice=practice)
    patient = make_patient(practice=practice)
    grant = make_grant(patient=patient, scopes=("appointments",))
    from hearth.models import User

    auth = bearer(client, db.session.get(User, grant.caregiver_user_id))
    r = client.get(f"/api/v1/patients/{patient.id}/financing-offers?amount_cents=300000", headers=auth)
    assert r.status_code == 404
