"""/api/v1: medications, saved pharmacies, refill requests (patient side) and the practice's refill queue."""

from __future__ import annotations

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth.policy import load_patient
from hearth.schemas.medications import (
    ApproveSchema,
    DenySchema,
    MedicationChangeSchema,
    MedicationOutSchema,
    MedicationPageSchema,
    MedicationSchema,
    PageArgsSchema,
    PharmacyChangeSchema,
    PharmacyOutSchema,
    PharmacyPageSchema,
    PharmacySchema,
    QueuePageSchema,
    RefillRequestOutSchema,
    RefillRequestPageSchema,
    RefillRequestSchema,
)
from hearth.services.medications import meds, pharmacies, queue, refills

blp = Blueprint("api_medications", __name__, url_prefix="/api/v1", description="Medications and refill requests")
PATIENT = "/patients/<int:patient_id>"
MED = PATIENT + "/medications/<int:medication_id>"
PHARMACY = PATIENT + "/pharmacies/<int:pharmacy_id>"
REQUEST = PATIENT + "/refill-requests/<int:request_id>"


def _page(page) -> dict:
    return {"items": page.items, "page": page.page, "per_page": page.per_page, "total": page.total}


# ---- medications


@blp.route(PATIENT + "/medications", methods=["GET"])
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, MedicationPageSchema)
@blp.doc(security=BEARER)
@token_required
def list_medications(args, patient_id: int):
    """The patient's medications, active first (patient, caregiver with `medications`, her practice)."""
    return _page(meds.medication_list(actor(), load_patient(patient_id), page=args["page"],
                                      per_page=args["per_page"]))


@blp.route(PATIENT + "/medications", methods=["POST"])
@blp.arguments(MedicationSchema)
@blp.response(201, MedicationOutSchema)
@blp.alt_response(403, description="Only the care team adds medications")
@blp.doc(security=BEARER)
@token_required
def add_medication(data, patient_id: int):
    """Staff: add a medication (after FHIR MedicationRequest)."""
    return meds.row(meds.add(actor(), load_patient(patient_id), data))


@blp.route(MED, methods=["GET"])
@blp.response(200, MedicationOutSchema)
@blp.doc(security=BEARER)
@token_required
def get_medication(patient_id: int, medication_id: int):
    """One medication of the patient's."""
    return meds.get(actor(), load_patient(patient_id), medication_id)


@blp.route(MED, methods=["PATCH"])
@blp.arguments(MedicationChangeSchema(partial=True))
@blp.response(200, MedicationOutSchema)
@blp.alt_response(403, description="Only the care team changes medications")
@blp.alt_response(409, description="The medication was stopped")
@blp.doc(security=BEARER)
@token_required
def change_medication(data, patient_id: int, medication_id: int):
    """Staff: change a medication's details (only the fields given)."""
    return meds.row(meds.change(actor(), load_patient(patient_id), medication_id, data))


@blp.route(MED + "/stop", methods=["POST"])
@blp.response(200, MedicationOutSchema)
@blp.alt_response(403, description="Only the care team stops medications")
@blp.doc(security=BEARER)
@token_required
def stop_medication(patient_id: int, medication_id: int):
    """Staff: stop a medication (it can no longer be refilled; twice is fine)."""
    return meds.row(meds.stop(actor(), load_patient(patient_id), medication_id))


# ---- pharmacies


@blp.route(PATIENT + "/pharmacies", methods=["GET"])
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, PharmacyPageSchema)
@blp.doc(security=BEARER)
@token_required
def list_pharmacies(args, patient_id: int):
    """The patient's saved pharmacies, the preferred one first."""
    return _page(pharmacies.pharmacy_list(actor(), load_patient(patient_id), page=args["page"],
                                          per_page=args["per_page"]))


@blp.route(PATIENT + "/pharmacies", methods=["POST"])
@blp.arguments(PharmacySchema)
@blp.response(201, PharmacyOutSchema)
@blp.doc(security=BEARER)
@token_required
def add_pharmacy(data, patient_id: int):
    """Save a pharmacy (the first, or one sent with `preferred: true`, becomes the preferred one)."""
    return pharmacies.add(actor(), load_patient(patient_id), data)


@blp.route(PHARMACY, methods=["GET"])
@blp.response(200, PharmacyOutSchema)
@blp.doc(security=BEARER)
@token_required
def get_pharmacy(patient_id: int, pharmacy_id: int):
    """One saved pharmacy."""
    return pharmacies.get(actor(), load_patient(patient_id), pharmacy_id)


@blp.route(PHARMACY, methods=["PATCH"])
@blp.arguments(PharmacyChangeSchema(partial=True))
@blp.response(200, PharmacyOutSchema)
@blp.doc(security=BEARER)
@token_required
def change_pharmacy(data, patient_id: int, pharmacy_id: int):
    """Change a saved pharmacy; `preferred: true` makes it the preferred one."""
    return pharmacies.change(actor(), load_patient(patient_id), pharmacy_id, data)


@blp.route(PHARMACY, methods=["DELETE"])
@blp.response(204)
@blp.doc(security=BEARER)
@token_required
def remove_pharmacy(patient_id: int, pharmacy_id: int):
    """Remove a saved pharmacy (past requests keep their history)."""
    pharmacies.remove(actor(), load_patient(patient_id), pharmacy_id)


# ---- refill requests


@blp.route(PATIENT + "/refill-requests", methods=["GET"])
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, RefillRequestPageSchema)
@blp.doc(security=BEARER)
@token_required
def list_refill_requests(args, patient_id: int):
    """The patient's refill requests, newest first, each with its status."""
    return _page(refills.request_list(actor(), load_patient(patient_id), page=args["page"],
                                      per_page=args["per_page"]))


@blp.route(PATIENT + "/refill-requests", methods=["POST"])
@blp.arguments(RefillRequestSchema)
@blp.response(201, RefillRequestOutSchema)
@blp.alt_response(409, description="A request for one of the medications is already waiting")
@blp.doc(security=BEARER)
@token_required
def request_refill(data, patient_id: int):
    """Ask for refills of active medications at a saved pharmacy.

    422 for a stopped or controlled medication (call the practice) or one not on the patient's list, or
    a pharmacy she has not saved; a medication with no refills left is asked for as a renewal.
    """
    return refills.request_refill(actor(), load_patient(patient_id), data["medication_ids"], data["pharmacy_id"],
                                  data["note"])


@blp.route(REQUEST, methods=["GET"])
@blp.response(200, RefillRequestOutSchema)
@blp.doc(security=BEARER)
@token_required
def get_refill_request(patient_id: int, request_id: int):
    """One refill request and its status."""
    return refills.get(actor(), load_patient(patient_id), request_id)


@blp.route(REQUEST + "/approve", methods=["POST"])
@blp.arguments(ApproveSchema)
@blp.response(200, RefillRequestOutSchema)
@blp.alt_response(403, description="Only the care team decides")
@blp.alt_response(409, description="Already answered")
@blp.doc(security=BEARER)
@token_required
def approve_refill(data, patient_id: int, request_id: int):
    """Staff: approve; the medications' quantity, refills left and last fill date follow. Notifies the patient."""
    return queue.approve(actor(), load_patient(patient_id), request_id, data["amounts"])


@blp.route(REQUEST + "/deny", methods=["POST"])
@blp.arguments(DenySchema)
@blp.response(200, RefillRequestOutSchema)
@blp.alt_response(403, description="Only the care team decides")
@blp.alt_response(409, description="Already answered")
@blp.doc(security=BEARER)
@token_required
def deny_refill(data, patient_id: int, request_id: int):
    """Staff: deny with a reason the patient reads. Notifies the patient."""
    return queue.deny(actor(), load_patient(patient_id), request_id, data["reason"])


@blp.route(REQUEST + "/needs-visit", methods=["POST"])
@blp.response(200, RefillRequestOutSchema)
@blp.alt_response(403, description="Only the care team decides")
@blp.alt_response(409, description="Already answered")
@blp.doc(security=BEARER)
@token_required
def refill_needs_visit(patient_id: int, request_id: int):
    """Staff: the patient needs a visit first (she is offered booking). Notifies the patient."""
    return queue.needs_visit(actor(), load_patient(patient_id), request_id)


@blp.route("/practices/<int:practice_id>/refill-requests", methods=["GET"])
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, QueuePageSchema)
@blp.alt_response(403, description="Not on the practice's care team")
@blp.doc(security=BEARER)
@token_required
def refill_queue(args, practice_id: int):
    """Staff: the practice's waiting refill requests, oldest first, each with its age in minutes."""
    return _page(queue.queue(actor(), practice_id, page=args["page"], per_page=args["per_page"]))
