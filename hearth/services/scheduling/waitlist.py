"""The waitlist: patients who want an earlier visit hear when a matching slot frees up.

Every matching entry gets an offer through the outbox (no health detail, just "an earlier time is
available") and keeps the offered slot, so the portal and the app can show "Book this time". The first
one to book the slot gets it (the slot locks settle any race); the others' offers go back to waiting.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from hearth import db, policy
from hearth.claims import lock
from hearth.clock import utcnow
from hearth.errors import Conflict, Invalid, NotFound
from hearth.i18n import _l
from hearth.models import Appointment, Location, Patient, User, VisitType, WaitlistEntry, WaitlistStatus
from hearth.notify import outbox
from hearth.services.scheduling.common import load_provider, load_visit_type, local_today, zone_for

SCOPE = "appointments"
MAX_OFFERS = 10
OPEN = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)
MAX_VISIT = timedelta(hours=12)  # no visit type is longer; bounds the overlap search


@db.transactional
def join(user: User, patient: Patient, visit_type_id: int, window_start: date, window_end: date,
         provider_id: int | None = None) -> WaitlistEntry:
    """Put the patient on the waitlist for a visit type (optionally one provider) between two dates.

    Raises NotFound (unknown visit type or provider), Invalid (dates, not bookable online), Conflict (already on it).
    """
    granted = policy.authorize(user, patient, SCOPE, "join_waitlist", "waitlist")
    visit_type = load_visit_type(patient.practice_id, visit_type_id)
    if not visit_type.self_schedulable and granted.relation != "staff":
        raise Invalid(fields={"visit_type_id": [_l("This visit type cannot be booked online.")]})
    if provider_id is not None:
        load_provider(patient.practice_id, provider_id)
    if window_end < window_start:
        raise Invalid(fields={"window_end": [_l("The end date must be after the start date.")]})
    if window_end < local_today(patient.practice):
        raise Invalid(fields={"window_end": [_l("The end date has already passed.")]})
    lock(Patient, patient.id)  # two joins at once: the second sees the first
    duplicate = db.session.scalar(select(WaitlistEntry.id).where(
        WaitlistEntry.patient_id == patient.id, WaitlistEntry.visit_type_id == visit_type_id,
        WaitlistEntry.status.in_(OPEN),
        WaitlistEntry.provider_id.is_(None) if provider_id is None else WaitlistEntry.provider_id == provider_id,
    ).limit(1))
    if duplicate is not None:
        raise Conflict(_l("You are already on the waitlist for this visit type."))
    entry = WaitlistEntry(patient_id=patient.id, visit_type_id=visit_type_id, provider_id=provider_id,
                          window_start=window_start, window_end=window_end, status=WaitlistStatus.WAITING)
    db.session.add(entry)
    db.session.flush()
    return entry


def open_entries(patient: Patient) -> list[WaitlistEntry]:
    """The patient's open entries with what a list shows, in one query (no authorization: callers do it)."""
    return list(db.session.scalars(
        select(WaitlistEntry).where(WaitlistEntry.patient_id == patient.id, WaitlistEntry.status.in_(OPEN))
        .options(joinedload(WaitlistEntry.visit_type), joinedload(WaitlistEntry.provider),
                 joinedload(WaitlistEntry.offer_provider), joinedload(WaitlistEntry.offer_location))
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    ).unique())


@db.transactional
def entries(user: User, patient: Patient) -> list[WaitlistEntry]:
    """The patient's open waitlist entries, with any slot on offer."""
    policy.authorize(user, patient, SCOPE, "list", "waitlist")
    return open_entries(patient)


def load_entry(patient: Patient, entry_id: int) -> WaitlistEntry:
    """One of the patient's entries (NotFound for anyone else's)."""
    entry = db.session.scalar(
        select(WaitlistEntry).where(WaitlistEntry.id == entry_id, WaitlistEntry.patient_id == patient.id))
    if entry is None:
        raise NotFound()
    return entry


@db.transactional
def leave(user: User, patient: Patient, entry_id: int) -> WaitlistEntry:
    """Take the patient off one waitlist entry (any pending offer message is withdrawn)."""
    policy.authorize(user, patient, SCOPE, "leave_waitlist", "waitlist", entry_id)
    entry = load_entry(patient, entry_id)
    entry.status = WaitlistStatus.REMOVED
    _clear_offer(entry)
    return entry


def offer_freed(visit_type: VisitType, provider_id: int, location_id: int | None,
                starts_at: datetime, ends_at: datetime) -> list[WaitlistEntry]:
    """Offer a just-freed slot to waiting patients who match; called inside cancel/reschedule.

    Entries holding an offer that has passed count as waiting again; a live offer is kept.
    """
    now = utcnow()
    if starts_at <= now:
        return []
    location = db.session.get(Location, location_id) if location_id else None
    day = starts_at.astimezone(ZoneInfo(zone_for(visit_type.practice, location))).date()
    matches = db.session.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.visit_type_id == visit_type.id,
               or_(WaitlistEntry.status == WaitlistStatus.WAITING,
                   and_(WaitlistEntry.status == WaitlistStatus.OFFERED, WaitlistEntry.offer_starts_at <= now)),
               or_(WaitlistEntry.provider_id.is_(None), WaitlistEntry.provider_id == provider_id),
               WaitlistEntry.window_start <= day, WaitlistEntry.window_end >= day)
        .options(selectinload(WaitlistEntry.patient).selectinload(Patient.user))
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id).limit(MAX_OFFERS).with_for_update()
    ).all()
    for entry in matches:
        entry.status = WaitlistStatus.OFFERED
        entry.offered_at = now
        entry.offer_provider_id, entry.offer_location_id, entry.offer_starts_at = provider_id, location_id, starts_at
        outbox.enqueue(
            key=f"waitlist:{entry.id}:{provider_id}:{starts_at.isoformat()}", kind="waitlist",
            template="waitlist_offer", params={"ref": f"waitlist:{entry.id}"},
            user=entry.patient.user, patient=entry.patient, latest_at=starts_at,
        )
    return list(matches)


def settle(booked: Appointment, *, booker_patient_id: int | None) -> None:
    """After a booking or a move: the booker's entries for the visit type are done (pass None for a move), and
    other patients' offers of the time now taken go back to waiting (first come, first served).

    Rows are locked in one statement in (created_at, id) order, as `offer_freed` does, so two bookings at
    once cannot deadlock on each other's entries.
    """
    offered = and_(WaitlistEntry.status == WaitlistStatus.OFFERED,
                   WaitlistEntry.offer_provider_id == booked.provider_id,
                   WaitlistEntry.offer_starts_at < booked.ends_at,
                   WaitlistEntry.offer_starts_at > booked.starts_at - MAX_VISIT)
    condition = offered
    if booker_patient_id is not None:
        condition = or_(offered, and_(WaitlistEntry.patient_id == booker_patient_id,
                                      WaitlistEntry.visit_type_id == booked.visit_type_id,
                                      WaitlistEntry.status.in_(OPEN)))
    rows = db.session.scalars(
        select(WaitlistEntry).where(condition).order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        .with_for_update().options(selectinload(WaitlistEntry.visit_type))
    ).all()
    for entry in rows:
        if entry.patient_id == booker_patient_id and entry.visit_type_id == booked.visit_type_id:
            entry.status = WaitlistStatus.BOOKED
            _clear_offer(entry)
        elif entry.offer_starts_at + timedelta(minutes=entry.visit_type.duration_minutes) > booked.starts_at:
            entry.status = WaitlistStatus.WAITING
            _clear_offer(entry)


def _clear_offer(entry: WaitlistEntry) -> None:
    entry.offer_provider_id = entry.offer_location_id = entry.offer_starts_at = None
    outbox.cancel(key_prefix=f"waitlist:{entry.id}:")
