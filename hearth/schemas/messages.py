"""What the libraries say, in the reader's language: one table of marshmallow's and webargs' English
messages, and `translate` that rewrites a whole (nested) error structure through it.

Marshmallow formats its messages in English when it validates ("Longer than maximum length 100.").
The base `Schema` (hearth.schemas.base) hands every error it raises to `translate`, which matches each
message against the templates below and formats the translated template with the same values, so
every schema speaks the request's language without a message of its own. Messages we wrote (already
translated) match no template and pass through unchanged.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from flask_babel import gettext


def N_(text: str) -> str:  # noqa: N802 (the gettext convention: marked for extraction, translated later)
    return text


# The English templates exactly as the libraries write them, with their {placeholders}.
LIBRARY_MESSAGES: list[str] = [
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    N_("Invalid input."),
    N_("Invalid input type."),
    N_("Invalid type."),
    N_("Unknown field."),
    N_("Longer than maximum length {max}."),
    N_("Shorter than minimum length {min}."),
    N_("Length must be between {min} and {max}."),
    N_("Length must be {equal}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be greater than {min} and less than {max}."),
    N_("Must be greater than or equal to {min} and less than {max}."),
    N_("Must be greater than {min} and less than or equal to {max}."),
    N_("Must be greater than or equal to {min}."),
    N_("Must be greater than {min}."),
    N_("Must be less than or equal to {max}."),
    N_("Must be less than {max}."),
    N_("Must be equal to {other}."),
    N_("Must be one of: {choices}."),
    N_("One or more of the choices you made was not in: {choices}."),
    N_("One or more of the choices you made was in: {values}."),
    N_("String does not match expected pattern."),
    N_("Not a valid email address."),
    N_("Not a valid URL."),
    N_("Not a valid UUID."),
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid time."),
    N_("Not a valid aware datetime."),
    N_("Not a valid naive datetime."),
    N_("Not a valid period of time."),
    N_("Not a valid list."),
    N_("Not a valid tuple."),
    N_("Not a valid mapping type."),
    N_("Not a valid IP address."),
    N_("\"{input}\" cannot be formatted as a date."),
    N_("\"{input}\" cannot be formatted as a datetime."),
    N_("Invalid JSON body."),
]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@cache
def _patterns() -> list[tuple[re.Pattern, str]]:
    """(regex of the English message, its template), built once."""
    out = []
    for template in LIBRARY_MESSAGES:
        pieces = _PLACEHOLDER.split(template)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.*?)" for i, p in enumerate(pieces))
        out.append((re.compile(f"^{regex}$", re.S), template))
    return out


def translate_message(message: str) -> str:
    """One message in the current language: a library's template re-filled, anything else as it is."""
    text = str(message)
    for pattern, template in _patterns():
        match = pattern.match(text)
        if match:
            return gettext(template).format(**match.groupdict())
    return text


def translate(messages: Any) -> Any:
    """Every message in a marshmallow error structure (dicts by field or index, lists, strings)."""
    if isinstance(messages, dict):
        return {key: translate(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [translate(value) for value in messages]
    if messages is None or isinstance(messages, bool | int | float):
        return messages
    return translate_message(messages)
