"""Writes to and reads from the append-only audit log."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select

from hearth import db
from hearth.clock import utcnow
from hearth.context import request_info
from hearth.models import AuditEvent, User

# On the plain Table, not the mapped class: executing it neither autoflushes nor builds ORM state.
_INSERT = insert(AuditEvent.__table__)


def record(
    *,
    actor: User | None,
    relation: str,
    patient_id: int | None,
    action: str,
    resource_type: str,
    resource_id: object = None,
) -> None:
    """Append one event in the current transaction, with the request's IP and user agent.

    A Core INSERT run at once on the session's connection, not an ORM object: it is in the same
    transaction (committed or rolled back with the use case, so just as durable), and it spares every
    audited read a unit-of-work flush. Nothing reads the event back; the log is append-only, so no ORM
    object is wanted. `at` comes from the column's default (utcnow), as before.
    """
    info = request_info()
    db.session.execute(_INSERT, {
        "actor_user_id": actor.id if actor else None,
        "actor_relation": relation,
        "patient_id": patient_id,
        "action": action,
        "resource_type": resource_type,
        "resource_id": None if resource_id is None else str(resource_id),
        "ip": info.ip,
        "user_agent": (info.user_agent or "")[:300] or None,
    })


def record_listed(
    *,
    actor: User,
    relation: str,
    action: str,
    resource_type: str,
    listed: Iterable[tuple[int, object]],
) -> None:
    """One event per patient shown in a practice-level list, in one executemany (none for an empty list).

    `listed` is (patient_id, resource_id) pairs: the patient list, the refill queue, the schedule, the
    results waiting for a comment, the workspace cards that name patients. Names, dates of birth and
    medicines on a list are the patient's data like her chart (HIPAA §164.312(b) audit controls), so each
    listed patient can see in her access log that staff saw her there, as she sees an opened chart.
    Same transaction as the read, like `record`.
    """
    info = request_info()
    user_agent = (info.user_agent or "")[:300] or None
    at = utcnow()
    rows = [{"at": at, "actor_user_id": actor.id, "actor_relation": relation, "patient_id": patient_id,
             "action": action, "resource_type": resource_type,
             "resource_id": None if resource_id is None else str(resource_id), "ip": info.ip,
             "user_agent": user_agent} for patient_id, resource_id in listed]
    if rows:
        db.session.execute(_INSERT, rows)


def trail_query(patient_id: int, *, relation: str | None = None, actor_user_id: int | None = None):
    """A select() of a patient's events, newest first, optionally narrowed by relation or actor."""
    stmt = select(AuditEvent).where(AuditEvent.patient_id == patient_id)
    if relation:
        stmt = stmt.where(AuditEvent.actor_relation == relation)
    if actor_user_id:
        stmt = stmt.where(AuditEvent.actor_user_id == actor_user_id)
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
