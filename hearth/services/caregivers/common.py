"""Caregiver grants as people see them, and the checks every use case shares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import db, notify, policy
from hearth.clock import utcnow
from hearth.errors import Conflict, Forbidden, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import (
    ALL_SCOPES,
    CaregiverGrant,
    GrantKind,
    GrantStatus,
    Patient,
    Practice,
    User,
    UserSession,
)
from hearth.security.tokens import new_token, token_hash
from hearth.services import auth

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
