"""Time in one place: aware UTC everywhere inside Hearth, converted to a viewer's zone at the edge."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, available_timezones


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_zone(moment: datetime, zone: str) -> datetime:
    """Convert an aware datetime to `zone` for display."""
    return moment.astimezone(ZoneInfo(zone))


def is_valid_zone(zone: str) -> bool:
    return zone in available_timezones()


def age_on(born: date, day: date) -> int:
    """Whole years between `born` and `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def birthday(born: date, years: int) -> date:
    """The date `born` turns `years` old (29 February falls back to 1 March)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)
