"""Scheduling setup pages: visit types and their questions, weekly hours, time off, and the practice's rules.

Staff of the practice may look; only its admins get forms that save (the services enforce it).
"""

from __future__ import annotations

from datetime import time

from babel.dates import format_time, get_day_names
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_login import login_required
from markupsafe import Markup
from marshmallow import ValidationError

from hearth.errors import DomainError, Invalid
from hearth.i18n import _l
from hearth.schemas.fields import parse_id
from hearth.schemas.scheduling_admin import (
    MAX_EXCEPTION_PAGE,
    HoursInputSchema,
    QuestionInputSchema,
    ScheduleExceptionInputSchema,
    SchedulingSettingsInputSchema,
    VisitTypeInputSchema,
)
from hearth.services.scheduling import admin, admin_hours
from portal.helpers import actor, form_errors
from portal.texts import translation_values

bp = Blueprint("scheduling_admin", __name__, url_prefix="/settings/scheduling")

VISIT_KEYS = ("name", "duration_minutes", "mode", "instructions")
VISIT_FLAGS = ("self_schedulable", "active")
HOURS_KEYS = ("provider_id", "location_id", "weekday", "start_time", "end_time", "effective_from", "effective_until")
EXCEPTION_KEYS = ("provider_id", "kind", "location_id", "starts_at", "ends_at", "reason")
SETTINGS_KEYS = ("cancel_cutoff_hours", "checkin_opens_hours", "checkin_closes_minutes", "video_url_template",
                 "video_join_minutes_before", "reminder_offsets", "booking_horizon_days")


@bp.app_template_filter("clock")
def clock(value: time | None) -> str:
    """A wall-clock time the way the reader's language writes it (9:00 AM, 09:00)."""
    return format_time(value, "short", locale=get_locale()) if value else ""


@bp.context_processor
def _choices():
    return {"weekdays": dict(sorted(get_day_names("wide", locale=get_locale()).items())),  # Monday first
            "mode_labels": {"in_person": _l("In person"), "video": _l("Video")},
            "kind_labels": {"time_off": _l("Time off"), "extra_hours": _l("Extra hours")}}


def _render(template: str, view, errors: dict | None = None, values=None, **extra):
    return render_template(f"scheduling_admin/{template}", view=view, errors=errors or {}, values=values or {},
                           **extra), 422 if errors else 200


def _saved(message, endpoint: str, practice_id: int, **kw):
    flash(message, "success")
    return redirect(url_for(f"scheduling_admin.{endpoint}", practice_id=practice_id, **kw))


def _form(keys) -> dict:
    return {k: request.form.get(k, "") for k in keys}


@bp.get("")
@login_required
def index():
    """Open the setup of the chosen practice, else the first one the person administers or works at."""
    practice_id = request.args.get("practice", type=parse_id) or admin.home_practice_id(actor())
    return redirect(url_for("scheduling_admin.visit_types", practice_id=practice_id))


# Visit types


@bp.get("/<int:practice_id>/visit-types")
@login_required
def visit_types(practice_id: int):
    return _render("visit_types.html", admin.visit_types_page(actor(), practice_id))


def _visit_values(form) -> dict:
    values = {k: form.get(k, "") for k in VISIT_KEYS}
    values.update({k: k in form for k in VISIT_FLAGS})
    values["provider_ids"] = form.getlist("provider_ids")
    values["translations"] = translation_values(form, ("name", "instructions"))
    return values


def _stored_visit_values(vt) -> dict:
    return {k: getattr(vt, k) for k in VISIT_KEYS + VISIT_FLAGS} | {
        "mode": vt.mode.value, "instructions": vt.instructions or "", "provider_ids": [str(p.id) for p in vt.providers],
        "translations": dict(vt.translations or {})}


def _visit_data(values: dict) -> dict:
    return VisitTypeInputSchema(exclude=("questionnaire",)).load(values)


@bp.route("/<int:practice_id>/visit-types/new", methods=["GET", "POST"])
@login_required
def new_visit_type(practice_id: int):
    errors: dict = {}
    values: dict = {"mode": "in_person", "self_schedulable": True, "active": True, "duration_minutes": "30",
                    "provider_ids": []}
    if request.method == "POST":
        values = _visit_values(request.form)
        try:
            created = admin.create_visit_type(actor(), practice_id, _visit_data(values))
            return _saved(_l("Visit type added."), "edit_visit_type", practice_id, visit_type_id=created.id)
        except (ValidationError, Invalid) as exc:
            errors = form_errors(exc)
    return _render("visit_type_form.html", admin.visit_type_page(actor(), practice_id), errors, values)


@bp.route("/<int:practice_id>/visit-types/<int:visit_type_id>", methods=["GET", "POST"])
@login_required
def edit_visit_type(practice_id: int, visit_type_id: int):
    errors: dict = {}
    if request.method == "POST":
        values = _visit_values(request.form)
        try:
            admin.update_visit_type(actor(), practice_id, visit_type_id, _visit_data(values))
            return _saved(_l("Visit type saved."), "edit_visit_type", practice_id, visit_type_id=visit_type_id)
        except (ValidationError, Invalid) as exc:
            errors = form_errors(exc)
    view = admin.visit_type_page(actor(), practice_id, visit_type_id)
    if not errors:
        values = _stored_visit_values(view.item)
    return _render("visit_type_form.html", view, errors, values, question_errors={})


@bp.post("/<int:practice_id>/visit-types/<int:visit_type_id>/delete")
@login_required
def delete_visit_type(practice_id: int, visit_type_id: int):
    try:
        admin.delete_visit_type(actor(), practice_id, visit_type_id)
    except DomainError as exc:
        if exc.status != 409:
            raise
        flash(str(exc.message), "error")
        return redirect(url_for("scheduling_admin.edit_visit_type", practice_id=practice_id,
                                visit_type_id=visit_type_id))
    return _saved(_l("Visit type deleted."), "visit_types", practice_id)


@bp.post("/<int:practice_id>/visit-types/<int:visit_type_id>/questions")
@login_required
def add_question(practice_id: int, visit_type_id: int):
    """Add a text or yes/no question; errors re-render the page with the question kept."""
    form = {"text": request.form.get("text", ""), "type": request.form.get("type", "text"),
            "required": "required" in request.form,
            "translations": {code: text["text"] for code, text in translation_values(request.form, ("text",)).items()}}
    try:
        admin.add_question(actor(), practice_id, visit_type_id, QuestionInputSchema().load(form))
    except (ValidationError, Invalid) as exc:
        view = admin.visit_type_page(actor(), practice_id, visit_type_id)
        page, _status = _render("visit_type_form.html", view, {}, _stored_visit_values(view.item),
                                question_errors=form_errors(exc), question=form)
        return page, 422
    return _saved(_l("Question added."), "edit_visit_type", practice_id, visit_type_id=visit_type_id)


@bp.post("/<int:practice_id>/visit-types/<int:visit_type_id>/questions/<question_id>/delete")
@login_required
def remove_question(practice_id: int, visit_type_id: int, question_id: str):
    admin.remove_question(actor(), practice_id, visit_type_id, question_id)
    return _saved(_l("Question removed."), "edit_visit_type", practice_id, visit_type_id=visit_type_id)


# Weekly hours


@bp.route("/<int:practice_id>/hours", methods=["GET", "POST"])
@login_required
def hours(practice_id: int):
    """The weekly hours and a form to add some; errors re-render with the values kept."""
    errors: dict = {}
    values: dict = {}
    if request.method == "POST":
        values = _form(HOURS_KEYS)
        try:
            admin_hours.add_hours(actor(), practice_id, HoursInputSchema().load(values))
            return _saved(_l("Hours added."), "hours", practice_id)
        except (ValidationError, Invalid) as exc:
            errors = form_errors(exc)
    return _render("hours.html", admin_hours.hours_page(actor(), practice_id), errors, values)


@bp.route("/<int:practice_id>/hours/<int:hours_id>", methods=["GET", "POST"])
@login_required
def edit_hours(practice_id: int, hours_id: int):
    errors: dict = {}
    values: dict = {}
    if request.method == "POST":
        values = _form(HOURS_KEYS)
        try:
            admin_hours.update_hours(actor(), practice_id, hours_id, HoursInputSchema().load(values))
            return _saved(_l("Hours saved."), "hours", practice_id)
        except (ValidationError, Invalid) as exc:
            errors = form_errors(exc)
    view = admin_hours.hours_row_page(actor(), practice_id, hours_id)
    if not errors:
        row = view.item
        values = {k: getattr(row, k) for k in HOURS_KEYS}
        values.update({k: values[k].strftime("%H:%M") for k in ("start_time", "end_time")})
        values.update({k: values[k].isoformat() if values[k] else "" for k in ("effective_from", "effective_until")})
        values.update({k: str(values[k]) for k in ("provider_id", "location_id", "weekday")})
    return _render("hours_form.html", view, errors, values)


@bp.post("/<int:practice_id>/hours/<int:hours_id>/delete")
@login_required
def delete_hours(practice_id: int, hours_id: int):
    admin_hours.delete_hours(actor(), practice_id, hours_id)
    return _saved(_l("Hours removed."), "hours", practice_id)


# Time off and extra hours


@bp.route("/<int:practice_id>/exceptions", methods=["GET", "POST"])
@login_required
def exceptions(practice_id: int):
    """Coming time off and extra hours (50 a page) and a form to add some."""
    errors: dict = {}
    values: dict = {"kind": "time_off", "cancel_booked": False}
    if request.method == "POST":
        values = _form(EXCEPTION_KEYS) | {"cancel_booked": "cancel_booked" in request.form}
        try:
            data = ScheduleExceptionInputSchema().load(values)
            row = admin_hours.add_exception(actor(), practice_id, data, cancel_booked=data.pop("cancel_booked"))
        except (ValidationError, Invalid) as exc:
            errors = form_errors(exc)
        else:
            if row.booked:
                schedule = url_for("schedule.index", practice_id=practice_id, date=row.first_day.isoformat(),
                                   days=row.days, provider_id=row.exception.provider_id)
                still = str(_l("%(n)s booked visits fall in this time off. They were not cancelled: contact those "
                               "patients or move their visits.", n=row.booked))
                flash(Markup('{} <a href="{}">{}</a>').format(still, schedule, str(_l("Open the schedule"))), "info")
            if row.cancelled:
                return _saved(ngettext("Saved. %(num)d booked visit was cancelled and the patient was told.",
                                       "Saved. %(num)d booked visits were cancelled and the patients were told.",
                                       row.cancelled), "exceptions", practice_id)
            return _saved(_l("Saved."), "exceptions", practice_id)
    page = min(request.args.get("page", 1, type=parse_id), MAX_EXCEPTION_PAGE)
    return _render("exceptions.html", admin_hours.exceptions_page(actor(), practice_id, page), errors, values)


@bp.post("/<int:practice_id>/exceptions/<int:exception_id>/delete")
@login_required
def delete_exception(practice_id: int, exception_id: int):
    admin_hours.delete_exception(actor(), practice_id, exception_id)
    return _saved(_l("Removed."), "exceptions", practice_id)


# Rules


@bp.route("/<int:practice_id>/rules", methods=["GET", "POST"])
@login_required
def rules(practice_id: int):
    """Cancel cutoff, check-in window, video link, reminders, booking horizon."""
    errors: dict = {}
    values: dict = {}
    if request.method == "POST":
        values = _form(SETTINGS_KEYS)
        try:
            admin.update_scheduling_settings(actor(), practice_id, SchedulingSettingsInputSchema().load(values))
            return _saved(_l("Scheduling rules saved."), "rules", practice_id)
        except (ValidationError, Invalid) as exc:
            errors = form_errors(exc)
    view = admin.settings_page(actor(), practice_id)
    if not errors:
        values = {k: getattr(view.settings, k) for k in SETTINGS_KEYS}
        values["reminder_offsets"] = ", ".join(str(m) for m in view.settings.offsets)
    return _render("rules.html", view, errors, values)
