"""Phone numbers: stored in E.164 ("+15550100123"), read with the practice's country as the default
region, shown formatted for people, sent to the SMS provider as stored. Built on `phonenumbers`
(Google's libphonenumber metadata).

A number is refused when it cannot be a phone number at all (too few or too many digits for its
country, letters, a local-only number without its area code). Numbers that are possible but not
assigned (the 555 numbers used in examples and tests) are accepted: a practice knows its patients'
numbers better than the metadata does.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat
from phonenumbers.phonenumberutil import ValidationResult

from hearth.i18n import _l

DEFAULT_COUNTRY = "US"
MAX_LENGTH = 40
_TYPED = re.compile(r"\+?[0-9 ().-]+")
IMPOSSIBLE = _l("This is not a phone number we can use. Check the digits; for a number in another "
                "country, start with + and the country code.")
BAD_CHARACTERS = _l("Enter a phone number with digits, spaces, brackets or dashes.")


class PhoneError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def is_country(code: str | None) -> bool:
    """True for a two-letter region phonenumbers knows ("US", "ES", "MX")."""
    return bool(code) and code.upper() in phonenumbers.SUPPORTED_REGIONS


def countries() -> list[str]:
    return sorted(phonenumbers.SUPPORTED_REGIONS)


def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber:
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        raise PhoneError(IMPOSSIBLE) from exc
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        raise PhoneError(IMPOSSIBLE)
    return number


def clean(text: str) -> str:
    """What can be checked without a country: the characters, and any number written with +country code.

    Returns the number in E.164 when it starts with "+", else the trimmed text for `to_e164`.
    Raises PhoneError.
    """
    text = text.strip()
    digits = sum(c.isdigit() for c in text)
    if len(text) > MAX_LENGTH or not _TYPED.fullmatch(text):
        raise PhoneError(BAD_CHARACTERS)
    if not 4 <= digits <= 17:
        raise PhoneError(IMPOSSIBLE)
    if text.startswith("+"):
        return phonenumbers.format_number(_parse(text, None), PhoneNumberFormat.E164)
    return text


def to_e164(text: str, country: str | None) -> str:
    """`text` in E.164; a national number is read as one of `country` (the practice's). Raises PhoneError."""
    region = (country or DEFAULT_COUNTRY).upper()
    return phonenumbers.format_number(_parse(clean(text), region), PhoneNumberFormat.E164)


def stored_or_none(text: str | None, country: str | None) -> str | None:
    """E.164 for a stored value that may predate E.164 (rows the migration could not read stay as typed)."""
    if not text:
        return None
    try:
        return to_e164(text, country)
    except PhoneError:
        return None


def display(value: str | None, country: str | None = None) -> str:
    """A stored number for people: national format in the practice's country, international elsewhere."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, (country or DEFAULT_COUNTRY).upper())
    except NumberParseException:
        return value
    home = phonenumbers.country_code_for_region((country or DEFAULT_COUNTRY).upper())
    style = PhoneNumberFormat.NATIONAL if number.country_code == home else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def normalize_in(values: dict, country: str | None, errors: dict, key: str = "phone") -> None:
    """Put `values[key]` in E.164 in place, or add the reason to `errors[key]` (services call this)."""
    text = values.get(key)
    if not text:
        return
    try:
        values[key] = to_e164(text, country)
    except PhoneError as exc:
        errors.setdefault(key, []).append(exc.message)
