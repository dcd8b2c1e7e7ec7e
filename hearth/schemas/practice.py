"""Practice settings and location schemas, shared by the settings pages and the API."""

from __future__ import annotations

from marshmallow import ValidationError, pre_load, validate, validates_schema

from hearth import phones
from hearth.clock import is_valid_zone
from hearth.i18n import LANGUAGE_NAMES, _l
from hearth.schemas import fields
from hearth.schemas.base import Schema
from hearth.schemas.contact import PhoneNumber
from hearth.schemas.patients import blank_to_none
from hearth.schemas.texts import LocationTextSchema, TranslatedInput, translations_field


def _zone(value: str | None) -> None:
    if value is not None and not is_valid_zone(value):
        raise ValidationError(str(_l("Choose a time zone from the list.")))


def _country(value: str | None) -> None:
    if not phones.is_country(value):
        raise ValidationError(str(_l("Choose a country from the list.")))


def _country_code(data):
    """Country codes are compared upper-case; a blank one means "leave as it is"."""
    if isinstance(data, dict) and isinstance(data.get("country"), str):
        data = dict(data)
        code = data.pop("country").strip().upper()
        if code:
            data["country"] = code
    return data


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
    translations = fields.Dict(keys=fields.String(), values=fields.Dict(),
                               metadata={"description": "the name in other languages: {\"es\": {\"name\": \"...\"}}"})


class LocationInputSchema(TranslatedInput, Schema):
    """A location's fields; use partial=True for PATCH."""

    name = fields.String(required=True, validate=NAME)
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    phone = PhoneNumber(load_default=None, allow_none=True)
    timezone = fields.String(load_default=None, allow_none=True, validate=_zone)
    translations = translations_field(fields.Nested(LocationTextSchema), "the name in other languages")

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
    country = fields.String(metadata={"description": "ISO 3166 code; phone numbers typed without +code are read "
                                                     "as numbers of this country"})
    timezone = fields.String()
    minor_full_access_below = fields.Integer(
        metadata={"description": "Guardians have full access to a minor below this age"})
    adult_age = fields.Integer(metadata={"description": "Guardian access ends at this age"})
    default_language = fields.String(metadata={
        "description": "the language of the practice's own texts; other languages are optional translations"})
    locations = fields.List(fields.Nested(LocationSchema))


class PracticeSettingsInputSchema(Schema):
    """The practice's own settings; use partial=True for PATCH (the service checks the tiers together)."""

    name = fields.String(required=True, validate=NAME)
    phone = PhoneNumber(load_default=None, allow_none=True)
    country = fields.String(validate=_country, metadata={"description": "ISO 3166 code such as US; "
                                                                        "left out: unchanged"})
    timezone = fields.String(required=True, validate=_zone)
    minor_full_access_below = fields.Integer(required=True, validate=validate.Range(
        min=0, max=17, error=_l("Enter an age from {min} to {max}.")))
    adult_age = fields.Integer(required=True, validate=validate.Range(
        min=16, max=21, error=_l("Enter an age from {min} to {max}.")))
    default_language = fields.String(validate=validate.OneOf(list(LANGUAGE_NAMES)))

    @pre_load
    def _blanks(self, data, **kwargs):
        data = _country_code(_strip_name(blank_to_none(data, ("phone", "timezone", "default_language"))))
        if isinstance(data, dict) and data.get("default_language") is None:
            data.pop("default_language", None)  # not sent: keep (or, new, default to) English
        return data

    @validates_schema
    def _tiers(self, data, **kwargs):
        full, adult = data.get("minor_full_access_below"), data.get("adult_age")
        if full is not None and adult is not None and full >= adult:
            raise ValidationError(str(_l("Full guardian access must end before the adult age.")),
                                  "minor_full_access_below")
