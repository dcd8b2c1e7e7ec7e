"""Scheduling input and output, shared by the portal forms and /api/v1."""

from __future__ import annotations

from datetime import UTC

from marshmallow import ValidationError, validate, validates_schema

from hearth import texts
from hearth.i18n import _l
from hearth.models import AppointmentStatus, WaitlistStatus
from hearth.schemas import fields
from hearth.schemas.base import Schema
from hearth.schemas.texts import InReaderLanguage, localized_field


class SlotQuerySchema(Schema):
    visit_type_id = fields.Id(required=True)
    provider_id = fields.Id(load_default=None, allow_none=True)
    location_id = fields.Id(load_default=None, allow_none=True)
    start = fields.Date(load_default=None, allow_none=True)
    end = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _order(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(str(_l("The end date must be after the start date.")), "end")


class StepArgsSchema(SlotQuerySchema):
    """The booking steps' query string: the search, the day chosen, the visit being moved."""

    day = fields.Date(load_default=None, allow_none=True)
    moving = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))


class BookSchema(Schema):
    visit_type_id = fields.Id(required=True)
    provider_id = fields.Id(required=True)
    location_id = fields.Id(load_default=None, allow_none=True)
    starts_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=1000, error=_l("Keep the reason under {max} characters.")))


OVERLAP_REASON = {"description": ("Staff only: why this visit may overlap another visit of the patient. Without it, "
                                   "an overlap is refused with 409 (patients cannot overlap their visits).")}


class StaffBookSchema(BookSchema):
    patient_id = fields.Id(required=True)
    overlap_reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300),
                                   metadata=OVERLAP_REASON)


class RescheduleSchema(Schema):
    starts_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    provider_id = fields.Id(load_default=None, allow_none=True)
    location_id = fields.Id(load_default=None, allow_none=True)
    overlap_reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300),
                                   metadata=OVERLAP_REASON)


class CalendarPreferenceSchema(Schema):
    include_visit_type = fields.Boolean(required=True, metadata={"description": (
        "Calendar files (.ics) title the visit with its type (\"Check-up at PRACTICE\") instead of the neutral "
        "\"Appointment at PRACTICE\". Off by default: titles show on lock screens and shared calendars.")})


class CancelSchema(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=300, error=_l("Keep the reason under {max} characters.")))


class CheckInSchema(Schema):
    contact_confirmed = fields.Boolean(load_default=False)
    insurance_confirmed = fields.Boolean(load_default=False)
    answers = fields.Dict(keys=fields.String(validate=validate.Length(max=60)), load_default=dict)


class WaitlistJoinSchema(Schema):
    visit_type_id = fields.Id(required=True)
    provider_id = fields.Id(load_default=None, allow_none=True)
    window_start = fields.Date(required=True, metadata={"description": "First acceptable day (practice's zone)"})
    window_end = fields.Date(required=True, metadata={"description": "Last acceptable day (practice's zone)"})

    @validates_schema
    def _order(self, data, **kwargs):
        if data.get("window_start") and data.get("window_end") and data["window_end"] < data["window_start"]:
            raise ValidationError(str(_l("The end date must be after the start date.")), "window_end")


class ScheduleQuerySchema(Schema):
    date = fields.Date(load_default=None, allow_none=True)
    days = fields.Integer(load_default=1, validate=validate.Range(min=1, max=7))
    provider_id = fields.Id(load_default=None, allow_none=True)
    location_id = fields.Id(load_default=None, allow_none=True)


class StatusSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(
        [s.value for s in AppointmentStatus if s != AppointmentStatus.CANCELLED]))


# Output


class NamedSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class ProviderOutSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()


class LocationOutSchema(Schema):
    id = fields.Integer()
    name = localized_field("name", metadata={"type": "string",
                                             "description": "in the reader's language when the practice gave it"})
    address = fields.String(allow_none=True)


class QuestionSchema(Schema):
    id = fields.String()
    text = InReaderLanguage(texts.question_text,
                            metadata={"type": "string",
                                      "description": "in the reader's language when the practice gave it"})
    type = fields.String()
    required = fields.Boolean()
    options = fields.List(fields.String(), metadata={"x-optional": True, "description": "choice questions only"})


class VisitTypeBriefSchema(Schema):
    """A visit type as patients read it: name, instructions and questions in the reader's language."""

    id = fields.Integer()
    name = localized_field("name", metadata={"type": "string", "description": "in the reader's language"})
    duration_minutes = fields.Integer()
    mode = fields.String()
    self_schedulable = fields.Boolean()
    instructions = localized_field("instructions", allow_none=True, metadata={
        "type": "string", "description": "how to prepare, in the reader's language"})
    questionnaire = fields.List(fields.Nested(QuestionSchema))


class VisitTypeOutSchema(VisitTypeBriefSchema):
    providers = fields.List(fields.Nested(ProviderOutSchema))


class SlotSchema(Schema):
    visit_type_id = fields.Integer()
    provider_id = fields.Integer()
    provider_name = fields.String()
    location_id = fields.Integer(allow_none=True)
    location_name = fields.String(allow_none=True)
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    timezone = fields.String(metadata={"description": "IANA zone the slot's local time is kept in"})


class AppointmentSchema(Schema):
    id = fields.Integer()
    patient_id = fields.Integer()
    status = fields.String(metadata={"enum": [s.value for s in AppointmentStatus]})
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    visit_type = fields.Nested(VisitTypeBriefSchema)
    provider = fields.Nested(ProviderOutSchema)
    location = fields.Nested(LocationOutSchema, allow_none=True)
    reason = fields.String(allow_none=True)
    checked_in_at = fields.DateTime(allow_none=True)
    confirmed_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    arrived_at = fields.DateTime(allow_none=True)
    roomed_at = fields.DateTime(allow_none=True)
    seen_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    no_show_at = fields.DateTime(allow_none=True)
    calendar_uid = fields.String(attribute="uid", metadata={
        "description": "The UID of the visit's calendar event (.ics): the same from every route, for its whole life"})
    calendar_sequence = fields.Integer(metadata={
        "description": "The calendar event's SEQUENCE: grows each time the visit is moved or cancelled"})


class AppointmentLinkSchema(Schema):
    """What a reminder link shows without sign-in: when, where (practice), state, what can be done."""

    action = fields.String(metadata={"enum": ["confirm", "cancel"], "description": "what the link is for"})
    starts_at = fields.DateTime()
    timezone = fields.String(attribute="zone", metadata={"description": "the clinic's zone"})
    practice_name = fields.String()
    phone = fields.String(metadata={"description": "whom to call when it is too late to cancel online"})
    status = fields.String(metadata={"enum": [s.value for s in AppointmentStatus], "description": "the visit's status"})
    confirmed_at = fields.DateTime(allow_none=True)
    can_confirm = fields.Boolean()
    can_cancel = fields.Boolean()
    for_name = fields.String(allow_none=True,
                             metadata={"description": "the patient's first name, on a caregiver's link"})


class AppointmentListSchema(Schema):
    upcoming = fields.List(fields.Nested(AppointmentSchema), metadata={
        "description": "Visits not yet over that are booked or under way, soonest first (never cancelled ones)"})
    past = fields.List(fields.Nested(AppointmentSchema), metadata={
        "description": "Visits that are over, cancelled, completed or missed, latest first (at most 50)"})


class BookingOptionsSchema(Schema):
    visit_types = fields.List(fields.Nested(VisitTypeOutSchema))
    locations = fields.List(fields.Nested(LocationOutSchema))


class JoinSchema(Schema):
    url = fields.String()


class WaitlistOfferSchema(Schema):
    provider = fields.Nested(ProviderOutSchema)
    location = fields.Nested(LocationOutSchema, allow_none=True)
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()


class WaitlistEntrySchema(Schema):
    id = fields.Integer()
    visit_type = fields.Nested(NamedSchema)
    provider = fields.Nested(ProviderOutSchema, allow_none=True)
    window_start = fields.Date()
    window_end = fields.Date()
    status = fields.String(metadata={"enum": [s.value for s in WaitlistStatus]})
    created_at = fields.DateTime()
    offered_at = fields.DateTime(allow_none=True)
    offer = fields.Nested(WaitlistOfferSchema, attribute="open_offer", allow_none=True, metadata={
        "description": "The freed time on offer (book it with POST …/waitlist/<id>/book), or null"})


class PatientBriefSchema(Schema):
    id = fields.Integer()
    full_name = fields.String()
    mrn = fields.String()
    date_of_birth = fields.Date()


class StaffAppointmentSchema(AppointmentSchema):
    patient = fields.Nested(PatientBriefSchema)
    overlap_reason = fields.String(allow_none=True, metadata={
        "description": "Why staff booked this visit over another visit of the patient, if they did"})


class ScheduleDaySchema(Schema):
    date = fields.Date()
    appointments = fields.List(fields.Nested(StaffAppointmentSchema))


class ScheduleSchema(Schema):
    practice_id = fields.Integer()
    start = fields.Date()
    timezone = fields.String(metadata={"description": "IANA zone of the days and times"})
    days = fields.List(fields.Nested(ScheduleDaySchema))
