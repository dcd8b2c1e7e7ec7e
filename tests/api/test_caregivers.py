"""API: /patients/<id>/caregivers, /caregiving, invitations, and guardians for staff."""

from datetime import timedelta

from hearth import db, policy
from hearth.clock import utcnow
from hearth.models import CaregiverGrant, GrantKind, GrantStatus, StaffRole
from tests.factories import PASSWORD, make_grant, make_patient, make_practice, make_staff, make_user
from tests.hearth.test_caregivers_support import token_of
from tests.querycount import count_queries


def _auth(client, user) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def test_patient_invites_lists_edits_and_revokes(client):
    patient = make_patient()
    db.session.commit()
    auth = _auth(client, patient.user)
    created = client.post(f"/api/v1/patients/{patient.id}/caregivers", headers=auth, json={
        "email": "Helper@Example.com", "scopes": ["billing", "appointments"], "relationship_label": "Son",
        "ends_at": (utcnow() + timedelta(days=60)).isoformat()})
    assert created.status_code == 201, created.json
    body = created.json
    assert body["state"] == "pending" and body["kind"] == "proxy" and body["invited_email"] == "helper@example.com"
    assert body["scopes"] == ["appointments", "billing"] and body["caregiver"] is None
    assert "token" not in str(body).lower()
    listed = client.get(f"/api/v1/patients/{patient.id}/caregivers", headers=auth)
    assert [g["id"] for g in listed.json] == [body["id"]]
    patched = client.patch(f"/api/v1/patients/{patient.id}/caregivers/{body['id']}", headers=auth,
                           json={"scopes": ["results"], "ends_at": None})
    assert patched.status_code == 200 and patched.json["scopes"] == ["results"] and patched.json["ends_at"] is None
    assert client.delete(f"/api/v1/patients/{patient.id}/caregivers/{body['id']}", headers=auth).status_code == 204
    after = client.get(f"/api/v1/patients/{patient.id}/caregivers", headers=auth).json
    assert after[0]["state"] == "cancelled" and after[0]["revoked_at"]


def test_invite_validation_is_problem_json_with_fields(client):
    patient = make_patient()
    db.session.commit()
    auth = _auth(client, patient.user)
    url = f"/api/v1/patients/{patient.id}/caregivers"
    bad = client.post(url, headers=auth, json={"email": "nope", "scopes": [], "ends_at": "2001-01-01T00:00:00Z"})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert {"email", "scopes", "ends_at"} <= set(bad.json["errors"])
    unknown = client.post(url, headers=auth, json={"email": "a@example.com", "scopes": ["everything"]})
    assert unknown.status_code == 422 and "scopes" in unknown.json["errors"]
    naive = client.post(url, headers=auth, json={"email": "a@example.com", "scopes": ["billing"],
                                                 "ends_at": "2040-01-01T00:00:00"})
    assert naive.status_code == 422 and "ends_at" in naive.json["errors"]
    empty = client.patch(f"{url}/1", headers=auth, json={})
    assert empty.status_code == 422
    client.post(url, headers=auth, json={"email": "a@example.com", "scopes": ["billing"]})
    again = client.post(url, headers=auth, json={"email": "A@example.com", "scopes": ["billing"]})
    assert again.status_code == 409 and "email" in again.json["errors"]


def test_a_caregiver_cannot_manage_grants_and_loses_access_right_after_revocation(client):
    patient = make_patient(given_name="Ana")
    grant = make_grant(patient=patient, scopes=("appointments",))
    other = make_grant(patient=patient)
    db.session.commit()
    auth = _auth(client, grant.caregiver)
    base = f"/api/v1/patients/{patient.id}/caregivers"
    assert client.get(base, headers=auth).status_code == 403
    assert client.post(base, headers=auth, json={"email": "x@example.com", "scopes": ["billing"]}).status_code == 403
    assert client.delete(f"{base}/{other.id}", headers=auth).status_code == 403
    assert client.get(f"{base}/{other.id}/activity", headers=auth).status_code == 403
    mine = client.get(f"/api/v1/caregiving/{patient.id}", headers=auth)
    assert mine.status_code == 200 and mine.json["scopes"] == ["appointments"]
    assert [p["patient"]["given_name"] for p in client.get("/api/v1/caregiving", headers=auth).json] == ["Ana"]
    owner = _auth(client, patient.user)
    assert client.delete(f"{base}/{grant.id}", headers=owner).status_code == 204
    # The same bearer token, the very next request: the patient is gone.
    assert client.get(f"/api/v1/caregiving/{patient.id}", headers=auth).status_code == 404
    assert client.get(base, headers=auth).status_code == 404
    assert client.get("/api/v1/caregiving", headers=auth).json == []
    assert client.get("/api/v1/me", headers=auth).json["people"] == []


def test_an_expired_grant_is_not_found_on_the_next_request(client):
    patient = make_patient()
    grant = make_grant(patient=patient, ends_in=timedelta(days=1))
    db.session.commit()
    auth = _auth(client, grant.caregiver)
    assert client.get(f"/api/v1/caregiving/{patient.id}", headers=auth).status_code == 200
    grant.ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(f"/api/v1/caregiving/{patient.id}", headers=auth).status_code == 404


def test_accept_and_decline_with_a_bearer_token(client):
    patient = make_patient(given_name="Ana", family_name="Lopez")
    helper, other = make_user(), make_user()
    db.session.commit()
    owner = _auth(client, patient.user)
    url = f"/api/v1/patients/{patient.id}/caregivers"
    first = client.post(url, headers=owner, json={"email": "h@example.com", "scopes": ["results"]}).json
    second = client.post(url, headers=owner, json={"email": "o@example.com", "scopes": ["billing"]}).json
    token = token_of(first["id"])
    shown = client.get(f"/api/v1/caregivers/invitations/{token}")
    assert shown.status_code == 200
    assert shown.json["inviter"] == "Ana Lopez" and shown.json["state"] == "pending" and shown.json["scopes"] == [
        "results"]
    assert client.get("/api/v1/caregivers/invitations/nope").status_code == 404
    assert client.post(f"/api/v1/caregivers/invitations/{token}/accept").status_code == 401
    accepted = client.post(f"/api/v1/caregivers/invitations/{token}/accept", headers=_auth(client, helper))
    assert accepted.status_code == 200 and accepted.json["patient"]["id"] == patient.id
    assert policy.access(helper, patient, "results") is not None
    reused = client.post(f"/api/v1/caregivers/invitations/{token}/accept", headers=_auth(client, other))
    assert reused.status_code == 409 and reused.json["detail"] == "This invitation was already used."
    other_auth = _auth(client, other)
    assert client.post(f"/api/v1/caregivers/invitations/{token_of(second['id'])}/decline",
                       headers=other_auth).status_code == 204
    listed = {g["id"]: g["state"] for g in client.get(url, headers=owner).json}
    assert listed == {first["id"]: "active", second["id"]: "declined"}


def test_activity_endpoint_pages_with_bounded_queries(client):
    patient = make_patient()
    grant = make_grant(patient=patient, scopes=("results",))
    for n in range(7):
        policy.authorize(grant.caregiver, patient, "results", "view", "results", n)
    db.session.commit()
    auth = _auth(client, patient.user)
    url = f"/api/v1/patients/{patient.id}/caregivers/{grant.id}/activity"
    page = client.get(url + "?per_page=5", headers=auth).json
    assert page["total"] == 7 and page["has_next"] and len(page["items"]) == 5
    assert page["items"][0]["resource_id"] == "6" and page["items"][0]["description"] == "Viewed test results"
    assert client.get(url + "?per_page=1000", headers=auth).status_code == 422

    def queries():
        with count_queries() as counted:
            assert client.get(url + "?per_page=50", headers=auth).status_code == 200
        return counted.count

    queries()  # warm up: the 422 above (after sign-in) rolled back this test's shared session
    few = queries()
    for n in range(20):
        policy.authorize(grant.caregiver, patient, "results", "view", "results", n)
    db.session.commit()
    assert queries() == few


def test_staff_manage_guardians_and_teen_consent(client):
    practice = make_practice()
    staff = make_staff(practice=practice, role=StaffRole.PROVIDER)
    today = utcnow().date()
    teen = make_patient(practice=practice, user=None, given_name="Tess",
                        date_of_birth=today.replace(year=today.year - 14, day=1) - timedelta(days=40))
    adult = make_patient(practice=practice, user=None, date_of_birth=today.replace(year=today.year - 30, day=1))
    outsider = make_staff(practice=make_practice(), role=StaffRole.ADMIN)
    db.session.commit()
    auth = _auth(client, staff)
    assert [p["id"] for p in client.get(f"/api/v1/practices/{practice.id}/minors?q=tess", headers=auth).json] == [
        teen.id]
    url = f"/api/v1/practices/{practice.id}/patients/{teen.id}/guardians"
    created = client.post(url, headers=auth, json={"email": "mom@example.com", "scopes": ["results"],
                                                   "relationship_label": "Mother"})
    assert created.status_code == 201 and created.json["kind"] == "guardian" and created.json["teen_tier"]
    adult_end = created.json["ends_at"]
    assert adult_end.startswith(str(teen.date_of_birth.year + 18))
    grant_id = created.json["id"]
    mom = make_user(email="mom@example.com")
    db.session.commit()
    client.post(f"/api/v1/caregivers/invitations/{token_of(grant_id)}/accept", headers=_auth(client, mom))
    assert policy.access(mom, teen, "results", confidential=True) is None
    consent = client.post(f"{url}/{grant_id}/teen-consent", headers=auth)
    assert consent.status_code == 200 and consent.json["teen_consent_at"]
    assert policy.access(mom, teen, "results", confidential=True) is not None
    withdrawn = client.delete(f"{url}/{grant_id}/teen-consent", headers=auth)
    assert withdrawn.status_code == 200 and withdrawn.json["teen_consent_at"] is None
    assert client.get(url, headers=auth).json[0]["state"] == "active"
    not_minor = client.post(f"/api/v1/practices/{practice.id}/patients/{adult.id}/guardians", headers=auth,
                            json={"email": "x@example.com", "scopes": ["billing"]})
    assert not_minor.status_code == 422
    assert client.post(url, headers=_auth(client, outsider),
                       json={"email": "x@example.com", "scopes": ["billing"]}).status_code == 403
    assert client.delete(f"{url}/{grant_id}", headers=auth).status_code == 204
    grant = db.session.get(CaregiverGrant, grant_id)
    db.session.refresh(grant)
    assert grant.status == GrantStatus.REVOKED and grant.kind == GrantKind.GUARDIAN


def test_openapi_documents_the_caregiver_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    for path in ("/api/v1/patients/{patient_id}/caregivers", "/api/v1/caregiving",
                 "/api/v1/caregivers/invitations/{token}/accept",
                 "/api/v1/practices/{practice_id}/patients/{patient_id}/guardians/{grant_id}/teen-consent"):
        assert path in paths, path
    assert paths["/api/v1/patients/{patient_id}/caregivers"]["post"]["security"] == [{"bearerAuth": []}]


def test_grant_lists_run_a_bounded_number_of_queries(client):
    patient = make_patient()
    caregiver = make_user()
    make_grant(patient=patient)
    make_grant(patient=make_patient(), caregiver=caregiver)
    db.session.commit()
    owner, helper = _auth(client, patient.user), _auth(client, caregiver)

    def queries(url, headers):
        with count_queries() as counted:
            assert client.get(url, headers=headers).status_code == 200
        return counted.count

    grants_url = f"/api/v1/patients/{patient.id}/caregivers"
    few = queries(grants_url, owner), queries("/api/v1/caregiving", helper)
    for _ in range(10):
        make_grant(patient=patient)
        make_grant(patient=make_patient(), caregiver=caregiver)
    db.session.commit()
    assert (queries(grants_url, owner), queries("/api/v1/caregiving", helper)) == few
    assert len(client.get("/api/v1/caregiving", headers=helper).json) == 11
