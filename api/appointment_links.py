"""/api/v1/appointment-links/<token>: a reminder's confirm or cancel link, opened by the app or a page.

The token in the link is the credential (no bearer token): it names one appointment at one start
time and one action. Reading a link changes nothing; POST does what the link is for.
"""

from __future__ import annotations

from api.blueprint import Blueprint
from hearth.extensions import limiter
from hearth.schemas.scheduling import AppointmentLinkSchema, CancelSchema
from hearth.services.scheduling import confirmation

blp = Blueprint("api_appointment_links", __name__, url_prefix="/api/v1/appointment-links",
                description="Reminder links (no sign-in)")


@blp.route("/<token>", methods=["GET"])
@limiter.limit("60/minute")
@blp.response(200, AppointmentLinkSchema)
@blp.alt_response(404, description="The link is not valid, or the visit has moved")
def show(token: str):
    """The appointment a reminder link names: date, time, practice, and whether it can still be done."""
    return confirmation.open_link(token)


@blp.route("/<token>", methods=["POST"])
@limiter.limit("20/minute")
@blp.arguments(CancelSchema)
@blp.response(200, AppointmentLinkSchema)
@blp.alt_response(404, description="The link is not valid, or the visit has moved")
@blp.alt_response(409, description="Too late: the visit started, was cancelled, or is past the cancel cutoff")
def act(data, token: str):
    """Do what the link is for: confirm, or cancel (with an optional reason)."""
    return confirmation.use_link(token, data["reason"])
