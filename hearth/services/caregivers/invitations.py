"""Invitation links: opening, accepting (signed in or by registering), declining."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hearth import audit, db, notify, policy
from hearth.claims import claim
from hearth.clock import utcnow
from hearth.errors import Conflict, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import (
    CaregiverGrant,
    GrantStatus,
    User,
    UserSession,
)
from hearth.security import password_rules
from hearth.security.passwords import hash_password
from hearth.security.tokens import token_hash
from hearth.services import auth, sessions
from hearth.services.caregivers.common import GrantView, Invitation, Registered, view
from hearth.services.scheduling import reminders


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
