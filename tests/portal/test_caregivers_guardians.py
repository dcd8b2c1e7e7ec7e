"""Portal: staff find a minor, invite a guardian, record the teen's consent and revoke access."""

from datetime import date

from sqlalchemy import select

from hearth import db, policy
from hearth.models import CaregiverGrant, GrantKind, GrantStatus, StaffRole
from tests.conftest import login
from tests.factories import make_grant, make_patient, make_practice, make_staff, make_user
from tests.hearth.test_caregivers_support import invitation_emails
from tests.querycount import count_queries


def _born(age: int) -> date:
    today = date.today()
    return date(today.year - age, 1, 1) if today.month > 1 else date(today.year - age - 1, 6, 1)


def _setup():
    practice = make_practice(name="Maple Clinic")
    staff = make_staff(practice=practice, role=StaffRole.STAFF)
    teen = make_patient(practice=practice, user=None, given_name="Tess", family_name="Young", date_of_birth=_born(14))
    adult = make_patient(practice=practice, given_name="Ada", family_name="Young", date_of_birth=_born(40))
    db.session.commit()
    return practice, staff, teen, adult


def test_staff_find_minors_and_invite_a_guardian(client):
    practice, staff, teen, _adult = _setup()
    login(client, staff)
    assert f"/caregivers/practices/{practice.id}/minors".encode() in client.get("/caregivers/").data
    found = client.get(f"/caregivers/practices/{practice.id}/minors?q=young")
    assert b"Young, Tess" in found.data and b"Ada" not in found.data
    url = f"/caregivers/practices/{practice.id}/patients/{teen.id}/guardians"
    page = client.get(url)
    assert page.status_code == 200 and b"Limited: confidential items are shared only" in page.data
    response = client.post(url, data={"email": "dad@example.com", "relationship_label": "Father",
                                      "scopes": ["appointments", "results"]})
    assert response.status_code == 302
    [grant] = db.session.scalars(select(CaregiverGrant).where(CaregiverGrant.patient_id == teen.id)).all()
    assert grant.kind == GrantKind.GUARDIAN and grant.created_by_user_id == staff.id
    assert len(invitation_emails(grant.id)) == 1
    assert b"dad@example.com" in client.get(url).data


def test_guardian_invitation_form_errors_are_shown(client):
    practice, staff, teen, _adult = _setup()
    login(client, staff)
    url = f"/caregivers/practices/{practice.id}/patients/{teen.id}/guardians"
    response = client.post(url, data={"email": "dad@example.com"})
    assert response.status_code == 422 and b"Choose at least one area." in response.data
    assert b'value="dad@example.com"' in response.data


def test_adults_cannot_get_a_guardian(client):
    practice, staff, _teen, adult = _setup()
    login(client, staff)
    url = f"/caregivers/practices/{practice.id}/patients/{adult.id}/guardians"
    page = client.get(url)
    assert b"Ended: the patient is an adult." in page.data and b"Send invitation" not in page.data
    refused = client.post(url, data={"email": "dad@example.com", "scopes": ["billing"]})
    assert refused.status_code == 422 and b"only for patients under 18" in refused.data


def test_teen_consent_buttons_and_revocation(client):
    practice, staff, teen, _adult = _setup()
    grant = make_grant(patient=teen, kind=GrantKind.GUARDIAN, scopes=("results",))
    parent = grant.caregiver
    db.session.commit()
    login(client, staff)
    base = f"/caregivers/practices/{practice.id}/patients/{teen.id}/guardians"
    assert b"Teen agreed to share confidential items" in client.get(base).data
    client.post(f"{base}/{grant.id}/teen-consent", data={"agreed": "1"})
    db.session.refresh(grant)
    assert grant.teen_consent_at is not None
    assert policy.access(parent, teen, "results", confidential=True) is not None
    page = client.get(base)
    assert b"Withdraw the teen&#39;s consent" in page.data or b"Withdraw the teen's consent" in page.data
    client.post(f"{base}/{grant.id}/teen-consent", data={"agreed": "0"})
    db.session.refresh(grant)
    assert grant.teen_consent_at is None
    assert client.post(f"{base}/{grant.id}/revoke").status_code == 302
    db.session.refresh(grant)
    assert grant.status == GrantStatus.REVOKED
    assert policy.access(parent, teen, None) is None


def test_the_guardian_page_shows_when_access_ends(client):
    practice, staff, teen, _adult = _setup()
    make_grant(patient=teen, kind=GrantKind.GUARDIAN)
    db.session.commit()
    login(client, staff)
    page = client.get(f"/caregivers/practices/{practice.id}/patients/{teen.id}/guardians")
    adult_day = teen.date_of_birth.replace(year=teen.date_of_birth.year + 18)
    assert adult_day.strftime("%Y").encode() in page.data and b"Access ends" in page.data


def test_other_practices_staff_and_patients_are_refused(client):
    practice, _staff, teen, adult = _setup()
    outsider = make_staff(practice=make_practice(), role=StaffRole.ADMIN)
    db.session.commit()
    login(client, outsider)
    assert client.get(f"/caregivers/practices/{practice.id}/minors").status_code == 403
    assert client.get(f"/caregivers/practices/{practice.id}/patients/{teen.id}/guardians").status_code == 403
    client.post("/logout")
    login(client, adult.user)
    assert client.get(f"/caregivers/practices/{practice.id}/minors").status_code == 403
    stranger = make_user()
    db.session.commit()
    client.post("/logout")
    login(client, stranger)
    grant = make_grant(patient=teen, kind=GrantKind.GUARDIAN)
    db.session.commit()
    response = client.post(f"/caregivers/practices/{practice.id}/patients/{teen.id}/guardians/{grant.id}/revoke")
    assert response.status_code == 403


def test_guardian_page_runs_a_bounded_number_of_queries(client):
    practice, staff, teen, _adult = _setup()
    make_grant(patient=teen, kind=GrantKind.GUARDIAN)
    db.session.commit()
    login(client, staff)
    url = f"/caregivers/practices/{practice.id}/patients/{teen.id}/guardians"

    def queries():
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        return counted.count

    few = queries()
    for _ in range(10):
        make_grant(patient=teen, kind=GrantKind.GUARDIAN)
    db.session.commit()
    assert queries() == few
