"""hearth.policy: who may reach which patient's data, in which scope, and what gets logged."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hearth import db, policy
from hearth.clock import utcnow
from hearth.errors import Forbidden, NotFound
from hearth.models import AuditEvent, GrantKind, GrantStatus, StaffRole
from tests.factories import make_grant, make_patient, make_practice, make_staff, make_user

NY = ZoneInfo("America/New_York")


def _years_ago(years: int, days: int = 0) -> date:
    """A birth date making someone `years` old today (plus `days`), far from any birthday edge."""
    today = datetime.now(NY).date()
    born = today.replace(year=today.year - years) if (today.month, today.day) != (2, 29) else date(
        today.year - years, 2, 28)
    return born - timedelta(days=days)


def _events(patient_id):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.patient_id == patient_id)))


# -- the patient herself ---------------------------------------------------------------------


def test_patient_reaches_her_own_record_in_every_scope():
    patient = make_patient()
    for scope in (None, "results", "billing"):
        assert policy.access(patient.user, patient, scope, confidential=True).relation == "self"


def test_authorize_logs_the_access_with_relation_action_and_resource():
    patient = make_patient()
    granted = policy.authorize(patient.user, patient, "results", "view", "result", 42)
    assert granted.relation == "self" and granted.grant is None
    db.session.flush()
    [event] = _events(patient.id)
    assert (event.actor_user_id, event.actor_relation, event.action, event.resource_type, event.resource_id) == (
        patient.user.id, "self", "view", "result", "42")


def test_refusal_is_not_found_and_writes_nothing():
    patient = make_patient()
    stranger = make_user()
    with pytest.raises(NotFound):
        policy.authorize(stranger, patient, "results", "view", "results")
    db.session.flush()
    assert _events(patient.id) == []


def test_missing_patient_is_not_found():
    with pytest.raises(NotFound):
        policy.authorize(make_user(), None, None, "view", "patient")
    with pytest.raises(NotFound):
        policy.load_patient(987654321)


def test_anonymous_and_inactive_users_reach_nothing():
    patient = make_patient()
    assert policy.access(None, patient, None) is None
    patient.user.is_active = False
    assert policy.access(patient.user, patient, None) is None
    with pytest.raises(NotFound):
        policy.authorize(patient.user, patient, None, "view", "patient")


# -- adult proxies ---------------------------------------------------------------------------


def test_caregiver_within_scope_and_not_outside_it():
    patient = make_patient()
    grant = make_grant(patient=patient, scopes=("appointments", "messages"))
    caregiver = grant.caregiver
    found = policy.access(caregiver, patient, "appointments")
    assert found.relation == "caregiver" and found.grant.id == grant.id
    assert policy.access(caregiver, patient, "messages") is not None
    assert policy.access(caregiver, patient, "results") is None
    assert policy.access(caregiver, patient, "billing") is None
    # Demographics (scope None) come with any working grant.
    assert policy.access(caregiver, patient, None).relation == "caregiver"


def test_caregiver_authorization_is_logged_as_caregiver():
    patient = make_patient()
    grant = make_grant(patient=patient, scopes=("results",))
    policy.authorize(grant.caregiver, patient, "results", "view", "results")
    db.session.flush()
    assert [e.actor_relation for e in _events(patient.id)] == ["caregiver"]


def test_grant_for_one_patient_does_not_open_another():
    patient, other = make_patient(), make_patient()
    grant = make_grant(patient=patient)
    assert policy.access(grant.caregiver, other, None) is None


def test_before_start_and_after_end_refused():
    patient = make_patient()
    grant = make_grant(patient=patient, ends_in=timedelta(days=2))
    now = utcnow()
    assert policy.access(grant.caregiver, patient, "results", now=now) is not None
    assert policy.access(grant.caregiver, patient, "results", now=grant.starts_at - timedelta(seconds=1)) is None
    assert policy.access(grant.caregiver, patient, "results", now=grant.ends_at) is None
    assert policy.access(grant.caregiver, patient, "results", now=now + timedelta(days=3)) is None
    grant.starts_at = now + timedelta(hours=1)
    assert policy.access(grant.caregiver, patient, "results") is None


def test_expired_grant_refused_now():
    patient = make_patient()
    grant = make_grant(patient=patient)
    grant.ends_at = utcnow() - timedelta(minutes=1)
    assert policy.access(grant.caregiver, patient, None) is None
    assert policy.grant_is_active(grant) is False


@pytest.mark.parametrize("status", [GrantStatus.REVOKED, GrantStatus.PENDING, GrantStatus.DECLINED])
def test_grants_that_are_not_active_give_nothing(status):
    patient = make_patient()
    grant = make_grant(patient=patient, status=status)
    assert policy.access(grant.caregiver, patient, None) is None
    assert policy.access(grant.caregiver, patient, "appointments") is None


def test_pending_invitation_without_caregiver_is_inactive():
    patient = make_patient()
    grant = make_grant(patient=patient, status=GrantStatus.ACTIVE)
    grant.caregiver_user_id = None
    assert policy.grant_is_active(grant) is False


def test_revocation_takes_effect_immediately():
    patient = make_patient()
    grant = make_grant(patient=patient)
    assert policy.access(grant.caregiver, patient, "results") is not None
    grant.status = GrantStatus.REVOKED
    db.session.flush()
    assert policy.access(grant.caregiver, patient, "results") is None


def test_inactive_caregiver_refused():
    patient = make_patient()
    grant = make_grant(patient=patient)
    grant.caregiver.is_active = False
    assert policy.access(grant.caregiver, patient, None) is None


def test_proxy_of_an_adult_sees_confidential_items_in_scope():
    patient = make_patient()
    grant = make_grant(patient=patient, scopes=("results",))
    assert policy.access(grant.caregiver, patient, "results", confidential=True) is not None


# -- guardians of minors ---------------------------------------------------------------------


def _guardian(age: int, days: int = 30, **kw):
    practice = make_practice()
    child = make_patient(practice=practice, user=None, date_of_birth=_years_ago(age, days))
    return child, make_grant(patient=child, kind=GrantKind.GUARDIAN, **kw)


def test_guardian_of_a_young_child_has_full_access_including_confidential():
    child, grant = _guardian(8)
    assert not policy.in_teen_tier(child)
    for scope in ("appointments", "results", "medications"):
        assert policy.access(grant.caregiver, child, scope, confidential=True).relation == "caregiver"


def test_guardian_of_a_teen_sees_ordinary_items_but_not_confidential_without_consent():
    teen, grant = _guardian(15)
    assert policy.in_teen_tier(teen)
    assert policy.access(grant.caregiver, teen, "results") is not None
    assert policy.access(grant.caregiver, teen, "results", confidential=True) is None
    with pytest.raises(NotFound):
        policy.authorize(grant.caregiver, teen, "results", "view", "result", confidential=True)


def test_teen_consent_opens_confidential_items():
    teen, grant = _guardian(13, teen_consent_at=utcnow())
    assert policy.access(grant.caregiver, teen, "results", confidential=True) is not None


def test_teen_tier_starts_on_the_practice_threshold_birthday():
    practice = make_practice(minor_full_access_below=12)
    born = date(2010, 6, 15)
    child = make_patient(practice=practice, user=None, date_of_birth=born)
    eve = datetime(2022, 6, 14, 12, tzinfo=NY).astimezone(UTC)
    birthday = datetime(2022, 6, 15, 12, tzinfo=NY).astimezone(UTC)
    assert not policy.in_teen_tier(child, eve)
    assert policy.in_teen_tier(child, birthday)


def test_guardian_access_ends_on_the_adult_birthday():
    practice = make_practice(timezone="America/New_York")
    child = make_patient(practice=practice, user=None, date_of_birth=date(2008, 3, 10))
    grant = make_grant(patient=child, kind=GrantKind.GUARDIAN)
    grant.starts_at = datetime(2020, 1, 1, tzinfo=UTC)
    adult_at = datetime(2026, 3, 10, tzinfo=NY)
    assert policy.grant_end(grant) == adult_at
    before = adult_at - timedelta(seconds=1)
    assert policy.access(grant.caregiver, child, "results", now=before) is not None
    assert policy.access(grant.caregiver, child, "results", now=adult_at) is None


def test_guardian_refused_after_the_18th_birthday_even_with_teen_consent():
    adult, grant = _guardian(18, days=10, teen_consent_at=utcnow())
    assert policy.access(grant.caregiver, adult, None) is None
    assert policy.access(grant.caregiver, adult, "appointments") is None
    assert not policy.grant_is_active(grant)


def test_guardian_end_is_the_earlier_of_own_end_and_adult_birthday():
    child, grant = _guardian(17, days=300)  # turns 18 in about two months
    adult_end = policy.grant_end(grant)
    grant.ends_at = utcnow() + timedelta(days=10)
    assert policy.grant_end(grant) == grant.ends_at
    grant.ends_at = adult_end + timedelta(days=30)
    assert policy.grant_end(grant) == adult_end


def test_proxy_end_is_its_own_end():
    patient = make_patient()
    grant = make_grant(patient=patient)
    assert policy.grant_end(grant) is None
    grant.ends_at = utcnow() + timedelta(days=3)
    assert policy.grant_end(grant) == grant.ends_at


def test_leap_day_birthday_turns_adult_on_the_first_of_march():
    practice = make_practice()
    child = make_patient(practice=practice, user=None, date_of_birth=date(2008, 2, 29))
    grant = make_grant(patient=child, kind=GrantKind.GUARDIAN)
    assert policy.grant_end(grant) == datetime(2026, 3, 1, tzinfo=ZoneInfo(practice.timezone))


def test_active_grants_for_lists_working_grants_in_name_order():
    caregiver = make_user()
    zed = make_patient(given_name="Zed")
    amy = make_patient(given_name="Amy")
    ended = make_patient(given_name="Bob")
    make_grant(patient=zed, caregiver=caregiver)
    make_grant(patient=amy, caregiver=caregiver)
    make_grant(patient=ended, caregiver=caregiver).ends_at = utcnow() - timedelta(days=1)
    make_grant(patient=make_patient(given_name="Cal"), caregiver=caregiver, status=GrantStatus.REVOKED)
    db.session.flush()
    assert [g.patient.given_name for g in policy.active_grants_for(caregiver)] == ["Amy", "Zed"]


# -- staff -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [StaffRole.PROVIDER, StaffRole.STAFF, StaffRole.ADMIN])
def test_staff_of_the_patients_practice_reach_her_record(role):
    practice = make_practice()
    patient = make_patient(practice=practice)
    member = make_staff(practice=practice, role=role)
    assert policy.access(member, patient, "results", confidential=True).relation == "staff"


def test_staff_of_another_practice_reach_nothing():
    patient = make_patient(practice=make_practice())
    outsider = make_staff(practice=make_practice(), role=StaffRole.ADMIN)
    assert policy.access(outsider, patient, None) is None
    with pytest.raises(NotFound):
        policy.authorize(outsider, patient, None, "view", "patient")


def test_inactive_staff_refused():
    practice = make_practice()
    patient = make_patient(practice=practice)
    member = make_staff(practice=practice)
    member.is_active = False
    assert policy.access(member, patient, None) is None


def test_require_practice_role():
    practice, other = make_practice(), make_practice()
    admin = make_staff(practice=practice, role=StaffRole.ADMIN)
    assert policy.require_practice_role(admin, practice.id, {StaffRole.ADMIN}) == {StaffRole.ADMIN}
    with pytest.raises(Forbidden):
        policy.require_practice_role(admin, other.id, {StaffRole.ADMIN})
    with pytest.raises(Forbidden):
        policy.require_practice_role(make_staff(practice=practice), practice.id, {StaffRole.ADMIN})
    with pytest.raises(Forbidden):
        policy.require_practice_role(None, practice.id, policy.CLINICAL_ROLES)


def test_staff_practice_ids_lists_clinical_memberships():
    first, second = make_practice(), make_practice()
    user = make_user(roles={first: [StaffRole.PROVIDER, StaffRole.ADMIN], second: [StaffRole.STAFF]})
    assert policy.staff_practice_ids(user) == sorted([first.id, second.id])
    assert policy.staff_practice_ids(make_user()) == []
