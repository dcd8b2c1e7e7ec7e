"""/api/v1/devices: the app installs that receive push notifications for the signed-in person."""

from __future__ import annotations

from flask import g

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth.schemas.account import DeviceRegisterSchema, DeviceSchema
from hearth.services import account_security

blp = Blueprint("api_devices", __name__, url_prefix="/api/v1/devices", description="Push notification devices")


@blp.route("", methods=["POST"])
@blp.arguments(DeviceRegisterSchema)
@blp.response(200, DeviceSchema)
@blp.doc(security=BEARER)
@token_required
def register_device(data):
    """Register this install's FCM token, or refresh it; call after every sign-in and token change.

    The device receives pushes while this sign-in lasts: signing out (`DELETE /api/v1/auth/token`),
    being signed out elsewhere, or the sign-in expiring stops them until the app registers again.
    """
    return account_security.register_device(actor(), g.api_session, fcm_token=data["token"],
                                            platform=data["platform"], label=data["label"])


@blp.route("", methods=["GET"])
@blp.response(200, DeviceSchema(many=True))
@blp.doc(security=BEARER)
@token_required
def list_devices():
    """Your devices, most recently seen first (`active` is false once notifications to it stopped)."""
    return account_security.list_devices(actor())


@blp.route("/<int:device_id>", methods=["DELETE"])
@blp.response(204)
@blp.doc(security=BEARER)
@token_required
def remove_device(device_id: int):
    """Stop notifications to one of your devices."""
    account_security.remove_device(actor(), device_id)
