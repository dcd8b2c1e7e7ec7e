"""Booking in steps, each a plain page (no JavaScript needed): visit type → day → time → review → done.

Moving a visit walks the same day, time and review steps with `moving=<appointment id>`; the last
step posts to appointments.book or appointments.reschedule.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from hearth.clock import utcnow
from hearth.errors import DomainError
from hearth.i18n import _l
from hearth.schemas.scheduling import BookSchema, StepArgsSchema
from hearth.services.estimates import saved as estimates
from hearth.services.scheduling import availability, booking, steps
from portal.acting import current_person
from portal.helpers import actor, form_errors

bp = Blueprint("booking", __name__, url_prefix="/appointments")

STEPS = [_l("Visit type"), _l("Day"), _l("Time"), _l("Review")]
PART_LABELS = {"morning": _l("Morning"), "afternoon": _l("Afternoon"), "evening": _l("Evening")}
SEARCH_KEYS = ("visit_type_id", "provider_id", "location_id", "moving")


def _patient():
    person = current_person()
    if person is None:
        abort(404)
    return person.patient


def _args() -> dict:
    """The query string without blanks, checked; bad values give a 422 page that keeps them."""
    raw = {k: v for k, v in request.args.items() if v not in ("", None)}
    return StepArgsSchema().load({k: v for k, v in raw.items() if k in StepArgsSchema().fields})


def search_args(args: dict, **extra) -> dict:
    """The search carried from step to step in links (only what was chosen)."""
    kept = {k: args[k] for k in SEARCH_KEYS if args.get(k) is not None}
    return kept | {k: v for k, v in extra.items() if v is not None}


def _query(args: dict) -> availability.SlotQuery:
    return availability.SlotQuery(args["visit_type_id"], args.get("provider_id"), args.get("location_id"),
                                  args.get("start"))


def _moving(args: dict):
    return booking.get(actor(), _patient(), args["moving"]) if args.get("moving") else None


def _render(template: str, step: int, status: int = 200, **context):
    return render_template(f"appointments/steps/{template}", steps=STEPS, step=step, **context), status


@bp.get("/find")
@login_required
def find():
    """Step 1, what kind of visit (and, optionally, with whom and where); an old search link goes to the days."""
    if request.args.get("visit_type_id") and not request.args.get("change"):
        return redirect(url_for("booking.days", **request.args))
    options = availability.booking_options(actor(), _patient())
    return _render("visit_type.html", 1, options=options, errors={}, args=request.args)


@bp.get("/find/days")
@login_required
def days():
    """Step 2: the days with open times (60 at a time) and a "first available" jump."""
    patient = _patient()
    try:
        args = _args()
        if not args.get("visit_type_id"):
            return redirect(url_for("booking.find"))
        moving = _moving(args)
        view = steps.open_days(actor(), patient, _query(args), moving=args.get("moving"))
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        options = availability.booking_options(actor(), patient)
        return _render("visit_type.html", 1, 422, options=options, errors=form_errors(exc), args=request.args)
    return _render("days.html", 2, view=view, args=args, moving=moving, search=search_args(args))


@bp.get("/find/times")
@login_required
def times():
    """Step 3: one day's times as large buttons, per provider, in morning, afternoon and evening."""
    try:
        args = _args()
        if not args.get("visit_type_id") or not args.get("day"):
            return redirect(url_for("booking.days", **search_args(args)))
        moving = _moving(args)
        view = steps.day_times(actor(), _patient(), _query(args), args["day"], moving=args.get("moving"))
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        return _render("times.html", 3, 422, view=None, errors=form_errors(exc), args=request.args,
                       search={k: v for k, v in request.args.items() if k in SEARCH_KEYS}, moving=None,
                       part_labels=PART_LABELS)
    return _render("times.html", 3, view=view, errors={}, args=args, moving=moving, search=search_args(args),
                   part_labels=PART_LABELS)


def parse_slot(value: str) -> dict:
    """A time button's value "provider|location|start" as BookSchema fields."""
    provider_id, location_id, starts_at = ((value or "").split("|") + ["", ""])[:3]
    return {k: v for k, v in {"provider_id": provider_id, "location_id": location_id,
                              "starts_at": starts_at}.items() if v}


@bp.get("/find/review")
@login_required
def review():
    """Step 4: where, when, with whom, how to prepare and until when it can be cancelled online; then book."""
    try:
        args = _args()
        choice = BookSchema().load({"visit_type_id": request.args.get("visit_type_id"),
                                    **parse_slot(request.args.get("slot", ""))})
        moving = _moving(args)
        shown = steps.review(actor(), _patient(), choice["visit_type_id"], choice["provider_id"],
                             choice.get("location_id"), choice["starts_at"], moving=args.get("moving"))
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        flash(str(exc.message) if isinstance(exc, DomainError) else str(_l("Please choose one of the times shown.")),
              "error")
        back = {k: v for k, v in request.args.items() if k in SEARCH_KEYS}
        return redirect(url_for("booking.days", **back))
    action = (url_for("appointments.reschedule", appointment_id=moving.id) if moving
              else url_for("appointments.book"))
    estimate = None if moving else estimates.booking_estimate(actor(), _patient(), choice["visit_type_id"])
    return _render("review.html", 4, review=shown, args=args, moving=moving, action=action,
                   slot=request.args.get("slot"), search=search_args(args),
                   cancellable=shown.cancellable_online(utcnow()), estimate=estimate)


@bp.get("/<int:appointment_id>/booked")
@login_required
def done(appointment_id: int):
    """After booking: what was booked and what happens next."""
    appointment = booking.get(actor(), _patient(), appointment_id)
    return _render("done.html", 5, a=appointment)
