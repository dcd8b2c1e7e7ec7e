from datetime import date

import pyotp

from hearth.models import CareTeam, CareTeamMember, StaffRole
from tests.factories import PASSWORD, make_grant, make_patient, make_practice, make_provider, make_user
from tests.portal.test_staff import audit_count, enrolled_staff
from tests.querycount import count_queries


def bearer(client, user) -> dict:
    """An Authorization header for `user`, answering the one-time code when she is enrolled."""
    body = {"email": user.email, "password": PASSWORD}
    if user.totp_secret:
        body["otp"] = pyotp.TOTP(user.totp_secret).now()
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def test_list_envelope_sorting_and_search(client):
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    provider = make_provider(practice=practice, given_name="Grace", family_name="Hopper")
    make_patient(practice=practice, given_name="Zed", family_name="Young", user=None, primary_provider_id=provider.id)
    ana = make_patient(practice=practice, given_name="Ana", family_name="Adams", user=None,
                       date_of_birth=date(1991, 2, 3))
    make_patient(practice=make_practice(), family_name="Elsewhere", user=None)
    auth = bearer(client, staff)
    r = client.get(f"/api/v1/practices/{practice.id}/patients", headers=auth)
    assert r.status_code == 200
    assert (r.json["page"], r.json["per_page"], r.json["total"]) == (1, 25, 2)
    assert [p["family_name"] for p in r.json["items"]] == ["Adams", "Young"]
    assert r.json["items"][1]["primary_provider"]["display_name"] == "Grace Hopper"
    found = client.get(f"/api/v1/practices/{practice.id}/patients?q=1991-02-03", headers=auth).json
    assert [p["id"] for p in found["items"]] == [ana.id] and found["total"] == 1
    paged = client.get(f"/api/v1/practices/{practice.id}/patients?per_page=1&page=2", headers=auth).json
    assert [p["family_name"] for p in paged["items"]] == ["Young"] and paged["total"] == 2
    assert audit_count(actor_user_id=staff.id) == 0


def test_list_bad_args_and_refusals(client):
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    auth = bearer(client, staff)
    bad = client.get(f"/api/v1/practices/{practice.id}/patients?page=0&q=" + "x" * 101, headers=auth)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert set(bad.json["errors"]) >= {"page", "q"}
    other = client.get(f"/api/v1/practices/{make_practice().id}/patients", headers=auth)
    assert other.status_code == 403 and other.mimetype == "application/problem+json"
    patient = make_patient(practice=practice)
    assert client.get(f"/api/v1/practices/{practice.id}/patients",
                      headers=bearer(client, patient.user)).status_code == 403
    assert client.get(f"/api/v1/practices/{practice.id}/patients").status_code == 401


def test_list_queries_are_bounded(client):
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    auth = bearer(client, staff)
    url = f"/api/v1/practices/{practice.id}/patients"
    make_patient(practice=practice, user=None, primary_provider_id=make_provider(practice=practice).id)
    client.get(url, headers=auth)
    with count_queries() as few:
        client.get(url, headers=auth)
    for _ in range(30):
        make_patient(practice=practice, user=None, primary_provider_id=make_provider(practice=practice).id)
    with count_queries() as many:
        assert len(client.get(url, headers=auth).json["items"]) == 25
    assert many.count == few.count


def test_chart_for_staff_only(client, db_session):
    practice = make_practice()
    staff = enrolled_staff(practice=practice, name="Nurse Nora", role=StaffRole.PROVIDER)
    team = CareTeam(practice_id=practice.id, name="Blue")
    db_session.add(team)
    db_session.flush()
    db_session.add(CareTeamMember(care_team_id=team.id, user_id=staff.id, role_label="Nurse"))
    patient = make_patient(practice=practice, care_team_id=team.id)
    make_grant(patient=patient, caregiver=make_user(name="Carer"), scopes=("results",))
    auth = bearer(client, staff)
    r = client.get(f"/api/v1/practices/{practice.id}/patients/{patient.id}", headers=auth)
    assert r.status_code == 200
    assert r.json["patient"]["mrn"] == patient.mrn and r.json["care_team"] == "Blue"
    assert r.json["care_team_members"] == [{"name": "Nurse Nora", "role": "Nurse"}]
    assert r.json["caregivers"][0]["name"] == "Carer" and r.json["caregivers"][0]["scopes"] == ["results"]
    assert audit_count(actor_user_id=staff.id, action="view", resource_type="patient") == 1
    wrong_practice = enrolled_staff(practice=make_practice())
    assert client.get(f"/api/v1/practices/{practice.id}/patients/{patient.id}",
                      headers=bearer(client, wrong_practice)).status_code == 404
    assert client.get(f"/api/v1/practices/{practice.id}/patients/{patient.id}",
                      headers=bearer(client, patient.user)).status_code == 404
