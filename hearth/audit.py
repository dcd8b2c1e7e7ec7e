"""Writes to and reads from the append-only audit log."""

from __future__ import annotations

from sqlalchemy import select

from hearth import db
from hearth.context import request_info
from hearth.models import AuditEvent, User


def record(
    *,
    actor: User | None,
    relation: str,
    patient_id: int | None,
    action: str,
    resource_type: str,
    resource_id: object = None,
) -> AuditEvent:
    """Append one event in the current transaction, with the request's IP and user agent."""
    info = request_info()
    event = AuditEvent(
        actor_user_id=actor.id if actor else None,
        actor_relation=relation,
        patient_id=patient_id,
        action=action,
        resource_type=resource_type,
        resource_id=None if resource_id is None else str(resource_id),
        ip=info.ip,
        user_agent=(info.user_agent or "")[:300] or None,
    )
    db.session.add(event)
    return event


def trail_query(patient_id: int, *, relation: str | None = None, actor_user_id: int | None = None):
    """A select() of a patient's events, newest first, optionally narrowed by relation or actor."""
    stmt = select(AuditEvent).where(AuditEvent.patient_id == patient_id)
    if relation:
        stmt = stmt.where(AuditEvent.actor_relation == relation)
    if actor_user_id:
        stmt = stmt.where(AuditEvent.actor_user_id == actor_user_id)
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
