"""Open slots: providers' weekly hours in local time turned into UTC slots, minus time off and bookings.

Weekly hours are local wall-clock times in the location's zone (else the practice's), so each day is
converted on its own with zoneinfo and a 9:00 start stays 9:00 across a daylight-saving change.
Slots sit on a grid per visit type (every `duration_minutes` from the start of the hours), so equal
start times collide in the slot locks; three queries whatever the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from hearth import db, policy, texts
from hearth.clock import utcnow
from hearth.errors import Invalid
from hearth.i18n import _l, current_language
from hearth.models import (
    Appointment,
    AppointmentStatus,
    ExceptionKind,
    Location,
    Patient,
    Provider,
    ProviderSchedule,
    ScheduleException,
    User,
    VisitMode,
    VisitType,
)
from hearth.services.scheduling.common import load_location, load_visit_type, local_today, settings_for, zone_for

MAX_RANGE_DAYS = 31


@dataclass(frozen=True)
class Slot:
    visit_type_id: int
    provider_id: int
    provider_name: str
    location_id: int | None
    location_name: str | None
    starts_at: datetime
    ends_at: datetime
    timezone: str  # where the slot's wall-clock time is kept: the location's zone, else the practice's


@dataclass(frozen=True)
class SlotQuery:
    visit_type_id: int
    provider_id: int | None = None
    location_id: int | None = None
    start: date | None = None
    end: date | None = None


@db.transactional
def find_slots(user: User, patient: Patient, query: SlotQuery) -> list[Slot]:
    """Open slots the patient may book (self-schedulable visit types only unless staff asks).

    Dates are local to the location searched (else the practice): "today" is today there, not in UTC.
    """
    granted = policy.authorize(user, patient, "appointments", "search", "slots", query.visit_type_id)
    visit_type = load_visit_type(patient.practice_id, query.visit_type_id)
    if not visit_type.self_schedulable and granted.relation != "staff":
        raise Invalid(_l("This visit type cannot be booked online."), fields={"visit_type_id": [
            _l("This visit type cannot be booked online.")]})
    today = local_today(patient.practice, load_location(patient.practice_id, query.location_id))
    start = query.start or today
    end = query.end or start + timedelta(days=13)
    if end < start:
        raise Invalid(fields={"end": [_l("The end date must be after the start date.")]})
    if (end - start).days >= MAX_RANGE_DAYS:
        raise Invalid(fields={"end": [_l("Search at most %(days)s days at a time.", days=MAX_RANGE_DAYS)]})
    horizon = today + timedelta(days=settings_for(patient.practice_id).booking_horizon_days)
    end = min(end, horizon)
    return open_slots(visit_type, start, end, provider_id=query.provider_id, location_id=query.location_id)


def eligible_providers(visit_type: VisitType, provider_id: int | None = None) -> list[Provider]:
    """The visit type's allowed providers (every provider of the practice when none are listed)."""
    providers = list(visit_type.providers) or list(
        db.session.scalars(select(Provider).where(Provider.practice_id == visit_type.practice_id))
    )
    if provider_id is not None:
        providers = [p for p in providers if p.id == provider_id]
    return providers


def open_slots(visit_type: VisitType, start: date, end: date, *, provider_id: int | None = None,
               location_id: int | None = None, now: datetime | None = None,
               ignore_appointment_id: int | None = None) -> list[Slot]:
    """Free future slots for `visit_type` between local dates `start` and `end` (inclusive), by time."""
    now = now or utcnow()
    providers = {p.id: p for p in eligible_providers(visit_type, provider_id)}
    if not providers:
        return []
    practice = visit_type.practice
    # A day's local hours can fall on the neighbouring UTC dates: widen the window by a day each side.
    lo = datetime.combine(start - timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo("UTC"))
    hi = datetime.combine(end + timedelta(days=2), datetime.min.time(), tzinfo=ZoneInfo("UTC"))
    hours_stmt = (
        select(ProviderSchedule)
        .where(ProviderSchedule.provider_id.in_(providers))
        .where(or_(ProviderSchedule.effective_from.is_(None), ProviderSchedule.effective_from <= end))
        .where(or_(ProviderSchedule.effective_until.is_(None), ProviderSchedule.effective_until >= start))
        .options(selectinload(ProviderSchedule.location))
    )
    if visit_type.mode == VisitMode.VIDEO:
        location_id = None  # a video visit fits in the provider's hours at any location
    if location_id is not None:
        hours_stmt = hours_stmt.where(ProviderSchedule.location_id == location_id)
    hours = db.session.scalars(hours_stmt).all()
    exceptions = db.session.scalars(
        select(ScheduleException).where(
            ScheduleException.provider_id.in_(providers), ScheduleException.starts_at < hi,
            ScheduleException.ends_at > lo).options(selectinload(ScheduleException.location))
    ).all()
    busy_stmt = select(Appointment.provider_id, Appointment.starts_at, Appointment.ends_at).where(
        Appointment.provider_id.in_(providers), Appointment.status != AppointmentStatus.CANCELLED,
        Appointment.starts_at < hi, Appointment.ends_at > lo)
    if ignore_appointment_id is not None:
        busy_stmt = busy_stmt.where(Appointment.id != ignore_appointment_id)
    busy: dict[int, list[tuple[datetime, datetime]]] = {}
    for pid, b_start, b_end in db.session.execute(busy_stmt):
        busy.setdefault(pid, []).append((b_start, b_end))
    off: dict[int, list[tuple[datetime, datetime]]] = {}
    windows: list[tuple[int, Location | None, datetime, datetime]] = []
    for ex in exceptions:
        if ex.kind == ExceptionKind.TIME_OFF:
            off.setdefault(ex.provider_id, []).append((ex.starts_at, ex.ends_at))
        elif location_id is None or ex.location_id == location_id:
            windows.append((ex.provider_id, ex.location, ex.starts_at, ex.ends_at))
    day = start
    while day <= end:
        for h in hours:
            if h.weekday != day.weekday() or (h.effective_from and day < h.effective_from) or (
                    h.effective_until and day > h.effective_until):
                continue
            tz = ZoneInfo((h.location.timezone if h.location else None) or practice.timezone)
            w_start = datetime.combine(day, h.start_time, tzinfo=tz).astimezone(ZoneInfo("UTC"))
            w_end = datetime.combine(day, h.end_time, tzinfo=tz).astimezone(ZoneInfo("UTC"))
            windows.append((h.provider_id, h.location, w_start, w_end))
        day += timedelta(days=1)
    return _slots(visit_type, providers, windows, off, busy, now, start, end, practice.timezone)


def _overlaps(a_start: datetime, a_end: datetime, spans: list[tuple[datetime, datetime]]) -> bool:
    return any(a_start < s_end and s_start < a_end for s_start, s_end in spans)


def _slots(visit_type, providers, windows, off, busy, now, start, end, practice_zone) -> list[Slot]:
    length = timedelta(minutes=visit_type.duration_minutes)
    video = visit_type.mode == VisitMode.VIDEO
    seen: set[tuple[int, datetime]] = set()
    slots: list[Slot] = []
    language = current_language()  # location names in the reader's language (hearth.texts)
    for provider_id, location, w_start, w_end in windows:
        zone_name = (location.timezone if location else None) or practice_zone
        zone = ZoneInfo(zone_name)
        cursor = w_start
        while cursor + length <= w_end:
            slot_end = cursor + length
            local_day = cursor.astimezone(zone).date()
            key = (provider_id, cursor)
            if (cursor > now and start <= local_day <= end and key not in seen
                    and not _overlaps(cursor, slot_end, off.get(provider_id, []))
                    and not _overlaps(cursor, slot_end, busy.get(provider_id, []))):
                seen.add(key)
                slots.append(Slot(
                    visit_type_id=visit_type.id, provider_id=provider_id,
                    provider_name=providers[provider_id].display_name,
                    location_id=None if video or location is None else location.id,
                    location_name=None if video or location is None else texts.localized(location, "name", language),
                    starts_at=cursor, ends_at=slot_end, timezone=zone_name,
                ))
            cursor = slot_end
    slots.sort(key=lambda s: (s.starts_at, s.provider_name))
    return slots


@dataclass(frozen=True)
class BookingOptions:
    visit_types: list[VisitType]
    locations: list[Location]
    today: date  # in the practice's zone, for the date fields' defaults
    timezone: str

    @property
    def providers(self) -> list[Provider]:
        """Every provider of the bookable visit types, once each, by name."""
        unique = {p.id: p for vt in self.visit_types for p in vt.providers}
        return sorted(unique.values(), key=lambda p: (p.family_name, p.given_name))


def options_for(patient: Patient, *, staff: bool) -> BookingOptions:
    """Bookable visit types (with providers) and locations; three queries (no authorization: callers do it)."""
    stmt = (select(VisitType).where(VisitType.practice_id == patient.practice_id, VisitType.active.is_(True))
            .options(selectinload(VisitType.providers)).order_by(VisitType.name))
    if not staff:
        stmt = stmt.where(VisitType.self_schedulable.is_(True))
    locations = db.session.scalars(select(Location).where(Location.practice_id == patient.practice_id)
                                   .order_by(Location.name)).all()
    practice = patient.practice
    return BookingOptions(list(db.session.scalars(stmt)), list(locations), local_today(practice),
                          zone_for(practice, None))


@db.transactional
def booking_options(user: User, patient: Patient) -> BookingOptions:
    """What the slot search offers: bookable visit types (with providers) and the practice's locations."""
    granted = policy.authorize(user, patient, "appointments", "search", "visit_types")
    return options_for(patient, staff=granted.relation == "staff")
