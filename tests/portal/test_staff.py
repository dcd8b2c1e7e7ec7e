from datetime import date, timedelta

import pyotp
from sqlalchemy import func, select

from hearth.clock import utcnow
from hearth.models import AuditEvent, CareTeam, CareTeamMember, GrantKind, Patient, StaffRole
from tests.conftest import login
from tests.factories import make_grant, make_patient, make_practice, make_provider, make_staff, make_user
from tests.querycount import count_queries


def enrolled_staff(*, practice, role=StaffRole.STAFF, **kw):
    """Staff must use two-factor sign-in: create them enrolled."""
    return make_staff(practice=practice, role=role, totp_secret=pyotp.random_base32(), totp_enabled_at=utcnow(), **kw)


def sign_in(client, user):
    """Sign in through the real forms, answering the one-time-code step when it is asked."""
    response = login(client, user)
    if response.status_code == 302 and "/login/code" in response.headers["Location"]:
        response = client.post("/login/code", data={"code": pyotp.TOTP(user.totp_secret).now()})
    assert response.status_code == 302, response.data
    return response


def audit_count(**where) -> int:
    from hearth import db

    stmt = select(func.count(AuditEvent.id))
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEvent, key) == value)
    return db.session.scalar(stmt)


def test_list_shows_the_practice_patients_sorted_by_family_name(client):
    practice = make_practice(name="Oak Clinic")
    elsewhere = make_practice()
    staff = enrolled_staff(practice=practice)
    make_patient(practice=practice, given_name="Zoe", family_name="Baker", user=None)
    make_patient(practice=practice, given_name="Ana", family_name="Adams", user=None)
    make_patient(practice=elsewhere, given_name="Olga", family_name="Outsider", user=None)
    sign_in(client, staff)
    page = client.get("/staff/patients")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Patients of Oak Clinic" in body
    assert body.index("Adams, Ana") < body.index("Baker, Zoe")
    assert "Outsider" not in body
    assert "2 patients" in body


def test_listing_audits_each_listed_patient_and_opening_audits_the_chart(client):
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    patient = make_patient(practice=practice, user=None)
    sign_in(client, staff)
    client.get("/staff/patients")
    assert audit_count(actor_user_id=staff.id) == 1
    assert audit_count(actor_user_id=staff.id, patient_id=patient.id, action="list", resource_type="patient",
                       actor_relation="staff") == 1
    assert client.get(f"/staff/patients/{patient.id}").status_code == 200
    assert audit_count(actor_user_id=staff.id, patient_id=patient.id, action="view", resource_type="patient",
                       actor_relation="staff") == 1


def test_pages_of_25(client):
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    for i in range(27):
        make_patient(practice=practice, family_name=f"Fam{i:02d}", user=None)
    sign_in(client, staff)
    first = client.get("/staff/patients").get_data(as_text=True)
    assert first.count('<th scope="row">') == 25
    assert "Page 1 of 2" in first and "Fam24" in first and "Fam25" not in first
    second = client.get(f"/staff/patients?practice={practice.id}&page=2").get_data(as_text=True)
    assert second.count('<th scope="row">') == 2 and "Fam26" in second


def test_search_by_name_mrn_and_birth_date(client):
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    ana = make_patient(practice=practice, given_name="Ana", family_name="López", user=None,
                       date_of_birth=date(1990, 3, 4))
    make_patient(practice=practice, given_name="Bob", family_name="Lopez-Smith", user=None,
                 date_of_birth=date(1970, 1, 2))
    make_patient(practice=practice, given_name="Carl", family_name="Jones", user=None)
    sign_in(client, staff)

    def names(query):
        body = client.get("/staff/patients", query_string={"q": query}).get_data(as_text=True)
        return {n for n in ("Ana", "Bob", "Carl") if f", {n}</a>" in body}

    assert names("lop") == {"Ana", "Bob"}  # a name word's prefix; case and accents ignored
    assert names("LÓP") == {"Ana", "Bob"}
    assert names("ana lop") == {"Ana"}
    assert names("smith") == {"Bob"}  # each part of a hyphenated name is a word
    assert names("op") == set()  # not the middle of a word
    assert names("a") == {"Ana"}  # given or family name prefix
    assert names("jones, carl") == {"Carl"}
    assert names(ana.mrn.lower()) == {"Ana"}
    assert names("1990-03-04") == {"Ana"}
    assert names("03/04/1990") == {"Ana"}
    assert names("01/02/1970") == {"Bob"}
    assert names("100%") == set()


def test_bad_search_re_renders_with_422(client):
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    sign_in(client, staff)
    response = client.get("/staff/patients", query_string={"q": "x" * 101})
    assert response.status_code == 422
    assert b'aria-invalid="true"' in response.data


def test_list_runs_a_bounded_number_of_queries(client):
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    sign_in(client, staff)

    def add(n):
        for _ in range(n):
            make_patient(practice=practice, user=None, primary_provider_id=make_provider(practice=practice).id)

    add(2)
    client.get("/staff/patients")  # warm up (session touch, caches)
    with count_queries() as few:
        assert client.get("/staff/patients").status_code == 200
    add(23)
    with count_queries() as many:
        assert client.get("/staff/patients").get_data(as_text=True).count('<th scope="row">') == 25
    assert many.count == few.count
    assert few.count <= 8, few.statements


def test_several_practices_pick_one_default_first_by_name(client):
    alpha, zulu = make_practice(name="Alpha Health"), make_practice(name="Zulu Care")
    staff = enrolled_staff(practice=zulu)
    staff.memberships[0].practice_id = zulu.id
    from hearth.models import Membership

    staff.memberships.append(Membership(practice_id=alpha.id, role=StaffRole.PROVIDER))
    make_patient(practice=alpha, family_name="Alphapatient", user=None)
    make_patient(practice=zulu, family_name="Zulupatient", user=None)
    sign_in(client, staff)
    body = client.get("/staff/patients").get_data(as_text=True)
    assert "Patients of Alpha Health" in body and "Alphapatient" in body and "Zulupatient" not in body
    assert 'name="practice"' in body and "Zulu Care" in body
    body = client.get(f"/staff/patients?practice={zulu.id}").get_data(as_text=True)
    assert "Zulupatient" in body and "Alphapatient" not in body


def test_refused_to_patients_and_other_practices(client):
    practice, other = make_practice(), make_practice()
    patient = make_patient(practice=practice)
    sign_in(client, patient.user)
    assert client.get("/staff/patients").status_code == 403
    assert client.get(f"/staff/patients/{patient.id}").status_code == 404
    client.post("/logout")
    outsider = enrolled_staff(practice=other)
    sign_in(client, outsider)
    assert client.get(f"/staff/patients?practice={practice.id}").status_code == 403
    assert client.get(f"/staff/patients/{patient.id}").status_code == 404
    assert audit_count(actor_user_id=outsider.id) == 0


def test_patient_page_shows_provider_care_team_and_caregivers(client):
    from hearth import db

    practice = make_practice()
    staff = enrolled_staff(practice=practice, name="Nurse Nora")
    provider = make_provider(practice=practice, given_name="Grace", family_name="Hopper", credentials="MD")
    team = CareTeam(practice_id=practice.id, name="Blue team")
    db.session.add(team)
    db.session.flush()
    db.session.add(CareTeamMember(care_team_id=team.id, user_id=staff.id, role_label="Care coordinator"))
    child = make_patient(practice=practice, given_name="Tim", family_name="Kid", user=None,
                         date_of_birth=date.today() - timedelta(days=365 * 8), primary_provider_id=provider.id,
                         care_team_id=team.id, phone="+15550100000")
    make_grant(patient=child, caregiver=make_user(name="Mum Kid"), kind=GrantKind.GUARDIAN,
               scopes=("appointments", "billing"), relationship_label="Mother")
    make_grant(patient=child, caregiver=make_user(name="Gone Grandpa"), ends_in=timedelta(days=-1))
    sign_in(client, staff)
    body = client.get(f"/staff/patients/{child.id}").get_data(as_text=True)
    assert "Tim Kid" in body and child.mrn in body and "(555) 010-0000" in body
    assert "Grace Hopper, MD" in body
    assert "Blue team" in body and "Nurse Nora — Care coordinator" in body
    assert "Mum Kid (Mother)" in body and "Parent or guardian" in body and "Appointments, Billing" in body
    assert "Gone Grandpa" not in body  # expired
    assert f"/staff/patients/{child.id}/access-log" in body
    assert db.session.get(Patient, child.id) is not None


def test_staff_edit_contact_details(client):
    practice = make_practice()
    staff = enrolled_staff(practice=practice)
    patient = make_patient(practice=practice, user=None)
    patient.email = "old@example.test"
    sign_in(client, staff)
    form = client.get(f"/staff/patients/{patient.id}/contact")
    assert form.status_code == 200 and b"old@example.test" in form.data
    bad = client.post(f"/staff/patients/{patient.id}/contact",
                      data={"phone": "+1 555 123 4567", "email": "nope", "preferred_language": "es",
                            "channel_1": "email"})
    assert bad.status_code == 422
    assert b"+1 555 123 4567" in bad.data  # values kept
    ok = client.post(f"/staff/patients/{patient.id}/contact",
                     data={"phone": "+1 555 123 4567", "email": "new@example.test", "preferred_language": "es",
                           "address": "1 Main St", "channel_1": "sms", "channel_2": "email"})
    assert ok.status_code == 302
    assert patient.phone == "+15551234567" and patient.preferred_channels == "sms,email"
    assert patient.preferred_language == "es"
    assert audit_count(actor_user_id=staff.id, action="update", resource_type="profile") == 1


def test_staff_sees_the_patient_trail(client):
    practice = make_practice()
    staff = enrolled_staff(practice=practice, name="Dr Who", role=StaffRole.PROVIDER)
    patient = make_patient(practice=practice, given_name="Ana", family_name="Lopez")
    sign_in(client, staff)
    client.get(f"/staff/patients/{patient.id}")
    body = client.get(f"/staff/patients/{patient.id}/access-log").get_data(as_text=True)
    assert "Who accessed the record of Ana Lopez" in body
    assert "Dr Who (Provider)" in body and "Opened the patient record" in body
    assert audit_count(actor_user_id=staff.id, action="view", resource_type="access_log") == 1
