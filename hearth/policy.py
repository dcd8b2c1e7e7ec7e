"""One policy for who may do what for which patient.

- the patient, for herself;
- a caregiver, only within an active grant's scopes and dates (a guardian's grant ends when the
  minor reaches the practice's adult age; from the teen tier on, confidential items need the
  teen's consent);
- providers, staff and admins, only for patients of their own practice;
- admins, for their practice's settings.

Every service that touches a patient's data calls `authorize`, which also writes the audit log,
so no entry point can forget either. Refusals raise NotFound: a stranger cannot tell a patient
that exists from one that does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select

from hearth import audit, db
from hearth.clock import age_on, birthday, to_zone, utcnow
from hearth.errors import Forbidden, NotFound
from hearth.models import CaregiverGrant, GrantKind, GrantStatus, Membership, Patient, StaffRole, User

CLINICAL_ROLES = frozenset({StaffRole.PROVIDER, StaffRole.STAFF, StaffRole.ADMIN})


@dataclass(frozen=True)
class Access:
    """How the actor reached the patient: "self", "caregiver" or "staff"."""

    relation: str
    grant: CaregiverGrant | None = None


def practice_roles(user: User, practice_id: int) -> set[StaffRole]:
    return {m.role for m in user.memberships if m.practice_id == practice_id}


def is_staff_of(user: User, practice_id: int) -> bool:
    return bool(practice_roles(user, practice_id) & CLINICAL_ROLES)


def grant_end(grant: CaregiverGrant) -> datetime | None:
    """When a grant stops working: its own end date, or for a guardian the minor's adult birthday."""
    end = grant.ends_at
    if grant.kind == GrantKind.GUARDIAN:
        patient = grant.patient
        adult_day = birthday(patient.date_of_birth, patient.practice.adult_age)
        adult_at = datetime.combine(adult_day, datetime.min.time(), tzinfo=ZoneInfo(patient.practice.timezone))
        end = adult_at if end is None else min(end, adult_at)
    return end


def grant_is_active(grant: CaregiverGrant, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if grant.status != GrantStatus.ACTIVE or grant.caregiver_user_id is None or grant.starts_at > now:
        return False
    end = grant_end(grant)
    return end is None or now < end


def in_teen_tier(patient: Patient, now: datetime | None = None) -> bool:
    """True when a minor is old enough that confidential items need her consent for guardians."""
    today = to_zone(now or utcnow(), patient.practice.timezone).date()
    age = age_on(patient.date_of_birth, today)
    return patient.practice.minor_full_access_below <= age < patient.practice.adult_age


def in_child_tier(patient: Patient, now: datetime | None = None) -> bool:
    """True for a young child, whose guardians have full access (below the practice's teen tier)."""
    today = to_zone(now or utcnow(), patient.practice.timezone).date()
    return age_on(patient.date_of_birth, today) < patient.practice.minor_full_access_below


def _grant_allows(grant: CaregiverGrant, scope: str, confidential: bool, now: datetime) -> bool:
    if not grant_is_active(grant, now) or scope not in grant.scope_list:
        return False
    if confidential and grant.kind == GrantKind.GUARDIAN and in_teen_tier(grant.patient, now):
        return grant.teen_consent_at is not None
    return True


def grant_allows(grant: CaregiverGrant, scope: str, now: datetime | None = None) -> bool:
    """Whether an active grant covers `scope` now (no audit: for deciding what a menu offers)."""
    return _grant_allows(grant, scope, False, now or utcnow())


# Asked on every request that lists whom a user acts for or reads a patient's data: built once, so a
# request pays only for binding the ids (building a statement and its cache key cost more than running it).
_GRANTS_OF_CAREGIVER = (
    select(CaregiverGrant)
    .join(CaregiverGrant.patient)
    .where(CaregiverGrant.caregiver_user_id == bindparam("user_id"), CaregiverGrant.status == GrantStatus.ACTIVE)
    .order_by(Patient.given_name, Patient.family_name)
)
_GRANTS_FOR_PATIENT = select(CaregiverGrant).where(
    CaregiverGrant.patient_id == bindparam("patient_id"),
    CaregiverGrant.caregiver_user_id == bindparam("user_id"),
    CaregiverGrant.status == GrantStatus.ACTIVE,
)


def active_grants_for(user: User, now: datetime | None = None) -> list[CaregiverGrant]:
    """Grants through which `user` may currently act for someone, in name order."""
    now = now or utcnow()
    grants = db.session.scalars(_GRANTS_OF_CAREGIVER, {"user_id": user.id}).all()
    return [g for g in grants if grant_is_active(g, now)]


def access(
    user: User | None,
    patient: Patient,
    scope: str | None,
    *,
    confidential: bool = False,
    now: datetime | None = None,
) -> Access | None:
    """How `user` may reach `patient` for `scope` (None = the record's demographics), or None."""
    if user is None or not user.is_active:
        return None
    now = now or utcnow()
    if patient.user_id == user.id:
        return Access("self")
    if is_staff_of(user, patient.practice_id):
        return Access("staff")
    grants = db.session.scalars(_GRANTS_FOR_PATIENT, {"patient_id": patient.id, "user_id": user.id}).all()
    for grant in grants:
        if scope is None and grant_is_active(grant, now):
            return Access("caregiver", grant)
        if scope is not None and _grant_allows(grant, scope, confidential, now):
            return Access("caregiver", grant)
    return None


def authorize(
    user: User | None,
    patient: Patient | None,
    scope: str | None,
    action: str,
    resource_type: str,
    resource_id: object = None,
    *,
    confidential: bool = False,
) -> Access:
    """Allow `user` to do `action` on `patient`'s data in `scope` and log it, or raise NotFound."""
    if patient is None:
        raise NotFound()
    granted = access(user, patient, scope, confidential=confidential)
    if granted is None:
        raise NotFound()
    audit.record(
        actor=user,
        relation=granted.relation,
        patient_id=patient.id,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
    )
    return granted


def authorize_link(patient: Patient, sent_to: User | None, scope: str, action: str, resource_type: str,
                   resource_id: object = None) -> Access:
    """Allow the bearer of a signed link sent about the patient (a reminder) one act on that one item.

    The caller has checked the signature and that the link names this item. `sent_to` is the
    caregiver the link went to, or None for the patient's own link; the rest of the rule still
    holds: a switched-off account or a caregiver whose access ended or no longer covers `scope`
    cannot use old links. Logged as "link", with the account the link was sent to as the actor.
    """
    if sent_to is None:
        actor = patient.user
        if actor is not None and not actor.is_active:
            raise NotFound()
    else:
        actor = sent_to
        granted = access(actor, patient, scope)
        if granted is None or granted.relation != "caregiver":
            raise NotFound()
    audit.record(actor=actor, relation="link", patient_id=patient.id, action=action,
                 resource_type=resource_type, resource_id=resource_id)
    return Access("link")


def load_patient(patient_id: int) -> Patient:
    patient = db.session.get(Patient, patient_id)
    if patient is None:
        raise NotFound()
    return patient


def require_practice_role(user: User | None, practice_id: int, roles: set[StaffRole] | frozenset) -> set[StaffRole]:
    """Raise Forbidden unless `user` holds one of `roles` at the practice."""
    held = practice_roles(user, practice_id) if user else set()
    if not held & set(roles):
        raise Forbidden()
    return held


def staff_practice_ids(user: User) -> list[int]:
    """Practices where `user` works (provider, staff or admin)."""
    return sorted({m.practice_id for m in user.memberships if m.role in CLINICAL_ROLES})


def membership_rows(user_id: int) -> list[Membership]:
    return list(db.session.scalars(select(Membership).where(Membership.user_id == user_id)))
