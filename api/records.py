"""/api/v1/patients/<id>: a patient's profile and who accessed her record."""

from __future__ import annotations

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth.schemas.patients import AccessLogPageSchema, PageArgsSchema, PatientProfileSchema, ProfileUpdateSchema
from hearth.services import access_log, records

blp = Blueprint("api_records", __name__, url_prefix="/api/v1/patients", description="Patient profile and access log")


@blp.route("/<int:patient_id>", methods=["GET"])
@blp.response(200, PatientProfileSchema)
@blp.alt_response(404, description="No such patient, or no access")
@blp.doc(security=BEARER)
@token_required
def get_profile(patient_id: int):
    """Demographics and contact details, for the patient, her caregivers and her practice (audited)."""
    return records.profile(actor(), patient_id)


@blp.route("/<int:patient_id>", methods=["PATCH"])
@blp.arguments(ProfileUpdateSchema(partial=True))
@blp.response(200, PatientProfileSchema)
@blp.alt_response(403, description="Caregivers may not change contact details")
@blp.alt_response(404, description="No such patient, or no access")
@blp.doc(security=BEARER)
@token_required
def update_profile(changes, patient_id: int):
    """Change phone, email, address, preferred language or channels (the patient or her practice)."""
    return records.update_profile(actor(), patient_id, changes)


@blp.route("/<int:patient_id>/access-log", methods=["GET"])
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, AccessLogPageSchema)
@blp.alt_response(404, description="No such patient, no access, or a caregiver (the log is the patient's)")
@blp.doc(security=BEARER)
@token_required
def get_access_log(args, patient_id: int):
    """Who accessed the record, newest first, 25 per page; reading it is audited too."""
    return access_log.patient_trail(actor(), patient_id, page=args["page"]).page
