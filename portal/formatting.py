"""Jinja filters: dates and times for humans (hearth.timefmt) in the viewer's language, money from cents,
phone numbers for people."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_skeleton
from flask import Flask
from flask_babel import format_currency, format_date, get_locale, get_timezone

from hearth import phones, timefmt
from hearth.i18n import _l


def money(cents: int | None, currency: str = "USD") -> str:
    if cents is None:
        return ""
    return format_currency(cents / 100, currency)


ROLE_LABELS = {
    "provider": _l("Provider"),
    "staff": _l("Staff"),
    "admin": _l("Practice admin"),
    "patient": _l("Patient"),
    "caregiver": _l("Caregiver"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def viewer_zone() -> str:
    """The viewer's zone name (her own setting, else her practice's: hearth.i18n.select_timezone)."""
    tz = get_timezone()
    return getattr(tz, "zone", None) or getattr(tz, "key", None) or str(tz)


def viewed(moment: datetime | None, fmt: str | None = None, *, parts: str = "datetime") -> str:
    """A moment on the viewer's own clock: "Wed, Dec 2 · 9:00 AM" (`fmt` is accepted and ignored: one style)."""
    if moment is None:
        return ""
    zone = viewer_zone()
    return timefmt.when(moment, str(get_locale()), zone=zone, viewer_zone=zone, parts=parts)


def zoned(moment: datetime | None, zone: str, fmt: str | None = None, *, parts: str = "datetime") -> str:
    """A moment on a place's clock (a clinic's), with a short zone name when the viewer's zone differs."""
    if moment is None:
        return ""
    return timefmt.when(moment, str(get_locale()), zone=zone, viewer_zone=viewer_zone(), parts=parts)


def visit_zone(appointment) -> str:
    """Where a visit's clock is kept: its location's zone, else its practice's."""
    location = appointment.location
    return (location.timezone if location is not None and location.timezone else None) or (
        appointment.patient.practice.timezone)


def visit_time(appointment, parts: str = "datetime") -> str:
    """When a visit starts, on its clinic's clock: "Wed, Dec 2 · 9:00 AM" (+ zone if the viewer's differs)."""
    return zoned(appointment.starts_at, visit_zone(appointment), parts=parts)


def human_day(value: date | None) -> str:
    """A calendar day: "Wed, Dec 2" ("mié, 2 dic"), with the year when it is not this year."""
    return timefmt.day(value, str(get_locale())) if value else ""


def daypart(value: date, skeleton: str) -> str:
    """One part of a day in the viewer's language by a CLDR skeleton: "EEE" (Wed / mié), "d", "yMMMM"."""
    return format_skeleton(skeleton, value, locale=str(get_locale()))


def zone_name(zone: str) -> str:
    """A zone for people in the reader's language ("Eastern Time", "hora oriental"), not "America/New_York"."""
    from babel.dates import get_timezone_name

    return get_timezone_name(zone, "long", locale=str(get_locale() or "en"))


def register(app: Flask) -> None:
    app.add_template_filter(daypart, "daypart")
    app.add_template_filter(role_label, "role_label")
    app.add_template_filter(viewed, "datetime")
    app.add_template_filter(zoned, "zoned")
    app.add_template_filter(visit_time, "visit_time")
    app.add_template_filter(human_day, "day")
    app.add_template_filter(lambda d, fmt="medium": format_date(d, fmt) if d else "", "date")
    app.add_template_filter(money, "money")
    app.add_template_filter(zone_name, "zone_name")
    app.add_template_filter(pool_label, "pool_name")
    app.add_template_filter(file_size, "file_size")
    app.add_template_filter(lambda value, country=None: phones.display(value, country), "phone")
    from portal.qr import qr_svg

    app.add_template_filter(qr_svg, "qr_svg")


def pool_label(pool) -> str:
    """A message pool's name in the reader's language (the practice enters it in several, like visit types)."""
    from hearth.i18n import current_language
    from hearth.services.messages.pools import pool_name

    return pool_name(pool, current_language())


def file_size(size_bytes: int) -> str:
    """A file's size as the patient's and the care team's pages both show it: KB rounded up (never "0 KB"),
    MB with one decimal from 1 MB, in the reader's number format ("1,5 MB" in Spanish)."""
    from math import ceil

    from flask_babel import format_decimal

    if size_bytes >= 1024 * 1024:
        return f"{format_decimal(round(size_bytes / (1024 * 1024), 1), format='#,##0.#')} MB"
    return f"{format_decimal(max(1, ceil(size_bytes / 1024)))} KB"
