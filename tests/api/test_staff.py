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
    # each patient shown is audited for her (2 + 1 + 1 listed); no one else
    assert audit_count(actor_user_id=staff.id) == 4
    assert audit_count(actor_user_id=staff.id, patient_id=ana.id, action="list", resource_type="patient") == 2


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


def test_list_count_stops_at_its_bound_and_the_pager_still_goes_on(client, monkeypatch):
    """Issue 11: the practice-wide count reads at most COUNT_BOUND rows (or the rows up to the page asked),
    so it costs the same at 1,000,000 patients; past the bound `total` is a lower bound and the next page
    is still offered."""
    from hearth.services import pagination

    monkeypatch.setattr(pagination, "COUNT_BOUND", 3)
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    for family in ("Adams", "Baker", "Clark", "Diaz", "Evans"):
        make_patient(practice=practice, family_name=family, user=None)
    auth = bearer(client, staff)
    url = f"/api/v1/practices/{practice.id}/patients"
    first = client.get(f"{url}?per_page=2", headers=auth).json
    assert (first["total"], first["total_exact"]) == (3, False)
    assert [p["family_name"] for p in first["items"]] == ["Adams", "Baker"]
    second = client.get(f"{url}?per_page=2&page=2", headers=auth).json
    assert (second["total"], second["total_exact"]) == (4, False)  # the rows up to page 2, and more
    last = client.get(f"{url}?per_page=2&page=3", headers=auth).json
    assert (last["total"], last["total_exact"]) == (5, True)
    assert [p["family_name"] for p in last["items"]] == ["Evans"]
    small = client.get(f"{url}?q=adams", headers=auth).json
    assert (small["total"], small["total_exact"]) == (1, True)


def test_page_pager_when_the_total_is_a_lower_bound():
    from hearth.services.pagination import Page

    page = Page([1, 2], 1, 2, 3, total_exact=False)
    assert page.has_next and not page.has_prev
    assert not Page([1], 2, 2, 3, total_exact=True).has_next
    assert Page([1, 2], 2, 2, 4, total_exact=False).has_next
