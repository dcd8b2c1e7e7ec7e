"""Field types for contact details, used by every schema that takes an email address or a phone number.

One place per kind of value: an email is trimmed and lower-cased the same way for sign-in, reset,
email change, caregiver invitations and patient contact details; a phone number is cleaned and
checked for shape here, then put in E.164 by `hearth.phones` with the practice's country (which
only the service knows) as the region for national numbers.
"""

from __future__ import annotations

from marshmallow import ValidationError, validate

from hearth import phones
from hearth.i18n import _l
from hearth.schemas import fields
from hearth.services.auth import normalize_email

EMAIL_MAX = 254
NOT_AN_EMAIL = _l("Enter an email address like name@example.com.")
NOT_A_PHONE = _l("Enter a phone number with digits, spaces, brackets or dashes.")


_EMAIL = validate.Email()


def _valid_email(value: str) -> None:
    # marshmallow's own Email field wants a plain-string message at import time; this one is
    # translated when the check runs, in the request's language.
    if len(value) > EMAIL_MAX:
        raise ValidationError(str(NOT_AN_EMAIL))
    try:
        _EMAIL(value)
    except ValidationError as exc:
        raise ValidationError(str(NOT_AN_EMAIL)) from exc


class EmailAddress(fields.String):
    """An email address, trimmed and lower-cased before it is checked (at most 254 characters)."""

    def __init__(self, **kwargs):
        extra = kwargs.pop("validate", None)
        checks = [_valid_email, *([] if extra is None else (extra if isinstance(extra, list) else [extra]))]
        kwargs.setdefault("metadata", {}).setdefault("format", "email")
        super().__init__(validate=checks, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError(str(NOT_AN_EMAIL))
        return normalize_email(super()._deserialize(value, attr, data, **kwargs))


class PhoneNumber(fields.String):
    """A phone number as people type it, trimmed; blank means none when the field allows None.

    The value is checked for what can be known without a country (characters, digit count, and a
    number given with +country code must be possible); services then store it in E.164 with
    `phones.to_e164(value, practice.country)`, which refuses the numbers impossible there.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError(str(NOT_A_PHONE))
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            if self.allow_none:
                return None
            raise ValidationError(str(NOT_A_PHONE))
        try:
            return phones.clean(text)
        except phones.PhoneError as exc:
            raise ValidationError(str(exc.message)) from exc
