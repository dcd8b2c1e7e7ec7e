"""Practice settings for its admins: the practice itself and its locations."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import login_required
from marshmallow import ValidationError

from hearth import phones
from hearth.errors import Invalid
from hearth.i18n import _l
from hearth.schemas.fields import parse_id
from hearth.schemas.practice import LocationInputSchema, PracticeSettingsInputSchema
from hearth.services import practice_settings
from portal.helpers import actor, form_errors
from portal.texts import translation_values

bp = Blueprint("settings", __name__, url_prefix="/settings")

PRACTICE_KEYS = ("name", "phone", "country", "timezone", "minor_full_access_below", "adult_age", "default_language")
LOCATION_KEYS = ("name", "address", "phone", "timezone")
_ZONES: list[str] = []


def zones() -> list[str]:
    if not _ZONES:
        _ZONES.extend(sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))))
    return _ZONES


def _render_practice(practice_id: int | None, errors: dict, form=None):
    view = practice_settings.settings(actor(), practice_id)
    values = {k: (form.get(k, "") if form is not None else getattr(view.practice, k)) for k in PRACTICE_KEYS}
    if form is None:
        values["phone"] = phones.display(view.practice.phone, view.practice.country)
    return render_template("settings/practice.html", view=view, values=values, errors=errors,
                           zones=zones(), countries=countries()), (422 if errors else 200)


def countries() -> list[tuple[str, str]]:
    """(code, name in the viewer's language) for every country phone numbers are known for, by name."""
    names = get_locale().territories
    return sorted(((code, names.get(code, code)) for code in phones.countries()), key=lambda c: c[1])


@bp.get("/practice")
@login_required
def practice():
    """The practice's name, phone, time zone and minor access tiers, and its locations."""
    return _render_practice(request.args.get("practice", type=parse_id), {})


@bp.post("/practice/<int:practice_id>")
@login_required
def update_practice(practice_id: int):
    """Save the practice's settings; errors re-render the form with the values kept."""
    try:
        data = PracticeSettingsInputSchema().load({k: request.form.get(k, "") for k in PRACTICE_KEYS})
        practice_settings.update_practice(actor(), practice_id, data)
    except (ValidationError, Invalid) as exc:
        return _render_practice(practice_id, form_errors(exc), request.form)
    flash(_l("Practice settings saved."), "success")
    return redirect(url_for("settings.practice", practice=practice_id))


def _location_form(practice_id: int, location_id: int | None):
    errors: dict = {}
    if request.method == "POST":
        try:
            form = {k: request.form.get(k, "") for k in LOCATION_KEYS}
            form["translations"] = translation_values(request.form, ("name",))
            if location_id is None:
                practice_settings.add_location(actor(), practice_id, LocationInputSchema().load(form))
                flash(_l("Location added."), "success")
            else:
                practice_settings.update_location(actor(), practice_id, location_id,
                                                  LocationInputSchema().load(form))
                flash(_l("Location saved."), "success")
            return redirect(url_for("settings.practice", practice=practice_id))
        except (ValidationError, Invalid) as exc:
            errors = form_errors(exc)
    if location_id is None:
        view = practice_settings.settings(actor(), practice_id)
        current = None
    else:
        current = practice_settings.location(actor(), practice_id, location_id)
        view = None
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in LOCATION_KEYS}
        values["translations"] = translation_values(request.form, ("name",))
    else:
        values = {k: getattr(current, k) if current else "" for k in LOCATION_KEYS}
        if current is not None:
            values["phone"] = phones.display(current.phone, current.practice.country)
        values["translations"] = dict(current.translations or {}) if current else {}
    return render_template("settings/location.html", practice=current.practice if current else view.practice,
                           location=current, values=values, errors=errors,
                           zones=zones()), (422 if errors else 200)


@bp.route("/practice/<int:practice_id>/locations/new", methods=["GET", "POST"])
@login_required
def add_location(practice_id: int):
    """Add a location (name, address, phone, time zone)."""
    return _location_form(practice_id, None)


@bp.route("/practice/<int:practice_id>/locations/<int:location_id>", methods=["GET", "POST"])
@login_required
def edit_location(practice_id: int, location_id: int):
    """Change a location."""
    return _location_form(practice_id, location_id)
