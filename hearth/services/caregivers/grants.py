"""Managing grants: the patient her proxies, the practice a minor's guardians."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from hearth import audit, db, notify, policy
from hearth.claims import claim, lock
from hearth.clock import birthday, utcnow
from hearth.errors import Conflict, Forbidden, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import (
    AuditEvent,
    CaregiverGrant,
    GrantKind,
    GrantStatus,
    Patient,
    Practice,
    User,
)
from hearth.services import auth
from hearth.services.caregivers.common import (
    ACTIVITY_PER_PAGE,
    MAX_PER_PAGE,
    GrantList,
    GrantView,
    InviteSettings,
    Overview,
    _check_end,
    _check_not_taken,
    _clean_scopes,
    _managed,
    _managed_grant,
    _require_self,
    _send_invitation,
    _staff_patient,
    view,
)
from hearth.services.caregivers.minors import is_minor
from hearth.services.pagination import Page, clamp
from hearth.services.scheduling import reminders

# -- managing grants: the patient her proxies, the practice a minor's guardians ----------------


@db.transactional
def invite(actor: User, patient_id: int, data: Mapping, settings: InviteSettings, *,
           practice_id: int | None = None) -> GrantView:
    """Invite a caregiver by email (data: email, scopes, relationship_label, ends_at).

    Without `practice_id` the patient invites a proxy for herself; with it, staff of that practice
    invite a guardian of a minor. Raises NotFound/Forbidden, Invalid (bad data, not a minor) and
    Conflict (this person already has access or an invitation).
    """
    patient, manager = _managed(actor, patient_id, practice_id)
    if manager == "practice" and not is_minor(patient):
        raise Invalid(_l("Guardian access is only for patients under %(age)d.", age=patient.practice.adult_age))
    now = utcnow()
    email = auth.normalize_email(data["email"])
    _check_end(data.get("ends_at"))
    lock(Patient, patient.id)  # two invitations of one person at once: the second sees the first
    _check_not_taken(patient, email, now)
    grant = CaregiverGrant(patient_id=patient.id, patient=patient, invited_email=email,
                           kind=GrantKind.GUARDIAN if manager == "practice" else GrantKind.PROXY,
                           status=GrantStatus.PENDING, relationship_label=data.get("relationship_label") or None,
                           scopes=_clean_scopes(data["scopes"]), starts_at=now, ends_at=data.get("ends_at"),
                           created_by_user_id=actor.id, created_at=now)
    db.session.add(grant)
    db.session.flush()
    policy.authorize(actor, patient, None, "invite", "caregiver_grant", grant.id)
    _send_invitation(actor, grant, settings)
    return view(grant, now, manager)


@db.transactional
def list_grants(actor: User, patient_id: int, *, practice_id: int | None = None) -> GrantList:
    """Everyone who may act, was invited to act, or used to act for the patient, newest first.

    The patient herself and staff of her practice may look; a caregiver is refused (Forbidden).
    """
    if practice_id is not None:
        _staff_patient(actor, practice_id, patient_id)
    patient = policy.load_patient(patient_id)
    granted = policy.authorize(actor, patient, None, "view", "caregivers")
    if granted.relation == "caregiver":
        raise Forbidden(_l("Only the patient can manage who may act for them."))
    grants = db.session.scalars(
        select(CaregiverGrant).options(selectinload(CaregiverGrant.caregiver))
        .where(CaregiverGrant.patient_id == patient.id)
        .order_by(CaregiverGrant.created_at.desc(), CaregiverGrant.id.desc())
    ).all()
    now = utcnow()
    manager = "practice" if granted.relation == "staff" else "patient"
    return GrantList(patient, [view(g, now, manager) for g in grants], manager,
                     can_invite=manager == "patient" or is_minor(patient, now),
                     teen_tier=policy.in_teen_tier(patient, now),
                     adult_on=birthday(patient.date_of_birth, patient.practice.adult_age))


@db.transactional
def overview(actor: User, own_patient_id: int | None) -> Overview:
    """The Caregivers page in one call: `own_patient_id` is the record the user acts for as herself."""
    own = list_grants(actor, own_patient_id) if own_patient_id is not None else None
    practice_ids = policy.staff_practice_ids(actor)
    practices = db.session.scalars(select(Practice).where(Practice.id.in_(practice_ids)).order_by(Practice.name))
    return Overview(own, caring_for(actor), list(practices) if practice_ids else [])


def managed_patient(actor: User, patient_id: int, *, practice_id: int | None = None) -> Patient:
    """The patient whose grants `actor` manages (for showing a form); NotFound/Forbidden otherwise."""
    return _managed(actor, patient_id, practice_id)[0]


@db.transactional
def get_grant(actor: User, patient_id: int, grant_id: int, *, practice_id: int | None = None) -> GrantView:
    """One grant the actor manages, for its edit page."""
    grant, manager = _managed_grant(actor, patient_id, grant_id, practice_id, "view")
    return view(grant, manager=manager)


@db.transactional
def update(actor: User, patient_id: int, grant_id: int, changes: Mapping, *,
           practice_id: int | None = None) -> GrantView:
    """Change scopes, end (None = no end) or label; policy reads it on the very next request."""
    grant, manager = _managed_grant(actor, patient_id, grant_id, practice_id, "update")
    if not view(grant, manager=manager).can_edit:
        raise Conflict(_l("This access has ended and can no longer be changed."))
    if "scopes" in changes:
        grant.scopes = _clean_scopes(changes["scopes"])
    if "ends_at" in changes:
        _check_end(changes["ends_at"])
        grant.ends_at = changes["ends_at"]
    if "relationship_label" in changes:
        grant.relationship_label = changes["relationship_label"] or None
    if "scopes" in changes or "ends_at" in changes:
        reminders.replan_patient(grant.patient_id)  # the caregiver's reminders follow her access
    return view(grant, manager=manager)


@db.transactional
def revoke(actor: User, patient_id: int, grant_id: int, *, practice_id: int | None = None) -> GrantView:
    """End access now, or cancel a pending invitation; no message to the practice needed."""
    grant, manager = _managed_grant(actor, patient_id, grant_id, practice_id, "revoke")
    # One statement decides, so a parallel accept or decline cannot be overwritten.
    if claim(grant, CaregiverGrant.status.in_([GrantStatus.PENDING, GrantStatus.ACTIVE]),
             status=GrantStatus.REVOKED, revoked_at=utcnow(), revoked_by_user_id=actor.id):
        notify.cancel(key_prefix=f"caregiver_invitation:{grant.id}:")
        db.session.flush()
        reminders.replan_patient(grant.patient_id)
    return view(grant, manager=manager)


@db.transactional
def resend(actor: User, patient_id: int, grant_id: int, settings: InviteSettings, *,
           practice_id: int | None = None) -> GrantView:
    """Send a pending invitation again with a new link and expiry (the old link stops working)."""
    grant, manager = _managed_grant(actor, patient_id, grant_id, practice_id, "resend")
    if not view(grant, manager=manager).can_resend:
        raise Conflict(_l("Only a pending invitation can be sent again."))
    _send_invitation(actor, grant, settings)
    return view(grant, manager=manager)


@db.transactional
def set_teen_consent(actor: User, practice_id: int, patient_id: int, grant_id: int, agreed: bool) -> GrantView:
    """Staff record (or withdraw) the teen's agreement to share confidential items with a guardian."""
    grant, manager = _managed_grant(actor, patient_id, grant_id, practice_id,
                                    "consent" if agreed else "withdraw_consent")
    if not view(grant, manager=manager).can_edit:
        raise Conflict(_l("This access has ended and can no longer be changed."))
    grant.teen_consent_at = (grant.teen_consent_at or utcnow()) if agreed else None
    return view(grant, manager=manager)


@db.transactional
def activity(actor: User, patient_id: int, grant_id: int, page: int = 1,
             per_page: int = ACTIVITY_PER_PAGE) -> tuple[GrantView, Page[AuditEvent]]:
    """What this caregiver did in the patient's record, newest first (two queries per page)."""
    patient = policy.load_patient(patient_id)
    _require_self(actor, patient)
    # The caregiver's account with the grant: the view names her (no lazy load).
    grant = db.session.get(CaregiverGrant, grant_id, options=[joinedload(CaregiverGrant.caregiver)])
    if grant is None or grant.patient_id != patient.id:
        raise NotFound()
    policy.authorize(actor, patient, None, "view", "caregiver_activity", grant.id)
    page, per_page = clamp(page, per_page, MAX_PER_PAGE)
    if grant.caregiver_user_id is None:
        return view(grant), Page([], page, per_page, 0)
    stmt = audit.trail_query(patient.id, relation="caregiver", actor_user_id=grant.caregiver_user_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return view(grant), Page(list(rows), page, per_page, total)


# -- the caregiver's side ----------------------------------------------------------------------


def caring_for(actor: User) -> list[GrantView]:
    """The people `actor` may act for right now, through active grants (name order)."""
    now = utcnow()
    return [view(g, now) for g in policy.active_grants_for(actor, now)]
