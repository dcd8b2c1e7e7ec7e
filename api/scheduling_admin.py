"""/api/v1/practices/<id>/visit-types, /hours, /exceptions and /scheduling-settings: the scheduling setup.

Providers and staff of the practice may read; only its admins may change anything (403 otherwise).
"""

from __future__ import annotations

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth.schemas.scheduling import QuestionSchema
from hearth.schemas.scheduling_admin import (
    HoursInputSchema,
    HoursPatchSchema,
    HoursSchema,
    QuestionInputSchema,
    ScheduleExceptionInputSchema,
    ScheduleExceptionPageSchema,
    ScheduleExceptionPatchSchema,
    ScheduleExceptionQuerySchema,
    ScheduleExceptionSchema,
    SchedulingSettingsInputSchema,
    SchedulingSettingsSchema,
    VisitTypeAdminSchema,
    VisitTypeInputSchema,
    VisitTypePatchSchema,
)
from hearth.services.scheduling import admin, admin_hours

blp = Blueprint("api_scheduling_admin", __name__, url_prefix="/api/v1/practices",
                description="Scheduling setup: visit types, weekly hours, time off, rules")
VT = "/<int:practice_id>/visit-types/<int:visit_type_id>"
FORBIDDEN = "Not staff (to read) or not an admin (to change) of this practice"


def _doc(view):
    """Bearer auth, the 403 and the token check every route here shares."""
    return blp.doc(security=BEARER)(blp.alt_response(403, description=FORBIDDEN)(token_required(view)))


@blp.route("/<int:practice_id>/visit-types", methods=["GET"])
@blp.response(200, VisitTypeAdminSchema(many=True))
@_doc
def list_visit_types(practice_id: int):
    """Every visit type, active ones first, with its providers and questions."""
    return admin.visit_types(actor(), practice_id)


@blp.route("/<int:practice_id>/visit-types", methods=["POST"])
@blp.arguments(VisitTypeInputSchema)
@blp.response(201, VisitTypeAdminSchema)
@_doc
def create_visit_type(data, practice_id: int):
    """Add a visit type (empty `provider_ids` means every provider)."""
    return admin.create_visit_type(actor(), practice_id, data)


@blp.route(VT, methods=["GET"])
@blp.response(200, VisitTypeAdminSchema)
@_doc
def get_visit_type(practice_id: int, visit_type_id: int):
    """One visit type."""
    return admin.visit_type(actor(), practice_id, visit_type_id)


@blp.route(VT, methods=["PATCH"])
@blp.arguments(VisitTypePatchSchema(partial=True))
@blp.response(200, VisitTypeAdminSchema)
@_doc
def update_visit_type(changes, practice_id: int, visit_type_id: int):
    """Change a visit type; `questionnaire` replaces the whole list (keep `id`s to keep old answers linked)."""
    return admin.update_visit_type(actor(), practice_id, visit_type_id, changes)


@blp.route(VT, methods=["DELETE"])
@blp.response(204)
@blp.alt_response(409, description="Visits were booked with it: set `active` to false instead")
@_doc
def delete_visit_type(practice_id: int, visit_type_id: int):
    """Delete a visit type nobody was ever booked for."""
    admin.delete_visit_type(actor(), practice_id, visit_type_id)


@blp.route(VT + "/questions", methods=["POST"])
@blp.arguments(QuestionInputSchema)
@blp.response(201, QuestionSchema(many=True))
@_doc
def add_question(data, practice_id: int, visit_type_id: int):
    """Append a pre-visit question (text, yes/no or choice); answers the whole questionnaire."""
    return admin.add_question(actor(), practice_id, visit_type_id, data).questionnaire


@blp.route(VT + "/questions/<question_id>", methods=["DELETE"])
@blp.response(204)
@_doc
def remove_question(practice_id: int, visit_type_id: int, question_id: str):
    """Remove a pre-visit question (answers already given stay with their visits)."""
    admin.remove_question(actor(), practice_id, visit_type_id, question_id)


@blp.route("/<int:practice_id>/hours", methods=["GET"])
@blp.response(200, HoursSchema(many=True))
@_doc
def list_hours(practice_id: int):
    """Every provider's weekly hours, in each location's local time."""
    return admin_hours.hours(actor(), practice_id)


@blp.route("/<int:practice_id>/hours", methods=["POST"])
@blp.arguments(HoursInputSchema)
@blp.response(201, HoursSchema)
@_doc
def add_hours(data, practice_id: int):
    """Add weekly hours; 422 when the end is not after the start or they overlap the provider's other hours."""
    return admin_hours.add_hours(actor(), practice_id, data)


@blp.route("/<int:practice_id>/hours/<int:hours_id>", methods=["PATCH"])
@blp.arguments(HoursPatchSchema(partial=True))
@blp.response(200, HoursSchema)
@_doc
def update_hours(changes, practice_id: int, hours_id: int):
    """Change weekly hours (checked together with the stored fields)."""
    return admin_hours.update_hours(actor(), practice_id, hours_id, changes)


@blp.route("/<int:practice_id>/hours/<int:hours_id>", methods=["DELETE"])
@blp.response(204)
@_doc
def delete_hours(practice_id: int, hours_id: int):
    """Remove weekly hours (booked visits stay booked)."""
    admin_hours.delete_hours(actor(), practice_id, hours_id)


@blp.route("/<int:practice_id>/exceptions", methods=["GET"])
@blp.arguments(ScheduleExceptionQuerySchema, location="query")
@blp.response(200, ScheduleExceptionPageSchema)
@_doc
def list_exceptions(query, practice_id: int):
    """Current and coming time off and extra hours, 50 a page."""
    items, has_next = admin_hours.exceptions(actor(), practice_id, query["page"])
    return {"items": items, "page": query["page"], "has_next": has_next}


@blp.route("/<int:practice_id>/exceptions", methods=["POST"])
@blp.arguments(ScheduleExceptionInputSchema)
@blp.response(201, ScheduleExceptionSchema)
@_doc
def add_exception(data, practice_id: int):
    """Add time off or extra hours; times without an offset are the practice's (or location's) local time.

    With `cancel_booked`, the provider's booked visits inside new time off are cancelled and the patients told.
    """
    cancel_booked = data.pop("cancel_booked", False)
    return admin_hours.add_exception(actor(), practice_id, data, cancel_booked=cancel_booked)


@blp.route("/<int:practice_id>/exceptions/<int:exception_id>", methods=["PATCH"])
@blp.arguments(ScheduleExceptionPatchSchema(partial=True))
@blp.response(200, ScheduleExceptionSchema)
@_doc
def update_exception(changes, practice_id: int, exception_id: int):
    """Change time off or extra hours; `cancel_booked` cancels the visits booked inside the (new) times."""
    cancel_booked = changes.pop("cancel_booked", False)
    return admin_hours.update_exception(actor(), practice_id, exception_id, changes, cancel_booked=cancel_booked)


@blp.route("/<int:practice_id>/exceptions/<int:exception_id>", methods=["DELETE"])
@blp.response(204)
@_doc
def delete_exception(practice_id: int, exception_id: int):
    """Remove time off or extra hours."""
    admin_hours.delete_exception(actor(), practice_id, exception_id)


@blp.route("/<int:practice_id>/scheduling-settings", methods=["GET"])
@blp.response(200, SchedulingSettingsSchema)
@_doc
def get_scheduling_settings(practice_id: int):
    """Cancel cutoff, check-in window, video link, reminders and booking horizon (defaults until saved)."""
    return admin.scheduling_settings(actor(), practice_id)


@blp.route("/<int:practice_id>/scheduling-settings", methods=["PATCH"])
@blp.arguments(SchedulingSettingsInputSchema(partial=True))
@blp.response(200, SchedulingSettingsSchema)
@_doc
def update_scheduling_settings(changes, practice_id: int):
    """Change some rules; the video link must be http(s) and contain {appointment_id}."""
    return admin.update_scheduling_settings(actor(), practice_id, changes)
