"""/api/v1/practices/<id>/messaging-settings: a practice's inboxes, reason routes, office hours and
closed days, for its admins (read and saved whole, like the portal's Messaging setup page)."""

from __future__ import annotations

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth.schemas.messaging import MessagingSettingsSchema
from hearth.services.messages import settings

blp = Blueprint("api_messaging_settings", __name__, url_prefix="/api/v1/practices",
                description="Messaging setup for practice admins")


@blp.route("/<int:practice_id>/messaging-settings", methods=["GET"])
@blp.response(200, MessagingSettingsSchema)
@blp.doc(security=BEARER)
@token_required
def get_messaging_settings(practice_id: int):
    """Inboxes with reply targets, where each reason goes, office hours (0 = Monday) and closed days."""
    return settings.messaging_settings(actor(), practice_id)


@blp.route("/<int:practice_id>/messaging-settings", methods=["PUT"])
@blp.arguments(MessagingSettingsSchema)
@blp.response(200, MessagingSettingsSchema)
@blp.doc(security=BEARER)
@token_required
def save_messaging_settings(data, practice_id: int):
    """Save the whole setup: inboxes by id (added without one), routes, hours and closed days replaced."""
    return settings.save_messaging_settings(actor(), practice_id, data)
