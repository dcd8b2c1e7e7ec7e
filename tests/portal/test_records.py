from datetime import date, timedelta

from hearth import audit, db
from hearth.clock import utcnow
from hearth.models import AuditEvent, GrantKind, StaffRole
from tests.conftest import login
from tests.factories import make_grant, make_patient, make_practice, make_user
from tests.portal.test_staff import audit_count, enrolled_staff
from tests.querycount import count_queries


def _event(patient, actor, relation, action="view", resource_type="patient", minutes_ago=10, ip="203.0.113.7"):
    event = AuditEvent(actor_user_id=actor.id if actor else None, actor_relation=relation, patient_id=patient.id,
                       action=action, resource_type=resource_type, ip=ip, at=utcnow() - timedelta(minutes=minutes_ago))
    db.session.add(event)
    db.session.flush()
    return event


def test_patient_sees_who_accessed_her_record(client):
    practice = make_practice()
    patient = make_patient(practice=practice, given_name="Ana")
    doctor = enrolled_staff(practice=practice, name="Dr Grey", role=StaffRole.PROVIDER)
    mum = make_user(name="Maria")
    make_grant(patient=patient, caregiver=mum)
    _event(patient, doctor, "staff", minutes_ago=30)
    _event(patient, mum, "caregiver", "view", "appointments", minutes_ago=20)
    _event(patient, patient.user, "self", "update", "profile", minutes_ago=10, ip="2001:db8:abcd:12::1")
    login(client, patient.user)
    response = client.get("/records/access-log")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Who accessed your record" in body
    assert "Dr Grey (Provider)" in body and "Opened the patient record" in body
    assert "Maria (caregiver)" in body and "Viewed appointments" in body
    assert "Changed contact details" in body
    assert "203.0.113.*" in body and "203.0.113.7" not in body
    assert "2001:db8:abcd:…" in body
    # Newest first: her own reading of the log, then her change, the caregiver, the doctor.
    assert body.index("Viewed who accessed the record") < body.index("Changed contact details") \
        < body.index("Maria (caregiver)") < body.index("Dr Grey (Provider)")
    assert ">You<" in body
    assert audit_count(actor_user_id=patient.user.id, action="view", resource_type="access_log") == 1


def test_caregiver_may_not_read_the_patient_log(client):
    patient = make_patient()
    carer = make_user()
    make_grant(patient=patient, caregiver=carer)
    login(client, carer)
    response = client.get("/records/access-log")
    assert response.status_code == 404
    assert b"Only the patient can see who accessed their record." in response.data
    assert audit_count(actor_user_id=carer.id, resource_type="access_log") == 0


def test_someone_without_a_record_gets_404(client):
    user = make_user()
    login(client, user)
    assert client.get("/records/access-log").status_code == 404
    assert client.get("/records/profile").status_code == 404


def test_log_is_paginated_with_bounded_queries(client):
    practice = make_practice()
    patient = make_patient(practice=practice)
    staff = [enrolled_staff(practice=practice) for _ in range(3)]
    for i in range(3):
        _event(patient, staff[i], "staff", minutes_ago=1000 + i)
    login(client, patient.user)
    client.get("/records/access-log")
    with count_queries() as few:
        client.get("/records/access-log")
    for i in range(40):
        _event(patient, staff[i % 3] if i % 2 else make_user(), "staff" if i % 2 else "caregiver", minutes_ago=500 + i)
    with count_queries() as many:
        body = client.get("/records/access-log").get_data(as_text=True)
    assert many.count == few.count, many.statements
    assert body.count('<th scope="row">') == 25
    assert "Page 1 of 2" in body
    second = client.get("/records/access-log?page=2").get_data(as_text=True)
    # 3 + 40 seeded + 4 reads of the log itself = 47 rows: 22 on page 2.
    assert second.count('<th scope="row">') == 22


def test_profile_view_and_edit_by_the_patient(client):
    patient = make_patient(given_name="Ana", family_name="Lopez")
    login(client, patient.user)
    page = client.get("/records/profile")
    assert page.status_code == 200 and b"Your profile" in page.data and b"Change contact details" in page.data
    assert audit_count(patient_id=patient.id, action="view", resource_type="profile") == 1
    form = client.get("/records/profile/edit")
    assert form.status_code == 200 and b'name="channel_1"' in form.data
    bad = client.post("/records/profile/edit", data={"phone": "", "email": patient.email, "address": "",
                                                     "preferred_language": "en", "channel_1": "sms"})
    assert bad.status_code == 422 and b"Add a mobile number to get text messages." in bad.data
    twice = client.post("/records/profile/edit", data={"email": patient.email, "preferred_language": "en",
                                                       "channel_1": "email", "channel_2": "email"})
    assert twice.status_code == 422 and b"Choose each channel only once." in twice.data
    none = client.post("/records/profile/edit", data={"email": patient.email, "preferred_language": "en"})
    assert none.status_code == 422 and b"Choose at least one way to reach you." in none.data
    ok = client.post("/records/profile/edit", data={"phone": "(555) 010-2000", "email": "ana@example.test",
                                                    "address": " 2 Elm St ", "preferred_language": "es",
                                                    "channel_1": "push", "channel_2": "sms"})
    assert ok.status_code == 302
    assert (patient.phone, patient.email, patient.address) == ("+15550102000", "ana@example.test", "2 Elm St")
    assert patient.channels == ["push", "sms"] and patient.preferred_language == "es"
    assert audit_count(patient_id=patient.id, action="update", resource_type="profile") == 1


def test_caregiver_reads_the_profile_but_cannot_edit(client):
    patient = make_patient(given_name="Kid")
    carer = make_user()
    make_grant(patient=patient, caregiver=carer, scopes=("appointments",))
    login(client, carer)
    page = client.get("/records/profile")
    assert page.status_code == 200 and b"Profile of Kid" in page.data
    assert b"/records/profile/edit" not in page.data
    assert client.get("/records/profile/edit").status_code == 403
    before = patient.phone
    response = client.post("/records/profile/edit", data={"phone": "555 010 9999", "preferred_language": "en",
                                                          "channel_1": "email", "email": "x@example.test"})
    assert response.status_code == 403
    db.session.refresh(patient)
    assert patient.phone == before
    assert audit_count(actor_user_id=carer.id, action="update") == 0


def test_profile_form_needs_csrf(client, app):
    patient = make_patient()
    login(client, patient.user)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/records/profile/edit", data={"preferred_language": "en", "channel_1": "email"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400


def test_trail_query_is_the_source(client):
    patient = make_patient()
    _event(patient, None, "system", "send", "message")
    rows = db.session.scalars(audit.trail_query(patient.id)).all()
    login(client, patient.user)
    body = client.get("/records/access-log").get_data(as_text=True)
    assert len(rows) == 1 and "Hearth (automatic)" in body and "Sent a message" in body


def _years_ago(years: int, days: int = 30) -> date:
    today = utcnow().date()
    return today.replace(year=today.year - years) - timedelta(days=days)


def test_a_parent_with_full_access_edits_a_young_childs_contact_details(client):
    child = make_patient(given_name="Tiny", user=None, date_of_birth=_years_ago(6))
    parent = make_user()
    make_grant(patient=child, caregiver=parent, kind=GrantKind.GUARDIAN)
    login(client, parent)
    page = client.get("/records/profile")
    assert page.status_code == 200 and b"/records/profile/edit" in page.data
    assert client.get("/records/profile/edit").status_code == 200
    response = client.post("/records/profile/edit", data={"phone": "(555) 010-3000", "preferred_language": "en",
                                                          "channel_1": "sms"})
    assert response.status_code == 302
    db.session.refresh(child)
    assert child.phone == "+15550103000" and child.channels == ["sms"]  # stored in E.164
    assert audit_count(actor_user_id=parent.id, action="update", resource_type="profile") == 1


def test_a_teens_guardian_and_an_adults_proxy_may_not_edit(client):
    teen = make_patient(given_name="Teen", user=None, date_of_birth=_years_ago(14))
    adult = make_patient(given_name="Adult")
    carer = make_user()
    make_grant(patient=teen, caregiver=carer, kind=GrantKind.GUARDIAN)
    login(client, carer)
    assert client.get("/records/profile/edit").status_code == 403
    other = make_user()
    make_grant(patient=adult, caregiver=other, kind=GrantKind.PROXY)
    login(client, other)
    assert client.get("/records/profile/edit").status_code == 403
