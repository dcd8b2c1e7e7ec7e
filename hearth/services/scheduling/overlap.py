"""A patient holds at most one visit at a time, across providers; staff may book over that with a reason.

Race-safe: the booking locks the patient's row before it looks for an overlapping visit, so two
bookings for one patient (even with two providers) run one after the other on PostgreSQL, and the
second sees the first. SQLite has one writer at a time (FOR UPDATE is left out there): a use case that
writes holds the write lock, so the same order holds.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth import audit, db
from hearth.errors import Conflict
from hearth.i18n import _l
from hearth.models import Appointment, AppointmentStatus, Patient, User
from hearth.services.scheduling.common import lock_patient, zone_for

# Visits a patient still holds: not cancelled, and not missed.
RELEASED = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)
REASON_MAX = 300


def overlapping(patient_id: int, starts_at: datetime, ends_at: datetime, *,
                moving: int | None = None) -> Appointment | None:
    """The earliest visit the patient holds that overlaps [starts_at, ends_at), if any."""
    stmt = (select(Appointment).where(
        Appointment.patient_id == patient_id, Appointment.status.not_in(RELEASED),
        Appointment.starts_at < ends_at, Appointment.ends_at > starts_at)
        .options(selectinload(Appointment.provider), selectinload(Appointment.location))
        .order_by(Appointment.starts_at).limit(1))
    if moving is not None:
        stmt = stmt.where(Appointment.id != moving)
    return db.session.scalar(stmt)


def check_free(patient: Patient, starts_at: datetime, ends_at: datetime, *, staff: bool,
               override_reason: str | None = None, moving: int | None = None) -> str | None:
    """Lock the patient and refuse a time that overlaps another of her visits.

    Staff may go ahead by giving a reason, which is returned (to store on the visit); otherwise
    None. Raises Conflict naming the other visit's time and provider.
    """
    lock_patient(patient.id)
    other = overlapping(patient.id, starts_at, ends_at, moving=moving)
    if other is None:
        return None
    reason = " ".join((override_reason or "").split())[:REASON_MAX]
    if staff and reason:
        return reason
    when = _when(patient, other)
    if staff:
        message = _l("This patient already has a visit at %(when)s with %(provider)s. To book this time "
                     "anyway, give a reason.", when=when, provider=other.provider.display_name)
        raise Conflict(message, fields={"overlap_reason": [message]})
    raise Conflict(_l("You already have a visit at %(when)s with %(provider)s. Choose another time, or "
                      "cancel that visit first.", when=when, provider=other.provider.display_name))


def record_override(user: User, patient: Patient, appointment: Appointment) -> None:
    """Log that staff booked or moved a visit over another of the patient's (the reason is on the visit)."""
    audit.record(actor=user, relation="staff", patient_id=patient.id, action="override_overlap",
                 resource_type="appointment", resource_id=appointment.id)


def _when(patient: Patient, other: Appointment) -> str:
    """The other visit's start in its clinic's zone, for people: "Tue, Dec 1, 10:00 AM" (no seconds)."""
    zone = ZoneInfo(zone_for(patient.practice, other.location))
    locale = str(get_locale() or "en")
    day = format_skeleton("MMMEd", other.starts_at, tzinfo=zone, locale=locale)
    return f"{day}, {format_time(other.starts_at, 'short', tzinfo=zone, locale=locale)}".replace("\u202f", " ")
