"""A practice's scheduling setup (visit types, weekly hours, time off, rules): portal forms and /api/v1.

Per-field checks live here; rules that need stored data (overlaps, other fields of a PATCH) live in
hearth.services.scheduling.admin, so every entry point gets them.
"""

from __future__ import annotations

from marshmallow import ValidationError, pre_load, validate, validates

from hearth.i18n import _l
from hearth.models import ExceptionKind, VisitMode
from hearth.schemas import fields
from hearth.schemas.base import Schema
from hearth.schemas.patients import blank_to_none
from hearth.schemas.scheduling import LocationOutSchema, ProviderOutSchema, QuestionSchema, VisitTypeBriefSchema
from hearth.schemas.texts import TranslatedInput, VisitTypeTextSchema, translations_field

QUESTION_TYPES = ("text", "yes_no", "choice")
MAX_OFFSET_MINUTES = 60 * 24 * 30
MAX_OFFSETS = 5
MAX_EXCEPTION_PAGE = 10_000


def _range(lo: int, hi: int) -> validate.Range:
    return validate.Range(min=lo, max=hi, error=_l("Enter a whole number from {min} to {max}."))


def _one_of(values) -> validate.OneOf:
    return validate.OneOf(list(values), error=_l("Choose one of the options."))


def _strip(data, names):
    return blank_to_none(data, names)


REQUIRED = _l("This field is required.")
INVALID = {
    fields.Integer: _l("Enter a whole number."),
    fields.Time: _l("Enter a time such as 09:30."),
    fields.DateTime: _l("Enter a date and time."),
    fields.Date: _l("Enter a date."),
    fields.Boolean: _l("Choose yes or no."),
    fields.List: _l("Enter a list."),
    fields.String: _l("Enter text."),
}


class SetupSchema(Schema):
    """Input schema whose "required", "null" and "invalid" messages are translated (marshmallow's are English)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            messages = {"required": REQUIRED, "null": REQUIRED}
            invalid = next((text for kind, text in INVALID.items() if isinstance(f, kind)), None)
            if invalid is not None:
                messages["invalid"] = invalid
            f.error_messages = {**f.error_messages, **messages}


class QuestionInputSchema(TranslatedInput, SetupSchema):
    """One pre-visit question; `id` is kept when given (answers are stored by it), else made up."""

    id = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_-]{1,40}$", error=_l("Use letters, digits, dashes or underscores (at most 40).")))
    text = fields.String(required=True, validate=validate.Length(
        min=1, max=300, error=_l("Enter the question in at most {max} characters.")))
    type = fields.String(load_default="text", validate=_one_of(QUESTION_TYPES))
    required = fields.Boolean(load_default=False)
    options = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list,
                          validate=validate.Length(max=10, error=_l("At most {max} options.")))
    translations = translations_field(fields.String(validate=validate.Length(max=300)),
                                      "the question in other languages: {\"es\": \"...\"}")

    @pre_load
    def _blanks(self, data, **kwargs):
        return _strip(data, ("id", "text"))


class VisitTypeInputSchema(TranslatedInput, SetupSchema):
    """A visit type's fields; load with partial=True for PATCH."""

    name = fields.String(required=True, validate=validate.Length(
        min=1, max=120, error=_l("Enter a name of at most {max} characters.")), metadata={
        "description": "Unique within the practice, ignoring case and extra spaces (422 otherwise)"})
    duration_minutes = fields.Integer(required=True, validate=_range(5, 480))
    mode = fields.String(load_default=VisitMode.IN_PERSON.value, validate=_one_of(m.value for m in VisitMode))
    self_schedulable = fields.Boolean(load_default=True)
    active = fields.Boolean(load_default=True)
    instructions = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=2000, error=_l("Keep the instructions under {max} characters.")))
    provider_ids = fields.List(fields.Id(), load_default=list, validate=validate.Length(max=200), metadata={
        "description": "Providers who see this visit type; empty means every provider of the practice"})
    questionnaire = fields.List(fields.Nested(QuestionInputSchema), load_default=list,
                                validate=validate.Length(max=30, error=_l("At most {max} questions.")))
    translations = translations_field(fields.Nested(VisitTypeTextSchema),
                                      "name and instructions in other languages than the practice's")

    @pre_load
    def _blanks(self, data, **kwargs):
        return _strip(data, ("name", "instructions"))

    @validates("duration_minutes")
    def _grid(self, value, **kwargs):
        if value % 5:
            raise ValidationError(str(_l("Use a multiple of 5 minutes.")))


class VisitTypePatchSchema(VisitTypeInputSchema):
    """PATCH a visit type (load with partial=True); questionnaire, when sent, replaces the whole list."""


class HoursInputSchema(SetupSchema):
    """Weekly hours at a location, in its local time; load with partial=True for PATCH."""

    provider_id = fields.Id(required=True)
    location_id = fields.Id(required=True)
    weekday = fields.Integer(required=True, validate=_range(0, 6), metadata={"description": "0 = Monday"})
    start_time = fields.Time(required=True, metadata={"description": "Local wall-clock time, HH:MM"})
    end_time = fields.Time(required=True)
    effective_from = fields.Date(load_default=None, allow_none=True)
    effective_until = fields.Date(load_default=None, allow_none=True)

    @pre_load
    def _blanks(self, data, **kwargs):
        return _strip(data, ("effective_from", "effective_until"))


class HoursPatchSchema(HoursInputSchema):
    """PATCH weekly hours (load with partial=True)."""


class ScheduleExceptionInputSchema(SetupSchema):
    """Time off or extra hours; times without an offset are read in the practice's (or location's) zone."""

    provider_id = fields.Id(required=True)
    kind = fields.String(load_default=ExceptionKind.TIME_OFF.value, validate=_one_of(k.value for k in ExceptionKind))
    location_id = fields.Id(load_default=None, allow_none=True,
                                 metadata={"description": "Required for extra hours"})
    starts_at = fields.DateTime(required=True, metadata={"description": "Local time (no offset) or with an offset"})
    ends_at = fields.DateTime(required=True)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=200, error=_l("Keep the reason under {max} characters.")), metadata={
        "description": "For staff only: never shown or sent to patients"})
    cancel_booked = fields.Boolean(load_default=False, metadata={"description": (
        "Time off only: cancel the provider's booked visits inside it, in the same request, and tell each "
        "patient (date and time only). The time is not offered to the waitlist. Not a stored field: on "
        "PATCH it applies to the exception's new times.")})

    @pre_load
    def _blanks(self, data, **kwargs):
        return _strip(data, ("location_id", "reason"))


class ScheduleExceptionPatchSchema(ScheduleExceptionInputSchema):
    """PATCH an exception (load with partial=True)."""


class MinutesList(fields.Field):
    """Minutes before a visit: a JSON list of integers, or "10080, 1440, 120" from a form."""

    def _deserialize(self, value, attr, data, **kwargs):
        parts = value.split(",") if isinstance(value, str) else value
        if not isinstance(parts, list) or len(parts) > 50:
            raise ValidationError(str(_l("Enter whole numbers of minutes, separated by commas.")))
        out = []
        for part in parts:
            text = str(part).strip()
            if (isinstance(part, bool) or not (text.isascii() and text.isdigit()) or len(text) > 6
                    or not 1 <= int(text) <= MAX_OFFSET_MINUTES):
                raise ValidationError(str(_l("Each reminder is a whole number of minutes from 1 to %(max)s.",
                                             max=MAX_OFFSET_MINUTES)))
            out.append(int(text))
        out = sorted(set(out), reverse=True)
        if len(out) > MAX_OFFSETS:
            raise ValidationError(str(_l("At most %(n)s reminders.", n=MAX_OFFSETS)))
        return out

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class SchedulingSettingsInputSchema(SetupSchema):
    """The practice's scheduling rules; load with partial=True for PATCH."""

    cancel_cutoff_hours = fields.Integer(required=True, validate=_range(0, 336))
    checkin_opens_hours = fields.Integer(required=True, validate=_range(1, 336))
    checkin_closes_minutes = fields.Integer(required=True, validate=_range(0, 240))
    video_url_template = fields.String(required=True, validate=validate.Length(
        min=1, max=300, error=_l("Enter a link of at most {max} characters.")), metadata={
        "description": ("http(s) link containing {appointment_id} or {appointment_uid}; no other braces "
                        "(no attribute or index access)")})
    video_join_minutes_before = fields.Integer(required=True, validate=_range(0, 120))
    reminder_offsets = MinutesList(required=True, metadata={
        "description": "Minutes before the visit, e.g. [10080, 1440, 120]", "type": "array",
        "items": {"type": "integer"}})
    booking_horizon_days = fields.Integer(required=True, validate=_range(1, 730))

    @pre_load
    def _blanks(self, data, **kwargs):
        return _strip(data, ("video_url_template",))


# Output


class AdminQuestionSchema(QuestionSchema):
    text = fields.String()
    translations = fields.Dict(keys=fields.String(), values=fields.String(),
                               metadata={"x-optional": True, "description": "only when a translation was entered"})


class VisitTypeAdminSchema(VisitTypeBriefSchema):
    """A visit type as the practice entered it: its own texts and their translations."""

    name = fields.String()
    instructions = fields.String(allow_none=True)
    active = fields.Boolean()
    providers = fields.List(fields.Nested(ProviderOutSchema))
    questionnaire = fields.List(fields.Nested(AdminQuestionSchema))
    translations = fields.Dict(keys=fields.String(), values=fields.Dict())


class HoursSchema(Schema):
    id = fields.Integer()
    provider = fields.Nested(ProviderOutSchema)
    location = fields.Nested(LocationOutSchema)
    weekday = fields.Integer(metadata={"description": "0 = Monday"})
    start_time = fields.Time()
    end_time = fields.Time()
    effective_from = fields.Date(allow_none=True)
    effective_until = fields.Date(allow_none=True)


class ScheduleExceptionSchema(Schema):
    id = fields.Integer(attribute="exception.id")
    provider = fields.Nested(ProviderOutSchema, attribute="exception.provider")
    location = fields.Nested(LocationOutSchema, attribute="exception.location", allow_none=True)
    kind = fields.String(attribute="exception.kind")
    starts_at = fields.DateTime(attribute="exception.starts_at")
    ends_at = fields.DateTime(attribute="exception.ends_at")
    reason = fields.String(attribute="exception.reason", allow_none=True)
    timezone = fields.String(metadata={"description": "The zone local times were entered in"})
    booked_appointments = fields.Integer(attribute="booked", metadata={
        "description": "Visits still booked inside this time off (cancelled only when a request sets cancel_booked)"})
    cancelled = fields.Integer(metadata={
        "description": "Booked visits this request cancelled (cancel_booked); 0 in lists"})


class ScheduleExceptionPageSchema(Schema):
    items = fields.List(fields.Nested(ScheduleExceptionSchema))
    page = fields.Integer()
    has_next = fields.Boolean()


class ScheduleExceptionQuerySchema(SetupSchema):
    page = fields.Integer(load_default=1, validate=_range(1, MAX_EXCEPTION_PAGE))


class SchedulingSettingsSchema(Schema):
    practice_id = fields.Integer()
    cancel_cutoff_hours = fields.Integer()
    checkin_opens_hours = fields.Integer()
    checkin_closes_minutes = fields.Integer()
    video_url_template = fields.String()
    video_join_minutes_before = fields.Integer()
    reminder_offsets = fields.List(fields.Integer(), attribute="offsets")
    booking_horizon_days = fields.Integer()
