"""The practice's side: day and week schedules, booking for a patient, and moving visits through the day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from hearth import audit, db, policy
from hearth.clock import utcnow
from hearth.errors import Conflict, Invalid, NotFound
from hearth.i18n import _l, current_language
from hearth.labels import label
from hearth.models import Appointment, AppointmentStatus, Location, Patient, Practice, Provider, User
from hearth.policy import CLINICAL_ROLES
from hearth.services.scheduling import history, reminders
from hearth.services.scheduling.booking import SlotChoice, book
from hearth.services.scheduling.common import appointment_day, load_location, local_today, zone_for

MAX_DAYS = 7
S = AppointmentStatus
# Allowed moves through a visit; cancelling goes through booking.cancel (slot freed, waitlist told).
TRANSITIONS: dict[AppointmentStatus, set[AppointmentStatus]] = {
    S.BOOKED: {S.ARRIVED, S.NO_SHOW},
    S.ARRIVED: {S.ROOMED, S.SEEN, S.BOOKED},
    S.ROOMED: {S.SEEN},
    S.SEEN: {S.COMPLETED},
    S.NO_SHOW: {S.BOOKED, S.ARRIVED},
}
STAMPS = {S.ARRIVED: "arrived_at", S.ROOMED: "roomed_at", S.SEEN: "seen_at", S.COMPLETED: "completed_at",
          S.NO_SHOW: "no_show_at"}
# The steps a visit in each state has been through: moving back (to Booked, or from a no-show to
# Arrived) clears the times of the steps it undoes.
STEPS_TAKEN: dict[AppointmentStatus, set[AppointmentStatus]] = {
    S.BOOKED: set(), S.ARRIVED: {S.ARRIVED}, S.ROOMED: {S.ARRIVED, S.ROOMED},
    S.SEEN: {S.ARRIVED, S.ROOMED, S.SEEN}, S.COMPLETED: {S.ARRIVED, S.ROOMED, S.SEEN, S.COMPLETED},
    S.NO_SHOW: {S.NO_SHOW},
}


@dataclass
class Schedule:
    practice: Practice
    start: date
    days: int
    timezone: str  # the days and times are this zone's: the location's when one is chosen, else the practice's
    provider_id: int | None = None
    location_id: int | None = None
    by_day: dict[date, list[Appointment]] = field(default_factory=dict)

    # The filters' choices: read by the portal's page only, so the API's schedule does not pay for them.
    @cached_property
    def providers(self) -> list[Provider]:
        return list(db.session.scalars(select(Provider).where(Provider.practice_id == self.practice.id)
                                       .order_by(Provider.family_name, Provider.given_name)))

    @cached_property
    def locations(self) -> list[Location]:
        return list(db.session.scalars(select(Location).where(Location.practice_id == self.practice.id)
                                       .order_by(Location.name)))


@db.transactional
def schedule(user: User, practice_id: int, start: date | None = None, *, days: int = 1,
             provider_id: int | None = None, location_id: int | None = None,
             include_cancelled: bool = False) -> Schedule:
    """Appointments for `days` local days from `start` (default: today there), grouped by day; staff only."""
    policy.require_practice_role(user, practice_id, CLINICAL_ROLES)
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(fields={"days": [_l("Show between 1 and %(n)s days.", n=MAX_DAYS)]})
    practice = db.session.get(Practice, practice_id)
    if practice is None:
        raise NotFound()
    location = load_location(practice_id, location_id)
    zone = zone_for(practice, location)
    start = start or local_today(practice, location)
    tz = ZoneInfo(zone)
    lo = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    hi = datetime.combine(start + timedelta(days=days), datetime.min.time(), tzinfo=tz)
    stmt = (
        select(Appointment).join(Appointment.patient)
        .where(Patient.practice_id == practice_id, Appointment.starts_at >= lo, Appointment.starts_at < hi)
        .options(contains_eager(Appointment.patient), joinedload(Appointment.visit_type),
                 joinedload(Appointment.provider), joinedload(Appointment.location))
        .order_by(Appointment.starts_at, Appointment.provider_id)
    )
    if provider_id is not None:
        stmt = stmt.where(Appointment.provider_id == provider_id)
    if location_id is not None:
        stmt = stmt.where(Appointment.location_id == location_id)
    if not include_cancelled:
        stmt = stmt.where(Appointment.status != AppointmentStatus.CANCELLED)
    result = Schedule(
        practice=practice, start=start, days=days, provider_id=provider_id, location_id=location_id, timezone=zone)
    for offset in range(days):
        result.by_day[start + timedelta(days=offset)] = []
    for appointment in db.session.scalars(stmt):
        result.by_day.setdefault(appointment.starts_at.astimezone(tz).date(), []).append(appointment)
    # Each visit shown is audited for its patient (list/appointment); a day without visits shows no one's data.
    audit.record_listed(actor=user, relation="staff", action="list", resource_type="appointment",
                        listed=[(a.patient_id, a.id) for day in result.by_day.values() for a in day])
    return result


def patient_for_booking(user: User, practice_id: int, patient_id: int) -> Patient:
    """The patient staff are booking for: one of their practice's, else NotFound (Forbidden if not staff)."""
    policy.require_practice_role(user, practice_id, CLINICAL_ROLES)
    patient = db.session.get(Patient, patient_id)
    if patient is None or patient.practice_id != practice_id:
        raise NotFound()
    return patient


@db.transactional
def book_for_patient(user: User, practice_id: int, patient_id: int, choice: SlotChoice, *,
                     base_url: str = "") -> Appointment:
    """Staff book a slot for a patient of their practice (any visit type, self-schedulable or not)."""
    policy.require_practice_role(user, practice_id, CLINICAL_ROLES)
    patient = db.session.get(Patient, patient_id)
    if patient is None or patient.practice_id != practice_id:
        raise NotFound()
    return book(user, patient, choice, base_url=base_url)


@db.transactional
def set_status(user: User, practice_id: int, appointment_id: int, status: AppointmentStatus, *,
               now: datetime | None = None, base_url: str = "") -> Appointment:
    """Move a visit along (arrived → roomed → seen → completed, or no-show), stamping each step.

    Arrival only on the visit's day (the clinic's zone). Moving back to Booked clears the times of
    what it undoes and plans the reminders still ahead. Raises Conflict, Forbidden, NotFound.
    """
    policy.require_practice_role(user, practice_id, CLINICAL_ROLES)
    appointment = db.session.scalar(
        select(Appointment).join(Appointment.patient)
        .where(Appointment.id == appointment_id, Patient.practice_id == practice_id)
        .with_for_update(of=Appointment)
    )
    if appointment is None:
        raise NotFound()
    policy.authorize(user, appointment.patient, "appointments", f"status:{status.value}", "appointment",
                     appointment_id)
    now = now or utcnow()
    if status not in TRANSITIONS.get(appointment.status, set()):
        raise Conflict(_l("A visit cannot go from %(old)s to %(new)s.", old=status_label(appointment.status),
                          new=status_label(status)))
    if status == S.NO_SHOW and now < appointment.starts_at:
        raise Conflict(_l("A visit can only be marked as a no-show after it was due to start."))
    if status == S.ARRIVED and local_today(appointment.patient.practice, appointment.location, now) != (
            day := appointment_day(appointment)):
        raise Conflict(_l("A patient can be marked as arrived only on the day of the visit (%(day)s).",
                          day=format_date(day, "medium", locale=current_language() or "en")))
    history.record(appointment, appointment.status, status, user, now)
    appointment.status = status
    for step, stamp in STAMPS.items():
        if step not in STEPS_TAKEN[status]:
            setattr(appointment, stamp, None)
    if status in STAMPS:
        setattr(appointment, STAMPS[status], now)
    if status in (S.ARRIVED, S.NO_SHOW):
        reminders.cancel(appointment)
    elif status == S.BOOKED:
        reminders.plan(appointment, base_url=base_url, now=now)
    return appointment


def status_label(status: AppointmentStatus) -> str:
    return label("appointment_status", status)


def next_statuses(appointment: Appointment, now: datetime | None = None) -> list[AppointmentStatus]:
    """The buttons a schedule row offers, in a sensible order (Arrived only on the visit's day)."""
    order = [S.ARRIVED, S.ROOMED, S.SEEN, S.COMPLETED, S.NO_SHOW, S.BOOKED]
    allowed = set(TRANSITIONS.get(appointment.status, set()))
    if S.ARRIVED in allowed and local_today(appointment.patient.practice, appointment.location,
                                            now) != appointment_day(appointment):
        allowed.discard(S.ARRIVED)
    if S.NO_SHOW in allowed and (now or utcnow()) < appointment.starts_at:
        allowed.discard(S.NO_SHOW)
    return [s for s in order if s in allowed]

