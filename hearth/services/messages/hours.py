"""Business hours and closed days of a practice, and the reply-by time they give a message.

Rule (practice setting, not code): a message counts from the business day it arrives (the next one
when it arrives after closing time, before opening on a closed day, or on a weekend); the reply is
due at closing time of the pool's N-th business day after that day. "2 business days" for a message
sent on Monday morning = Wednesday at closing time. A practice without hours set is open Monday to
Friday, 8:00 AM to 5:00 PM. All times stored in UTC; computed on the practice's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import select

from hearth import db
from hearth.clock import utcnow
from hearth.models import Practice, PracticeBusinessHours, PracticeClosedDay
from hearth.timefmt import clock

DEFAULT_HOURS = {weekday: (time(8, 0), time(17, 0)) for weekday in range(5)}
# Weekday and month in full, no year: the reply is always within weeks.
DAY_PATTERNS = {"en": "EEEE, MMMM d", "es": "EEEE, d 'de' MMMM"}
HORIZON_DAYS = 400  # closed days looked up at most this far ahead (one query)


@dataclass(frozen=True)
class Hours:
    """A practice's week (weekday 0 = Monday -> (opens, closes) local time) and its closed days."""

    zone: str
    week: dict[int, tuple[time, time]]
    closed: frozenset[date]

    def is_business_day(self, day: date) -> bool:
        return day.weekday() in self.week and day not in self.closed

    def next_business_day(self, day: date) -> date | None:
        for offset in range(1, HORIZON_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_business_day(candidate):
                return candidate
        return None


def hours_for(practice: Practice, start: date) -> Hours:
    """The practice's hours and its closed days from `start` on (two small queries)."""
    rows = db.session.scalars(
        select(PracticeBusinessHours).where(PracticeBusinessHours.practice_id == practice.id)).all()
    week = {r.weekday: (r.opens_at, r.closes_at) for r in rows if r.opens_at < r.closes_at} if rows else DEFAULT_HOURS
    closed = db.session.scalars(select(PracticeClosedDay.day).where(
        PracticeClosedDay.practice_id == practice.id, PracticeClosedDay.day >= start,
        PracticeClosedDay.day < start + timedelta(days=HORIZON_DAYS))).all()
    return Hours(zone=practice.timezone, week=week, closed=frozenset(closed))


def reply_by(practice: Practice, business_days: int, at: datetime | None = None) -> datetime:
    """When a message sent at `at` (UTC) must be answered, in UTC: closing time of the
    `business_days`-th business day after the day it counts from (see the module docstring)."""
    at = at or utcnow()
    zone = ZoneInfo(practice.timezone)
    local = at.astimezone(zone)
    hours = hours_for(practice, local.date())
    if not hours.week:
        return at + timedelta(days=max(business_days, 1))
    day: date | None = local.date()
    if not hours.is_business_day(day) or local.time() >= hours.week[day.weekday()][1]:
        day = hours.next_business_day(day)
    for _ in range(max(business_days, 0)):
        if day is None:
            break
        day = hours.next_business_day(day)
    if day is None:
        return at + timedelta(days=max(business_days, 1))
    return datetime.combine(day, hours.week[day.weekday()][1], tzinfo=zone).astimezone(at.tzinfo)


def reply_by_text(moment: datetime, locale: str, zone: str) -> str:
    """"Wednesday, December 2, 5:00 PM" ("miércoles, 2 de diciembre, 17:00") on `zone`'s clock."""
    local = moment.astimezone(ZoneInfo(zone))
    pattern = DAY_PATTERNS.get(locale.split("_")[0], DAY_PATTERNS["en"])
    return f"{format_date(local, pattern, locale=locale)}, {clock(local, locale, zone=zone)}"
