"""Medications, pharmacies and refill requests: input and output, shared by the portal forms and /api/v1."""

from __future__ import annotations

from marshmallow import post_load, validate

from hearth.i18n import _l
from hearth.models import ControlledSchedule, RefillStatus
from hearth.schemas import fields
from hearth.schemas.base import Schema
from hearth.schemas.contact import PhoneNumber

SCHEDULES = tuple(s.value for s in ControlledSchedule)


def _text(max_length: int, **kw):
    return fields.String(validate=validate.Length(max=max_length, error=_l("Keep this under {max} characters.")),
                         **kw)


def _blank_none(data: dict, *names: str) -> dict:
    for name in names:
        if name in data and isinstance(data[name], str) and not data[name].strip():
            data[name] = None
    return data


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


# ---- input


class MedicationSchema(Schema):
    """A medication as staff enter it (FHIR MedicationRequest: dosageInstruction text, dispenseRequest)."""

    name = fields.String(required=True, validate=validate.Length(
        min=1, max=200, error=_l("Enter the medication's name (up to {max} characters).")))
    strength = _text(60, load_default=None, allow_none=True, metadata={"example": "10 mg"})
    form = _text(60, load_default=None, allow_none=True, metadata={"example": "tablet"})
    instructions = _text(1000, load_default=None, allow_none=True,
                         metadata={"description": "dosageInstruction text"})
    prescriber_id = fields.Id(load_default=None, allow_none=True)
    quantity = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=10_000))
    refills_left = fields.Integer(load_default=0, validate=validate.Range(min=0, max=99), metadata={
        "description": "dispenseRequest.numberOfRepeatsAllowed still unused"})
    last_filled_on = fields.Date(load_default=None, allow_none=True)
    supply_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=365),
                                 metadata={"description": "dispenseRequest.expectedSupplyDuration, in days"})
    controlled_schedule = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(
        SCHEDULES, error=_l("Choose a schedule from II to V, or none.")))

    @post_load
    def _clean(self, data, **kwargs):
        _blank_none(data, "strength", "form", "instructions", "controlled_schedule")
        if data.get("controlled_schedule"):
            data["controlled_schedule"] = ControlledSchedule(data["controlled_schedule"])
        if isinstance(data.get("name"), str):
            data["name"] = data["name"].strip()
        return data


class MedicationChangeSchema(MedicationSchema):
    """The fields to change (use with partial=True): the others keep their values."""


class PharmacySchema(Schema):
    name = fields.String(required=True, validate=validate.Length(
        min=1, max=120, error=_l("Enter the pharmacy's name (up to {max} characters).")))
    address = _text(300, load_default=None, allow_none=True)
    phone = PhoneNumber(load_default=None, allow_none=True)
    preferred = fields.Boolean(load_default=False)

    @post_load
    def _clean(self, data, **kwargs):
        return _blank_none(data, "address")


class PharmacyChangeSchema(PharmacySchema):
    """The fields to change (use with partial=True)."""


class RefillRequestSchema(Schema):
    medication_ids = fields.List(fields.Id(), required=True, validate=validate.Length(
        min=1, max=20, error=_l("Choose from 1 to 20 medications.")))
    pharmacy_id = fields.Id(required=True, error_messages={"required": _l("Choose a pharmacy.")})
    note = _text(500, load_default=None, allow_none=True)


class ApproveLineSchema(Schema):
    medication_id = fields.Id(required=True)
    quantity = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=10_000))
    refills = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=99))


class ApproveSchema(Schema):
    lines = fields.List(fields.Nested(ApproveLineSchema), load_default=list, validate=validate.Length(max=20),
                        metadata={"description": "Quantity and refills per medication; by default the quantity "
                                                 "stays and one refill is used"})

    @post_load
    def _amounts(self, data, **kwargs):
        data["amounts"] = {line["medication_id"]: (line["quantity"], line["refills"]) for line in data["lines"]}
        return data


class DenySchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(
        min=1, max=500, error=_l("Tell the patient why, in up to {max} characters.")))


# ---- output


class MedicationOutSchema(Schema):
    id = fields.Integer(attribute="medication.id")
    name = fields.String(attribute="medication.name")
    strength = fields.String(attribute="medication.strength", allow_none=True)
    form = fields.String(attribute="medication.form", allow_none=True)
    label = fields.String(attribute="medication.label")
    instructions = fields.String(attribute="medication.instructions", allow_none=True)
    prescriber_id = fields.Integer(attribute="medication.prescriber_id", allow_none=True)
    prescriber = fields.String(attribute="prescriber_name", allow_none=True)
    quantity = fields.Integer(attribute="medication.quantity", allow_none=True)
    refills_left = fields.Integer(attribute="medication.refills_left")
    last_filled_on = fields.Date(attribute="medication.last_filled_on", allow_none=True)
    supply_days = fields.Integer(attribute="medication.supply_days", allow_none=True)
    runs_out_on = fields.Date(attribute="medication.runs_out_on", allow_none=True)
    controlled_schedule = fields.String(attribute="medication.controlled_schedule", allow_none=True)
    status = fields.String(attribute="medication.status", validate=validate.OneOf(("active", "stopped")))
    refill_pending = fields.Boolean()
    can_request = fields.Boolean(metadata={"description": "Active, not controlled, no request waiting"})


class MedicationPageSchema(Schema):
    items = fields.List(fields.Nested(MedicationOutSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class PharmacyOutSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "E.164"})
    preferred = fields.Boolean()


class PharmacyPageSchema(MedicationPageSchema):
    items = fields.List(fields.Nested(PharmacyOutSchema))


class RefillLineOutSchema(Schema):
    medication_id = fields.Integer()
    name = fields.String(attribute="medication.label")
    last_filled_on = fields.Date(allow_none=True)
    renewal = fields.Boolean(metadata={"description": "No refills were left: a new prescription is asked for"})
    approved_quantity = fields.Integer(allow_none=True)
    approved_refills = fields.Integer(allow_none=True)


class RefillRequestOutSchema(Schema):
    id = fields.Integer()
    patient_id = fields.Integer()
    status = fields.String(validate=validate.OneOf([s.value for s in RefillStatus]))
    note = fields.String(allow_none=True)
    pharmacy = fields.Nested(PharmacyOutSchema, allow_none=True)
    by_caregiver = fields.Boolean()
    requested_by = fields.String(attribute="requested_by_name", allow_none=True)
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    denial_reason = fields.String(allow_none=True)
    is_renewal = fields.Boolean()
    lines = fields.List(fields.Nested(RefillLineOutSchema))


class RefillRequestPageSchema(MedicationPageSchema):
    items = fields.List(fields.Nested(RefillRequestOutSchema))


class QueuePatientSchema(Schema):
    id = fields.Integer()
    mrn = fields.String()
    name = fields.String(attribute="full_name")
    date_of_birth = fields.Date()


class QueueItemSchema(Schema):
    request = fields.Nested(RefillRequestOutSchema)
    patient = fields.Nested(QueuePatientSchema, attribute="request.patient")
    age_minutes = fields.Integer(metadata={"description": "How long the request has waited"})


class QueuePageSchema(MedicationPageSchema):
    items = fields.List(fields.Nested(QueueItemSchema))
