"""/api/v1/patients/<id>/coverage: insurance or self-pay, benefits, card photos and staff verification.

Caregivers need the `billing` scope. Card photos are uploaded as multipart (`photo`) and come back as
attachments; a file whose content is not a JPEG, PNG or HEIC photo is refused whatever its name.
"""

from __future__ import annotations

from flask import request

from api.blueprint import Blueprint
from api.security import BEARER, actor, token_required
from hearth import files
from hearth.errors import Invalid
from hearth.i18n import _l
from hearth.policy import load_patient
from hearth.schemas.estimates import BenefitsSchema, CoverageViewSchema, InsuranceSchema
from hearth.services.estimates import coverage

blp = Blueprint("api_coverage", __name__, url_prefix="/api/v1/patients", description="Coverage and benefits")
ITEM = "/<int:patient_id>/coverage"
CARD_MAX = 10 * 1024 * 1024
NO_ACCESS = "No such patient, or no billing access"
UPLOAD_PHOTO = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["photo"], "properties": {"photo": {"type": "string", "format": "binary"}}}}}}


@blp.route(ITEM, methods=["GET"])
@blp.response(200, CoverageViewSchema)
@blp.alt_response(404, description=NO_ACCESS)
@blp.doc(security=BEARER)
@token_required
def get_coverage(patient_id: int):
    """The patient's coverage (null when none is on file) and what remains of the deductible and OOP maximum."""
    return coverage.get(actor(), load_patient(patient_id))


@blp.route(ITEM, methods=["PUT"])
@blp.arguments(InsuranceSchema)
@blp.response(200, CoverageViewSchema)
@blp.alt_response(404, description=NO_ACCESS)
@blp.doc(security=BEARER)
@token_required
def put_insurance(data, patient_id: int):
    """Record the insurance: payer, plan, member and group id, subscriber and relationship."""
    return coverage.save_insurance(actor(), load_patient(patient_id), data)


@blp.route(ITEM + "/self-pay", methods=["POST"])
@blp.response(200, CoverageViewSchema)
@blp.alt_response(404, description=NO_ACCESS)
@blp.doc(security=BEARER)
@token_required
def self_pay(patient_id: int):
    """Choose self-pay: estimates use the practice's self-pay prices."""
    return coverage.choose_self_pay(actor(), load_patient(patient_id))


@blp.route(ITEM + "/benefits", methods=["PATCH"])
@blp.arguments(BenefitsSchema(partial=True))
@blp.response(200, CoverageViewSchema)
@blp.alt_response(404, description=NO_ACCESS)
@blp.doc(security=BEARER)
@token_required
def patch_benefits(data, patient_id: int):
    """Change the plan's benefits or the amounts met so far (cents; coinsurance as a percent); dated now."""
    return coverage.save_benefits(actor(), load_patient(patient_id), data)


@blp.route(ITEM + "/verify", methods=["POST"])
@blp.response(200, CoverageViewSchema)
@blp.alt_response(404, description="Not the practice's staff, or no coverage on file")
@blp.doc(security=BEARER)
@token_required
def verify(patient_id: int):
    """Staff mark the coverage as checked with the payer (who and when)."""
    return coverage.verify(actor(), load_patient(patient_id))


@blp.route(ITEM + "/card/<any(front, back):side>", methods=["PUT"])
@blp.response(200, CoverageViewSchema)
@blp.alt_response(404, description=NO_ACCESS)
@blp.alt_response(413, description="The photo is larger than 10 MB")
@blp.alt_response(422, description="Not a JPEG, PNG or HEIC photo (checked from the content), or empty")
@blp.doc(security=BEARER, requestBody=UPLOAD_PHOTO)
@token_required
def put_card(patient_id: int, side: str):
    """Upload the photo of the card's front or back (multipart `photo`); metadata is removed before it is kept."""
    request.max_content_length = CARD_MAX + 64 * 1024
    upload = request.files.get("photo")
    if upload is None:
        message = str(_l("Choose a photo of your card."))
        raise Invalid(message, fields={"photo": [message]})
    return coverage.upload_card(actor(), load_patient(patient_id), side, upload.read(CARD_MAX + 1),
                                upload.filename or "card")


@blp.route(ITEM + "/card/<any(front, back):side>", methods=["GET"])
@blp.alt_response(404, description="No such photo, or no billing access")
@blp.doc(security=BEARER, responses={"200": {"description": "The photo, as an attachment", "content": {
    kind: {"schema": {"type": "string", "format": "binary"}} for kind in ("image/jpeg", "image/png")}}})
@token_required
def get_card(patient_id: int, side: str):
    """Download the card photo (an attachment; JPEG or PNG)."""
    photo = coverage.card_photo(actor(), load_patient(patient_id), side)
    return files.download_response(photo.data, photo.filename, photo.content_type)
