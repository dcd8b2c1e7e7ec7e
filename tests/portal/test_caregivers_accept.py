"""Portal: accepting an invitation (signed in, after signing in, with a new account), declining,
and what a caregiver sees: people she cares for, switching, and losing access on the next request."""

from datetime import timedelta

from hearth import db, policy
from hearth.clock import utcnow
from hearth.models import GrantStatus, User
from hearth.services import auth, caregivers
from tests.conftest import login
from tests.factories import PASSWORD, make_grant, make_patient, make_user
from tests.hearth.test_caregivers_support import SETTINGS, token_of


def _invitation(patient, email="helper@example.com", scopes=("appointments", "results")):
    grant = caregivers.invite(patient.user, patient.id, {"email": email, "scopes": list(scopes)}, SETTINGS).grant
    return grant, token_of(grant.id)


def test_anonymous_visitor_sees_who_invited_and_the_ways_to_accept(client):
    patient = make_patient(given_name="Ana", family_name="Lopez")
    _grant, token = _invitation(patient)
    page = client.get(f"/caregivers/accept/{token}")
    assert page.status_code == 200
    assert b"Ana Lopez invited you to help manage their care on Hearth." in page.data
    assert b"Appointments" in page.data and b"Test results" in page.data and b"Billing" not in page.data
    assert f"/login?next=/caregivers/accept/{token}".encode() in page.data
    assert b"Create account and accept" in page.data and b"Decline the invitation" in page.data


def test_sign_in_to_accept_comes_back_to_the_invitation(client):
    patient = make_patient(given_name="Ana")
    grant, token = _invitation(patient, email="someone@example.com")
    helper = make_user(email="a-different-address@example.com", name="Helen Helper")
    response = client.post(f"/login?next=/caregivers/accept/{token}",
                           data={"email": helper.email, "password": PASSWORD})
    assert response.status_code == 302 and response.location.endswith(f"/caregivers/accept/{token}")
    page = client.get(f"/caregivers/accept/{token}")
    assert b"You are signed in as Helen Helper (a-different-address@example.com)." in page.data
    assert b"sent to another address" in page.data
    accepted = client.post(f"/caregivers/accept/{token}")
    assert accepted.status_code == 302 and accepted.location.endswith("/caregivers/")
    db.session.refresh(grant)
    assert grant.status == GrantStatus.ACTIVE and grant.caregiver_user_id == helper.id
    home = client.get("/")
    assert f"Acting for {patient.full_name}".encode() in home.data


def test_accepting_while_signed_out_asks_to_sign_in(client):
    patient = make_patient()
    _grant, token = _invitation(patient)
    response = client.post(f"/caregivers/accept/{token}")
    assert response.status_code == 302 and "/login" in response.location


def test_create_an_account_accepts_and_signs_in(client):
    patient = make_patient(given_name="Ana")
    grant, token = _invitation(patient, email="new.helper@example.com")
    response = client.post(f"/caregivers/accept/{token}/register",
                           data={"display_name": "Nina Helper", "password": "violet harbor lantern 7"})
    assert response.status_code == 302
    user = auth.find_user_by_email("new.helper@example.com")
    assert user is not None and user.display_name == "Nina Helper"
    db.session.refresh(grant)
    assert grant.caregiver_user_id == user.id and grant.status == GrantStatus.ACTIVE
    page = client.get("/caregivers/")
    assert page.status_code == 200 and b"People you care for" in page.data
    assert f"Acting for {patient.full_name}".encode() in page.data


def test_weak_password_keeps_the_form_and_creates_nothing(client):
    patient = make_patient()
    _grant, token = _invitation(patient, email="weak@example.com")
    response = client.post(f"/caregivers/accept/{token}/register",
                           data={"display_name": "Wes", "password": "password1234"})
    assert response.status_code == 422
    assert b"too common" in response.data and b'value="Wes"' in response.data
    assert auth.find_user_by_email("weak@example.com") is None


def test_existing_account_is_told_to_sign_in(client):
    patient = make_patient()
    _grant, token = _invitation(patient, email="taken@example.com")
    make_user(email="taken@example.com")
    db.session.commit()
    response = client.post(f"/caregivers/accept/{token}/register",
                           data={"display_name": "T", "password": "violet harbor lantern 7"})
    assert response.status_code == 409 and b"Sign in to accept." in response.data
    assert db.session.query(User).filter_by(email="taken@example.com").count() == 1


def test_closed_invitations_say_why(client):
    patient = make_patient()
    expired, expired_token = _invitation(patient, email="e@example.com")
    expired.invite_expires_at = utcnow() - timedelta(minutes=1)
    cancelled, cancelled_token = _invitation(patient, email="c@example.com")
    db.session.commit()
    caregivers.revoke(patient.user, patient.id, cancelled.id)
    assert b"This invitation has expired." in client.get(f"/caregivers/accept/{expired_token}").data
    assert b"This invitation was cancelled." in client.get(f"/caregivers/accept/{cancelled_token}").data
    unknown = client.get("/caregivers/accept/not-a-real-token")
    assert unknown.status_code == 404 and b"This invitation link is not valid." in unknown.data
    login(client, make_user())
    refused = client.post(f"/caregivers/accept/{expired_token}")
    assert refused.status_code == 409 and b"This invitation has expired." in refused.data


def test_used_and_revoked_invitations_say_so(client):
    patient = make_patient()
    grant, token = _invitation(patient)
    caregivers.accept(make_user(), token)
    assert b"This invitation was already used." in client.get(f"/caregivers/accept/{token}").data
    caregivers.revoke(patient.user, patient.id, grant.id)
    assert b"the access it gave has since been removed." in client.get(f"/caregivers/accept/{token}").data


def test_decline_without_an_account(client):
    patient = make_patient()
    grant, token = _invitation(patient)
    response = client.post(f"/caregivers/accept/{token}/decline")
    assert response.status_code == 302
    db.session.refresh(grant)
    assert grant.status == GrantStatus.DECLINED
    assert b"This invitation was declined." in client.get(f"/caregivers/accept/{token}").data


# -- the caregiver's side --------------------------------------------------------------------


def test_caregiver_with_two_people_switches_and_loses_a_revoked_one_on_the_next_request(client):
    caregiver = make_user(name="Carla")
    mom = make_patient(given_name="Martha", family_name="Diaz")
    dad = make_patient(given_name="Diego", family_name="Diaz")
    mom_grant = make_grant(patient=mom, caregiver=caregiver, scopes=("appointments",))
    make_grant(patient=dad, caregiver=caregiver, scopes=("billing",), ends_in=timedelta(days=30))
    db.session.commit()
    login(client, caregiver)
    page = client.get("/caregivers/")
    assert b"Diego Diaz" in page.data and b"Martha Diaz" in page.data
    assert b'id="switch-person"' in page.data  # the switcher shows with several people
    assert b"Acting for Diego Diaz" in page.data  # first in name order
    client.post("/acting-for", data={"patient_id": mom.id, "next": "/caregivers/"})
    assert b"Acting for Martha Diaz" in client.get("/").data
    caregivers.revoke(mom.user, mom.id, mom_grant.id)
    after = client.get("/")
    assert b"Acting for Martha Diaz" not in after.data and b"Acting for Diego Diaz" in after.data
    stale = client.post("/acting-for", data={"patient_id": mom.id})
    assert stale.status_code == 302
    assert b"You can no longer act for that person." in client.get("/").data


def test_an_expired_grant_stops_acting_on_the_next_request(client):
    caregiver = make_user()
    patient = make_patient(given_name="Eve")
    grant = make_grant(patient=patient, caregiver=caregiver, ends_in=timedelta(days=1))
    db.session.commit()
    login(client, caregiver)
    assert b"Acting for Eve" in client.get("/").data
    grant.ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    page = client.get("/caregivers/")
    assert b"Acting for Eve" not in page.data
    assert b"Nobody has given you access to their record yet." in page.data
    assert policy.access(caregiver, patient, None) is None


def test_a_caregiver_without_her_own_record_is_not_told_to_switch_to_it(client):
    caregiver = make_user()
    make_grant(patient=make_patient(given_name="Gus"), caregiver=caregiver)
    db.session.commit()
    login(client, caregiver)
    page = client.get("/caregivers/")
    assert b"Acting for Gus" in page.data and b"Switch to your own record" not in page.data
    assert b"Who can act for you" not in page.data
