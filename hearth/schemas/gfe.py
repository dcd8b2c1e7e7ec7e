"""Good Faith Estimate schemas: the practice's settings, a request, and the estimate as the API shows it."""

from __future__ import annotations

import re

from marshmallow import ValidationError, pre_load, validate, validates

from hearth.i18n import _l
from hearth.schemas import fields
from hearth.schemas.base import Schema

_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK "
    "OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP")
US_STATES = frozenset(_STATES.split())
TIN = re.compile(r"^\d{2}-?\d{7}$")
NPI = re.compile(r"^\d{10}$")
ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


def npi_ok(npi: str) -> bool:
    """The NPI check digit (Luhn over "80840" + the first nine digits)."""
    if not NPI.match(npi):
        return False
    digits = [int(c) for c in "80840" + npi[:9]]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


class GfeSettingsInputSchema(Schema):
    tin = fields.String(allow_none=True, validate=validate.Length(max=10))
    npi = fields.String(allow_none=True, validate=validate.Length(max=10))
    state = fields.String(allow_none=True, validate=validate.Length(max=2))
    contact = fields.String(allow_none=True, validate=validate.Length(
        max=300, error=_l("Keep this under {max} characters.")))

    @pre_load
    def _blank(self, data, **kwargs):
        if isinstance(data, dict):
            data = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in data.items()}
            if isinstance(data.get("state"), str):
                data["state"] = data["state"].upper()
        return data

    @validates("tin")
    def _tin(self, value, **kwargs):
        if value is not None and not TIN.match(value):
            raise ValidationError(str(_l("Enter the 9-digit tax ID, like 12-3456789.")))

    @validates("npi")
    def _npi(self, value, **kwargs):
        if value is not None and not npi_ok(value):
            raise ValidationError(str(_l("Enter a valid 10-digit NPI.")))

    @validates("state")
    def _state(self, value, **kwargs):
        if value is not None and value not in US_STATES:
            raise ValidationError(str(_l("Enter a 2-letter state code, like NY.")))


class GfeSettingsSchema(Schema):
    practice_id = fields.Integer()
    tin = fields.String(allow_none=True)
    npi = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    contact = fields.String(allow_none=True)


class GfeRequestSchema(Schema):
    appointment_id = fields.Id(load_default=None, allow_none=True)
    visit_type_id = fields.Id(load_default=None, allow_none=True)
    diagnosis_codes = fields.List(fields.String(validate=validate.Length(max=8)), load_default=list,
                                  validate=validate.Length(max=12))
    separately_scheduled = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))

    @validates("diagnosis_codes")
    def _codes(self, value, **kwargs):
        bad = [code for code in value if not ICD10.match(code.strip().upper())]
        if bad:
            raise ValidationError(str(_l("Enter ICD-10 codes like E11.9.")))


class GfeItemSchema(Schema):
    code = fields.String(allow_none=True)
    code_type = fields.String(allow_none=True)
    description = fields.String()
    diagnosis_codes = fields.String(allow_none=True)
    quantity = fields.Integer()
    charge_cents = fields.Integer()


class GfeProviderSchema(Schema):
    convening = fields.Boolean()
    name = fields.String()
    npi = fields.String(allow_none=True)
    tin = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    items = fields.List(fields.Nested(GfeItemSchema))


class GfeSchema(Schema):
    id = fields.Integer()
    reason = fields.String(validate=validate.OneOf(("booking", "request")))
    issued_at = fields.AwareDateTime()
    due_by = fields.Date(allow_none=True)
    patient_name = fields.String()
    patient_birth_date = fields.Date()
    primary_service = fields.String()
    primary_service_code = fields.String(allow_none=True)
    scheduled_on = fields.Date(allow_none=True)
    appointment_id = fields.Integer(allow_none=True)
    diagnosis_codes = fields.String(allow_none=True)
    separately_scheduled = fields.String(allow_none=True)
    contact = fields.String(allow_none=True)
    total_cents = fields.Integer()
    providers = fields.List(fields.Nested(GfeProviderSchema))
    statements = fields.Method("_statements", metadata={"type": "array", "items": {"type": "string"}})
    pdf_url = fields.Method("_pdf", metadata={"type": "string"})

    def _statements(self, gfe) -> list[str]:
        from hearth.services.gfe.wording import statements

        return statements(gfe)

    def _pdf(self, gfe) -> str:
        return f"/api/v1/patients/{gfe.patient_id}/good-faith-estimates/{gfe.id}/pdf"


class GfeLanguageArgsSchema(Schema):
    lang = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("en", "es")))
