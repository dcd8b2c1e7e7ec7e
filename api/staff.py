"""/api/v1 for the care team: a practice's patients and one patient's chart header."""

from __future__ import annotations

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth.schemas.patients import ChartSchema, PatientPageSchema, PatientSearchArgsSchema
from hearth.services import patients

blp = Blueprint("api_staff", __name__, url_prefix="/api/v1/practices", description="The practice's patients (staff)")


@blp.route("/<int:practice_id>/patients", methods=["GET"])
@blp.arguments(PatientSearchArgsSchema, location="query")
@blp.response(200, PatientPageSchema)
@blp.alt_response(403, description="Not a provider, staff member or admin of this practice")
@blp.doc(security=BEARER)
@token_required
def list_patients(args, practice_id: int):
    """The practice's patients sorted by family name; `q` searches name, MRN or date of birth."""
    listing = patients.practice_patients(actor(), practice_id, query=args["q"], dates=args["dates"],
                                         page=args["page"], per_page=args["per_page"])
    return listing.page


@blp.route("/<int:practice_id>/patients/<int:patient_id>", methods=["GET"])
@blp.response(200, ChartSchema)
@blp.alt_response(404, description="No such patient at this practice, or not staff there")
@blp.doc(security=BEARER)
@token_required
def chart(practice_id: int, patient_id: int):
    """Open a patient as staff (audited): demographics, primary provider, care team, caregivers."""
    return patients.chart(actor(), patient_id, practice_id=practice_id)
