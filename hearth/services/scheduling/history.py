"""A visit's status history: written wherever its status changes, read by the staff detail page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import db
from hearth.clock import utcnow
from hearth.models import Appointment, AppointmentStatus, AppointmentStatusChange, User


def record(appointment: Appointment, old: AppointmentStatus | None, new: AppointmentStatus,
           by: User | None, at: datetime | None = None) -> AppointmentStatusChange:
    """Append one change in the current transaction (the caller has flushed the appointment)."""
    change = AppointmentStatusChange(appointment_id=appointment.id, from_status=old, to_status=new,
                                     by_user_id=by.id if by is not None else None, at=at or utcnow())
    db.session.add(change)
    return change


def for_appointment(appointment_id: int) -> list[AppointmentStatusChange]:
    """The changes of one visit, oldest first, with who made them (one query)."""
    return list(db.session.scalars(
        select(AppointmentStatusChange)
        .where(AppointmentStatusChange.appointment_id == appointment_id)
        .options(selectinload(AppointmentStatusChange.by_user))
        .order_by(AppointmentStatusChange.at, AppointmentStatusChange.id)
    ))
