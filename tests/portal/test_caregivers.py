"""Portal: the patient invites, edits and revokes caregivers and reads what they did."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from hearth import db, policy
from hearth.clock import utcnow
from hearth.models import CaregiverGrant, GrantStatus
from tests.conftest import login
from tests.factories import make_grant, make_patient, make_user
from tests.hearth.test_caregivers_support import invitation_emails, token_of
from tests.querycount import count_queries


def _grants(patient):
    return list(db.session.scalars(select(CaregiverGrant).where(CaregiverGrant.patient_id == patient.id)))


def test_patient_invites_a_caregiver_from_the_form(client):
    patient = make_patient(given_name="Ana", family_name="Lopez")
    login(client, patient.user)
    form = client.get(f"/caregivers/patients/{patient.id}/invite")
    assert form.status_code == 200 and b'type="checkbox"' in form.data and b"f-ends_at" in form.data
    response = client.post(f"/caregivers/patients/{patient.id}/invite", data={
        "email": "Helper@Example.com", "relationship_label": "Son", "scopes": ["appointments", "billing"],
        "ends_at": ""})
    assert response.status_code == 302 and response.location.endswith("/caregivers/")
    [grant] = _grants(patient)
    assert grant.status == GrantStatus.PENDING and grant.scope_list == ["appointments", "billing"]
    assert grant.ends_at is None and grant.relationship_label == "Son"
    [email] = invitation_emails(grant.id)
    assert email.params["inviter"] == "Ana Lopez" and "/caregivers/accept/" in email.params["url"]
    page = client.get("/caregivers/")
    assert b"Invitation sent to helper@example.com." in page.data
    assert b"Who can act for you" in page.data and b"helper@example.com" in page.data
    assert b"Cancel invitation" in page.data and b"Send the invitation again" in page.data


def test_invalid_invitation_form_is_shown_again_with_errors_and_values(client):
    patient = make_patient()
    login(client, patient.user)
    response = client.post(f"/caregivers/patients/{patient.id}/invite", data={
        "email": "not-an-email", "relationship_label": "Friend", "ends_at": "2001-01-01T10:00"})
    assert response.status_code == 422
    assert b'value="not-an-email"' in response.data and b'value="Friend"' in response.data
    assert b"Enter an email address like name@example.com." in response.data
    assert b"Choose at least one area." in response.data
    assert _grants(patient) == []
    past = client.post(f"/caregivers/patients/{patient.id}/invite", data={
        "email": "ok@example.com", "scopes": ["billing"], "ends_at": "2001-01-01T10:00"})
    assert past.status_code == 422 and b"Choose a time in the future." in past.data
    assert b'value="billing" checked' in past.data


def test_end_date_is_entered_and_shown_in_the_viewers_zone(client):
    patient = make_patient()
    patient.user.timezone = "America/Los_Angeles"
    login(client, patient.user)
    client.post(f"/caregivers/patients/{patient.id}/invite", data={
        "email": "later@example.com", "scopes": ["results"], "ends_at": "2031-01-15T09:00"})
    [grant] = _grants(patient)
    assert grant.ends_at == datetime(2031, 1, 15, 17, 0, tzinfo=UTC)
    edit = client.get(f"/caregivers/patients/{patient.id}/grants/{grant.id}/edit")
    assert b'value="2031-01-15T09:00"' in edit.data and b"America/Los_Angeles" in edit.data


def test_edit_scopes_and_end_takes_effect_on_the_next_request(client):
    patient = make_patient()
    grant = make_grant(patient=patient, scopes=("appointments",))
    login(client, patient.user)
    response = client.post(f"/caregivers/patients/{patient.id}/grants/{grant.id}/edit", data={
        "scopes": ["results", "messages"], "relationship_label": "Sister", "ends_at": "2032-03-01T12:00"})
    assert response.status_code == 302
    db.session.refresh(grant)
    assert grant.scope_list == ["messages", "results"] and grant.relationship_label == "Sister"
    assert grant.ends_at is not None and policy.access(grant.caregiver, patient, "results") is not None
    assert policy.access(grant.caregiver, patient, "appointments") is None
    bad = client.post(f"/caregivers/patients/{patient.id}/grants/{grant.id}/edit", data={"ends_at": "soon"})
    assert bad.status_code == 422 and b"Enter a date and time." in bad.data


def test_revoke_now_from_the_list(client):
    patient = make_patient()
    grant = make_grant(patient=patient)
    login(client, patient.user)
    page = client.get("/caregivers/")
    assert b"Revoke now" in page.data
    response = client.post(f"/caregivers/patients/{patient.id}/grants/{grant.id}/revoke")
    assert response.status_code == 302
    db.session.refresh(grant)
    assert grant.status == GrantStatus.REVOKED
    assert b"Access removed" in client.get("/caregivers/").data


def test_resend_and_cancel_a_pending_invitation(client):
    patient = make_patient()
    login(client, patient.user)
    client.post(f"/caregivers/patients/{patient.id}/invite", data={"email": "p@example.com", "scopes": ["billing"]})
    [grant] = _grants(patient)
    first = token_of(grant.id)
    assert client.post(f"/caregivers/patients/{patient.id}/grants/{grant.id}/resend").status_code == 302
    assert token_of(grant.id) != first
    client.post(f"/caregivers/patients/{patient.id}/grants/{grant.id}/revoke")
    db.session.refresh(grant)
    assert grant.status == GrantStatus.REVOKED and grant.accepted_at is None
    assert b"Invitation cancelled" in client.get("/caregivers/").data


def test_a_caregiver_acting_for_the_patient_cannot_manage_her_grants(client):
    patient = make_patient(given_name="Mia")
    grant = make_grant(patient=patient)
    other = make_grant(patient=patient)
    login(client, grant.caregiver)
    base = f"/caregivers/patients/{patient.id}"
    assert client.get(f"{base}/invite").status_code == 403
    assert client.post(f"{base}/invite", data={"email": "x@example.com", "scopes": ["billing"]}).status_code == 403
    assert client.post(f"{base}/grants/{other.id}/revoke").status_code == 403
    assert client.get(f"{base}/grants/{other.id}/edit").status_code == 403
    assert client.get(f"{base}/grants/{other.id}/activity").status_code == 403
    db.session.refresh(other)
    assert other.status == GrantStatus.ACTIVE
    make_patient(user=grant.caregiver, given_name="Cara")  # she is a patient herself, too
    db.session.commit()
    client.post("/acting-for", data={"patient_id": patient.id})
    page = client.get("/caregivers/")
    assert b"Switch to your own record to manage who can act for you." in page.data
    assert b"Invite a caregiver" not in page.data


def test_strangers_get_not_found(client):
    patient = make_patient()
    login(client, make_user())
    assert client.get(f"/caregivers/patients/{patient.id}/invite").status_code == 404


def test_activity_lists_what_the_caregiver_did_with_paging(client):
    patient = make_patient()
    grant = make_grant(patient=patient, scopes=("results",))
    for n in range(30):
        policy.authorize(grant.caregiver, patient, "results", "view", "results", n)
    db.session.commit()
    login(client, patient.user)
    url = f"/caregivers/patients/{patient.id}/grants/{grant.id}/activity"
    first = client.get(url)
    assert first.status_code == 200 and b"30 actions recorded" in first.data
    assert b"Viewed test results" in first.data and b'rel="next"' in first.data
    second = client.get(url + "?page=2")
    assert b'rel="prev"' in second.data and b'rel="next"' not in second.data
    assert client.get(url + "?page=abc").status_code == 200


def test_list_and_activity_pages_run_a_bounded_number_of_queries(client):
    patient = make_patient()
    busy = make_grant(patient=patient)
    login(client, patient.user)

    def queries(url):
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        return counted.count

    activity = f"/caregivers/patients/{patient.id}/grants/{busy.id}/activity"
    few_list, few_activity = queries("/caregivers/"), queries(activity)
    for n in range(12):
        make_grant(patient=patient)
        make_grant(patient=make_patient(), caregiver=patient.user)  # people she cares for, too
        policy.authorize(busy.caregiver, patient, None, "view", "home", n)
    db.session.commit()
    assert queries("/caregivers/") == few_list
    assert queries(activity) == few_activity


def test_csrf_protects_the_forms(app, client):
    patient = make_patient()
    grant = make_grant(patient=patient)
    login(client, patient.user)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/caregivers/patients/{patient.id}/grants/{grant.id}/revoke")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    db.session.refresh(grant)
    assert grant.status == GrantStatus.ACTIVE


def test_an_ended_grant_shows_as_ended_with_its_date(client):
    patient = make_patient()
    grant = make_grant(patient=patient)
    grant.ends_at = utcnow() - timedelta(days=1)
    db.session.commit()
    login(client, patient.user)
    page = client.get("/caregivers/")
    assert b"Ended" in page.data and b"Revoke now" not in page.data
