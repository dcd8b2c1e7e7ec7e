"""/api/v1: the fee schedule and its CSV import (practice admins), and patients' price estimates."""

from __future__ import annotations

from dataclasses import asdict

from flask import request

from api.blueprint import Blueprint
from api.financing import offers_url
from api.security import BEARER, actor, token_required
from hearth.errors import Invalid
from hearth.i18n import _l
from hearth.policy import load_patient
from hearth.schemas.estimates import (
    AllowedAmountSchema,
    AttachSchema,
    EstimatePageSchema,
    EstimateRequestSchema,
    EstimateSchema,
    FeeItemPatchSchema,
    FeeItemSchema,
    ImportResultSchema,
    VisitServiceSchema,
    VisitTypeServicesSchema,
    fee_item_out,
)
from hearth.schemas.patients import PageArgsSchema
from hearth.services.estimates import csv_import, fee_schedule, saved
from hearth.services.estimates.labels import notice
from hearth.services.financing import offers

blp = Blueprint("api_estimates", __name__, url_prefix="/api/v1", description="Fee schedule and price estimates")
CSV_MAX = 5 * 1024 * 1024
FEES = "/practices/<int:practice_id>/fee-schedule"
ADMIN_ONLY = "Not an admin of this practice"
UPLOAD_CSV = {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary"}}}},
    "text/csv": {"schema": {"type": "string"}}}}


def estimate_out(estimate, patient, active_offers: list | None = None) -> dict:
    """The estimate for the app, with where to find financing offers for the patient's share (or None).

    `active_offers`: the practice's offers loaded once for a list (offers.active_offers)."""
    data = asdict(estimate)
    data["coinsurance_percent"] = estimate.coinsurance_percent
    data["notice"] = notice(estimate.basis)
    data["financing_offers_url"] = offers_url(patient.id, patient.practice_id, estimate.patient_cents, "estimate",
                                              active_offers)
    return data


@blp.route(FEES, methods=["GET"])
@blp.response(200, FeeItemSchema(many=True))
@blp.alt_response(403, description=ADMIN_ONLY)
@blp.doc(security=BEARER)
@token_required
def list_fees(practice_id: int):
    """The fee schedule by code, with each service's allowed amounts per payer and plan (cents)."""
    return [fee_item_out(i) for i in fee_schedule.fee_schedule(actor(), practice_id).items]


@blp.route(FEES, methods=["POST"])
@blp.arguments(FeeItemSchema)
@blp.response(201, FeeItemSchema)
@blp.alt_response(403, description=ADMIN_ONLY)
@blp.doc(security=BEARER)
@token_required
def add_fee(data, practice_id: int):
    """Add a service: CPT/HCPCS code, plain-language description (English, Spanish), category, prices in cents."""
    return fee_item_out(fee_schedule.save_item(actor(), practice_id, data))


@blp.route(FEES + "/<int:item_id>", methods=["PATCH"])
@blp.arguments(FeeItemPatchSchema(partial=True))
@blp.response(200, FeeItemSchema)
@blp.alt_response(403, description=ADMIN_ONLY)
@blp.doc(security=BEARER)
@token_required
def update_fee(data, practice_id: int, item_id: int):
    """Change some of a service's fields."""
    return fee_item_out(fee_schedule.save_item(actor(), practice_id, data, item_id))


@blp.route(FEES + "/<int:item_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(403, description=ADMIN_ONLY)
@blp.doc(security=BEARER)
@token_required
def delete_fee(practice_id: int, item_id: int):
    """Remove a service (and its allowed amounts, and its place in visit types)."""
    fee_schedule.delete_item(actor(), practice_id, item_id)


@blp.route(FEES + "/<int:item_id>/allowed-amounts", methods=["PUT"])
@blp.arguments(AllowedAmountSchema)
@blp.response(200, AllowedAmountSchema)
@blp.alt_response(403, description=ADMIN_ONLY)
@blp.doc(security=BEARER)
@token_required
def put_allowed(data, practice_id: int, item_id: int):
    """Set the allowed amount of a payer and plan (blank plan: all the payer's plans); replaces the old one."""
    return fee_schedule.save_allowed(actor(), practice_id, item_id, data["payer_name"], data.get("plan_name"),
                                     data["allowed_cents"])


@blp.route(FEES + "/<int:item_id>/allowed-amounts/<int:allowed_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(403, description=ADMIN_ONLY)
@blp.doc(security=BEARER)
@token_required
def delete_allowed(practice_id: int, item_id: int, allowed_id: int):
    """Remove one allowed amount."""
    fee_schedule.delete_allowed(actor(), practice_id, item_id, allowed_id)


@blp.route("/practices/<int:practice_id>/visit-types/<int:visit_type_id>/services", methods=["PUT"])
@blp.arguments(VisitTypeServicesSchema)
@blp.response(200, VisitServiceSchema(many=True))
@blp.alt_response(403, description=ADMIN_ONLY)
@blp.doc(security=BEARER)
@token_required
def put_visit_services(data, practice_id: int, visit_type_id: int):
    """Replace the services a visit type usually involves, in the order estimates apply them."""
    return fee_schedule.set_visit_type_services(actor(), practice_id, visit_type_id, data["services"])


@blp.route(FEES + "/import", methods=["POST"])
@blp.response(200, ImportResultSchema)
@blp.alt_response(403, description=ADMIN_ONLY)
@blp.alt_response(413, description="The file is larger than 5 MB")
@blp.alt_response(422, description="Bad rows: `errors.file` lists them by line number; nothing was imported")
@blp.doc(security=BEARER, requestBody=UPLOAD_CSV)
@token_required
def import_fees(practice_id: int):
    """Import a CSV in the CMS standard-charges tall layout, all or nothing (multipart `file`, or a text/csv body)."""
    request.max_content_length = CSV_MAX + 64 * 1024
    upload = request.files.get("file")
    data = upload.read(CSV_MAX + 1) if upload is not None else (
        request.get_data() if request.mimetype == "text/csv" else b"")
    if not data:
        message = str(_l("Choose a CSV file."))
        raise Invalid(message, fields={"file": [message]})
    return csv_import.import_fee_schedule(actor(), practice_id, data)


@blp.route("/patients/<int:patient_id>/estimates", methods=["POST"])
@blp.arguments(EstimateRequestSchema)
@blp.response(201, EstimateSchema)
@blp.alt_response(404, description="No such patient or visit type, or no billing access")
@blp.doc(security=BEARER)
@token_required
def create_estimate(data, patient_id: int):
    """Estimate (and save) the patient's cost for a visit type or chosen services, in cents, with the breakdown.
    A visit type the practice has not priced gives an estimate without lines and no id (not saved)."""
    patient = load_patient(patient_id)
    if data.get("visit_type_id"):
        return estimate_out(saved.estimate_visit_type(actor(), patient, data["visit_type_id"]), patient)
    return estimate_out(saved.estimate_services(actor(), patient, data["services"]), patient)


@blp.route("/patients/<int:patient_id>/estimates", methods=["GET"])
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, EstimatePageSchema)
@blp.doc(security=BEARER)
@token_required
def list_estimates(args, patient_id: int):
    """The patient's saved estimates, newest first, 20 per page."""
    patient = load_patient(patient_id)
    page = saved.list_estimates(actor(), patient, page=args["page"])
    # The practice's financing offers once for the page, not once per estimate (issue 11: no N+1).
    active = offers.active_offers(patient.practice_id) if any(e.patient_cents > 0 for e in page.items) else []
    return {"items": [estimate_out(e, patient, active) for e in page.items], "page": page.page,
            "per_page": page.per_page,
            "total": page.total}


@blp.route("/patients/<int:patient_id>/estimates/<int:estimate_id>", methods=["GET"])
@blp.response(200, EstimateSchema)
@blp.doc(security=BEARER)
@token_required
def get_estimate(patient_id: int, estimate_id: int):
    """One saved estimate with its inputs' summary, lines and date."""
    patient = load_patient(patient_id)
    return estimate_out(saved.get_estimate(actor(), patient, estimate_id), patient)


@blp.route("/patients/<int:patient_id>/estimates/<int:estimate_id>/appointment", methods=["PUT"])
@blp.arguments(AttachSchema)
@blp.response(200, EstimateSchema)
@blp.alt_response(422, description="Already tied to another visit, or for another visit type")
@blp.doc(security=BEARER)
@token_required
def attach_estimate(data, patient_id: int, estimate_id: int):
    """Tie a saved estimate to the appointment booked from it."""
    patient = load_patient(patient_id)
    return estimate_out(saved.attach_to_appointment(actor(), patient, estimate_id, data["appointment_id"]), patient)
