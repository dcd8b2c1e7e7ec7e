"""/api/v1/practices/<id>/schedule and appointment status: the practice's side of scheduling."""

from __future__ import annotations

from flask import current_app

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth.models import AppointmentStatus
from hearth.schemas.scheduling import (
    AppointmentSchema,
    CancelSchema,
    ScheduleQuerySchema,
    ScheduleSchema,
    StaffAppointmentSchema,
    StaffBookSchema,
    StatusSchema,
)
from hearth.schemas.staff_appointment import StaffAppointmentDetailSchema
from hearth.services.scheduling import staff, staff_detail
from hearth.services.scheduling.booking import SlotChoice

blp = Blueprint("api_schedule", __name__, url_prefix="/api/v1/practices", description="Practice schedule")


@blp.route("/<int:practice_id>/schedule", methods=["GET"])
@blp.arguments(ScheduleQuerySchema, location="query")
@blp.response(200, ScheduleSchema)
@blp.doc(security=BEARER)
@token_required
def schedule(query, practice_id: int):
    """Appointments for 1–7 days from `date` (default: today in the practice's, or location's, zone)."""
    result = staff.schedule(actor(), practice_id, query["date"], days=query["days"],
                            provider_id=query["provider_id"], location_id=query["location_id"])
    return {"practice_id": practice_id, "start": result.start, "timezone": result.timezone,
            "days": [{"date": day, "appointments": items} for day, items in result.by_day.items()]}


@blp.route("/<int:practice_id>/appointments", methods=["POST"])
@blp.arguments(StaffBookSchema)
@blp.response(201, StaffAppointmentSchema)
@blp.doc(security=BEARER)
@token_required
def book_for_patient(data, practice_id: int):
    """Book for a patient of the practice (any visit type)."""
    patient_id = data.pop("patient_id")
    return staff.book_for_patient(actor(), practice_id, patient_id, SlotChoice(**data),
                                  base_url=current_app.config.get("BASE_URL", ""))


@blp.route("/<int:practice_id>/appointments/<int:appointment_id>", methods=["GET"])
@blp.response(200, StaffAppointmentDetailSchema)
@blp.alt_response(404, description="No such visit at this practice")
@blp.doc(security=BEARER)
@token_required
def appointment_detail(practice_id: int, appointment_id: int):
    """One visit for the care team (audited): reason, check-in answers, status history, contacts, next steps."""
    return staff_detail.appointment_detail(actor(), practice_id, appointment_id)


@blp.route("/<int:practice_id>/appointments/<int:appointment_id>/cancel", methods=["POST"])
@blp.arguments(CancelSchema)
@blp.response(200, StaffAppointmentSchema)
@blp.doc(security=BEARER)
@token_required
def cancel(data, practice_id: int, appointment_id: int):
    """Cancel a booked visit for the patient (staff may do so after the online cutoff)."""
    return staff_detail.cancel_visit(actor(), practice_id, appointment_id, data["reason"])


@blp.route("/<int:practice_id>/appointments/<int:appointment_id>/status", methods=["POST"])
@blp.arguments(StatusSchema)
@blp.response(200, AppointmentSchema)
@blp.doc(security=BEARER)
@token_required
def set_status(data, practice_id: int, appointment_id: int):
    """Mark arrived, roomed, seen, completed or no-show (only the next steps a visit allows)."""
    return staff.set_status(actor(), practice_id, appointment_id, AppointmentStatus(data["status"]),
                            base_url=current_app.config.get("BASE_URL", ""))
