"""Helpers shared by the scheduling use cases: settings, zones, loading, slot-lock cells."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from hearth import db, phones
from hearth.clock import utcnow
from hearth.errors import Conflict, NotFound
from hearth.i18n import _l
from hearth.models import (
    Appointment,
    AppointmentSlotLock,
    Location,
    Patient,
    Practice,
    PracticeSchedulingSettings,
    Provider,
    VisitType,
)
from hearth.models.scheduling import LOCK_CELL_MINUTES

TAKEN = _l("That time was just taken. Please pick another.")
DEFAULTS = {
    "cancel_cutoff_hours": 24,
    "checkin_opens_hours": 72,
    "checkin_closes_minutes": 15,
    "video_url_template": "https://video.example/{appointment_id}",
    "video_join_minutes_before": 15,
    "reminder_offsets": "10080,1440,120",
    "booking_horizon_days": 90,
}


def settings_for(practice_id: int) -> PracticeSchedulingSettings:
    """The practice's scheduling settings, or an unsaved row holding the defaults."""
    row = db.session.get(PracticeSchedulingSettings, practice_id)
    return row if row is not None else PracticeSchedulingSettings(practice_id=practice_id, **DEFAULTS)


def zone_for(practice: Practice, location: Location | None) -> str:
    """The zone a schedule is kept in: the location's, else the practice's."""
    return (location.timezone if location is not None and location.timezone else None) or practice.timezone


def local_today(practice: Practice, location: Location | None = None, now: datetime | None = None) -> date:
    """Today's date where the schedule is kept (the location's zone, else the practice's)."""
    return (now or utcnow()).astimezone(ZoneInfo(zone_for(practice, location))).date()


def appointment_day(appointment: Appointment) -> date:
    """The local date an appointment falls on, in its location's (else its practice's) zone."""
    zone = zone_for(appointment.patient.practice, appointment.location)
    return appointment.starts_at.astimezone(ZoneInfo(zone)).date()


def practice_phone(practice: Practice, location: Location | None) -> str:
    """The number to call about a visit (the location's, else the practice's), formatted for people."""
    number = (location.phone if location is not None and location.phone else None) or practice.phone or ""
    return phones.display(number, practice.country)


def lock_provider(provider_id: int, *, shared: bool) -> None:
    """Order a booking against a change of the provider's time off (PostgreSQL; SQLite serializes).

    Bookings take the lock shared (they do not wait for each other: slot locks decide between
    them) before reading the provider's availability; adding time off takes it exclusively. So a
    booking that raced the time off either commits first (and the time off sees it) or reads the
    time off once it is committed (and is refused).
    """
    db.session.execute(select(Provider.id).where(Provider.id == provider_id).with_for_update(read=shared))


def lock_patient(patient_id: int) -> None:
    """Serialize one patient's bookings (or waitlist joins): a row lock on PostgreSQL; SQLite has one writer.

    FOR NO KEY UPDATE waits for another such lock, but not for the KEY SHARE locks that rows referring to
    the patient take (this request's own audit event), which would deadlock two bookings.
    """
    db.session.execute(select(Patient.id).where(Patient.id == patient_id).with_for_update(key_share=True))


def load_visit_type(practice_id: int, visit_type_id: int) -> VisitType:
    visit_type = db.session.get(VisitType, visit_type_id)
    if visit_type is None or visit_type.practice_id != practice_id or not visit_type.active:
        raise NotFound(_l("That visit type is not available."))
    return visit_type


def load_provider(practice_id: int, provider_id: int, *, lock_shared: bool = False) -> Provider:
    """The practice's provider (NotFound otherwise); `lock_shared`: read with `lock_provider(shared=True)`'s
    lock in the same statement (a booking's check: one round trip, not two)."""
    if lock_shared:
        provider = db.session.scalar(select(Provider).where(Provider.id == provider_id).with_for_update(read=True))
    else:
        provider = db.session.get(Provider, provider_id)
    if provider is None or provider.practice_id != practice_id:
        raise NotFound(_l("That provider is not available."))
    return provider


def load_location(practice_id: int, location_id: int | None) -> Location | None:
    if location_id is None:
        return None
    location = db.session.get(Location, location_id)
    if location is None or location.practice_id != practice_id:
        raise NotFound(_l("That location is not available."))
    return location


def load_appointment(patient: Patient, appointment_id: int, *, for_update: bool = False) -> Appointment:
    """The patient's appointment (NotFound for anyone else's), with its visit type, location and provider.

    Joined, not select-in: one statement instead of four for one row (the lock is the appointment's only).
    """
    stmt = (
        select(Appointment)
        .where(Appointment.id == appointment_id, Appointment.patient_id == patient.id)
        .options(joinedload(Appointment.visit_type, innerjoin=True), joinedload(Appointment.location),
                 joinedload(Appointment.provider, innerjoin=True))
    )
    if for_update:
        stmt = stmt.with_for_update(of=Appointment)
    appointment = db.session.scalar(stmt)
    if appointment is None:
        raise NotFound()
    return appointment


def cells(starts_at: datetime, ends_at: datetime) -> list[datetime]:
    """The 5-minute cells [starts_at, ends_at) covers, aligned to the cell grid."""
    step = timedelta(minutes=LOCK_CELL_MINUTES)
    first = starts_at.replace(second=0, microsecond=0)
    first -= timedelta(minutes=first.minute % LOCK_CELL_MINUTES)
    out = []
    cell = first
    while cell < ends_at:
        out.append(cell)
        cell += step
    return out


def hold(appointment: Appointment) -> None:
    """Insert the appointment's slot locks; Conflict when another booking holds any of them."""
    try:
        with db.session.begin_nested():
            db.session.add_all(
                AppointmentSlotLock(provider_id=appointment.provider_id, slot_start=cell, appointment_id=appointment.id)
                for cell in cells(appointment.starts_at, appointment.ends_at)
            )
    except IntegrityError:
        raise Conflict(TAKEN) from None


def release(appointment: Appointment) -> None:
    """Free the appointment's cells so the time can be booked again."""
    db.session.execute(delete(AppointmentSlotLock).where(AppointmentSlotLock.appointment_id == appointment.id))
