"""hearth.services.caregivers, the practice's side: guardians of minors and the teen tier."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hearth import db, policy
from hearth.errors import Conflict, Forbidden, Invalid, NotFound
from hearth.models import AuditEvent, GrantKind, GrantStatus, StaffRole
from hearth.services import caregivers
from tests.factories import make_grant, make_patient, make_practice, make_staff, make_user
from tests.hearth.test_caregivers_support import SETTINGS, token_of


def _born(age: int, days: int = 40) -> date:
    today = datetime.now(ZoneInfo("America/New_York")).date()
    return date(today.year - age, 6, 1) if (today.month, today.day) == (2, 29) else (
        today.replace(year=today.year - age) - timedelta(days=days))


@pytest.fixture
def clinic():
    practice = make_practice()
    staff = make_staff(practice=practice, role=StaffRole.STAFF)
    teen = make_patient(practice=practice, user=None, given_name="Tess", date_of_birth=_born(15))
    child = make_patient(practice=practice, user=None, given_name="Kit", date_of_birth=_born(6))
    adult = make_patient(practice=practice, given_name="Ada", date_of_birth=_born(30))
    db.session.commit()
    return practice, staff, teen, child, adult


def _invite_guardian(staff, practice, patient, email="parent@example.com", scopes=("appointments", "results")):
    data = {"email": email, "scopes": list(scopes), "relationship_label": "Mother"}
    return caregivers.invite(staff, patient.id, data, SETTINGS, practice_id=practice.id)


def test_staff_invite_a_guardian_who_accepts_and_whose_access_ends_at_18(clinic):
    practice, staff, teen, _child, _adult = clinic
    invited = _invite_guardian(staff, practice, teen)
    grant = invited.grant
    assert grant.kind == GrantKind.GUARDIAN and grant.created_by_user_id == staff.id and invited.teen_tier
    parent = make_user(email="parent@example.com")
    accepted = caregivers.accept(parent, token_of(grant.id))
    adult_day = teen.date_of_birth.replace(year=teen.date_of_birth.year + 18)
    assert accepted.ends_at == datetime.combine(adult_day, datetime.min.time(), tzinfo=ZoneInfo(practice.timezone))
    assert policy.access(parent, teen, "results") is not None
    assert policy.access(parent, teen, "results", now=accepted.ends_at) is None


def test_only_minors_can_get_a_guardian(clinic):
    practice, staff, _teen, _child, adult = clinic
    with pytest.raises(Invalid, match="under 18"):
        _invite_guardian(staff, practice, adult)


def test_staff_of_another_practice_and_non_staff_are_refused(clinic):
    practice, _staff, teen, _child, _adult = clinic
    outsider = make_staff(practice=make_practice(), role=StaffRole.ADMIN)
    patient_user = make_patient(practice=practice).user
    db.session.commit()
    with pytest.raises(Forbidden):
        _invite_guardian(outsider, practice, teen)
    with pytest.raises(Forbidden):
        _invite_guardian(patient_user, practice, teen)


def test_a_patient_of_another_practice_is_not_found(clinic):
    practice, staff, _teen, _child, _adult = clinic
    elsewhere = make_patient(practice=make_practice(), user=None, date_of_birth=_born(9))
    db.session.commit()
    with pytest.raises(NotFound):
        _invite_guardian(staff, practice, elsewhere)


def test_teen_consent_opens_and_closes_confidential_items(clinic):
    practice, staff, teen, _child, _adult = clinic
    grant = make_grant(patient=teen, kind=GrantKind.GUARDIAN, scopes=("results",))
    parent = grant.caregiver
    assert policy.access(parent, teen, "results", confidential=True) is None
    agreed = caregivers.set_teen_consent(staff, practice.id, teen.id, grant.id, True)
    assert agreed.grant.teen_consent_at is not None
    assert policy.access(parent, teen, "results", confidential=True) is not None
    caregivers.set_teen_consent(staff, practice.id, teen.id, grant.id, False)
    assert grant.teen_consent_at is None
    assert policy.access(parent, teen, "results", confidential=True) is None
    logged = db.session.scalars(select(AuditEvent.action).where(AuditEvent.patient_id == teen.id,
                                                                AuditEvent.actor_relation == "staff")).all()
    assert logged == ["consent", "withdraw_consent"]


def test_guardian_of_a_young_child_sees_confidential_items_without_consent(clinic):
    _practice, _staff, _teen, child, _adult = clinic
    grant = make_grant(patient=child, kind=GrantKind.GUARDIAN, scopes=("results",))
    assert not caregivers.view(grant).teen_tier
    assert policy.access(grant.caregiver, child, "results", confidential=True) is not None


def test_staff_revoke_a_guardian_but_the_patient_cannot(clinic):
    practice, staff, _teen, _child, _adult = clinic
    older = make_patient(practice=practice, date_of_birth=_born(16))  # a teen with her own account
    grant = make_grant(patient=older, kind=GrantKind.GUARDIAN)
    db.session.commit()
    with pytest.raises(Forbidden, match="practice manages"):
        caregivers.revoke(older.user, older.id, grant.id)
    revoked = caregivers.revoke(staff, older.id, grant.id, practice_id=practice.id)
    assert revoked.state == "revoked" and grant.status == GrantStatus.REVOKED
    assert policy.access(grant.caregiver, older, None) is None


def test_staff_cannot_change_a_proxy_the_patient_gave(clinic):
    practice, staff, _teen, _child, adult = clinic
    grant = make_grant(patient=adult)
    db.session.commit()
    with pytest.raises(Forbidden):
        caregivers.revoke(staff, adult.id, grant.id, practice_id=practice.id)
    with pytest.raises(Forbidden):
        caregivers.revoke(staff, adult.id, grant.id)


def test_consent_on_an_ended_grant_is_a_conflict(clinic):
    practice, staff, teen, _child, _adult = clinic
    grant = make_grant(patient=teen, kind=GrantKind.GUARDIAN, status=GrantStatus.REVOKED)
    db.session.commit()
    with pytest.raises(Conflict):
        caregivers.set_teen_consent(staff, practice.id, teen.id, grant.id, True)


def test_guardians_page_lists_the_minor_grants_for_the_practice(clinic):
    practice, staff, teen, _child, _adult = clinic
    grant = make_grant(patient=teen, kind=GrantKind.GUARDIAN)
    listing = caregivers.list_grants(staff, teen.id, practice_id=practice.id)
    views = listing.grants
    assert listing.patient.id == teen.id and [v.grant.id for v in views] == [grant.id]
    assert listing.manager == "practice" and listing.can_invite
    assert views[0].can_revoke and views[0].teen_tier


def test_find_minors_searches_only_the_practice_minors(clinic):
    practice, staff, teen, child, adult = clinic
    make_patient(practice=make_practice(), user=None, given_name="Tessa", date_of_birth=_born(10))
    _found_practice, everyone = caregivers.find_minors(staff, practice.id, "")
    assert {p.id for p in everyone} == {teen.id, child.id}
    assert [p.id for p in caregivers.find_minors(staff, practice.id, "tess")[1]] == [teen.id]
    assert [p.id for p in caregivers.find_minors(staff, practice.id, child.mrn.lower())[1]] == [child.id]
    assert caregivers.find_minors(staff, practice.id, "100%_")[1] == []
    with pytest.raises(Forbidden):
        caregivers.find_minors(adult.user, practice.id, "")
