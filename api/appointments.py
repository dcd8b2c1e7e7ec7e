"""/api/v1/patients/<id>/appointments, slots and waitlist: the mobile side of scheduling."""

from __future__ import annotations

from flask import Response, current_app

from api.blueprint import Blueprint
from api.openapi import file_response
from api.security import BEARER, actor, token_required
from hearth.policy import load_patient
from hearth.schemas.scheduling import (
    AppointmentListSchema,
    AppointmentSchema,
    BookingOptionsSchema,
    BookSchema,
    CalendarPreferenceSchema,
    CancelSchema,
    CheckInSchema,
    JoinSchema,
    RescheduleSchema,
    SlotQuerySchema,
    SlotSchema,
    WaitlistEntrySchema,
    WaitlistJoinSchema,
)
from hearth.services.scheduling import availability, booking, calendar, checkin, confirmation, waitlist

blp = Blueprint("api_appointments", __name__, url_prefix="/api/v1/patients", description="Appointments")
ITEM = "/<int:patient_id>/appointments/<int:appointment_id>"


def _base_url() -> str:
    return current_app.config.get("BASE_URL", "")


@blp.route("/<int:patient_id>/appointments", methods=["GET"])
@blp.response(200, AppointmentListSchema)
@blp.doc(security=BEARER)
@token_required
def list_appointments(patient_id: int):
    """Upcoming and past appointments (the latest 50 past ones)."""
    upcoming, past = booking.list_for_patient(actor(), load_patient(patient_id))
    return {"upcoming": upcoming, "past": past}


@blp.route("/<int:patient_id>/booking-options", methods=["GET"])
@blp.response(200, BookingOptionsSchema)
@blp.doc(security=BEARER)
@token_required
def options(patient_id: int):
    """Visit types (with their providers) and locations for the slot search."""
    return availability.booking_options(actor(), load_patient(patient_id))


@blp.route("/<int:patient_id>/slots", methods=["GET"])
@blp.arguments(SlotQuerySchema, location="query")
@blp.response(200, SlotSchema(many=True))
@blp.doc(security=BEARER)
@token_required
def slots(query, patient_id: int):
    """Open slots for a visit type, optionally one provider and location, between two dates (≤ 31 days)."""
    return availability.find_slots(actor(), load_patient(patient_id), availability.SlotQuery(**query))


@blp.route("/<int:patient_id>/appointments", methods=["POST"])
@blp.arguments(BookSchema)
@blp.response(201, AppointmentSchema)
@blp.doc(security=BEARER)
@token_required
def book(data, patient_id: int):
    """Book an open slot; 409 when someone else just took it."""
    return booking.book(actor(), load_patient(patient_id), booking.SlotChoice(**data), base_url=_base_url())


@blp.route(ITEM, methods=["GET"])
@blp.response(200, AppointmentSchema)
@blp.doc(security=BEARER)
@token_required
def get(patient_id: int, appointment_id: int):
    """One appointment."""
    return booking.get(actor(), load_patient(patient_id), appointment_id)


@blp.route(ITEM, methods=["PATCH"])
@blp.arguments(RescheduleSchema)
@blp.response(200, AppointmentSchema)
@blp.doc(security=BEARER)
@token_required
def reschedule(data, patient_id: int, appointment_id: int):
    """Move the appointment to another open slot (before the practice's cutoff)."""
    return booking.reschedule(actor(), load_patient(patient_id), appointment_id, data["starts_at"],
                              data["provider_id"], data["location_id"], base_url=_base_url(),
                              overlap_reason=data["overlap_reason"])


@blp.route(ITEM + "/cancel", methods=["POST"])
@blp.arguments(CancelSchema)
@blp.response(200, AppointmentSchema)
@blp.doc(security=BEARER)
@token_required
def cancel(data, patient_id: int, appointment_id: int):
    """Cancel (before the practice's cutoff; after it, 409 asks to call)."""
    return booking.cancel(actor(), load_patient(patient_id), appointment_id, data["reason"])


@blp.route(ITEM + "/confirm", methods=["POST"])
@blp.response(200, AppointmentSchema)
@blp.doc(security=BEARER)
@token_required
def confirm(patient_id: int, appointment_id: int):
    """Say the patient will come (409 once the visit is cancelled or has started; twice is fine)."""
    return confirmation.confirm(actor(), load_patient(patient_id), appointment_id)


@blp.route(ITEM + "/check-in", methods=["POST"])
@blp.arguments(CheckInSchema)
@blp.response(200, AppointmentSchema)
@blp.doc(security=BEARER)
@token_required
def check_in(data, patient_id: int, appointment_id: int):
    """Check in within the window, confirming contact and insurance and answering the questions."""
    return checkin.check_in(actor(), load_patient(patient_id), appointment_id, **data)


@blp.route(ITEM + "/calendar.ics", methods=["GET"])
@blp.response(200, content_type="text/calendar")
@blp.doc(security=BEARER, responses=file_response("text/calendar", "An iCalendar (RFC 5545) file with one VEVENT"))
@token_required
def ics(patient_id: int, appointment_id: int):
    """The appointment as an iCalendar file: one UID per visit, SEQUENCE and METHOD:CANCEL follow changes."""
    data = calendar.ics(actor(), load_patient(patient_id), appointment_id)
    return Response(data, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="appointment-{appointment_id}.ics"'})


@blp.route(ITEM + "/join", methods=["GET"])
@blp.response(200, JoinSchema)
@blp.doc(security=BEARER)
@token_required
def join(patient_id: int, appointment_id: int):
    """The video link, from a few minutes before the start (409 before that)."""
    return {"url": booking.join_link(actor(), load_patient(patient_id), appointment_id)}


@blp.route("/<int:patient_id>/calendar-preference", methods=["GET"])
@blp.response(200, CalendarPreferenceSchema)
@blp.doc(security=BEARER)
@token_required
def calendar_preference(patient_id: int):
    """Whether the patient's calendar files name the visit type (off: "Appointment at PRACTICE")."""
    return {"include_visit_type": calendar.shows_visit_type(actor(), load_patient(patient_id))}


@blp.route("/<int:patient_id>/calendar-preference", methods=["PUT"])
@blp.arguments(CalendarPreferenceSchema)
@blp.response(200, CalendarPreferenceSchema)
@blp.doc(security=BEARER)
@token_required
def set_calendar_preference(data, patient_id: int):
    """Choose whether calendar files name the visit type (the patient or a caregiver; 403 for staff)."""
    shown = calendar.set_shows_visit_type(actor(), load_patient(patient_id), data["include_visit_type"])
    return {"include_visit_type": shown}


@blp.route("/<int:patient_id>/waitlist", methods=["GET"])
@blp.response(200, WaitlistEntrySchema(many=True))
@blp.doc(security=BEARER)
@token_required
def waitlist_entries(patient_id: int):
    """The patient's open waitlist entries; `offer` holds a freed time to book while it lasts."""
    return waitlist.entries(actor(), load_patient(patient_id))


@blp.route("/<int:patient_id>/waitlist", methods=["POST"])
@blp.arguments(WaitlistJoinSchema)
@blp.response(201, WaitlistEntrySchema)
@blp.doc(security=BEARER)
@token_required
def waitlist_join(data, patient_id: int):
    """Ask to hear about an earlier time for a visit type between two dates."""
    return waitlist.join(actor(), load_patient(patient_id), data["visit_type_id"], data["window_start"],
                         data["window_end"], data["provider_id"])


@blp.route("/<int:patient_id>/waitlist/<int:entry_id>", methods=["DELETE"])
@blp.response(204)
@blp.doc(security=BEARER)
@token_required
def waitlist_leave(patient_id: int, entry_id: int):
    """Leave the waitlist."""
    waitlist.leave(actor(), load_patient(patient_id), entry_id)
    return None


@blp.route("/<int:patient_id>/waitlist/<int:entry_id>/book", methods=["POST"])
@blp.response(201, AppointmentSchema)
@blp.alt_response(409, description="Someone else booked the time first, or the offer is over")
@blp.doc(security=BEARER)
@token_required
def waitlist_book_offer(patient_id: int, entry_id: int):
    """Book the freed time a waitlist entry was offered (first come, first served)."""
    return booking.book_offer(actor(), load_patient(patient_id), entry_id, base_url=_base_url())
