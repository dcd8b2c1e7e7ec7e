from sqlalchemy import select

from hearth import db
from hearth.models import GfeSettings, GoodFaithEstimate, StaffRole
from tests.api.conftest import _responses_match_the_document  # noqa: F401 - validate against the OpenAPI document
from tests.api.test_staff import bearer
from tests.estimates.conftest import insure
from tests.factories import make_patient
from tests.gfe.test_portal import _booked_gfe
from tests.portal.test_staff import enrolled_staff


def test_list_get_and_pdf(client, selfpay):
    gfe = _booked_gfe(selfpay)
    patient = selfpay.patient
    auth = bearer(client, patient.user)
    base = f"/api/v1/patients/{patient.id}/good-faith-estimates"
    listing = client.get(base, headers=auth)
    assert listing.status_code == 200 and [g["id"] for g in listing.json] == [gfe.id]
    one = client.get(f"{base}/{gfe.id}", headers=auth).json
    assert one["patient_name"] == patient.full_name and one["patient_birth_date"] == "1980-05-17"
    assert one["total_cents"] == 23_000 and one["providers"][0]["npi"] == "1234567893"
    assert [i["code"] for i in one["providers"][0]["items"]] == ["99203", "80053"]
    assert len(one["statements"]) == 4 and "$400 or more" in one["statements"][2]
    pdf = client.get(f"{base}/{gfe.id}/pdf?lang=es", headers=auth)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert client.get(f"{base}/{gfe.id}/pdf?lang=fr", headers=auth).status_code == 422


def test_request_with_diagnosis_codes(client, selfpay):
    patient = selfpay.patient
    auth = bearer(client, patient.user)
    base = f"/api/v1/patients/{patient.id}/good-faith-estimates"
    bad = client.post(base, headers=auth, json={"visit_type_id": selfpay.clinic.visit.id,
                                               "diagnosis_codes": ["not a code"]})
    assert bad.status_code == 422 and "diagnosis_codes" in bad.json["errors"]
    assert client.post(base, headers=auth, json={"visit_type_id": 999_999}).status_code == 404
    made = client.post(base, headers=auth, json={"visit_type_id": selfpay.clinic.visit.id,
                                                "diagnosis_codes": ["e11.9"], "separately_scheduled": "X-ray"})
    assert made.status_code == 201 and made.json["diagnosis_codes"] == "E11.9"
    assert made.json["separately_scheduled"] == "X-ray"


def test_insured_request_is_422_and_others_get_404(client, selfpay):
    insured = make_patient(practice=selfpay.clinic.practice)
    insure(insured)
    gfe = _booked_gfe(selfpay)
    db.session.commit()
    auth = bearer(client, insured.user)
    r = client.post(f"/api/v1/patients/{insured.id}/good-faith-estimates", headers=auth,
                    json={"visit_type_id": selfpay.clinic.visit.id})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert client.get(f"/api/v1/patients/{selfpay.patient.id}/good-faith-estimates/{gfe.id}",
                      headers=auth).status_code == 404
    assert db.session.scalar(select(GoodFaithEstimate).where(GoodFaithEstimate.patient_id == insured.id)) is None


def test_settings(client, selfpay):
    practice = selfpay.clinic.practice
    admin = enrolled_staff(practice=practice, role=StaffRole.ADMIN)
    db.session.commit()
    auth = bearer(client, admin)
    url = f"/api/v1/practices/{practice.id}/gfe-settings"
    assert client.get(url, headers=auth).json["tin"] == "12-3456789"
    assert client.patch(url, headers=auth, json={"state": "XX"}).status_code == 422
    r = client.patch(url, headers=auth, json={"state": "ca"})
    assert r.status_code == 200 and r.json["state"] == "CA" and r.json["tin"] == "12-3456789"
    nurse = bearer(client, enrolled_staff(practice=practice))
    assert client.get(url, headers=nurse).status_code == 403
    assert db.session.scalar(select(GfeSettings.state).where(GfeSettings.practice_id == practice.id)) == "CA"
