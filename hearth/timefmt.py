"""Dates and times for humans, in the reader's language: "Wed, Dec 2 · 9:00 AM", "mié, 2 dic · 9:00".

One place for every page, email and notification: no seconds; the year only when it is not this year;
a time is read on the clock of the place it happens (a clinic's zone), followed by a short zone name
only when the reader's own zone shows a different time ("9:00 AM EST" for a reader in Chicago).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time, get_timezone_name

from hearth.clock import utcnow

SEPARATOR = " · "


def zone_label(moment: datetime, locale: str) -> str:
    """The zone's short name at `moment` ("EST", "CDT"); "GMT-5" where the language has no abbreviation."""
    name = get_timezone_name(moment, "short", locale=locale)
    if name[:1] in "+-\u2212" or name[:1].isdigit():
        minutes = int(moment.utcoffset().total_seconds() // 60)
        hours, rest = divmod(abs(minutes), 60)
        name = f"GMT{'-' if minutes < 0 else '+'}{hours}" + (f":{rest:02d}" if rest else "")
    return name


def day(value: date | datetime, locale: str, *, zone: str | None = None, now: datetime | None = None) -> str:
    """A day: "Wed, Dec 2" this year, "Wed, Dec 2, 2027" otherwise ("mié, 2 dic")."""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(zone)) if zone else value
    this_year = (now or utcnow()).astimezone(ZoneInfo(zone) if zone else None).year
    return format_skeleton("MMMEd" if value.year == this_year else "yMMMEd", value, locale=locale)


def clock(moment: datetime, locale: str, *, zone: str) -> str:
    """A time of day on the zone's clock, without seconds: "9:00 AM", "9:00", "14:30"."""
    text = format_time(moment.astimezone(ZoneInfo(zone)), "short", locale=locale)
    return text.replace("\u202f", " ").replace("\xa0", " ")


def differs(moment: datetime, zone: str, viewer_zone: str | None) -> bool:
    """True when a reader in `viewer_zone` would read a different clock time than in `zone`."""
    if not viewer_zone or viewer_zone == zone:
        return False
    return moment.astimezone(ZoneInfo(zone)).utcoffset() != moment.astimezone(ZoneInfo(viewer_zone)).utcoffset()


def when(moment: datetime, locale: str, *, zone: str, viewer_zone: str | None = None, parts: str = "datetime",
         now: datetime | None = None) -> str:
    """`moment` on `zone`'s clock for a reader in `viewer_zone`: parts "datetime", "date" or "time"."""
    local = moment.astimezone(ZoneInfo(zone))
    pieces = []
    if parts in ("datetime", "date"):
        pieces.append(day(local, locale, zone=zone, now=now))
    if parts in ("datetime", "time"):
        text = clock(local, locale, zone=zone)
        if differs(moment, zone, viewer_zone):
            text += " " + zone_label(local, locale)
        pieces.append(text)
    return SEPARATOR.join(pieces)
