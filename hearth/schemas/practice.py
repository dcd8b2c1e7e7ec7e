"""Practice settings and location schemas, shared by the settings pages and the API."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, pre_load, validate, validates_schema

from hearth.clock import is_valid_zone
from hearth.i18n import _l
from hearth.schemas import fields
from hearth.schemas.patients import blank_to_none, valid_phone


def _zone(value: str | None) -> None:
    if value is not None and not is_valid_zone(value):
        raise ValidationError(str(_l("Choose a time zone from the list.")))


NAME = validate.Length(min=1, max=200, error=_l("Enter a name of at most {max} characters."))


def _strip_name(data):
    if isinstance(data, dict) and isinstance(data.get("name"), str):
        data = {**data, "name": data["name"].strip()}
    return data


class LocationSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    timezone = fields.String(allow_none=True, metadata={"description": "IANA zone; null means the practice's"})


class LocationInputSchema(Schema):
    """A location's fields; use partial=True for PATCH."""

    name = fields.String(required=True, validate=NAME)
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    phone = fields.String(load_default=None, allow_none=True, validate=valid_phone)
    timezone = fields.String(load_default=None, allow_none=True, validate=_zone)

    @pre_load
    def _blanks(self, data, **kwargs):
        return _strip_name(blank_to_none(data, ("address", "phone", "timezone")))


class LocationPatchSchema(LocationInputSchema):
    """PATCH a location: load with partial=True; its own name keeps the OpenAPI components distinct."""


class PracticeSettingsSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    slug = fields.String()
    phone = fields.String(allow_none=True)
    timezone = fields.String()
    minor_full_access_below = fields.Integer(
        metadata={"description": "Guardians have full access to a minor below this age"})
    adult_age = fields.Integer(metadata={"description": "Guardian access ends at this age"})
    locations = fields.List(fields.Nested(LocationSchema))


class PracticeSettingsInputSchema(Schema):
    """The practice's own settings; use partial=True for PATCH (the service checks the tiers together)."""

    name = fields.String(required=True, validate=NAME)
    phone = fields.String(load_default=None, allow_none=True, validate=valid_phone)
    timezone = fields.String(required=True, validate=_zone)
    minor_full_access_below = fields.Integer(required=True, validate=validate.Range(
        min=0, max=17, error=_l("Enter an age from {min} to {max}.")))
    adult_age = fields.Integer(required=True, validate=validate.Range(
        min=16, max=21, error=_l("Enter an age from {min} to {max}.")))

    @pre_load
    def _blanks(self, data, **kwargs):
        return _strip_name(blank_to_none(data, ("phone", "timezone")))

    @validates_schema
    def _tiers(self, data, **kwargs):
        full, adult = data.get("minor_full_access_below"), data.get("adult_age")
        if full is not None and adult is not None and full >= adult:
            raise ValidationError(str(_l("Full guardian access must end before the adult age.")),
                                  "minor_full_access_below")
