"""Appointments pages: upcoming and past visits, finding and booking a slot, changes, check-in, files."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from hearth.errors import DomainError
from hearth.i18n import _l
from hearth.models import AppointmentStatus
from hearth.schemas.scheduling import (
    BookSchema,
    CancelSchema,
    CheckInSchema,
    RescheduleSchema,
    WaitlistJoinSchema,
)
from hearth.services.estimates import saved as estimates
from hearth.services.scheduling import booking, calendar, checkin, confirmation, overview, waitlist
from hearth.services.scheduling.staff import status_label
from portal.acting import current_person
from portal.helpers import actor, form_errors

bp = Blueprint("appointments", __name__, url_prefix="/appointments")


@bp.app_template_filter("appointment_status")
def appointment_status(value: str) -> str:
    """The translated name of an appointment status."""
    return status_label(AppointmentStatus(value))


def _patient():
    person = current_person()
    if person is None:
        abort(404)
    return person.patient


def filled(values) -> dict:
    """Form or query values without the blanks (optional numbers stay optional) and the CSRF token."""
    return {k: v for k, v in values.items() if v not in ("", None) and k != "csrf_token"}


def _explain(exc: ValidationError | DomainError) -> None:
    """Flash why a booking or move failed (the page it goes back to shows the slots again)."""
    if isinstance(exc, DomainError):
        flash(str(exc.message), "error")
    else:
        flash(_l("Please choose one of the times shown."), "error")


def _render_index(errors: dict | None = None, values=None):
    view = overview.overview(actor(), _patient())
    return render_template("appointments/index.html", view=view, upcoming=view.upcoming, past=view.past,
                           cancelled=view.cancelled,
                           can_change=booking.can_change, can_join=booking.can_join, checkin_open=checkin.is_open,
                           errors=errors or {}, values=values or {}), 422 if errors else 200


@bp.get("")
@login_required
def index():
    return _render_index()


@bp.post("/waitlist")
@login_required
def waitlist_join():
    """Join the waitlist for an earlier time; bad input re-renders the page with the values kept."""
    try:
        data = WaitlistJoinSchema().load(filled(request.form))
        waitlist.join(actor(), _patient(), data["visit_type_id"], data["window_start"], data["window_end"],
                      data["provider_id"])
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 409:
            flash(str(exc.message), "error")
            return redirect(url_for("appointments.index"))
        return _render_index(form_errors(exc), request.form)
    flash(_l("You are on the waitlist. We will tell you when an earlier time opens up."), "success")
    return redirect(url_for("appointments.index"))


@bp.post("/waitlist/<int:entry_id>/leave")
@login_required
def waitlist_leave(entry_id: int):
    waitlist.leave(actor(), _patient(), entry_id)
    flash(_l("You left the waitlist."), "success")
    return redirect(url_for("appointments.index"))


@bp.post("/waitlist/<int:entry_id>/book")
@login_required
def waitlist_book(entry_id: int):
    """Book the offered time; when someone else was first, say so and go back to the list."""
    try:
        appointment = booking.book_offer(actor(), _patient(), entry_id,
                                         base_url=current_app.config.get("BASE_URL", ""))
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        _explain(exc)
        return redirect(url_for("appointments.index"))
    flash(_l("Your appointment is booked."), "success")
    return redirect(url_for("appointments.detail", appointment_id=appointment.id))


@bp.post("/book")
@login_required
def book():
    patient = _patient()
    data = filled(request.form)
    if "slot" in data:  # one radio carries "provider|location|start"
        provider_id, location_id, starts_at = (data.pop("slot").split("|") + ["", ""])[:3]
        data.update(filled({"provider_id": provider_id, "location_id": location_id, "starts_at": starts_at}))
    try:
        choice = BookSchema().load({k: v for k, v in data.items() if k in BookSchema().fields})
        appointment = booking.book(actor(), patient, booking.SlotChoice(**choice),
                                   base_url=current_app.config.get("BASE_URL", ""))
    except (ValidationError, DomainError) as exc:
        _explain(exc)
        return redirect(url_for("booking.days", visit_type_id=data.get("visit_type_id"),
                                provider_id=data.get("provider_id"), location_id=data.get("location_id")))
    estimates.attach_after_booking(actor(), patient, data.get("estimate_id"), appointment.id)
    return redirect(url_for("booking.done", appointment_id=appointment.id))


@bp.get("/<int:appointment_id>")
@login_required
def detail(appointment_id: int):
    appointment = booking.get(actor(), _patient(), appointment_id)
    return render_template("appointments/detail.html", a=appointment, can_change=booking.can_change(appointment),
                           can_join=booking.can_join(appointment), checkin_open=checkin.is_open(appointment),
                           can_confirm=confirmation.needs_confirmation(appointment),
                           estimate=estimates.for_appointment(actor(), _patient(), appointment_id))


@bp.post("/<int:appointment_id>/confirm")
@login_required
def confirm(appointment_id: int):
    try:
        confirmation.confirm(actor(), _patient(), appointment_id)
        flash(_l("Thank you. Your appointment is confirmed."), "success")
    except DomainError as exc:
        if exc.status != 409:
            raise
        flash(str(exc.message), "error")
    return redirect(url_for("appointments.detail", appointment_id=appointment_id))


@bp.get("/<int:appointment_id>/reschedule")
@login_required
def reschedule_form(appointment_id: int):
    """Moving a visit starts at the day step of the booking steps, for the same visit type."""
    appointment = booking.get(actor(), _patient(), appointment_id)
    return redirect(url_for("booking.days", visit_type_id=appointment.visit_type_id, moving=appointment.id))


@bp.post("/<int:appointment_id>/reschedule")
@login_required
def reschedule(appointment_id: int):
    data = filled(request.form)
    provider_id, location_id, starts_at = (data.pop("slot", "").split("|") + ["", ""])[:3]
    try:
        clean = RescheduleSchema().load(filled({"provider_id": provider_id, "location_id": location_id,
                                                "starts_at": starts_at}))
        booking.reschedule(actor(), _patient(), appointment_id, clean["starts_at"], clean["provider_id"],
                           clean["location_id"], base_url=current_app.config.get("BASE_URL", ""))
    except (ValidationError, DomainError) as exc:
        _explain(exc)
        return redirect(url_for("appointments.reschedule_form", appointment_id=appointment_id))
    flash(_l("Your appointment was moved."), "success")
    return redirect(url_for("appointments.detail", appointment_id=appointment_id))


@bp.get("/<int:appointment_id>/cancel")
@login_required
def cancel_form(appointment_id: int):
    appointment = booking.get(actor(), _patient(), appointment_id)
    return render_template("appointments/cancel.html", a=appointment, errors={})


@bp.post("/<int:appointment_id>/cancel")
@login_required
def cancel(appointment_id: int):
    try:
        data = CancelSchema().load(filled(request.form))
        booking.cancel(actor(), _patient(), appointment_id, data["reason"])
    except ValidationError as exc:
        appointment = booking.get(actor(), _patient(), appointment_id)
        return render_template("appointments/cancel.html", a=appointment, errors=form_errors(exc)), 422
    except DomainError as exc:
        if exc.status != 409:
            raise
        flash(str(exc.message), "error")
        return redirect(url_for("appointments.detail", appointment_id=appointment_id))
    flash(_l("Your appointment was cancelled."), "success")
    return redirect(url_for("appointments.index"))


@bp.route("/<int:appointment_id>/check-in", methods=["GET", "POST"])
@login_required
def check_in(appointment_id: int):
    patient = _patient()
    errors: dict = {}
    values = request.form
    if request.method == "POST":
        answers = {k.removeprefix("answers."): v for k, v in request.form.items() if k.startswith("answers.")}
        try:
            data = CheckInSchema().load({"contact_confirmed": "contact_confirmed" in request.form,
                                         "insurance_confirmed": "insurance_confirmed" in request.form,
                                         "answers": answers})
            checkin.check_in(actor(), patient, appointment_id, **data)
            flash(_l("You are checked in."), "success")
            return redirect(url_for("appointments.detail", appointment_id=appointment_id))
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, DomainError) and exc.status == 409:
                flash(str(exc.message), "error")
                return redirect(url_for("appointments.detail", appointment_id=appointment_id))
            errors = form_errors(exc)
    appointment = booking.get(actor(), patient, appointment_id)
    return render_template("appointments/checkin.html", a=appointment, patient=patient, errors=errors,
                           values=values), 422 if errors else 200


@bp.get("/<int:appointment_id>/calendar.ics")
@login_required
def ics(appointment_id: int):
    data = calendar.ics(actor(), _patient(), appointment_id)
    return Response(data, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="appointment-{appointment_id}.ics"'})


@bp.route("/calendar-files", methods=["GET", "POST"])
@login_required
def calendar_preference():
    """Choose whether calendar files name the visit type or just say "Appointment at PRACTICE"."""
    patient = _patient()
    if request.method == "POST":
        calendar.set_shows_visit_type(actor(), patient, request.form.get("include_visit_type") == "1")
        flash(_l("Saved. Calendar files you download from now on use this title."), "success")
        return redirect(url_for("appointments.calendar_preference"))
    return render_template("appointments/calendar_preference.html",
                           show=calendar.shows_visit_type(actor(), patient), patient=patient)


@bp.get("/<int:appointment_id>/join")
@login_required
def join(appointment_id: int):
    try:
        url = booking.join_link(actor(), _patient(), appointment_id)
    except DomainError as exc:
        if exc.status != 409:
            raise
        flash(str(exc.message), "error")
        return redirect(url_for("appointments.detail", appointment_id=appointment_id))
    return redirect(url)
