"""The staff view of one visit (/api/v1/practices/<id>/appointments/<id>)."""

from __future__ import annotations

from hearth.models import AppointmentStatus
from hearth.schemas import fields
from hearth.schemas.base import Schema
from hearth.schemas.patients import ChartCaregiverSchema
from hearth.schemas.scheduling import StaffAppointmentSchema

STATUSES = [status.value for status in AppointmentStatus]


class AnswerSchema(Schema):
    question_id = fields.String()
    question = fields.String()
    answer = fields.Raw(metadata={  # services.scheduling.checkin stores only booleans and text
        "oneOf": [{"type": "boolean"}, {"type": "string"}],
        "description": "true/false for yes-or-no questions, else text"})


class StatusChangeSchema(Schema):
    at = fields.DateTime()
    from_status = fields.Function(lambda c: c.from_status.value if c.from_status else None, allow_none=True,
                                  metadata={"type": "string", "enum": STATUSES})
    to_status = fields.Function(lambda c: c.to_status.value, metadata={"type": "string", "enum": STATUSES})
    by = fields.Function(lambda c: c.by_user.display_name if c.by_user else None, allow_none=True,
                         metadata={"type": "string",
                                   "description": "who made the change (null: a reminder link or the system)"})


class PatientContactSchema(Schema):
    id = fields.Integer()
    full_name = fields.String()
    mrn = fields.String()
    date_of_birth = fields.Date()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    preferred_language = fields.String()
    preferred_channels = fields.List(fields.String(), attribute="channels")


class CaregiverContactSchema(ChartCaregiverSchema):
    email = fields.String(allow_none=True)


class StaffAppointmentDetailSchema(Schema):
    """A StaffAppointment (services.scheduling.staff_detail)."""

    appointment = fields.Nested(StaffAppointmentSchema)
    timezone = fields.String(metadata={"description": "the clinic's IANA zone"})
    patient = fields.Nested(PatientContactSchema)
    answers = fields.List(fields.Nested(AnswerSchema), metadata={"description": "check-in answers"})
    history = fields.List(fields.Nested(StatusChangeSchema), metadata={"description": "status changes, oldest first"})
    caregivers = fields.List(fields.Nested(CaregiverContactSchema))
    next_statuses = fields.Function(lambda v: [s.value for s in v.next_statuses],
                                    metadata={"type": "array", "items": {"type": "string", "enum": STATUSES},
                                              "description": "statuses POST …/status accepts now"})
    can_cancel = fields.Boolean()
