from datetime import timedelta

from hearth import db
from hearth.clock import utcnow
from hearth.models import AuditEvent, StaffRole
from tests.api.test_staff import bearer
from tests.factories import make_grant, make_patient, make_practice, make_user
from tests.portal.test_staff import audit_count, enrolled_staff
from tests.querycount import count_queries


def test_profile_for_patient_caregiver_and_staff(client):
    practice = make_practice()
    patient = make_patient(practice=practice, given_name="Ana", phone="555 010 1234")
    carer = make_user()
    make_grant(patient=patient, caregiver=carer, scopes=("billing",))
    staff = enrolled_staff(practice=practice)
    expected = {"self": True, "caregiver": False, "staff": True}
    for user, relation in ((patient.user, "self"), (carer, "caregiver"), (staff, "staff")):
        r = client.get(f"/api/v1/patients/{patient.id}", headers=bearer(client, user))
        assert r.status_code == 200, r.json
        assert r.json["relation"] == relation and r.json["can_edit"] is expected[relation]
        assert r.json["patient"]["phone"] == "555 010 1234" and r.json["patient"]["preferred_channels"] == ["email"]
    assert audit_count(patient_id=patient.id, action="view", resource_type="profile") == 3
    stranger = make_user()
    r = client.get(f"/api/v1/patients/{patient.id}", headers=bearer(client, stranger))
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    assert client.get("/api/v1/patients/999999", headers=bearer(client, stranger)).status_code == 404


def test_patch_profile(client):
    practice = make_practice()
    patient = make_patient(practice=practice)
    auth = bearer(client, patient.user)
    r = client.patch(f"/api/v1/patients/{patient.id}", headers=auth,
                     json={"phone": "+34 600 000 000", "preferred_channels": ["sms", "push"]})
    assert r.status_code == 200, r.json
    assert r.json["patient"]["preferred_channels"] == ["sms", "push"] and patient.preferred_language == "en"
    bad = client.patch(f"/api/v1/patients/{patient.id}", headers=auth,
                       json={"email": "nope", "preferred_channels": [], "preferred_language": "fr"})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"email", "preferred_channels", "preferred_language"}
    unknown = client.patch(f"/api/v1/patients/{patient.id}", headers=auth, json={"mrn": "HACKED"})
    assert unknown.status_code == 422 and patient.mrn != "HACKED"
    empty = client.patch(f"/api/v1/patients/{patient.id}", headers=auth, json={})
    assert empty.status_code == 422
    no_phone = client.patch(f"/api/v1/patients/{patient.id}", headers=auth, json={"phone": None})
    assert no_phone.status_code == 422 and "phone" in no_phone.json["errors"]
    assert patient.phone == "+34600000000"
    staff = enrolled_staff(practice=practice)
    r = client.patch(f"/api/v1/patients/{patient.id}", headers=bearer(client, staff), json={"address": "1 Main"})
    assert r.status_code == 200 and patient.address == "1 Main"
    assert audit_count(patient_id=patient.id, action="update", resource_type="profile") == 2


def test_caregiver_and_strangers_cannot_patch(client):
    patient = make_patient()
    carer = make_user()
    make_grant(patient=patient, caregiver=carer)
    r = client.patch(f"/api/v1/patients/{patient.id}", headers=bearer(client, carer), json={"address": "Mine"})
    assert r.status_code == 403
    other_staff = enrolled_staff(practice=make_practice())
    r = client.patch(f"/api/v1/patients/{patient.id}", headers=bearer(client, other_staff), json={"address": "X"})
    assert r.status_code == 404
    db.session.refresh(patient)
    assert patient.address is None


def test_access_log_api(client):
    practice = make_practice()
    patient = make_patient(practice=practice)
    doctor = enrolled_staff(practice=practice, name="Dr Grey", role=StaffRole.PROVIDER)
    for i in range(30):
        db.session.add(AuditEvent(actor_user_id=doctor.id, actor_relation="staff", patient_id=patient.id,
                                  action="view", resource_type="patient", ip="198.51.100.20",
                                  at=utcnow() - timedelta(hours=i + 1)))
    db.session.flush()
    auth = bearer(client, patient.user)
    url = f"/api/v1/patients/{patient.id}/access-log"
    r = client.get(url, headers=auth)
    assert r.status_code == 200
    assert (r.json["page"], r.json["per_page"], r.json["total"]) == (1, 25, 31)
    first, second = r.json["items"][0], r.json["items"][1]
    assert first["who"] == "You" and first["resource_type"] == "access_log"
    assert second == {**second, "who": "Dr Grey (Provider)", "what": "Opened the patient record",
                      "where": "198.51.100.*", "relation": "staff"}
    page2 = client.get(url + "?page=2", headers=auth).json
    assert len(page2["items"]) == 7 and page2["total"] == 32
    with count_queries() as counted:
        client.get(url + "?page=2", headers=auth)
    assert counted.count <= 10, counted.statements
    staff_view = client.get(url, headers=bearer(client, doctor)).json
    assert staff_view["items"][0]["who"] == "Dr Grey (Provider)" and staff_view["items"][1]["who"] != "You"


def test_access_log_refused_to_caregivers(client):
    patient = make_patient()
    carer = make_user()
    make_grant(patient=patient, caregiver=carer)
    r = client.get(f"/api/v1/patients/{patient.id}/access-log", headers=bearer(client, carer))
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    assert audit_count(actor_user_id=carer.id) == 0
