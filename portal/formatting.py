"""Jinja filters: times in the viewer's zone, money from integer cents, localized."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_currency, format_date, format_datetime

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


def register(app: Flask) -> None:
    app.add_template_filter(role_label, "role_label")
    app.add_template_filter(lambda dt, fmt="medium": format_datetime(dt, fmt) if dt else "", "datetime")
    app.add_template_filter(lambda d, fmt="medium": format_date(d, fmt) if d else "", "date")
    app.add_template_filter(money, "money")
    from portal.qr import qr_svg

    app.add_template_filter(qr_svg, "qr_svg")
