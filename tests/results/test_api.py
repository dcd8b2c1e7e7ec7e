"""/api/v1 results: the same flows as the portal, through the same services, checked against the document."""

from __future__ import annotations

from datetime import timedelta

from hearth.clock import utcnow
from hearth.models import ResultCategory
from hearth.services.results import preferences
from tests.api.test_staff import bearer
from tests.results.helpers import clinic, glucose, grant, record


def _body(**kw) -> dict:
    now = utcnow()
    return {"category": "lab", "name": "Hemoglobin A1c", "performer": "City Lab", "client_key": "app-1",
            "effective_at": (now - timedelta(days=1)).isoformat(), "issued_at": (now - timedelta(hours=2)).isoformat(),
            "observations": [{"name": "Hemoglobin A1c", "loinc_code": "4548-4", "value_quantity": 7.2, "unit": "%",
                              "range_high": 5.6}], **kw}


def test_staff_record_and_the_patient_reads_over_the_api(client):
    c = clinic()
    staff_auth, patient_auth = bearer(client, c.clinician), bearer(client, c.patient.user)
    made = client.post(f"/api/v1/patients/{c.patient.id}/results", headers=staff_auth, json=_body())
    assert made.status_code == 201, made.json
    again = client.post(f"/api/v1/patients/{c.patient.id}/results", headers=staff_auth, json=_body())
    assert again.json["report"]["id"] == made.json["report"]["id"]
    report_id = made.json["report"]["id"]
    assert made.json["observations"][0]["interpretation"] == "H" and made.json["observations"][0]["out_of_range"]
    listing = client.get(f"/api/v1/patients/{c.patient.id}/results", headers=patient_auth)
    assert listing.status_code == 200 and listing.json["total"] == 1
    detail = client.get(f"/api/v1/patients/{c.patient.id}/results/{report_id}", headers=patient_auth)
    assert detail.json["observations"][0]["value_quantity"] == 7.2 and detail.json["history"] == []
    views = client.get(f"/api/v1/patients/{c.patient.id}/results/{report_id}/views", headers=staff_auth)
    assert [v["relation"] for v in views.json] == ["self"]
    assert client.get(f"/api/v1/patients/{c.patient.id}/results/{report_id}/views",
                      headers=patient_auth).status_code == 404
    awaiting = client.get(f"/api/v1/practices/{c.practice.id}/results/awaiting-comment", headers=staff_auth)
    assert awaiting.json["items"][0]["views"][0]["relation"] == "self"
    commented = client.put(f"/api/v1/patients/{c.patient.id}/results/{report_id}/comment", headers=staff_auth,
                           json={"comment": "Your A1c is above goal."})
    assert commented.status_code == 200 and commented.json["report"]["comment"] == "Your A1c is above goal."
    fix = {k: v for k, v in _body().items() if k != "client_key"}
    fix["observations"][0]["value_quantity"] = 6.2
    corrected = client.post(f"/api/v1/patients/{c.patient.id}/results/{report_id}/corrections", headers=staff_auth,
                            json={**fix, "version": 1, "reason": "Wrong sample"})
    assert corrected.status_code == 200 and corrected.json["report"]["status"] == "corrected"
    stale = client.post(f"/api/v1/patients/{c.patient.id}/results/{report_id}/corrections", headers=staff_auth,
                        json={**fix, "version": 1, "reason": "Wrong sample"})
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json"
    detail = client.get(f"/api/v1/patients/{c.patient.id}/results/{report_id}", headers=patient_auth)
    assert detail.json["history"][0]["observations"][0]["value_quantity"] == 7.2


def test_patients_cannot_record_and_bad_input_changes_nothing(client):
    c = clinic()
    patient_auth, staff_auth = bearer(client, c.patient.user), bearer(client, c.nurse)
    assert client.post(f"/api/v1/patients/{c.patient.id}/results", headers=patient_auth,
                       json=_body()).status_code == 404
    bad = client.post(f"/api/v1/patients/{c.patient.id}/results", headers=staff_auth,
                      json=_body(observations=[{"name": "X", "value_quantity": 1e300},
                                               {"name": "Y"}, {"name": "Z", "value_quantity": 1, "range_low": 5,
                                                               "range_high": 1}], category="dental"))
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"observations", "category"}
    assert set(bad.json["errors"]["observations"]) == {"0", "1", "2"}
    nurse_comment = client.post(f"/api/v1/patients/{c.patient.id}/results", headers=staff_auth,
                                json=_body(comment="Only clinicians comment"))
    assert nurse_comment.status_code == 422 and "comment" in nurse_comment.json["errors"]
    listing = client.get(f"/api/v1/patients/{c.patient.id}/results", headers=staff_auth)
    assert listing.json["total"] == 0


def test_trend_and_release_preferences_over_the_api(client):
    c = clinic()
    helper = grant(c, scopes=["results"])
    for days, value in ((90, "101"), (60, "110"), (30, "124")):
        record(c, days_ago=days, observations=[glucose(value)])
    patient_auth, helper_auth = bearer(client, c.patient.user), bearer(client, helper.caregiver)
    trend = client.get(f"/api/v1/patients/{c.patient.id}/result-trends/2345-7?unit=mg/dL", headers=helper_auth)
    assert trend.status_code == 200 and [p["value"] for p in trend.json["points"]] == [101, 110, 124]
    assert client.get(f"/api/v1/patients/{c.patient.id}/result-trends/2345-7?unit=g",
                      headers=patient_auth).status_code == 404
    prefs = client.get(f"/api/v1/patients/{c.patient.id}/result-release-preferences", headers=patient_auth)
    assert prefs.json["can_edit"] is True and len(prefs.json["items"]) == len(ResultCategory)
    put = client.put(f"/api/v1/patients/{c.patient.id}/result-release-preferences", headers=patient_auth,
                     json={"items": [{"category": "pathology", "wait_for_comment": True}]})
    assert put.status_code == 200
    assert {i["category"]: i["wait_for_comment"] for i in put.json["items"]}["pathology"] is True
    refused = client.put(f"/api/v1/patients/{c.patient.id}/result-release-preferences", headers=helper_auth,
                         json={"items": [{"category": "pathology", "wait_for_comment": False}]})
    assert refused.status_code == 403
    assert {i.category: i.wait_for_comment for i in preferences.get(c.patient.user, c.patient).items}[
        ResultCategory.PATHOLOGY]


def test_practice_result_settings_over_the_api(client):
    from hearth import db
    from hearth.models import Membership, StaffRole

    c = clinic()
    nurse_auth = bearer(client, c.nurse)
    url = f"/api/v1/practices/{c.practice.id}/result-settings"
    assert client.get(url, headers=nurse_auth).json == {"confidential_for_teens": []}
    assert client.put(url, headers=nurse_auth, json={"confidential_for_teens": ["genetics"]}).status_code == 403
    c.clinician.memberships.append(Membership(practice_id=c.practice.id, role=StaffRole.ADMIN))
    db.session.commit()
    admin_auth = bearer(client, c.clinician)
    bad = client.put(url, headers=admin_auth, json={"confidential_for_teens": ["dental"]})
    assert bad.status_code == 422
    done = client.put(url, headers=admin_auth, json={"confidential_for_teens": ["genetics"]})
    assert done.status_code == 200 and done.json == {"confidential_for_teens": ["genetics"]}
    assert client.get(url, headers=bearer(client, c.patient.user)).status_code == 403
