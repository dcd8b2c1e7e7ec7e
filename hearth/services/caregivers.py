"""Caregiver (proxy) and guardian access: invitations, acceptance, editing, revocation, activity.

A patient manages her own proxies; staff of her practice manage guardians of a minor. Policy is
read live on every request (hearth.policy), so an edit or a revocation takes effect at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from hearth import audit, db, notify, policy
from hearth.claims import claim, lock
from hearth.clock import age_on, birthday, to_zone, utcnow
from hearth.errors import Conflict, Forbidden, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import (
    ALL_SCOPES,
    AuditEvent,
    CaregiverGrant,
    GrantKind,
    GrantStatus,
    Patient,
    Practice,
    User,
    UserSession,
)
from hearth.security import password_rules
from hearth.security.passwords import hash_password
from hearth.security.tokens import new_token, token_hash
from hearth.services import auth, patient_search, sessions
from hearth.services.pagination import Page, clamp
from hearth.services.scheduling import reminders

ACTIVITY_PER_PAGE = 25
MAX_PER_PAGE = 100
MINOR_SEARCH_LIMIT = 20


@dataclass(frozen=True)
class InviteSettings:
    """Where invitation links point and how long they work (BASE_URL, INVITATION_DAYS)."""

    base_url: str
    days: int

    @classmethod
    def from_config(cls, config: Mapping) -> InviteSettings:
        return cls(base_url=str(config["BASE_URL"]).rstrip("/"), days=int(config["INVITATION_DAYS"]))


@dataclass(frozen=True)
class GrantView:
    """A grant with what the screens need, decided here rather than in templates."""

    grant: CaregiverGrant
    state: str  # pending | invite_expired | active | ended | cancelled | revoked | declined
    ends_at: datetime | None  # when access stops (policy.grant_end), not just the grant's own date
    can_edit: bool
    can_resend: bool
    can_revoke: bool
    teen_tier: bool  # the minor is in the teen tier: confidential items need her consent

    @property
    def managed_by_practice(self) -> bool:
        return self.grant.kind == GrantKind.GUARDIAN

    @property
    def caregiver_name(self) -> str:
        return self.grant.caregiver.display_name if self.grant.caregiver else self.grant.invited_email


@dataclass(frozen=True)
class GrantList:
    """A patient's grants as the patient ("patient") or her practice ("practice") manages them."""

    patient: Patient
    grants: list[GrantView]
    manager: str
    can_invite: bool  # the patient herself, or her practice while she is a minor
    teen_tier: bool  # guardians need her consent for confidential items
    adult_on: date  # the day guardian access ends by itself


@dataclass(frozen=True)
class Overview:
    """The Caregivers page: my own grants (when acting for myself), whom I care for, where I work."""

    own: GrantList | None
    caring: list[GrantView]
    practices: list[Practice]


@dataclass(frozen=True)
class Invitation:
    """What an invitation link shows; `grant` is None when the token is unknown."""

    state: str  # pending | expired | accepted | revoked | cancelled | declined | invalid
    grant: CaregiverGrant | None

    @property
    def inviter(self) -> str:
        return self.grant.patient.full_name if self.grant else ""


@dataclass(frozen=True)
class Registered:
    user: User
    grant: CaregiverGrant
    sid: str
    session_row: UserSession


def view(grant: CaregiverGrant, now: datetime | None = None, manager: str = "patient") -> GrantView:
    """Describe a grant's state and what `manager` ("patient" or "practice") may do with it.

    The patient manages her proxies, the practice its guardian grants; each only sees the other's.
    """
    now = now or utcnow()
    status = grant.status
    if status == GrantStatus.PENDING:
        expired = grant.invite_expires_at is None or grant.invite_expires_at <= now or _ended(grant, now)
        state = "invite_expired" if expired else "pending"
    elif status == GrantStatus.ACTIVE:
        state = "active" if policy.grant_is_active(grant, now) else "ended"
    elif status == GrantStatus.REVOKED:
        state = "revoked" if grant.accepted_at else "cancelled"
    else:
        state = "declined"
    mine = (grant.kind == GrantKind.GUARDIAN) == (manager == "practice")
    return GrantView(grant, state, policy.grant_end(grant),
                     can_edit=mine and state in ("pending", "active"),
                     can_resend=mine and status == GrantStatus.PENDING and not _ended(grant, now),
                     can_revoke=mine and state in ("pending", "invite_expired", "active"),
                     teen_tier=grant.kind == GrantKind.GUARDIAN and policy.in_teen_tier(grant.patient, now))


def _ended(grant: CaregiverGrant, now: datetime) -> bool:
    end = policy.grant_end(grant)
    return end is not None and end <= now


def _require_self(actor: User, patient: Patient) -> None:
    """Only the patient herself manages her proxies: a caregiver or staff member is refused."""
    granted = policy.access(actor, patient, None)
    if granted is None:
        raise NotFound()
    if granted.relation != "self":
        raise Forbidden(_l("Only the patient can manage who may act for them."))


def _staff_patient(actor: User, practice_id: int, patient_id: int) -> Patient:
    """A patient of a practice where `actor` works; Forbidden/NotFound otherwise."""
    policy.require_practice_role(actor, practice_id, policy.CLINICAL_ROLES)
    patient = policy.load_patient(patient_id)
    if patient.practice_id != practice_id:
        raise NotFound()
    return patient


def _managed(actor: User, patient_id: int, practice_id: int | None) -> tuple[Patient, str]:
    """The patient whose grants `actor` manages: her own (proxies), or her practice's (guardians)."""
    if practice_id is None:
        patient = policy.load_patient(patient_id)
        _require_self(actor, patient)
        return patient, "patient"
    return _staff_patient(actor, practice_id, patient_id), "practice"


def _managed_grant(actor: User, patient_id: int, grant_id: int, practice_id: int | None,
                   action: str) -> tuple[CaregiverGrant, str]:
    """Load a grant `actor` may manage and log `action` on it through policy."""
    patient, manager = _managed(actor, patient_id, practice_id)
    grant = db.session.get(CaregiverGrant, grant_id)
    if grant is None or grant.patient_id != patient.id:
        raise NotFound()
    policy.authorize(actor, patient, None, action, "caregiver_grant", grant.id)
    if (grant.kind == GrantKind.GUARDIAN) != (manager == "practice"):
        raise Forbidden(_l("Your practice manages guardian access. Please contact them.") if manager == "patient"
                        else _l("Only the patient can change the access she gave."))
    return grant, manager


def _clean_scopes(scopes: Iterable[str]) -> str:
    chosen = [s for s in ALL_SCOPES if s in set(scopes)]
    if not chosen or set(scopes) - set(ALL_SCOPES):
        raise Invalid(fields={"scopes": [_l("Choose at least one area from the list.")]})
    return ",".join(chosen)


def _check_end(ends_at: datetime | None) -> None:
    if ends_at is not None and ends_at <= utcnow():
        raise Invalid(fields={"ends_at": [_l("Choose a time in the future.")]})


def _check_not_taken(patient: Patient, email: str, now: datetime) -> None:
    if patient.user is not None and patient.user.email.lower() == email:
        raise Invalid(fields={"email": [_l("This is the patient's own email address.")]})
    live = db.session.scalars(select(CaregiverGrant).options(selectinload(CaregiverGrant.caregiver)).where(
        CaregiverGrant.patient_id == patient.id, CaregiverGrant.status.in_([GrantStatus.PENDING, GrantStatus.ACTIVE])))
    for other in live:
        same = other.invited_email.lower() == email or (other.caregiver and other.caregiver.email.lower() == email)
        if same and view(other, now).state in ("pending", "active"):
            message = _l("This person already has access or a pending invitation.")
            raise Conflict(message, fields={"email": [message]})


def _send_invitation(actor: User, grant: CaregiverGrant, settings: InviteSettings) -> None:
    """Issue a fresh link (only its hash is kept) and queue the email; it carries no health details."""
    token = new_token()
    grant.invite_token_hash = token_hash(token)
    grant.invite_expires_at = utcnow() + timedelta(days=settings.days)
    notify.cancel(key_prefix=f"caregiver_invitation:{grant.id}:")
    invitee = auth.find_user_by_email(grant.invited_email)
    notify.enqueue(key=f"caregiver_invitation:{grant.id}:{grant.invite_token_hash[:16]}", kind=notify.ACCOUNT_KIND,
                   template="caregiver_invitation", patient=grant.patient, to_email=grant.invited_email,
                   locale=invitee.locale if invitee else actor.locale,
                   params={"inviter": grant.patient.full_name, "url": f"{settings.base_url}/caregivers/accept/{token}",
                           "days": settings.days})


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
    grant = db.session.get(CaregiverGrant, grant_id)
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


def _by_token(token: str) -> CaregiverGrant | None:
    if not token or len(token) > 200:
        return None
    return db.session.scalar(select(CaregiverGrant).where(CaregiverGrant.invite_token_hash == token_hash(token)))


_CLOSED = {
    "invalid": _l("This invitation link is not valid. Ask for a new invitation."),
    "expired": _l("This invitation has expired. Ask for a new invitation."),
    "accepted": _l("This invitation was already used."),
    "cancelled": _l("This invitation was cancelled."),
    "declined": _l("This invitation was declined."),
    "revoked": _l("This invitation was used, and the access it gave has since been removed."),
}


def invitation(token: str, *, missing_ok: bool = True) -> Invitation:
    """What an invitation link shows: who invited, which scopes, and whether it still works.

    An unknown link is the state "invalid", or NotFound when `missing_ok` is false.
    """
    grant = _by_token(token)
    if grant is None:
        if not missing_ok:
            raise NotFound(_CLOSED["invalid"])
        return Invitation("invalid", None)
    return Invitation(invitation_state(grant), grant)


def invitation_state(grant: CaregiverGrant, now: datetime | None = None) -> str:
    """"pending", "expired", "accepted", "cancelled", "declined" or "revoked", as an invitation link says it."""
    states = {"pending": "pending", "invite_expired": "expired", "cancelled": "cancelled", "declined": "declined",
              "revoked": "revoked"}
    return states.get(view(grant, now).state, "accepted")


def _open_invitation(token: str) -> CaregiverGrant:
    found = invitation(token)
    if found.grant is None:
        raise NotFound(_CLOSED["invalid"])
    if found.state != "pending":
        raise Conflict(_CLOSED[found.state])
    return found.grant


def _use_invitation(grant: CaregiverGrant, **values) -> None:
    """Move a pending invitation on in one conditional UPDATE (still pending, unexpired, this link):
    of parallel uses of one link exactly one wins; the others get Conflict saying what happened."""
    now = utcnow()
    if not claim(grant, CaregiverGrant.status == GrantStatus.PENDING,
                 CaregiverGrant.invite_token_hash == grant.invite_token_hash,
                 CaregiverGrant.invite_expires_at > now, **values):
        db.session.refresh(grant)
        state = invitation_state(grant, now)
        raise Conflict(_CLOSED["invalid" if state == "pending" else state])  # pending again: a new link was sent


def _bind(user: User, grant: CaregiverGrant, session_row: UserSession | None) -> None:
    if grant.patient.user_id == user.id:
        raise Invalid(_l("You cannot accept an invitation to your own record."))
    if any(g.patient_id == grant.patient_id for g in policy.active_grants_for(user)):
        raise Conflict(_l("You can already act for %(name)s.", name=grant.patient.full_name))
    now = utcnow()
    _use_invitation(grant, status=GrantStatus.ACTIVE, caregiver_user_id=user.id, accepted_at=now, starts_at=now)
    grant.caregiver = user
    policy.authorize(user, grant.patient, None, "accept", "caregiver_grant", grant.id)
    reminders.replan_patient(grant.patient_id)  # reminders of visits already booked reach her too
    if session_row is not None:  # the portal goes straight to acting for her
        session_row.acting_for_patient_id = grant.patient_id


@db.transactional
def accept(actor: User, token: str, session_row: UserSession | None = None) -> GrantView:
    """Bind a pending invitation to the signed-in account (its email need not match).

    Raises NotFound (unknown link), Conflict (expired, used, cancelled, declined; already a caregiver)
    and Invalid (one's own record).
    """
    grant = _open_invitation(token)
    _bind(actor, grant, session_row)
    return view(grant)


@db.transactional
def decline(actor: User | None, token: str) -> GrantView:
    """Turn an invitation down; holding the link is enough, signed in or not."""
    grant = _open_invitation(token)
    _use_invitation(grant, status=GrantStatus.DECLINED)
    notify.cancel(key_prefix=f"caregiver_invitation:{grant.id}:")
    audit.record(actor=actor, relation="invitee", patient_id=grant.patient_id, action="decline",
                 resource_type="caregiver_grant", resource_id=grant.id)
    return view(grant)


@db.transactional
def register_and_accept(token: str, *, display_name: str, password: str, locale: str,
                        session_policy: sessions.SessionPolicy) -> Registered:
    """Create the invitee's account at the invited address, accept, and open her portal session.

    Raises what `accept` raises, Conflict when the address already has an account, and Invalid
    when the password breaks the rules (hearth.security.password_rules).
    """
    grant = _open_invitation(token)
    if auth.find_user_by_email(grant.invited_email) is not None:
        raise Conflict(_l("An account already uses %(email)s. Sign in to accept.", email=grant.invited_email))
    problems = password_rules.check(password, email=grant.invited_email, name=display_name)
    if problems:
        raise Invalid(fields={"password": problems})
    user = User(email=grant.invited_email, password_hash=hash_password(password), display_name=display_name,
                locale=locale, last_login_at=utcnow())
    try:
        with db.session.begin_nested():  # the same link used twice at once: one account, the other told
            db.session.add(user)
    except IntegrityError as exc:
        raise Conflict(_l("An account already uses %(email)s. Sign in to accept.", email=grant.invited_email)) from exc
    sid, row = sessions.start_web_session(user, session_policy)
    _bind(user, grant, row)
    return Registered(user, grant, sid, row)


@db.transactional
def my_access(actor: User, patient_id: int) -> GrantView:
    """The caregiver's own grant for a patient; NotFound as soon as it stops working."""
    patient = policy.load_patient(patient_id)
    granted = policy.authorize(actor, patient, None, "view", "caregiver_grant")
    if granted.grant is None:
        raise NotFound()
    return view(granted.grant)


# -- the practice's side: finding a minor ------------------------------------------------------


def is_minor(patient: Patient, now: datetime | None = None) -> bool:
    today = to_zone(now or utcnow(), patient.practice.timezone).date()
    return age_on(patient.date_of_birth, today) < patient.practice.adult_age


MAX_QUERY = 100


@db.transactional
def find_minors(actor: User, practice_id: int, query: str) -> tuple[Practice, list[Patient]]:
    """Minors of the practice matching a name or MRN (at most MINOR_SEARCH_LIMIT), for staff.
    Raises Forbidden (not staff there), NotFound, Invalid (a search over MAX_QUERY characters)."""
    policy.require_practice_role(actor, practice_id, policy.CLINICAL_ROLES)
    practice = db.session.get(Practice, practice_id)
    if practice is None:
        raise NotFound()
    today = to_zone(utcnow(), practice.timezone).date()
    try:
        cutoff = today.replace(year=today.year - practice.adult_age)
    except ValueError:  # 29 February
        cutoff = date(today.year - practice.adult_age, 2, 28)
    stmt = select(Patient).where(Patient.practice_id == practice_id, Patient.date_of_birth > cutoff)
    if len(query) > MAX_QUERY:  # the edges refuse it with a message; never search a cut-off text
        raise Invalid(fields={"q": [_l("Enter at most %(n)d characters.", n=MAX_QUERY)]})
    stmt = stmt.where(*patient_search.conditions(query))
    stmt = stmt.order_by(Patient.family_name, Patient.given_name, Patient.id).limit(MINOR_SEARCH_LIMIT)
    return practice, list(db.session.scalars(stmt))
