"""Input and output of practice-entered texts in other languages (hearth.texts)."""

from __future__ import annotations

from flask_babel import get_locale
from marshmallow import post_load, validate

from hearth import texts
from hearth.i18n import LANGUAGE_NAMES
from hearth.schemas import fields
from hearth.schemas.base import Schema

LANGUAGE = fields.String(validate=validate.OneOf(list(LANGUAGE_NAMES)))


def _clean(translations: dict) -> dict:
    """Blank texts dropped (the default language's text is shown instead), languages without texts too."""
    out = {}
    for language, value in (translations or {}).items():
        if isinstance(value, dict):
            kept = {k: v.strip() for k, v in value.items() if isinstance(v, str) and v.strip()}
        else:
            kept = value.strip() if isinstance(value, str) else ""
        if kept:
            out[language] = kept
    return out


class VisitTypeTextSchema(Schema):
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    instructions = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class LocationTextSchema(Schema):
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


def translations_field(values, description: str) -> fields.Dict:
    return fields.Dict(keys=LANGUAGE, values=values, load_default=dict, metadata={"description": description})


class TranslatedInput:
    """Mixin for input schemas with a `translations` field: blanks dropped after loading."""

    @post_load
    def _clean_translations(self, data, **kwargs):
        if "translations" in data:
            data["translations"] = _clean(data["translations"])
        return data


def reader_language() -> str:
    """The request's language (the API's Accept-Language, the portal's chosen language)."""
    return str(get_locale() or "en")


class InReaderLanguage(fields.Function):
    """An output field computed from the object and the reader's language: `func(obj, language)`.

    marshmallow's own dump (and the OpenAPI document) see a plain Function field; the compiled dump
    (hearth.schemas.dumper) calls `dump_value`, which asks Flask-Babel for the language once per dump
    instead of once per field of every row.
    """

    def __init__(self, func, **kwargs):
        super().__init__(lambda obj: func(obj, reader_language()), **kwargs)
        self.language_func = func

    def dump_value(self, obj, memo: dict):
        language = memo.get(reader_language)
        if language is None:
            language = memo[reader_language] = reader_language()
        return self.language_func(obj, language)


def localized_field(field: str, **kwargs) -> fields.Function:
    """An output field with the practice's text in the reader's language (default language as fallback)."""
    return InReaderLanguage(lambda obj, language: texts.localized(obj, field, language), **kwargs)
