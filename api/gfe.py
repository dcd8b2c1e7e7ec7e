"""/api/v1 Good Faith Estimates: a patient's list, one estimate, its PDF, asking for one; the practice's settings."""

from __future__ import annotations

from flask import Response

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth import policy
from hearth.schemas.gfe import (
    GfeLanguageArgsSchema,
    GfeRequestSchema,
    GfeSchema,
    GfeSettingsInputSchema,
    GfeSettingsSchema,
)
from hearth.services.gfe import issue, pdf, records

blp = Blueprint("api_gfe", __name__, url_prefix="/api/v1", description="Good Faith Estimates (No Surprises Act)")


@blp.route("/patients/<int:patient_id>/good-faith-estimates", methods=["GET"])
@blp.response(200, GfeSchema(many=True))
@blp.alt_response(404, description="No such patient, or no billing access")
@blp.doc(security=BEARER)
@token_required
def list_estimates(patient_id: int):
    """The patient's Good Faith Estimates, latest first, each with its providers, items and statements."""
    return records.list_for_patient(actor(), policy.load_patient(patient_id))


@blp.route("/patients/<int:patient_id>/good-faith-estimates", methods=["POST"])
@blp.arguments(GfeRequestSchema)
@blp.response(201, GfeSchema)
@blp.alt_response(404, description="No such patient, visit or visit type, or no billing access")
@blp.alt_response(409, description="The visit is over or cancelled")
@blp.doc(security=BEARER)
@token_required
def request_estimate(data, patient_id: int):
    """Ask for an estimate for an upcoming visit (`appointment_id`) or a kind of visit (`visit_type_id`).

    For self-pay or uninsured patients (insured: 422). A visit that already has one returns it.
    """
    codes = ", ".join(code.strip().upper() for code in data["diagnosis_codes"]) or None
    return issue.request(actor(), policy.load_patient(patient_id), appointment_id=data["appointment_id"],
                         visit_type_id=data["visit_type_id"], diagnosis_codes=codes,
                         separately_scheduled=data["separately_scheduled"])


@blp.route("/patients/<int:patient_id>/good-faith-estimates/<int:estimate_id>", methods=["GET"])
@blp.response(200, GfeSchema)
@blp.alt_response(404, description="No such estimate for this patient, or no billing access")
@blp.doc(security=BEARER)
@token_required
def get_estimate(patient_id: int, estimate_id: int):
    """One Good Faith Estimate."""
    return records.get(actor(), policy.load_patient(patient_id), estimate_id)


@blp.route("/patients/<int:patient_id>/good-faith-estimates/<int:estimate_id>/pdf", methods=["GET"])
@blp.arguments(GfeLanguageArgsSchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, description="The estimate as a PDF",
              content_type="application/pdf")
@blp.alt_response(404, description="No such estimate for this patient, or no billing access")
@blp.doc(security=BEARER)
@token_required
def get_pdf(args, patient_id: int, estimate_id: int):
    """The estimate as a PDF in English or Spanish (`lang`; the patient's language by default)."""
    patient = policy.load_patient(patient_id)
    gfe = records.get(actor(), patient, estimate_id, action="download")
    data = pdf.render(gfe, args["lang"] or patient.preferred_language)
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="good-faith-estimate-{estimate_id}.pdf"'})


@blp.route("/practices/<int:practice_id>/gfe-settings", methods=["GET"])
@blp.response(200, GfeSettingsSchema)
@blp.alt_response(403, description="Not an admin of this practice")
@blp.doc(security=BEARER)
@token_required
def get_settings(practice_id: int):
    """The tax ID, group NPI, state and contact every new estimate states."""
    return records.settings(actor(), practice_id)


@blp.route("/practices/<int:practice_id>/gfe-settings", methods=["PATCH"])
@blp.arguments(GfeSettingsInputSchema(partial=True))
@blp.response(200, GfeSettingsSchema)
@blp.alt_response(403, description="Not an admin of this practice")
@blp.doc(security=BEARER)
@token_required
def update_settings(changes, practice_id: int):
    """Change some of the GFE settings; issued estimates keep what they said."""
    return records.save_settings(actor(), practice_id, changes)
