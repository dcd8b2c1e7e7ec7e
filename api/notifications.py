"""/api/v1/notifications: what was sent to me, and how and when I want to be reached."""

from __future__ import annotations

from flask import request
from flask_babel import get_locale

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth.schemas.notifications import (
    NotificationArgsSchema,
    NotificationPageSchema,
    PreferencesSchema,
    PreferencesUpdateSchema,
)
from hearth.services import notifications

blp = Blueprint("api_notifications", __name__, url_prefix="/api/v1/notifications",
                description="Notification centre and notification preferences")


@blp.route("", methods=["GET"])
@token_required
@blp.arguments(NotificationArgsSchema, location="query")
@blp.response(200, NotificationPageSchema)
@blp.doc(security=BEARER)
def list_notifications(args):
    """Notifications sent to the signed-in person (not to the patients they care for), newest first, in the
    `Accept-Language` asked for (else the person's language setting)."""
    locale = str(get_locale()) if request.headers.get("Accept-Language") else None
    return notifications.list_for_user(actor(), page=args["page"], per_page=args["per_page"], locale=locale)


@blp.route("/preferences", methods=["GET"])
@blp.response(200, PreferencesSchema)
@blp.doc(security=BEARER)
@token_required
def get_preferences():
    """Channels in order and quiet hours for each kind, with the account's language and zone."""
    return notifications.preference_settings(actor())


@blp.route("/preferences", methods=["PUT"])
@token_required  # outside the body parsing: a caller without a token learns nothing about the schema
@blp.arguments(PreferencesUpdateSchema)
@blp.response(200, PreferencesSchema)
@blp.alt_response(422, description="Unknown kind or channel, a repeated channel, none at all, or half quiet hours")
@blp.doc(security=BEARER)
def put_preferences(data):
    """Save the kinds given (all or nothing); kinds left out keep their settings."""
    return notifications.set_preferences(actor(), data["items"])
