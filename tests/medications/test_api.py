"""/api/v1 medications, pharmacies, refill requests and the practice's queue: the same rules as the portal."""

from __future__ import annotations

from sqlalchemy import func, select

from hearth import db
from hearth.models import ControlledSchedule, Notification, RefillRequest, StaffRole
from tests.api.test_staff import bearer
from tests.factories import make_grant, make_patient, make_user
from tests.medications.helpers import make_medication, make_pharmacy, make_world
from tests.portal.test_staff import enrolled_staff
from tests.querycount import count_queries


def _world():
    w = make_world()
    w.staff = enrolled_staff(practice=w.practice, role=StaffRole.PROVIDER)
    db.session.commit()
    return w


def test_refill_over_the_api_request_approve_notified(client):
    w = _world()
    me = bearer(client, w.patient.user)
    base = f"/api/v1/patients/{w.patient.id}"
    meds = client.get(base + "/medications", headers=me)
    assert meds.status_code == 200 and meds.json["total"] == 1
    assert meds.json["items"][0]["can_request"] and meds.json["items"][0]["label"] == "Lisinopril 10 mg tablet"
    pharmacies = client.get(base + "/pharmacies", headers=me).json["items"]
    r = client.post(base + "/refill-requests", headers=me,
                    json={"medication_ids": [w.med.id], "pharmacy_id": pharmacies[0]["id"], "note": "Going away"})
    assert r.status_code == 201, r.json
    request_id = r.json["id"]
    assert r.json["status"] == "requested" and r.json["lines"][0]["last_filled_on"] == w.med.last_filled_on.isoformat()
    again = client.post(base + "/refill-requests", headers=me,
                        json={"medication_ids": [w.med.id], "pharmacy_id": pharmacies[0]["id"]})
    assert again.status_code == 409 and "already has a refill request" in again.json["detail"]

    staff = bearer(client, w.staff)
    queue = client.get(f"/api/v1/practices/{w.practice.id}/refill-requests", headers=staff)
    assert queue.status_code == 200 and queue.json["items"][0]["request"]["id"] == request_id
    assert queue.json["items"][0]["patient"]["mrn"] == w.patient.mrn and queue.json["items"][0]["age_minutes"] >= 0
    assert client.post(f"{base}/refill-requests/{request_id}/approve", headers=me, json={}).status_code == 403
    ok = client.post(f"{base}/refill-requests/{request_id}/approve", headers=staff,
                     json={"lines": [{"medication_id": w.med.id, "quantity": 90, "refills": 1}]})
    assert ok.status_code == 200, ok.json
    assert ok.json["status"] == "approved" and ok.json["lines"][0]["approved_quantity"] == 90
    assert client.post(f"{base}/refill-requests/{request_id}/deny", headers=staff,
                       json={"reason": "x"}).status_code == 409
    mine = client.get(base + "/refill-requests", headers=me).json
    assert mine["items"][0]["status"] == "approved"
    med = client.get(f"{base}/medications/{w.med.id}", headers=me).json
    assert (med["quantity"], med["refills_left"]) == (90, 1)
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "refill")) == 1


def test_refusals_over_the_api_change_nothing(client):
    w = _world()
    other = make_patient(practice=w.practice)
    their_med, their_pharmacy = make_medication(patient=other), make_pharmacy(patient=other)
    oxy = make_medication(patient=w.patient, name="Oxycodone", controlled=ControlledSchedule.II)
    db.session.commit()
    me = bearer(client, w.patient.user)
    url = f"/api/v1/patients/{w.patient.id}/refill-requests"
    cases = [
        ({"medication_ids": [their_med.id], "pharmacy_id": w.pharmacy.id}, "medication_ids"),
        ({"medication_ids": [w.med.id], "pharmacy_id": their_pharmacy.id}, "pharmacy_id"),
        ({"medication_ids": [oxy.id], "pharmacy_id": w.pharmacy.id}, "medication_ids"),
        ({"medication_ids": [], "pharmacy_id": w.pharmacy.id}, "medication_ids"),
        ({"medication_ids": [w.med.id], "pharmacy_id": w.pharmacy.id, "note": "x" * 501}, "note"),
    ]
    for body, field in cases:
        r = client.post(url, headers=me, json=body)
        assert r.status_code == 422, (body, r.json)
        assert field in r.json["errors"], r.json
    assert "call us" in client.post(url, headers=me, json=cases[2][0]).json["errors"]["medication_ids"][0]
    # another patient's rows through this patient's URL, and this patient's URL by another patient
    assert client.get(f"/api/v1/patients/{w.patient.id}/pharmacies/{their_pharmacy.id}", headers=me).status_code == 404
    assert client.get(f"/api/v1/patients/{other.id}/medications", headers=me).status_code == 404
    assert db.session.scalar(select(func.count(RefillRequest.id))) == 0


def test_staff_manage_medications_and_patients_cannot(client):
    w = _world()
    staff, me = bearer(client, w.staff), bearer(client, w.patient.user)
    base = f"/api/v1/patients/{w.patient.id}/medications"
    body = {"name": "Sertraline", "strength": "50 mg", "form": "tablet", "refills_left": 2, "supply_days": 30,
            "controlled_schedule": None, "prescriber_id": w.provider.id}
    assert client.post(base, headers=me, json=body).status_code == 403
    r = client.post(base, headers=staff, json=body)
    assert r.status_code == 201 and r.json["prescriber"].startswith("Doc")
    bad = client.post(base, headers=staff, json={**body, "controlled_schedule": "I", "refills_left": -1})
    assert bad.status_code == 422 and {"controlled_schedule", "refills_left"} <= set(bad.json["errors"])
    changed = client.patch(f"{base}/{r.json['id']}", headers=staff, json={"strength": "100 mg"})
    assert changed.json["strength"] == "100 mg" and changed.json["refills_left"] == 2
    stopped = client.post(f"{base}/{r.json['id']}/stop", headers=staff)
    assert stopped.json["status"] == "stopped" and not stopped.json["can_request"]


def test_pharmacies_and_caregiver(client):
    w = _world()
    carer = make_user()
    make_grant(patient=w.patient, caregiver=carer, scopes=("medications",))
    without = make_user()
    make_grant(patient=w.patient, caregiver=without, scopes=("appointments",))
    db.session.commit()
    auth = bearer(client, carer)
    base = f"/api/v1/patients/{w.patient.id}/pharmacies"
    r = client.post(base, headers=auth, json={"name": "Late Night Rx", "phone": "202-555-0142", "preferred": True})
    assert r.status_code == 201 and r.json["phone"] == "+12025550142" and r.json["preferred"]
    assert client.post(base, headers=auth, json={"name": "Bad", "phone": "12"}).status_code == 422
    listed = client.get(base, headers=auth).json["items"]
    assert [p["name"] for p in listed] == ["Late Night Rx", "Corner Pharmacy"]
    assert client.patch(f"{base}/{w.pharmacy.id}", headers=auth, json={"preferred": True}).json["preferred"]
    assert client.delete(f"{base}/{r.json['id']}", headers=auth).status_code == 204
    assert client.get(base, headers=bearer(client, without)).status_code == 404


def test_medication_list_statements_are_bounded(client):
    w = _world()
    me = bearer(client, w.patient.user)
    url = f"/api/v1/patients/{w.patient.id}/medications"
    with count_queries() as few:
        client.get(url, headers=me)
    for i in range(15):
        make_medication(patient=w.patient, name=f"Med {i}", prescriber=w.provider)
    db.session.commit()
    with count_queries() as many:
        r = client.get(url, headers=me)
    assert r.json["total"] == 16 and many.count == few.count


def test_optional_people_are_null_not_missing(client):
    w = _world()
    staff = bearer(client, w.staff)
    r = client.post(f"/api/v1/patients/{w.patient.id}/medications", headers=staff, json={"name": "Vitamin D"})
    assert r.status_code == 201 and r.json["prescriber"] is None and r.json["prescriber_id"] is None
