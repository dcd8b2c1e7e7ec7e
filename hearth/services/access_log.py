"""“Who accessed my record”: a patient's audit trail in words she can read, for her and her practice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from hearth import audit, db, policy
from hearth.errors import NotFound
from hearth.i18n import _l
from hearth.models import AuditEvent, Patient, StaffRole, User
from hearth.services.audit_labels import describe, role_label, short_ip
from hearth.services.pagination import Page, paginate
from hearth.services.patients import PER_PAGE

ROLE_ORDER = (StaffRole.PROVIDER, StaffRole.STAFF, StaffRole.ADMIN)


@dataclass(frozen=True)
class AccessEntry:
    """One line of the trail: when, who (already worded for this viewer), what, from where."""

    at: datetime
    who: str
    relation: str
    action: str
    resource_type: str
    what: str
    where: str
    is_viewer: bool


@dataclass
class Trail:
    patient: Patient
    relation: str
    page: Page[AccessEntry]


def _who(event: AuditEvent, actor: User | None, viewer: User, patient: Patient) -> str:
    relation = event.actor_relation
    if actor is not None and actor.id == viewer.id and relation == "self":
        return str(_l("You"))
    if relation == "system":
        return str(_l("Hearth (automatic)"))
    if relation == "link":
        return str(_l("A link in a reminder (no sign-in)"))
    if actor is None:
        return str(_l("A former user"))
    if relation == "caregiver":
        return str(_l("%(name)s (caregiver)", name=actor.display_name))
    if relation == "staff":
        held = policy.practice_roles(actor, patient.practice_id)
        roles = ", ".join(role_label(r.value) for r in ROLE_ORDER if r in held) or role_label("staff")
        return str(_l("%(name)s (%(role)s)", name=actor.display_name, role=roles))
    if actor.id == viewer.id:
        return str(_l("You"))
    return str(_l("%(name)s (patient)", name=actor.display_name))


def _entries(rows, viewer: User, patient: Patient) -> list[AccessEntry]:
    return [
        AccessEntry(
            at=event.at,
            who=_who(event, actor, viewer, patient),
            relation=event.actor_relation,
            action=event.action,
            resource_type=event.resource_type,
            what=describe(event.action, event.resource_type),
            where=short_ip(event.ip),
            is_viewer=actor is not None and actor.id == viewer.id,
        )
        for event, actor in rows
    ]


def _with_actors(stmt):
    """Each event with its actor in the same query (memberships follow in one selectin query)."""
    return stmt.add_columns(User).outerjoin(User, User.id == AuditEvent.actor_user_id)


@db.transactional
def patient_trail(user: User, patient_id: int, *, page: int = 1, per_page: int = PER_PAGE) -> Trail:
    """A page of who accessed the patient's record, newest first; reading it is audited too.

    The patient herself and staff of her practice may read it; caregivers may not (it is the
    patient's own privacy tool), and anyone else cannot tell the patient exists: NotFound.
    """
    patient = policy.load_patient(patient_id)
    granted = policy.access(user, patient, None)
    if granted is None:
        raise NotFound()
    if granted.relation == "caregiver":
        raise NotFound(_l("Only the patient can see who accessed their record."))
    policy.authorize(user, patient, None, "view", "access_log", patient.id)
    stmt = audit.trail_query(patient.id)
    count = select(func.count()).select_from(stmt.order_by(None).subquery())
    rows, total = paginate(_with_actors(stmt), count, page, per_page)
    return Trail(patient, granted.relation, Page(_entries(rows, user, patient), page, per_page, total))


def recent_by_others(user: User, patient: Patient, limit: int = 3) -> list[AccessEntry]:
    """The latest accesses by anyone but the patient, for her home page; [] unless `user` is the patient.

    Call it inside a use case that already authorized the view (the home page summary does).
    """
    if patient.user_id != user.id:
        return []
    stmt = audit.trail_query(patient.id).where(
        or_(AuditEvent.actor_user_id.is_(None), AuditEvent.actor_user_id != user.id)
    )
    rows = db.session.execute(_with_actors(stmt).limit(limit)).all()
    return _entries(rows, user, patient)
