"""/api/v1: fee schedule and CSV import (admins), coverage and card photos, estimates; checked against OpenAPI."""

import pytest

from hearth import db
from hearth.models import StaffRole
from tests.api.contract import ContractClient
from tests.api.test_staff import bearer
from tests.estimates.conftest import PDF, jpeg_bytes
from tests.estimates.test_fee_schedule import HEADER
from tests.factories import make_grant, make_user
from tests.portal.test_staff import enrolled_staff
from tests.scheduling.conftest import future_day, local, place


@pytest.fixture(autouse=True)
def _responses_match_the_document(app, monkeypatch):
    monkeypatch.setattr(app, "test_client_class", ContractClient)


@pytest.fixture
def admin_auth(client, priced):
    admin = enrolled_staff(practice=priced.clinic.practice, role=StaffRole.ADMIN)
    db.session.commit()
    return bearer(client, admin)


def test_fee_schedule_api(client, priced, admin_auth):
    pid = priced.clinic.practice.id
    r = client.get(f"/api/v1/practices/{pid}/fee-schedule", headers=admin_auth)
    assert r.status_code == 200 and [i["code"] for i in r.json] == ["80053", "99213"]
    assert r.json[1]["description_es"] == "Consulta con su proveedor"
    body = {"code_type": "CPT", "code": "99214", "description": "Longer visit", "category": "office_visit",
            "self_pay_cents": 18_000}
    r = client.post(f"/api/v1/practices/{pid}/fee-schedule", headers=admin_auth, json=body)
    assert r.status_code == 201 and r.json["gross_charge_cents"] is None
    item_id = r.json["id"]
    for bad in ({**body, "code": "99215", "self_pay_cents": -1}, {**body, "code": "99215", "self_pay_cents": 1.5},
                {**body, "code": "99214"}, {**body, "code": "XYZ"}):
        r = client.post(f"/api/v1/practices/{pid}/fee-schedule", headers=admin_auth, json=bad)
        assert r.status_code == 422 and r.mimetype == "application/problem+json", bad
    r = client.patch(f"/api/v1/practices/{pid}/fee-schedule/{item_id}", headers=admin_auth,
                     json={"self_pay_cents": 17_000})
    assert r.json["self_pay_cents"] == 17_000
    r = client.put(f"/api/v1/practices/{pid}/fee-schedule/{item_id}/allowed-amounts", headers=admin_auth,
                   json={"payer_name": "Aetna", "allowed_cents": 12_000})
    assert r.status_code == 200 and r.json["plan_name"] == ""
    r = client.put(f"/api/v1/practices/{pid}/visit-types/{priced.clinic.visit.id}/services", headers=admin_auth,
                   json={"services": [{"fee_item_id": item_id, "quantity": 1}]})
    assert r.status_code == 200 and r.json == [{"fee_item_id": item_id, "quantity": 1}]
    r = client.delete(f"/api/v1/practices/{pid}/fee-schedule/{item_id}", headers=admin_auth)
    assert r.status_code == 204
    staff = bearer(client, enrolled_staff(practice=priced.clinic.practice))
    assert client.get(f"/api/v1/practices/{pid}/fee-schedule", headers=staff).status_code == 403


def test_csv_import_api(client, priced, admin_auth):
    pid = priced.clinic.practice.id
    url = f"/api/v1/practices/{pid}/fee-schedule/import"
    bad = HEADER + "Flu shot,90686,CPT,o,45,30,,,\nX,99213,CPT,o,5,ten,,,\n"
    r = client.post(url, headers={**admin_auth, "Content-Type": "text/csv"}, data=bad.encode())
    assert r.status_code == 422 and r.json["errors"]["file"][0].startswith("Line 3:")
    good = HEADER + "Flu shot,90686,CPT,o,45,30,Aetna,,20\n"
    r = client.post(url, headers=admin_auth, data={"file": (__import__("io").BytesIO(good.encode()), "f.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 200 and r.json == {"added": 1, "updated": 0, "allowed": 1}
    assert client.post(url, headers=admin_auth, json={}).status_code == 422


def test_coverage_api(client, clinic, card_storage):
    import io

    patient = clinic.patient
    auth = bearer(client, patient.user)
    url = f"/api/v1/patients/{patient.id}/coverage"
    r = client.get(url, headers=auth)
    assert r.status_code == 200 and r.json["coverage"] is None
    r = client.put(url, headers=auth, json={"payer_name": "Aetna", "member_id": "W1",
                                            "subscriber_relationship": "self"})
    assert r.status_code == 200 and r.json["coverage"]["payer_name"] == "Aetna"
    benefits = {"deductible_cents": 100_000, "deductible_met_cents": 25_000, "coinsurance_percent": 20,
                "copays": {"office_visit": 3000}, "oop_max_cents": 400_000}
    r = client.patch(url + "/benefits", headers=auth, json=benefits)
    assert r.status_code == 200 and r.json["deductible_remaining_cents"] == 75_000
    assert r.json["coverage"]["coinsurance_percent"] == 20
    for bad in ({"deductible_cents": -1}, {"coinsurance_percent": 101}, {"copays": {"spa": 5}},
                {"deductible_met_cents": 200_000}, {"coinsurance_percent": 12.345}):
        r = client.patch(url + "/benefits", headers=auth, json=bad)
        assert r.status_code == 422, bad
    r = client.put(url + "/card/front", headers=auth, data={"photo": (io.BytesIO(PDF), "card.jpg")},
                   content_type="multipart/form-data")
    assert r.status_code == 422 and "photo" in r.json["errors"]
    r = client.put(url + "/card/front", headers=auth, data={"photo": (io.BytesIO(jpeg_bytes()), "card.jpg")},
                   content_type="multipart/form-data")
    assert r.status_code == 200 and r.json["coverage"]["card_front"] is True
    r = client.get(url + "/card/front", headers=auth)
    assert r.status_code == 200 and r.mimetype == "image/jpeg" and b"PhoneMaker" not in r.data
    assert client.get(url + "/card/back", headers=auth).status_code == 404
    assert client.post(url + "/verify", headers=auth).status_code == 404
    staff = bearer(client, enrolled_staff(practice=clinic.practice))
    r = client.post(url + "/verify", headers=staff)
    assert r.status_code == 200 and r.json["coverage"]["verified_at"]
    r = client.post(url + "/self-pay", headers=auth)
    assert r.json["coverage"]["kind"] == "self_pay" and r.json["coverage"]["verified_at"] is None
    helper = make_user()
    make_grant(patient=patient, caregiver=helper, scopes=["appointments"])
    db.session.commit()
    assert client.get(url, headers=bearer(client, helper)).status_code == 404


def test_estimates_api(client, priced):
    c = priced.clinic
    auth = bearer(client, c.patient.user)
    url = f"/api/v1/patients/{c.patient.id}/estimates"
    r = client.post(url, headers=auth, json={"visit_type_id": c.visit.id})
    assert r.status_code == 201 and r.json["patient_cents"] == 11_000 and r.json["basis"] == "insurance"
    assert r.json["lines"][0]["copay_cents"] == 3_000 and "estimate, not a bill" in r.json["notice"]
    estimate_id = r.json["id"]
    r = client.post(url, headers=auth, json={"services": [{"fee_item_id": priced.lab.id, "quantity": 1}]})
    assert r.status_code == 201 and r.json["patient_cents"] == 8_000
    for bad in ({}, {"visit_type_id": c.visit.id, "services": [{"fee_item_id": priced.lab.id}]},
                {"services": [{"fee_item_id": 999_999}]}):
        assert client.post(url, headers=auth, json=bad).status_code == 422, bad
    assert client.post(url, headers=auth, json={"visit_type_id": 999_999}).status_code == 404
    r = client.get(url, headers=auth)
    assert r.status_code == 200 and r.json["total"] == 2
    assert client.get(f"{url}/{estimate_id}", headers=auth).json["id"] == estimate_id
    appointment = place(c, local(future_day(), 10))
    db.session.commit()
    r = client.put(f"{url}/{estimate_id}/appointment", headers=auth, json={"appointment_id": appointment.id})
    assert r.status_code == 200 and r.json["appointment_id"] == appointment.id
    es = client.get(f"{url}/{estimate_id}", headers={**auth, "Accept-Language": "es"})
    assert es.status_code == 200
    stranger = bearer(client, make_user())
    assert client.get(f"{url}/{estimate_id}", headers=stranger).status_code == 404
