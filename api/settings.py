"""/api/v1/practices/<id>/settings and locations, for the practice's admins."""

from __future__ import annotations

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth.schemas.practice import (
    LocationInputSchema,
    LocationPatchSchema,
    LocationSchema,
    PracticeSettingsInputSchema,
    PracticeSettingsSchema,
)
from hearth.services import practice_settings

blp = Blueprint("api_settings", __name__, url_prefix="/api/v1/practices", description="Practice settings (admins)")


@blp.route("/<int:practice_id>/settings", methods=["GET"])
@blp.response(200, PracticeSettingsSchema)
@blp.alt_response(403, description="Not an admin of this practice")
@blp.doc(security=BEARER)
@token_required
def get_settings(practice_id: int):
    """The practice's name, phone, time zone, minor access tiers and locations."""
    return practice_settings.settings(actor(), practice_id).practice


@blp.route("/<int:practice_id>/settings", methods=["PATCH"])
@blp.arguments(PracticeSettingsInputSchema(partial=True))
@blp.response(200, PracticeSettingsSchema)
@blp.alt_response(403, description="Not an admin of this practice")
@blp.doc(security=BEARER)
@token_required
def update_settings(changes, practice_id: int):
    """Change some of the practice's settings; the minor tiers are checked together with the stored ones."""
    return practice_settings.update_practice(actor(), practice_id, changes)


@blp.route("/<int:practice_id>/locations", methods=["GET"])
@blp.response(200, LocationSchema(many=True))
@blp.alt_response(403, description="Not an admin of this practice")
@blp.doc(security=BEARER)
@token_required
def list_locations(practice_id: int):
    """The practice's locations, by name."""
    return practice_settings.settings(actor(), practice_id).practice.locations


@blp.route("/<int:practice_id>/locations", methods=["POST"])
@blp.arguments(LocationInputSchema)
@blp.response(201, LocationSchema)
@blp.alt_response(403, description="Not an admin of this practice")
@blp.doc(security=BEARER)
@token_required
def add_location(data, practice_id: int):
    """Add a location."""
    return practice_settings.add_location(actor(), practice_id, data)


@blp.route("/<int:practice_id>/locations/<int:location_id>", methods=["PATCH"])
@blp.arguments(LocationPatchSchema(partial=True))
@blp.response(200, LocationSchema)
@blp.alt_response(403, description="Not an admin of this practice")
@blp.alt_response(404, description="No such location at this practice")
@blp.doc(security=BEARER)
@token_required
def update_location(changes, practice_id: int, location_id: int):
    """Change a location's name, address, phone or time zone."""
    return practice_settings.update_location(actor(), practice_id, location_id, changes)
