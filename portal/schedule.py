"""The practice's schedule pages: day and week views, status buttons, booking for a patient."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from hearth import policy
from hearth.errors import DomainError
from hearth.i18n import _l
from hearth.models import AppointmentStatus
from hearth.schemas.fields import parse_id
from hearth.schemas.patients import PatientSearchArgsSchema
from hearth.schemas.scheduling import (
    CancelSchema,
    ScheduleQuerySchema,
    SlotQuerySchema,
    StaffBookSchema,
    StatusSchema,
)
from hearth.services import patients
from hearth.services.scheduling import availability, staff, staff_detail
from hearth.services.scheduling.booking import SlotChoice
from hearth.services.scheduling.common import appointment_day
from portal.appointments import filled
from portal.helpers import actor, form_errors, safe_next
from portal.staff import labels

bp = Blueprint("schedule", __name__, url_prefix="/schedule")
FIND_LIMIT = 10  # patients listed by "Book for a patient"; refine the search for more


def _practice_id() -> int:
    """The practice asked for, else the first one the person works at (404 for patients)."""
    ids = policy.staff_practice_ids(actor())
    if not ids:
        abort(404)
    wanted = request.values.get("practice_id", type=parse_id)
    return wanted if wanted is not None else ids[0]


@bp.get("")
@login_required
def index():
    practice_id = _practice_id()
    try:
        query = ScheduleQuerySchema().load(filled({k: v for k, v in request.args.items() if k != "practice_id"}))
    except ValidationError as exc:
        form_errors(exc)
        flash(_l("Those filters were not valid; showing today."), "error")
        query = ScheduleQuerySchema().load({})
    result = staff.schedule(actor(), practice_id, query["date"], days=query["days"],
                            provider_id=query["provider_id"], location_id=query["location_id"])
    return render_template("schedule/index.html", s=result, query=query, next_statuses=staff.next_statuses,
                           practices=policy.staff_practice_ids(actor()))


@bp.post("/appointments/<int:appointment_id>/status")
@login_required
def set_status(appointment_id: int):
    practice_id = _practice_id()
    back = safe_next(request.form.get("next"), url_for("schedule.index", practice_id=practice_id))
    try:
        data = StatusSchema().load({"status": request.form.get("status", "")})
        staff.set_status(actor(), practice_id, appointment_id, AppointmentStatus(data["status"]),
                         base_url=current_app.config.get("BASE_URL", ""))
    except ValidationError:
        flash(_l("Choose a valid status."), "error")
    except DomainError as exc:
        if exc.status != 409:
            raise
        flash(str(exc.message), "error")
    else:
        flash(_l("Status updated."), "success")
    return redirect(back)


@bp.get("/appointments/<int:appointment_id>")
@login_required
def appointment(appointment_id: int):
    """One visit for the care team: reason, check-in answers, status history, contacts, actions."""
    practice_id = _practice_id()
    view = staff_detail.appointment_detail(actor(), practice_id, appointment_id)
    return render_template("schedule/appointment.html", v=view, practice_id=practice_id,
                           day=appointment_day(view.appointment), **labels())


@bp.post("/appointments/<int:appointment_id>/cancel")
@login_required
def cancel(appointment_id: int):
    """Cancel a booked visit for the patient (staff may do so after the online cutoff)."""
    practice_id = _practice_id()
    back = url_for("schedule.appointment", appointment_id=appointment_id, practice_id=practice_id)
    try:
        data = CancelSchema().load(filled({"reason": request.form.get("reason", "")}))
        staff_detail.cancel_visit(actor(), practice_id, appointment_id, data["reason"])
    except ValidationError as exc:
        for messages in form_errors(exc).values():
            flash(" ".join(messages), "error")
    except DomainError as exc:
        if exc.status != 409:
            raise
        flash(str(exc.message), "error")
    else:
        flash(_l("Appointment cancelled. The patient's reminders were stopped."), "success")
    return redirect(back)


@bp.route("/book", methods=["GET", "POST"])
@login_required
def book():
    """Find the patient (name, MRN or date of birth), then a slot, and book it."""
    practice_id = _practice_id()
    args = filled(request.values)
    errors: dict = {}
    chosen = ""
    if request.method == "POST":
        chosen = args.pop("slot", "")
        provider_id, location_id, starts_at = (chosen.split("|") + ["", ""])[:3]
        args.update(filled({"provider_id": provider_id, "location_id": location_id, "starts_at": starts_at}))
        try:
            data = StaffBookSchema().load({k: v for k, v in args.items() if k in StaffBookSchema().fields})
            patient_id = data.pop("patient_id")
            appointment = staff.book_for_patient(actor(), practice_id, patient_id, SlotChoice(**data),
                                                 base_url=current_app.config.get("BASE_URL", ""))
        except (ValidationError, DomainError) as exc:
            errors = form_errors(exc)
        else:
            flash(_l("Appointment booked."), "success")
            day = appointment_day(appointment)
            return redirect(url_for("schedule.index", practice_id=practice_id, date=day.isoformat()))
    found, patient, slots, options = None, None, None, None
    if "patient_id" not in args:
        found, errors = _find_patients(practice_id, args.get("q", ""), errors)
    else:
        try:
            patient_id = parse_id(args["patient_id"])
        except ValueError:
            abort(404)
        # Theirs or 404 before anything about the patient reaches the page.
        patient = staff.patient_for_booking(actor(), practice_id, patient_id)
        try:
            options = availability.booking_options(actor(), patient)
            # After a refused booking (e.g. an overlap that needs a reason) the times show again.
            if "visit_type_id" in args and (request.method == "GET" or errors):
                query = SlotQuerySchema().load({k: v for k, v in args.items() if k in SlotQuerySchema().fields})
                slots = availability.find_slots(actor(), patient, availability.SlotQuery(**query))
        except (ValidationError, DomainError) as exc:
            errors = errors or form_errors(exc)
    return render_template("schedule/book.html", practice_id=practice_id, args=args, options=options,
                           slots=slots, errors=errors, chosen=chosen, found=found, patient=patient), \
        422 if errors else 200


def _find_patients(practice_id: int, q: str, errors: dict):
    """The practice's patients matching the search text (the staff patient search), at most a page."""
    if not q:
        return None, errors
    try:
        search = PatientSearchArgsSchema().load({"q": q, "per_page": FIND_LIMIT})
    except ValidationError as exc:
        return [], {**errors, **form_errors(exc)}
    listing = patients.practice_patients(actor(), practice_id, query=search["q"], dates=search["dates"],
                                         per_page=FIND_LIMIT)
    return listing.page, errors
