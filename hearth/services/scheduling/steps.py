"""Booking in steps, as a phone shows it: which days have open times, one day's times, then a review.

Each step is one use case over `availability.open_slots` (three queries whatever the range), so a
60-day search shows a strip of days, never hundreds of times at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hearth import db, policy, texts
from hearth.errors import Conflict, Invalid
from hearth.i18n import _l, current_language
from hearth.models import Location, Patient, Provider, User, VisitMode, VisitType
from hearth.services.scheduling.availability import Slot, SlotQuery, open_slots
from hearth.services.scheduling.common import (
    TAKEN,
    load_appointment,
    load_location,
    load_provider,
    load_visit_type,
    local_today,
    practice_phone,
    settings_for,
    zone_for,
)

SCOPE = "appointments"
DAYS_SHOWN = 60  # one page of the day strip
PARTS = (("morning", 0, 12), ("afternoon", 12, 17), ("evening", 17, 24))  # local hours [from, to)


@dataclass(frozen=True)
class OpenDay:
    day: date
    count: int  # open times that day

    @property
    def month(self) -> date:
        return self.day.replace(day=1)


@dataclass(frozen=True)
class DaysView:
    visit_type: VisitType
    days: list[OpenDay]  # only days with open times, in order
    first: Slot | None  # the first available time in the window
    start: date
    end: date
    earlier: date | None  # the previous window's start, when it is not in the past
    later: date | None  # the next window's start, while within the booking horizon


@dataclass(frozen=True)
class PartOfDay:
    name: str  # morning | afternoon | evening
    slots: list[Slot]


@dataclass(frozen=True)
class ProviderTimes:
    provider_id: int
    provider_name: str
    location_name: str | None
    parts: list[PartOfDay]


@dataclass(frozen=True)
class TimesView:
    visit_type: VisitType
    day: date
    groups: list[ProviderTimes]
    previous_day: date | None  # the nearest earlier / later day with open times (within the window)
    next_day: date | None

    @property
    def count(self) -> int:
        return sum(len(part.slots) for group in self.groups for part in group.parts)


@dataclass(frozen=True)
class Review:
    visit_type: VisitType
    provider: Provider
    location: Location | None
    starts_at: datetime
    ends_at: datetime
    zone: str
    cancel_until: datetime | None  # the last moment it can be cancelled online (None: any time before)
    phone: str  # whom to call to change it after that
    instructions: str | None = None

    @property
    def day(self) -> date:
        return self.starts_at.astimezone(ZoneInfo(self.zone)).date()

    def cancellable_online(self, now: datetime) -> bool:
        return self.cancel_until is None or now < self.cancel_until


def _searchable(user: User, patient: Patient, visit_type_id: int, action: str) -> tuple[VisitType, date, date]:
    """The visit type (when the actor may search it), today and the last bookable day where it is kept."""
    granted = policy.authorize(user, patient, SCOPE, action, "slots", visit_type_id)
    visit_type = load_visit_type(patient.practice_id, visit_type_id)
    if not visit_type.self_schedulable and granted.relation != "staff":
        raise Invalid(_l("This visit type cannot be booked online."), fields={"visit_type_id": [
            _l("This visit type cannot be booked online.")]})
    today = local_today(patient.practice)
    horizon = today + timedelta(days=settings_for(patient.practice_id).booking_horizon_days)
    return visit_type, today, horizon


def _slots(visit_type: VisitType, query: SlotQuery, start: date, end: date, moving: int | None) -> list[Slot]:
    return open_slots(visit_type, start, end, provider_id=query.provider_id, location_id=query.location_id,
                      ignore_appointment_id=moving)


def _local_day(slot: Slot) -> date:
    return slot.starts_at.astimezone(ZoneInfo(slot.timezone)).date()


@db.transactional
def open_days(user: User, patient: Patient, query: SlotQuery, *, moving: int | None = None,
              days: int = DAYS_SHOWN) -> DaysView:
    """The days with open times from `query.start` (default today) for `days` days, and the first time.

    Raises NotFound (no access), Invalid (a visit type that cannot be booked online).
    """
    visit_type, today, horizon = _searchable(user, patient, query.visit_type_id, "search")
    if moving is not None:
        load_appointment(patient, moving)
    start = max(query.start or today, today)
    start = min(start, horizon)
    end = min(start + timedelta(days=days - 1), horizon)
    slots = _slots(visit_type, query, start, end, moving)
    counts: dict[date, int] = {}
    for slot in slots:
        counts[_local_day(slot)] = counts.get(_local_day(slot), 0) + 1
    earlier = start - timedelta(days=days) if start > today else None
    return DaysView(visit_type, [OpenDay(d, n) for d, n in sorted(counts.items())], slots[0] if slots else None,
                    start, end, max(earlier, today) if earlier else None,
                    end + timedelta(days=1) if end < horizon else None)


@db.transactional
def day_times(user: User, patient: Patient, query: SlotQuery, day: date, *, moving: int | None = None
              ) -> TimesView:
    """One day's open times, per provider, grouped into morning, afternoon and evening.

    Raises NotFound (no access), Invalid (not bookable online, or a day outside the booking window).
    """
    visit_type, today, horizon = _searchable(user, patient, query.visit_type_id, "search")
    if moving is not None:
        load_appointment(patient, moving)
    if not today <= day <= horizon:
        raise Invalid(fields={"day": [_l("Choose a day from the ones shown.")]})
    week = _slots(visit_type, query, max(today, day - timedelta(days=7)), min(horizon, day + timedelta(days=7)),
                  moving)
    days = sorted({_local_day(s) for s in week})
    slots = [s for s in week if _local_day(s) == day]
    groups: dict[int, list[Slot]] = {}
    for slot in slots:
        groups.setdefault(slot.provider_id, []).append(slot)
    result = []
    for provider_slots in sorted(groups.values(), key=lambda g: g[0].provider_name):
        parts = []
        for name, lo, hi in PARTS:
            chosen = [s for s in provider_slots if lo <= s.starts_at.astimezone(ZoneInfo(s.timezone)).hour < hi]
            if chosen:
                parts.append(PartOfDay(name, chosen))
        first = provider_slots[0]
        result.append(ProviderTimes(first.provider_id, first.provider_name, first.location_name, parts))
    before = [d for d in days if d < day]
    after = [d for d in days if d > day]
    return TimesView(visit_type, day, result, before[-1] if before else None, after[0] if after else None)


@db.transactional
def review(user: User, patient: Patient, visit_type_id: int, provider_id: int, location_id: int | None,
           starts_at: datetime, *, moving: int | None = None) -> Review:
    """What the patient is about to book: where, when, with whom, how to prepare, until when she can cancel.

    Raises NotFound (no access), Invalid (not a time on offer), Conflict (taken since it was shown).
    """
    visit_type, _, _ = _searchable(user, patient, visit_type_id, "review")
    if moving is not None:
        load_appointment(patient, moving)
    provider = load_provider(patient.practice_id, provider_id)
    video = visit_type.mode == VisitMode.VIDEO
    location = None if video else load_location(patient.practice_id, location_id)
    if not video and location is None:
        raise Invalid(fields={"location_id": [_l("Choose a location.")]})
    zone = zone_for(patient.practice, location)
    day = starts_at.astimezone(ZoneInfo(zone)).date()
    offered = open_slots(visit_type, day, day, provider_id=provider.id,
                         location_id=None if location is None else location.id, ignore_appointment_id=moving)
    slot = next((s for s in offered if s.starts_at == starts_at), None)
    if slot is None:
        raise Conflict(TAKEN)
    cutoff = settings_for(patient.practice_id).cancel_cutoff_hours
    return Review(visit_type, provider, location, slot.starts_at, slot.ends_at, zone,
                  slot.starts_at - timedelta(hours=cutoff) if cutoff else None,
                  practice_phone(patient.practice, location),
                  texts.localized(visit_type, "instructions", current_language()))
