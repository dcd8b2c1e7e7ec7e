"""Results schemas (FHIR DiagnosticReport + Observation), shared by the staff forms and the API."""

from __future__ import annotations

import re

from marshmallow import ValidationError, post_load, pre_load, validate, validates_schema

from hearth.i18n import _l
from hearth.models import Interpretation, ReportStatus, ResultCategory
from hearth.schemas import fields
from hearth.schemas.base import Schema
from hearth.schemas.patients import MAX_PAGE, blank_to_none

LOINC = re.compile(r"^\d{1,7}-\d$")
VALUE_LIMIT = 10**12
CATEGORY_CODES = [c.value for c in ResultCategory]
STATUS_CODES = [ReportStatus.PRELIMINARY.value, ReportStatus.FINAL.value]
FLAG_CODES = [i.value for i in Interpretation]
TEXT_FIELDS = ("name", "loinc_code", "unit", "value_string", "range_text", "interpretation", "status",
               "performer", "comment", "client_key", "reason", "value_quantity", "range_low", "range_high",
               "ordering_provider_id")


def _within_limit(value) -> None:
    """Lab values and range ends are bounded like every number from outside (the column holds 18 digits)."""
    if value is not None and not -VALUE_LIMIT <= value <= VALUE_LIMIT:
        raise ValidationError(str(_l("Enter a number between -1,000,000,000,000 and 1,000,000,000,000.")))


def _number(**kwargs):
    return fields.Decimal(places=6, allow_nan=False, allow_none=True, load_default=None, validate=_within_limit,
                          metadata={"type": "number", "minimum": -VALUE_LIMIT, "maximum": VALUE_LIMIT}, **kwargs)


def _loinc():
    return fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        LOINC, error=_l("Enter a LOINC code such as 2345-7, or leave it empty.")),
        metadata={"description": "LOINC code, e.g. 2345-7 (glucose)"})


class ObservationInputSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    loinc_code = _loinc()
    value_quantity = _number()
    unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40),
                         metadata={"description": "UCUM unit, e.g. mg/dL"})
    value_string = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    range_low = _number()
    range_high = _number()
    range_text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    interpretation = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(FLAG_CODES),
                                   metadata={"description": "N, H, L, HH, LL or A; computed from the range if empty"})
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUS_CODES))

    @pre_load
    def _blanks(self, data, **kwargs):
        return blank_to_none(data, TEXT_FIELDS)

    @validates_schema
    def _one_value(self, data, **kwargs):
        if (data.get("value_quantity") is None) == (data.get("value_string") is None):
            raise ValidationError(str(_l("Give either a number or a text result.")), "value_quantity")
        low, high = data.get("range_low"), data.get("range_high")
        if low is not None and high is not None and low > high:
            raise ValidationError(str(_l("The low end of the range must not be above the high end.")), "range_low")

    @post_load
    def _codes(self, data, **kwargs):
        if data.get("interpretation"):
            data["interpretation"] = Interpretation(data["interpretation"])
        if data.get("status"):
            data["status"] = ReportStatus(data["status"])
        return data


class ResultInputSchema(Schema):
    category = fields.String(required=True, validate=validate.OneOf(CATEGORY_CODES))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200),
                         metadata={"description": "The panel or test, e.g. Basic metabolic panel"})
    loinc_code = _loinc()
    status = fields.String(load_default=ReportStatus.FINAL.value, validate=validate.OneOf(STATUS_CODES))
    performer = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                              metadata={"description": "The performing laboratory"})
    ordering_provider_id = fields.Id(load_default=None, allow_none=True)
    effective_at = fields.AwareDateTime(required=True, metadata={"description": "When the specimen was collected"})
    issued_at = fields.AwareDateTime(required=True, metadata={"description": "When the lab issued the report"})
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000),
                            metadata={"description": "A clinician's plain-language comment (providers only)"})
    client_key = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64),
                               metadata={"description": "Any unique text per new report: a resend records it once"})
    observations = fields.List(fields.Nested(ObservationInputSchema), required=True,
                               validate=validate.Length(min=1, max=100,
                                                        error=_l("Give between 1 and 100 test values.")))

    @pre_load
    def _blanks(self, data, **kwargs):
        return blank_to_none(data, TEXT_FIELDS)

    @post_load
    def _codes(self, data, **kwargs):
        data["category"] = ResultCategory(data["category"])
        data["status"] = ReportStatus(data["status"])
        return data


class ResultCorrectionSchema(ResultInputSchema):
    version = fields.Integer(required=True, validate=validate.Range(min=1),
                             metadata={"description": "The version being corrected (409 if it changed meanwhile)"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))

    class Meta:
        exclude = ("status", "comment", "client_key")

    @post_load
    def _codes(self, data, **kwargs):
        data["category"] = ResultCategory(data["category"])
        return data


class ResultCommentSchema(Schema):
    comment = fields.String(required=True, validate=validate.Length(min=1, max=4000))

    @pre_load
    def _blanks(self, data, **kwargs):
        return blank_to_none(data, ("comment",))


class ResultPageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class ResultTrendArgsSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(LOINC, error=_l("Enter a LOINC code such as 2345-7.")))
    unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class TrendUnitArgsSchema(Schema):
    unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40),
                         metadata={"description": "The unit of the line (UCUM); values in other units are not on it"})


# ---- output


class ObservationSchema(Schema):
    name = fields.String()
    loinc_code = fields.String(allow_none=True)
    status = fields.String()
    value_quantity = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True)
    value_string = fields.String(allow_none=True)
    range_low = fields.Float(allow_none=True)
    range_high = fields.Float(allow_none=True)
    range_text = fields.String(allow_none=True)
    interpretation = fields.String(allow_none=True, metadata={"description": "N, H, L, HH, LL or A"})
    out_of_range = fields.Function(lambda o: o.interpretation is not None and o.interpretation != Interpretation.N,
                                   metadata={"type": "boolean"})


class ResultReportSchema(Schema):
    id = fields.Integer()
    category = fields.String()
    name = fields.String()
    loinc_code = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "preliminary, final or corrected"})
    version = fields.Integer()
    performer = fields.String(allow_none=True)
    effective_at = fields.DateTime()
    issued_at = fields.DateTime()
    comment = fields.String(allow_none=True)
    commented_at = fields.DateTime(allow_none=True)
    released_at = fields.DateTime(allow_none=True)


class ResultItemSchema(Schema):
    report = fields.Nested(ResultReportSchema)
    observations = fields.List(fields.Nested(ObservationSchema))


class ResultPageSchema(Schema):
    items = fields.List(fields.Nested(ResultItemSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class ResultVersionSchema(Schema):
    version = fields.Function(lambda v: v.version.version, metadata={"type": "integer"})
    status = fields.Function(lambda v: v.version.status.value, metadata={"type": "string"})
    recorded_at = fields.Function(lambda v: v.version.recorded_at.isoformat(), metadata={"type": "string",
                                                                                        "format": "date-time"})
    observations = fields.List(fields.Nested(ObservationSchema))


class ResultDetailSchema(ResultItemSchema):
    commented_by = fields.String(allow_none=True)
    history = fields.List(fields.Nested(ResultVersionSchema),
                          metadata={"description": "Earlier versions, newest first"})


class ResultViewSchema(Schema):
    name = fields.String()
    relation = fields.String(metadata={"description": "self or caregiver"})
    first_at = fields.DateTime()
    last_at = fields.DateTime()
    times = fields.Integer()


class TrendPointSchema(Schema):
    at = fields.DateTime()
    value = fields.Float()
    interpretation = fields.String(allow_none=True)
    report_id = fields.Integer()
    range_low = fields.Float(allow_none=True)
    range_high = fields.Float(allow_none=True)


class ResultTrendSchema(Schema):
    code = fields.String()
    unit = fields.String(allow_none=True)
    name = fields.String()
    points = fields.List(fields.Nested(TrendPointSchema))
    other_units = fields.List(fields.String(allow_none=True))


class AwaitingResultSchema(Schema):
    report = fields.Nested(ResultReportSchema)
    patient_id = fields.Function(lambda i: i.report.patient_id, metadata={"type": "integer"})
    patient_name = fields.Function(lambda i: i.report.patient.full_name, metadata={"type": "string"})
    views = fields.List(fields.Nested(ResultViewSchema))


class AwaitingResultPageSchema(Schema):
    items = fields.List(fields.Nested(AwaitingResultSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class ReleaseChoiceSchema(Schema):
    category = fields.String(required=True, validate=validate.OneOf(CATEGORY_CODES))
    wait_for_comment = fields.Boolean(required=True)


class ReleasePreferencesSchema(Schema):
    items = fields.List(fields.Nested(ReleaseChoiceSchema), required=True, validate=validate.Length(max=20))
    can_edit = fields.Boolean(dump_only=True)


class ResultSettingsSchema(Schema):
    confidential_for_teens = fields.List(fields.String(validate=validate.OneOf(CATEGORY_CODES)), required=True,
                                         validate=validate.Length(max=20),
                                         metadata={"description": "Categories a teen's guardians see only with "
                                                                  "her consent"})
