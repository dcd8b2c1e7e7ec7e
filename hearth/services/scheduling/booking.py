"""Booking, rescheduling and cancelling by patients and caregivers (and staff for a patient).

The slot must be one `availability` offers; the database's slot locks make a race between two
bookings end with exactly one appointment and a clear Conflict for the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, not_, or_, select
from sqlalchemy.orm import joinedload

from hearth import db, policy
from hearth.clock import utcnow
from hearth.errors import Conflict, Invalid
from hearth.i18n import _l
from hearth.models import Appointment, AppointmentStatus, Patient, User, VisitMode, VisitType, WaitlistStatus
from hearth.models.scheduling import UPCOMING_STATUSES
from hearth.services.gfe import issue as gfe_issue
from hearth.services.scheduling import history, notices, overlap, reminders, video_link, waitlist
from hearth.services.scheduling.availability import open_slots
from hearth.services.scheduling.common import (
    TAKEN,
    hold,
    load_appointment,
    load_location,
    load_provider,
    load_visit_type,
    practice_phone,
    release,
    settings_for,
    zone_for,
)

SCOPE = "appointments"
PAST_LIMIT = 50


@dataclass(frozen=True)
class SlotChoice:
    visit_type_id: int
    provider_id: int
    starts_at: datetime
    location_id: int | None = None
    reason: str | None = None
    overlap_reason: str | None = None  # staff booking over another visit of the patient: why


def upcoming_and_past(patient: Patient, now: datetime | None = None) -> tuple[list[Appointment], list[Appointment]]:
    """(upcoming, past) with what the list shows loaded up front (no authorization: callers do it).

    Upcoming: not over and still to happen (booked, or under way). Everything else (over, cancelled,
    completed, missed) is "past", latest first, at most PAST_LIMIT.
    One SELECT for both (the latest past ones picked by a subquery): the joined loads' set-up is paid
    once, not twice. The database says which rows are upcoming (the `ahead` column), so the split is the
    WHERE clause's own; equal start times come in id order (latest first in the past list).
    """
    now = now or utcnow()
    opts = (joinedload(Appointment.visit_type).joinedload(VisitType.practice), joinedload(Appointment.provider),
            joinedload(Appointment.location))
    ahead = and_(Appointment.ends_at >= now, Appointment.status.in_(UPCOMING_STATUSES))
    latest_past = (select(Appointment.id).where(Appointment.patient_id == patient.id, not_(ahead))
                   .order_by(Appointment.starts_at.desc(), Appointment.id.desc()).limit(PAST_LIMIT))
    rows = db.session.execute(
        select(Appointment, ahead.label("ahead"))
        .where(Appointment.patient_id == patient.id, or_(ahead, Appointment.id.in_(latest_past.scalar_subquery())))
        .order_by(Appointment.starts_at, Appointment.id).options(*opts)
    ).all()
    upcoming = [appointment for appointment, is_ahead in rows if is_ahead]
    past = [appointment for appointment, is_ahead in reversed(rows) if not is_ahead]
    return upcoming, past


@db.transactional
def list_for_patient(user: User, patient: Patient, *, now: datetime | None = None
                     ) -> tuple[list[Appointment], list[Appointment]]:
    """(upcoming, past) appointments with what the list shows loaded up front; past is the latest 50."""
    policy.authorize(user, patient, SCOPE, "list", "appointment")
    return upcoming_and_past(patient, now)


@db.transactional
def get(user: User, patient: Patient, appointment_id: int) -> Appointment:
    """One of the patient's appointments."""
    policy.authorize(user, patient, SCOPE, "view", "appointment", appointment_id)
    return load_appointment(patient, appointment_id)


@db.transactional
def book(user: User, patient: Patient, choice: SlotChoice, *, base_url: str = "") -> Appointment:
    """Book an offered slot. Raises Invalid (not a slot), Conflict (taken meanwhile, or the patient has
    another visit then: staff may go ahead with `choice.overlap_reason`)."""
    granted = policy.authorize(user, patient, SCOPE, "book", "appointment")
    staff = granted.relation == "staff"
    visit_type, location, provider = _check_slot(patient, choice, staff=staff)
    ends_at = choice.starts_at + timedelta(minutes=visit_type.duration_minutes)
    override = overlap.check_free(patient, choice.starts_at, ends_at, staff=staff,
                                  override_reason=choice.overlap_reason)
    # The rows just checked go on the new visit as its relationships (the foreign keys follow at the
    # flush): reminders, notices and the response read them without loading them again after the commit.
    appointment = Appointment(
        patient=patient, provider=provider, visit_type=visit_type, location=location,
        starts_at=choice.starts_at, ends_at=ends_at,
        status=AppointmentStatus.BOOKED, booked_by_user_id=user.id, reason=choice.reason or None,
        overlap_reason=override,
    )
    db.session.add(appointment)
    db.session.flush()
    history.record(appointment, None, AppointmentStatus.BOOKED, user)
    hold(appointment)
    if override:
        overlap.record_override(user, patient, appointment)
    waitlist.settle(appointment, booker_patient_id=patient.id)
    reminders.plan(appointment, base_url=base_url)
    notices.booked(appointment)
    gfe_issue.on_booked(appointment)  # a self-pay patient booking 3+ business days out is owed a GFE
    return appointment


@db.transactional
def book_offer(user: User, patient: Patient, entry_id: int, *, base_url: str = "") -> Appointment:
    """Book the freed time a waitlist entry was offered: first come, first served.

    Raises NotFound (not the patient's entry), Conflict (someone else was first, or the offer is over).
    """
    policy.authorize(user, patient, SCOPE, "book_offer", "waitlist", entry_id)
    entry = waitlist.load_entry(patient, entry_id)  # no row lock: the slot locks decide who was first
    if entry.offered_at is None:
        raise Conflict(_l("No time has been offered yet."))
    if entry.status == WaitlistStatus.WAITING:  # the offer went back to waiting: another patient booked it
        raise Conflict(TAKEN)
    offer = entry.open_offer
    if offer is None:
        raise Conflict(_l("This offer is no longer available."))
    choice = SlotChoice(entry.visit_type_id, offer.provider.id, offer.starts_at,
                        None if offer.location is None else offer.location.id)
    return book(user, patient, choice, base_url=base_url)


@db.transactional
def reschedule(user: User, patient: Patient, appointment_id: int, starts_at: datetime,
               provider_id: int | None = None, location_id: int | None = None, *,
               base_url: str = "", overlap_reason: str | None = None) -> Appointment:
    """Move a booked appointment to another offered slot; the old time is freed and offered on.

    Raises Invalid, Conflict as `book` (staff may move over another visit of the patient with a reason).
    """
    granted = policy.authorize(user, patient, SCOPE, "reschedule", "appointment", appointment_id)
    appointment = load_appointment(patient, appointment_id, for_update=True)
    staff = granted.relation == "staff"
    check_changeable(appointment, staff=staff)
    old = (appointment.provider_id, appointment.location_id, appointment.starts_at, appointment.ends_at)
    choice = SlotChoice(appointment.visit_type_id, provider_id or appointment.provider_id, starts_at,
                        location_id if location_id is not None else appointment.location_id)
    visit_type, location, _provider = _check_slot(patient, choice, staff=staff, moving=appointment.id)
    ends_at = starts_at + timedelta(minutes=visit_type.duration_minutes)
    override = overlap.check_free(patient, starts_at, ends_at, staff=staff, override_reason=overlap_reason,
                                  moving=appointment.id)
    release(appointment)
    db.session.flush()
    appointment.provider_id = choice.provider_id
    appointment.location_id = None if location is None else location.id
    appointment.starts_at = starts_at
    appointment.ends_at = ends_at
    appointment.overlap_reason = override
    appointment.checked_in_at = None
    appointment.confirmed_at = None  # the new time is not confirmed yet
    appointment.calendar_changed()
    db.session.flush()
    hold(appointment)
    if override:
        overlap.record_override(user, patient, appointment)
    waitlist.settle(appointment, booker_patient_id=None)
    reminders.replan(appointment, base_url=base_url)
    notices.moved(appointment)
    gfe_issue.on_rescheduled(appointment)  # a new date or provider: a new GFE replaces the visit's old one
    old_provider, _, old_start, old_end = old
    if old_provider != appointment.provider_id or not (old_start < appointment.ends_at
                                                       and appointment.starts_at < old_end):
        waitlist.offer_freed(visit_type, *old)  # a time the visit still overlaps is not free
    return appointment


@db.transactional
def cancel(user: User, patient: Patient, appointment_id: int, reason: str | None = None) -> Appointment:
    """Cancel before the practice's cutoff (staff: any time); reminders stop and the waitlist hears."""
    granted = policy.authorize(user, patient, SCOPE, "cancel", "appointment", appointment_id)
    appointment = load_appointment(patient, appointment_id, for_update=True)
    check_changeable(appointment, staff=granted.relation == "staff")
    close(appointment, reason, by=user)
    notices.cancelled(appointment)
    return appointment


def close(appointment: Appointment, reason: str | None, *, offer_time: bool = True,
          by: User | None = None) -> Appointment:
    """Mark a (locked, checked) visit cancelled: its time is freed, reminders stop, the waitlist hears.

    `offer_time=False` when the time is not free for anyone (the provider took it off); `by` is who
    cancelled, for the status history.
    """
    history.record(appointment, appointment.status, AppointmentStatus.CANCELLED, by)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = utcnow()
    appointment.cancel_reason = (reason or "").strip()[:300] or None
    appointment.calendar_changed()
    release(appointment)
    reminders.cancel(appointment)
    if offer_time:
        waitlist.offer_freed(appointment.visit_type, appointment.provider_id, appointment.location_id,
                             appointment.starts_at, appointment.ends_at)
    return appointment


@db.transactional
def join_link(user: User, patient: Patient, appointment_id: int, *, now: datetime | None = None) -> str:
    """The video link, from N minutes before the start until the end. Raises Conflict outside that."""
    policy.authorize(user, patient, SCOPE, "join", "appointment", appointment_id)
    appointment = load_appointment(patient, appointment_id)
    if appointment.visit_type.mode != VisitMode.VIDEO:
        raise Conflict(_l("This is not a video visit."))
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW, AppointmentStatus.COMPLETED):
        raise Conflict(_l("This visit is no longer open."))
    settings = settings_for(patient.practice_id)
    now = now or utcnow()
    opens = appointment.starts_at - timedelta(minutes=settings.video_join_minutes_before)
    if now < opens:
        raise Conflict(_l("You can join %(minutes)s minutes before your visit starts.",
                          minutes=settings.video_join_minutes_before))
    if now >= appointment.ends_at:
        raise Conflict(_l("This visit is no longer open."))
    return video_link.render(settings.video_url_template, appointment)


def can_join(appointment: Appointment, now: datetime | None = None) -> bool:
    """Whether the join button should show (the service still decides on click)."""
    if appointment.visit_type.mode != VisitMode.VIDEO or not appointment.is_active:
        return False
    now = now or utcnow()
    opens = appointment.starts_at - timedelta(minutes=settings_for(appointment.patient.practice_id)
                                              .video_join_minutes_before)
    return opens <= now < appointment.ends_at


def can_change(appointment: Appointment, now: datetime | None = None) -> bool:
    """Whether a patient may still reschedule or cancel online."""
    if appointment.status != AppointmentStatus.BOOKED:
        return False
    cutoff = timedelta(hours=settings_for(appointment.patient.practice_id).cancel_cutoff_hours)
    return (now or utcnow()) < appointment.starts_at - cutoff


def check_changeable(appointment: Appointment, *, staff: bool) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(_l("This appointment can no longer be changed."))
    if staff:
        return
    if not can_change(appointment):
        phone = practice_phone(appointment.patient.practice, appointment.location)
        raise Conflict(_l("It is too late to cancel online; please call us at %(phone)s", phone=phone))


def _check_slot(patient: Patient, choice: SlotChoice, *, staff: bool, moving: int | None = None):
    """(visit type, location, provider) when `choice` is a slot on offer; Invalid or Conflict otherwise."""
    visit_type = load_visit_type(patient.practice_id, choice.visit_type_id)
    if not visit_type.self_schedulable and not staff:
        raise Invalid(_l("This visit type cannot be booked online."))
    provider = load_provider(patient.practice_id, choice.provider_id, lock_shared=True)  # see lock_provider
    video = visit_type.mode == VisitMode.VIDEO
    location = None if video else load_location(patient.practice_id, choice.location_id)
    if not video and location is None:
        raise Invalid(fields={"location_id": [_l("Choose a location.")]})
    zone = zone_for(patient.practice, location)
    day = choice.starts_at.astimezone(_tz(zone)).date()
    offered = open_slots(visit_type, day - timedelta(days=1), day + timedelta(days=1), provider_id=choice.provider_id,
                         location_id=None if location is None else location.id,
                         ignore_appointment_id=moving)
    if any(s.starts_at == choice.starts_at for s in offered):
        return visit_type, location, provider
    if _busy(choice.provider_id, choice.starts_at, visit_type.duration_minutes, moving):
        raise Conflict(TAKEN)
    raise Invalid(_l("That time is not available."), fields={"starts_at": [_l("That time is not available.")]})


def _busy(provider_id: int, starts_at: datetime, minutes: int, moving: int | None) -> bool:
    """Whether another active appointment of the provider overlaps the wanted time."""
    stmt = select(Appointment.id).where(
        Appointment.provider_id == provider_id, Appointment.status != AppointmentStatus.CANCELLED,
        Appointment.starts_at < starts_at + timedelta(minutes=minutes), Appointment.ends_at > starts_at)
    if moving is not None:
        stmt = stmt.where(Appointment.id != moving)
    return db.session.scalar(stmt.limit(1)) is not None


def _tz(zone: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(zone)

