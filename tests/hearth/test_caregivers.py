"""hearth.services.caregivers: the patient's side (invite, edit, revoke, activity) and acceptance."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from hearth import db, policy
from hearth.clock import utcnow
from hearth.errors import Conflict, Forbidden, Invalid, NotFound
from hearth.models import AuditEvent, GrantKind, GrantStatus, NotificationStatus, StaffRole
from hearth.security.tokens import token_hash
from hearth.services import caregivers, sessions
from tests.factories import PASSWORD, make_grant, make_patient, make_staff, make_user
from tests.hearth.test_caregivers_support import SETTINGS, invitation_emails, token_of

WEB = sessions.SessionPolicy(idle=timedelta(minutes=15), absolute=timedelta(hours=12))


def _invite(patient, email="helper@example.com", scopes=("appointments", "messages"), **data):
    return caregivers.invite(patient.user, patient.id, {"email": email, "scopes": list(scopes), **data}, SETTINGS)


def _events(patient_id, action=None):
    stmt = select(AuditEvent).where(AuditEvent.patient_id == patient_id).order_by(AuditEvent.id)
    return [e for e in db.session.scalars(stmt) if action is None or e.action == action]


# -- inviting --------------------------------------------------------------------------------


def test_invite_creates_a_pending_grant_with_only_a_token_hash_and_queues_a_plain_email():
    patient = make_patient(given_name="Ana", family_name="Lopez")
    before = utcnow()
    invited = _invite(patient, email=" Helper@Example.com ", relationship_label="Daughter")
    grant = invited.grant
    assert (grant.status, grant.kind, grant.caregiver_user_id) == (GrantStatus.PENDING, GrantKind.PROXY, None)
    assert grant.invited_email == "helper@example.com" and grant.relationship_label == "Daughter"
    assert grant.scope_list == ["appointments", "messages"] and invited.state == "pending"
    assert before + timedelta(days=7) <= grant.invite_expires_at <= utcnow() + timedelta(days=7)
    [email] = invitation_emails(grant.id)
    token = token_of(grant.id)
    assert grant.invite_token_hash == token_hash(token) and token not in grant.invite_token_hash
    assert email.to_address == "helper@example.com" and email.kind == "account"
    assert email.params == {"inviter": "Ana Lopez", "days": 7,
                            "url": f"https://hearth.example.test/caregivers/accept/{token}"}
    [event] = _events(patient.id, "invite")
    assert (event.actor_relation, event.resource_type, event.resource_id) == ("self", "caregiver_grant",
                                                                              str(grant.id))


def test_a_caregiver_cannot_invite_further_caregivers():
    patient = make_patient()
    grant = make_grant(patient=patient)
    db.session.commit()  # a refused use case rolls back to here
    with pytest.raises(Forbidden):
        caregivers.invite(grant.caregiver, patient.id, {"email": "x@example.com", "scopes": ["billing"]}, SETTINGS)


def test_strangers_and_staff_cannot_invite_for_a_patient():
    patient = make_patient()
    stranger, staff = make_user(), make_staff(practice=patient.practice)
    db.session.commit()
    with pytest.raises(NotFound):
        caregivers.invite(stranger, patient.id, {"email": "x@example.com", "scopes": ["billing"]}, SETTINGS)
    with pytest.raises(Forbidden):
        caregivers.invite(staff, patient.id, {"email": "x@example.com", "scopes": ["billing"]}, SETTINGS)


def test_invite_refuses_bad_data_and_duplicates():
    patient = make_patient()
    db.session.commit()
    with pytest.raises(Invalid) as bad_scope:
        _invite(patient, scopes=["everything"])
    assert "scopes" in bad_scope.value.fields
    with pytest.raises(Invalid) as past:
        _invite(patient, ends_at=utcnow() - timedelta(hours=1))
    assert "ends_at" in past.value.fields
    with pytest.raises(Invalid) as own:
        _invite(patient, email=patient.user.email.upper())
    assert "email" in own.value.fields
    _invite(patient, email="twice@example.com")
    with pytest.raises(Conflict):
        _invite(patient, email="TWICE@example.com")


def test_resend_issues_a_new_link_and_the_old_one_stops_working():
    patient = make_patient()
    grant = _invite(patient).grant
    old = token_of(grant.id)
    caregivers.resend(patient.user, patient.id, grant.id, SETTINGS)
    new = token_of(grant.id)
    assert new != old
    assert [n.status for n in invitation_emails(grant.id)] == [NotificationStatus.CANCELLED,
                                                               NotificationStatus.PENDING]
    assert caregivers.invitation(old).state == "invalid"
    assert caregivers.invitation(new).state == "pending"


def test_cancelling_an_invitation():
    patient = make_patient()
    grant = _invite(patient).grant
    token = token_of(grant.id)
    cancelled = caregivers.revoke(patient.user, patient.id, grant.id)
    assert cancelled.state == "cancelled" and grant.revoked_by_user_id == patient.user.id
    assert invitation_emails(grant.id)[0].status == NotificationStatus.CANCELLED
    assert caregivers.invitation(token).state == "cancelled"
    with pytest.raises(Conflict, match="cancelled"):
        caregivers.accept(make_user(), token)


# -- accepting -------------------------------------------------------------------------------


def test_accept_binds_the_grant_to_the_signed_in_account_whatever_its_email():
    patient = make_patient()
    grant = _invite(patient, email="invited@example.com", scopes=["results"]).grant
    someone = make_user(email="other-address@example.com")
    row = sessions.start_web_session(someone, WEB)[1]
    accepted = caregivers.accept(someone, token_of(grant.id), row)
    assert accepted.state == "active" and grant.caregiver_user_id == someone.id and grant.accepted_at
    assert row.acting_for_patient_id == patient.id
    assert policy.access(someone, patient, "results").relation == "caregiver"
    assert policy.access(someone, patient, "billing") is None
    [event] = _events(patient.id, "accept")
    assert event.actor_relation == "caregiver" and event.actor_user_id == someone.id


def test_used_expired_unknown_and_own_invitations_are_refused_clearly():
    patient = make_patient()
    first, second = make_user(), make_user()
    grant = _invite(patient).grant
    late = _invite(patient, email="late@example.com").grant
    late.invite_expires_at = utcnow() - timedelta(seconds=1)
    token, late_token = token_of(grant.id), token_of(late.id)
    db.session.commit()
    with pytest.raises(Invalid, match="your own record"):
        caregivers.accept(patient.user, token)
    caregivers.accept(first, token)
    assert caregivers.invitation(token).state == "accepted"
    with pytest.raises(Conflict, match="already used"):
        caregivers.accept(second, token)
    with pytest.raises(NotFound):
        caregivers.accept(second, "no-such-token")
    assert caregivers.invitation(late_token).state == "expired"
    with pytest.raises(Conflict, match="expired"):
        caregivers.accept(second, late_token)


def test_someone_already_caring_cannot_accept_a_second_grant_for_the_same_patient():
    patient = make_patient()
    existing = make_grant(patient=patient)
    grant = _invite(patient, email="again@example.com").grant
    with pytest.raises(Conflict, match="already act"):
        caregivers.accept(existing.caregiver, token_of(grant.id))


def test_decline_needs_only_the_link():
    patient = make_patient()
    grant = _invite(patient).grant
    token = token_of(grant.id)
    assert caregivers.decline(None, token).state == "declined"
    assert caregivers.invitation(token).state == "declined"
    someone = make_user()
    db.session.commit()
    with pytest.raises(Conflict, match="declined"):
        caregivers.accept(someone, token)
    assert _events(patient.id, "decline")[0].actor_relation == "invitee"


def test_register_and_accept_creates_the_account_at_the_invited_address_and_signs_in():
    patient = make_patient()
    grant = _invite(patient, email="new.person@example.com").grant
    done = caregivers.register_and_accept(token_of(grant.id), display_name="Nora Newman",
                                          password="plum kettle orbit 42", locale="es", session_policy=WEB)
    assert done.user.email == "new.person@example.com" and done.user.locale == "es"
    assert grant.caregiver_user_id == done.user.id and grant.status == GrantStatus.ACTIVE
    assert sessions.resolve_web_session(done.sid, WEB).id == done.session_row.id
    assert done.session_row.acting_for_patient_id == patient.id


def test_register_refuses_weak_passwords_and_existing_accounts():
    patient = make_patient()
    grant = _invite(patient, email="weak@example.com").grant
    token = token_of(grant.id)
    with pytest.raises(Invalid) as weak:
        caregivers.register_and_accept(token, display_name="W", password="short", locale="en", session_policy=WEB)
    assert "password" in weak.value.fields
    assert grant.status == GrantStatus.PENDING
    make_user(email="weak@example.com", password=PASSWORD)
    db.session.commit()
    with pytest.raises(Conflict, match="Sign in"):
        caregivers.register_and_accept(token, display_name="W", password="plum kettle orbit 42", locale="en",
                                       session_policy=WEB)


# -- editing, revoking, activity -------------------------------------------------------------


def test_editing_scopes_and_end_takes_effect_at_once():
    patient = make_patient()
    grant = make_grant(patient=patient, scopes=("appointments",))
    caregiver = grant.caregiver
    assert policy.access(caregiver, patient, "results") is None
    ends = utcnow() + timedelta(days=30)
    edited = caregivers.update(patient.user, patient.id, grant.id, {"scopes": ["results"], "ends_at": ends})
    assert edited.grant.scope_list == ["results"] and edited.ends_at == ends
    assert policy.access(caregiver, patient, "results") is not None
    assert policy.access(caregiver, patient, "appointments") is None
    caregivers.update(patient.user, patient.id, grant.id, {"ends_at": None})
    assert grant.ends_at is None
    assert _events(patient.id, "update")[0].resource_id == str(grant.id)


def test_revoke_now_stops_the_caregiver_on_the_next_check():
    patient = make_patient()
    grant = make_grant(patient=patient)
    revoked = caregivers.revoke(patient.user, patient.id, grant.id)
    assert revoked.state == "revoked" and grant.revoked_at is not None
    assert policy.access(grant.caregiver, patient, None) is None
    with pytest.raises(Conflict):
        caregivers.update(patient.user, patient.id, grant.id, {"scopes": ["billing"]})


def test_a_caregiver_cannot_manage_the_grants_of_the_person_she_acts_for():
    patient = make_patient()
    grant = make_grant(patient=patient)
    other = make_grant(patient=patient)
    db.session.commit()
    for call in (lambda: caregivers.list_grants(grant.caregiver, patient.id),
                 lambda: caregivers.update(grant.caregiver, patient.id, other.id, {"scopes": ["billing"]}),
                 lambda: caregivers.revoke(grant.caregiver, patient.id, other.id),
                 lambda: caregivers.activity(grant.caregiver, patient.id, other.id)):
        with pytest.raises(Forbidden):
            call()
    assert other.status == GrantStatus.ACTIVE


def test_grant_ids_of_another_patient_are_not_found():
    patient, other = make_patient(), make_patient()
    foreign = make_grant(patient=other)
    db.session.commit()
    with pytest.raises(NotFound):
        caregivers.revoke(patient.user, patient.id, foreign.id)


def test_list_shows_every_grant_for_the_patient_and_for_staff_of_her_practice():
    patient = make_patient()
    active = make_grant(patient=patient)
    revoked = make_grant(patient=patient, status=GrantStatus.REVOKED)
    pending = _invite(patient).grant
    listing = caregivers.list_grants(patient.user, patient.id)
    views = listing.grants
    assert listing.manager == "patient" and listing.can_invite
    assert {v.grant.id: v.state for v in views} == {active.id: "active", revoked.id: "cancelled",
                                                    pending.id: "pending"}
    staff = make_staff(practice=patient.practice, role=StaffRole.PROVIDER)
    assert len(caregivers.list_grants(staff, patient.id).grants) == 3


def test_activity_shows_what_this_caregiver_did_newest_first_in_pages():
    patient = make_patient()
    grant = make_grant(patient=patient, scopes=("appointments", "results"))
    other = make_grant(patient=patient)
    for n in range(5):
        policy.authorize(grant.caregiver, patient, "results", "view", "result", n)
    policy.authorize(other.caregiver, patient, "results", "view", "result", 99)
    policy.authorize(patient.user, patient, "results", "view", "result", 100)
    db.session.flush()
    view, page = caregivers.activity(patient.user, patient.id, grant.id, page=1, per_page=3)
    assert view.grant.id == grant.id and page.total == 5 and page.has_next and not page.has_prev
    assert [e.resource_id for e in page.items] == ["4", "3", "2"]
    _, second = caregivers.activity(patient.user, patient.id, grant.id, page=2, per_page=3)
    assert [e.resource_id for e in second.items] == ["1", "0"] and not second.has_next
    seen = _events(patient.id, "view")
    assert seen[-1].resource_type == "caregiver_activity" and seen[-1].actor_relation == "self"


def test_activity_of_a_pending_invitation_is_empty():
    patient = make_patient()
    grant = _invite(patient).grant
    assert caregivers.activity(patient.user, patient.id, grant.id)[1].total == 0


# -- the caregiver's side --------------------------------------------------------------------


def test_caring_for_lists_only_working_grants():
    caregiver = make_user()
    ann = make_patient(given_name="Ann")
    make_grant(patient=ann, caregiver=caregiver, scopes=("billing",))
    make_grant(patient=make_patient(given_name="Ben"), caregiver=caregiver, status=GrantStatus.REVOKED)
    views = caregivers.caring_for(caregiver)
    assert [(v.grant.patient.given_name, v.grant.scope_list) for v in views] == [("Ann", ["billing"])]


def test_my_access_is_not_found_once_revoked():
    patient = make_patient()
    grant = make_grant(patient=patient)
    assert caregivers.my_access(grant.caregiver, patient.id).grant.id == grant.id
    caregivers.revoke(patient.user, patient.id, grant.id)
    with pytest.raises(NotFound):
        caregivers.my_access(grant.caregiver, patient.id)
    with pytest.raises(NotFound):
        caregivers.my_access(patient.user, patient.id)
