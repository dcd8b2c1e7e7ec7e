"""/api/v1 caregiver access: a patient's proxies, people I care for, invitations, guardians (staff)."""

from __future__ import annotations

from flask import current_app

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth.extensions import limiter
from hearth.schemas.caregivers import (
    ActivityPageSchema,
    ActivityQuerySchema,
    CaringForSchema,
    GrantSchema,
    GrantUpdateSchema,
    InvitationSchema,
    InviteSchema,
    MinorQuerySchema,
)
from hearth.schemas.people import PatientSummarySchema
from hearth.services import caregivers

blp = Blueprint("api_caregivers", __name__, url_prefix="/api/v1", description="Caregiver (proxy) and guardian access")

GRANT = "/patients/<int:patient_id>/caregivers/<int:grant_id>"
GUARDIANS = "/practices/<int:practice_id>/patients/<int:patient_id>/guardians"


def _settings() -> caregivers.InviteSettings:
    return caregivers.InviteSettings.from_config(current_app.config)


# -- the patient's proxies ---------------------------------------------------------------------


@blp.route("/patients/<int:patient_id>/caregivers", methods=["GET"])
@blp.response(200, GrantSchema(many=True))
@blp.alt_response(403, description="A caregiver cannot see or manage the patient's caregivers")
@blp.doc(security=BEARER)
@token_required
def list_caregivers(patient_id: int):
    """Every grant on the patient's record (pending, active, ended), newest first: patient or her practice."""
    return caregivers.list_grants(actor(), patient_id).grants


@blp.route("/patients/<int:patient_id>/caregivers", methods=["POST"])
@blp.arguments(InviteSchema)
@blp.response(201, GrantSchema)
@blp.alt_response(403, description="Only the patient herself invites caregivers")
@blp.alt_response(409, description="This person already has access or a pending invitation")
@blp.doc(security=BEARER)
@token_required
def invite_caregiver(data, patient_id: int):
    """Invite a caregiver by email; the email carries a link valid INVITATION_DAYS days and no health details."""
    return caregivers.invite(actor(), patient_id, data, _settings())


@blp.route(GRANT, methods=["PATCH"])
@blp.arguments(GrantUpdateSchema)
@blp.response(200, GrantSchema)
@blp.alt_response(409, description="The grant has ended")
@blp.doc(security=BEARER)
@token_required
def update_caregiver(changes, patient_id: int, grant_id: int):
    """Change scopes, end (null for none) or relationship; effective on the caregiver's next request."""
    return caregivers.update(actor(), patient_id, grant_id, changes)


@blp.route(GRANT, methods=["DELETE"])
@blp.response(204)
@blp.doc(security=BEARER)
@token_required
def revoke_caregiver(patient_id: int, grant_id: int):
    """Revoke now (or cancel a pending invitation)."""
    caregivers.revoke(actor(), patient_id, grant_id)


@blp.route(GRANT + "/resend", methods=["POST"])
@blp.response(200, GrantSchema)
@blp.doc(security=BEARER)
@token_required
def resend_invitation(patient_id: int, grant_id: int):
    """Email a pending invitation again with a new link; the old link stops working."""
    return caregivers.resend(actor(), patient_id, grant_id, _settings())


@blp.route(GRANT + "/activity", methods=["GET"])
@blp.arguments(ActivityQuerySchema, location="query")
@blp.response(200, ActivityPageSchema)
@blp.doc(security=BEARER)
@token_required
def caregiver_activity(args, patient_id: int, grant_id: int):
    """What this caregiver did in the patient's record, newest first, one page at a time."""
    grant, page = caregivers.activity(actor(), patient_id, grant_id, args["page"], args["per_page"])
    return {"grant": grant, "items": page.items, "page": page.page, "per_page": page.per_page,
            "total": page.total, "has_next": page.has_next}


# -- the caregiver's side ----------------------------------------------------------------------


@blp.route("/caregiving", methods=["GET"])
@blp.response(200, CaringForSchema(many=True))
@blp.doc(security=BEARER)
@token_required
def caring_for():
    """The people I may act for right now, with scopes and when access ends."""
    return caregivers.caring_for(actor())


@blp.route("/caregiving/<int:patient_id>", methods=["GET"])
@blp.response(200, CaringForSchema)
@blp.alt_response(404, description="No working grant for this patient (revoked, expired or never given)")
@blp.doc(security=BEARER)
@token_required
def my_access(patient_id: int):
    """My access to one person; 404 as soon as it is revoked or ends."""
    return caregivers.my_access(actor(), patient_id)


@blp.route("/caregivers/invitations/<token>", methods=["GET"])
@limiter.limit("30/minute")
@blp.response(200, InvitationSchema)
@blp.alt_response(404, description="Unknown invitation link")
def show_invitation(token: str):
    """Who invited and for which scopes, and whether the link still works (no sign-in needed)."""
    return caregivers.invitation(token, missing_ok=False)


@blp.route("/caregivers/invitations/<token>/accept", methods=["POST"])
@limiter.limit("30/minute")
@blp.response(200, CaringForSchema)
@blp.alt_response(409, description="Expired, used, cancelled or declined; or already a caregiver")
@blp.doc(security=BEARER)
@token_required
def accept_invitation(token: str):
    """Accept with the signed-in account (its email need not match the invited address)."""
    return caregivers.accept(actor(), token)


@blp.route("/caregivers/invitations/<token>/decline", methods=["POST"])
@limiter.limit("30/minute")
@blp.response(204)
@blp.doc(security=BEARER)
@token_required
def decline_invitation(token: str):
    """Turn the invitation down."""
    caregivers.decline(actor(), token)


# -- the practice: guardians of minors ---------------------------------------------------------


@blp.route("/practices/<int:practice_id>/minors", methods=["GET"])
@blp.arguments(MinorQuerySchema, location="query")
@blp.response(200, PatientSummarySchema(many=True))
@blp.doc(security=BEARER)
@token_required
def find_minors(args, practice_id: int):
    """Patients under the practice's adult age matching a name or MRN (at most 20), for staff."""
    return caregivers.find_minors(actor(), practice_id, args["q"])[1]


@blp.route(GUARDIANS, methods=["GET"])
@blp.response(200, GrantSchema(many=True))
@blp.doc(security=BEARER)
@token_required
def list_guardians(practice_id: int, patient_id: int):
    """Every grant on a patient's record, as her practice sees it (staff)."""
    return caregivers.list_grants(actor(), patient_id, practice_id=practice_id).grants


@blp.route(GUARDIANS, methods=["POST"])
@blp.arguments(InviteSchema)
@blp.response(201, GrantSchema)
@blp.alt_response(422, description="Bad input, or the patient is not a minor")
@blp.doc(security=BEARER)
@token_required
def invite_guardian(data, practice_id: int, patient_id: int):
    """Invite a parent or guardian of a minor; access ends by itself on her adult birthday (staff)."""
    return caregivers.invite(actor(), patient_id, data, _settings(), practice_id=practice_id)


@blp.route(GUARDIANS + "/<int:grant_id>", methods=["PATCH"])
@blp.arguments(GrantUpdateSchema)
@blp.response(200, GrantSchema)
@blp.doc(security=BEARER)
@token_required
def update_guardian(changes, practice_id: int, patient_id: int, grant_id: int):
    """Change a guardian's scopes, end or relationship (staff)."""
    return caregivers.update(actor(), patient_id, grant_id, changes, practice_id=practice_id)


@blp.route(GUARDIANS + "/<int:grant_id>", methods=["DELETE"])
@blp.response(204)
@blp.doc(security=BEARER)
@token_required
def revoke_guardian(practice_id: int, patient_id: int, grant_id: int):
    """End a guardian's access now, or cancel the invitation (staff)."""
    caregivers.revoke(actor(), patient_id, grant_id, practice_id=practice_id)


@blp.route(GUARDIANS + "/<int:grant_id>/resend", methods=["POST"])
@blp.response(200, GrantSchema)
@blp.doc(security=BEARER)
@token_required
def resend_guardian_invitation(practice_id: int, patient_id: int, grant_id: int):
    """Email a pending guardian invitation again with a new link (staff)."""
    return caregivers.resend(actor(), patient_id, grant_id, _settings(), practice_id=practice_id)


@blp.route(GUARDIANS + "/<int:grant_id>/teen-consent", methods=["POST"])
@blp.response(200, GrantSchema)
@blp.doc(security=BEARER)
@token_required
def record_teen_consent(practice_id: int, patient_id: int, grant_id: int):
    """The teen agreed to share confidential items with this guardian (staff)."""
    return caregivers.set_teen_consent(actor(), practice_id, patient_id, grant_id, True)


@blp.route(GUARDIANS + "/<int:grant_id>/teen-consent", methods=["DELETE"])
@blp.response(200, GrantSchema)
@blp.doc(security=BEARER)
@token_required
def withdraw_teen_consent(practice_id: int, patient_id: int, grant_id: int):
    """The teen withdrew her agreement: confidential items are hidden from this guardian again (staff)."""
    return caregivers.set_teen_consent(actor(), practice_id, patient_id, grant_id, False)
